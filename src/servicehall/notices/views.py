"""The notifications page: one's own notifications, newest first, each a link to its page."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from servicehall.core.params import page_param

from . import selectors, services

PER_PAGE = 50


@login_required
def notifications(request):
    if request.method == "POST":  # mark all as read
        services.mark_read(user=request.user)
        return redirect("notices:notifications")
    items = selectors.for_recipient(request.user)
    page = Paginator(items, PER_PAGE).get_page(page_param(request.GET))
    return render(request, "notices/notifications.html", {"page": page})


@login_required
def open_notification(request, pk):
    """Follow a notification's link, marking it read. Another person's is not found."""
    n = get_object_or_404(selectors.for_recipient(request.user), pk=pk)
    services.mark_read(user=request.user, notification=n)
    if n.link and url_has_allowed_host_and_scheme(n.link, allowed_hosts=None):
        return redirect(n.link)
    return redirect("notices:notifications")


@require_POST
@login_required
def mark_read(request, pk):
    n = get_object_or_404(selectors.for_recipient(request.user), pk=pk)
    services.mark_read(user=request.user, notification=n)
    return redirect("notices:notifications")
