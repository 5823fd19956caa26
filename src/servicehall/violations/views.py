"""The violation-points ledger as a page (R-SUP-3): per unit and per person over a period, and
every entry with the source it names — a complaint, an inspection's deduction — including the
cancellations, so a reader sees what was taken back and why."""

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Sum
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from servicehall.core.errors import InvalidInput
from servicehall.core.figures import day_bounds
from servicehall.core.params import date_param, page_param
from servicehall.org import services as org
from servicehall.org.decorators import staff_view
from servicehall.org.permissions import Action

from .figures import standing_points
from .models import SourceKind, Violation

READERS = _lazy(
    "The ledger is read by the leaders of units and sectors, inspectors and the office."
)


def source_url(row: Violation) -> str:
    """The page of the source a row names, by URL name only (the ledger imports no source)."""
    try:
        if row.source_kind == SourceKind.COMPLAINT:
            return reverse("complaint", args=[row.source_id])
        if row.source_kind == SourceKind.INSPECTION:
            return reverse("supervision:inspection", args=[row.source_id.split("/")[0]])
    except NoReverseMatch:
        pass
    return ""


@staff_view(allows=[Action.HANDLE_COMPLAINT, Action.VIEW_INSPECTIONS], refusal=READERS)
def ledger(request, actor, own):
    today = timezone.localdate()
    first = date_param(request.GET, "from", default=dt.date(today.year, 1, 1))
    last = date_param(request.GET, "to", default=today)
    if last < first:
        raise InvalidInput({"to": [_("The last day comes after the first.")]})
    start, end = day_bounds(first, last)
    units = org.units_for(actor)
    rows = Violation.objects.filter(unit__in=units, recorded_at__gte=start, recorded_at__lt=end)
    standing = standing_points().filter(pk__in=rows.values("pk"))
    by_unit = (
        standing.values("unit__name", "unit__code")
        .annotate(points=Sum("points"))
        .order_by("-points")
    )
    by_person = (
        standing.filter(staff__isnull=False)
        .values("staff__name", "staff__badge_no", "unit__name")
        .annotate(points=Sum("points"))
        .order_by("-points")
    )
    page = Paginator(
        rows.select_related("unit", "staff", "cancels").order_by("-recorded_at", "-pk"), 50
    ).get_page(page_param(request.GET))
    entries = [(r, source_url(r)) for r in page]
    return render(
        request,
        "violations/ledger.html",
        {
            "first": first,
            "last": last,
            "by_unit": list(by_unit[:100]),
            "by_person": list(by_person[:100]),
            "page": page,
            "entries": entries,
        },
    )
