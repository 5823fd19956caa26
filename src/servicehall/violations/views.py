"""The violation-points ledger as a page (R-SUP-3): per unit and per person over a period, and
every entry with the source it names — a complaint, an inspection's deduction — including the
cancellations, so a reader sees what was taken back and why."""

import datetime as dt

from django.core.paginator import Paginator
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
from servicehall.org.models import Staff, Unit
from servicehall.org.permissions import Action

from .figures import violation_rows
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
    # the points that stand, as every figure counts them (figures.violation_rows)
    by_unit = violation_rows(("unit_id",), first, last, units)
    by_person = [r for r in violation_rows(("staff_id",), first, last, units) if r["staff_id"]]
    names = dict(
        Unit.objects.filter(pk__in=[r["unit_id"] for r in by_unit]).values_list("pk", "name")
    )
    people = {
        s.pk: s
        for s in Staff.objects.filter(pk__in=[r["staff_id"] for r in by_person]).select_related(
            "unit"
        )
    }
    by_unit = sorted(
        ({"unit": names[r["unit_id"]], "points": r["points"]} for r in by_unit),
        key=lambda r: -r["points"],
    )
    by_person = sorted(
        ({"staff": people[r["staff_id"]], "points": r["points"]} for r in by_person),
        key=lambda r: -r["points"],
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
            "by_unit": by_unit[:100],
            "by_person": by_person[:100],
            "page": page,
            "entries": entries,
        },
    )
