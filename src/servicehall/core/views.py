"""View helpers every app's views share: a service's refusal on a form. A refusal the view
does not show itself reaches web's ServiceErrorMiddleware (decision 0024)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from servicehall.core.errors import Forbidden, InvalidInput, ServiceError


def add_service_errors(form, exc: ServiceError):
    """A service's refusal on the form: each field's messages next to it, the rest on top.
    A Forbidden is no form's to show: it goes on to the 403 page."""
    if isinstance(exc, Forbidden):
        raise exc
    if isinstance(exc, InvalidInput):
        for field, msgs in exc.errors.items():
            for msg in msgs:
                form.add_error(field if field in form.fields else None, msg)
    else:
        form.add_error(None, str(exc))


def message_refusal(request, exc: ServiceError):
    """A service's refusal as a message above the page the view redirects to; a Forbidden goes
    on to the 403 page."""
    if isinstance(exc, Forbidden):
        raise exc
    messages.error(request, str(exc))


def save_with_service(request, form, save, success_url):
    """Validate the form, then let the service decide; its refusals land next to the fields."""
    if not form.is_valid():
        return False, None
    try:
        result = save(form)
    except ServiceError as exc:
        add_service_errors(form, exc)
        return False, None
    messages.success(request, _("Saved."))
    return True, redirect(success_url(result) if callable(success_url) else success_url)
