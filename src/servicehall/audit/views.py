from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from servicehall.core.params import choice_param, int_param, page_param, text_param
from servicehall.org.models import Unit
from servicehall.org.permissions import actor_for
from servicehall.org.views import _guard

from . import services


@_guard
def trail(request):
    """The audit trail within the reader's scope, newest first, 50 to a page."""
    actor = actor_for(request.user)
    unit_id = int_param(request.GET, "unit")
    unit = get_object_or_404(Unit, pk=unit_id) if unit_id else None
    entries = services.entries_for(
        actor,
        unit=unit,
        model=text_param(request.GET, "model"),
        action=choice_param(request.GET, "action", ["0", "1", "2"]),  # create, update, delete
    )
    page = Paginator(entries, 50).get_page(page_param(request.GET))
    rows = services.describe_many(page.object_list)
    return render(request, "audit/trail.html", {"page": page, "rows": rows, "unit": unit})
