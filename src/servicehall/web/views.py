"""Shared view helpers and the pages that belong to no single app."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from servicehall.org.choices import Role
from servicehall.org.models import Unit
from servicehall.org.permissions import actor_for, matrix_rows


class LoginView(auth_views.LoginView):
    """Staff login: each role lands on its own start page, unless ?next= says where to go."""

    def get_default_redirect_url(self):
        from .navigation import start_page

        return start_page(actor_for(self.request.user))


def home(request):
    from servicehall.queueing.models import AppointmentSlot

    units = Unit.objects.select_related("sector").order_by("sector__order", "name")
    bookable = set(AppointmentSlot.objects.values_list("unit_id", flat=True).distinct())
    return render(request, "web/home.html", {"units": units, "bookable": bookable})


@login_required
def permissions_page(request):
    roles = [r for r in Role]
    return render(request, "web/permissions.html", {"rows": matrix_rows(), "roles": roles})


def media(request, path):
    """Staff photos for the public wall. Behind a proxy, serve MEDIA_ROOT from the proxy."""
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.MEDIA_ROOT).resolve()
    target = (root / path).resolve()
    if root not in target.parents or not target.is_file():
        raise Http404(path)
    return FileResponse(open(target, "rb"))  # noqa: SIM115 - FileResponse closes it


def favicon(request):
    """The icon, for browsers that ask /favicon.ico on pages that name none."""
    from django.templatetags.static import static

    return redirect(static("servicehall/favicon.svg"), permanent=True)
