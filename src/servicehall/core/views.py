"""View helpers every app's views share: a refusal as the 403 page, a service's refusal on a
form."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from servicehall.core.errors import Forbidden, InvalidInput, ServiceError


def forbidden(request, exc: ServiceError):
    return render(request, "web/forbidden.html", {"message": str(exc)}, status=403)


def add_service_errors(form, exc: ServiceError):
    """A service's refusal on the form: each field's messages next to it, the rest on top."""
    if isinstance(exc, InvalidInput):
        for field, msgs in exc.errors.items():
            for msg in msgs:
                form.add_error(field if field in form.fields else None, msg)
    else:
        form.add_error(None, str(exc))


def save_with_service(request, form, save, success_url):
    """Validate the form, then let the service decide; its refusals land next to the fields."""
    if not form.is_valid():
        return False, None
    try:
        result = save(form)
    except Forbidden:
        raise
    except ServiceError as exc:
        add_service_errors(form, exc)
        return False, None
    messages.success(request, _("Saved."))
    return True, redirect(success_url(result) if callable(success_url) else success_url)
