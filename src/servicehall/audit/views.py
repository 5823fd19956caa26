from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from servicehall.core.params import choice_param, int_param, page_param, text_param
from servicehall.org.decorators import staff_view
from servicehall.org.models import Unit

from . import services


@staff_view
def trail(request, actor, own):
    """The audit trail within the reader's scope, newest first, 50 to a page."""
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
