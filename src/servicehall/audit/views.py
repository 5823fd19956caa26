from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from servicehall.org.models import Unit
from servicehall.org.permissions import actor_for
from servicehall.org.views import _guard

from . import services


@_guard
def trail(request):
    """The audit trail within the reader's scope, newest first, 50 to a page."""
    actor = actor_for(request.user)
    unit_id = request.GET.get("unit")
    unit = get_object_or_404(Unit, pk=unit_id) if unit_id and unit_id.isdigit() else None
    entries = services.entries_for(
        actor, unit=unit, model=request.GET.get("model", ""), action=request.GET.get("action")
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    rows = services.describe_many(page.object_list)
    return render(request, "audit/trail.html", {"page": page, "rows": rows, "unit": unit})
