"""Supervision's pages: the visits one may see, one visit with its findings, publishing it,
and the evidence photos, served only to who may see the visit (R-SUP-2)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from servicehall.core.errors import NotFound, ServiceError
from servicehall.core.params import page_param
from servicehall.org.decorators import staff_view
from servicehall.org.permissions import Action

from . import selectors, services
from .models import Inspection, Photo, Verdict

READERS = _lazy(
    "Inspections are seen by inspectors, the organizing office, and the leaders of the units "
    "and sectors inspected once they are published."
)


@staff_view(allows=[Action.VIEW_INSPECTIONS], refusal=READERS)
def index(request, actor, own):
    show = request.GET.get("show", "all")
    if show not in ("all", "unpublished", "published"):
        show = "all"
    page = Paginator(selectors.inspections_for(actor, show), 50).get_page(page_param(request.GET))
    return render(
        request,
        "supervision/index.html",
        {
            "page": page,
            "show": show,
            "sees_unpublished": selectors.sees_unpublished(actor),
            "tabs": [
                ("all", _("all")),
                ("unpublished", _("not published")),
                ("published", _("published")),
            ],
        },
    )


def _inspection(actor, number) -> Inspection:
    inspection = get_object_or_404(
        Inspection.objects.select_related(
            "unit",
            "window",
            "staff",
            "inspector",
            "second_inspector",
            "version__checklist",
            "published_by",
        ),
        number=number,
    )
    if not selectors.visible(actor, inspection):
        # R-SUP-2: to the unit an unpublished visit does not exist
        raise NotFound(_("No such inspection."))
    return inspection


@staff_view(allows=[Action.VIEW_INSPECTIONS], refusal=READERS)
def detail(request, actor, own, number):
    inspection = _inspection(actor, number)
    findings = list(
        inspection.findings.select_related("item", "staff", "inspector").order_by(
            "item__position", "inspector_id"
        )
    )
    photos = {}
    for p in inspection.photos.all():
        photos.setdefault(p.item_id, []).append(p)
    lead = [f for f in findings if f.inspector_id == inspection.inspector_id]
    second = {f.item_id: f for f in findings if f.inspector_id != inspection.inspector_id}
    rows = [(f, second.get(f.item_id), photos.get(f.item_id, [])) for f in lead]
    return render(
        request,
        "supervision/detail.html",
        {
            "inspection": inspection,
            "rows": rows,
            "deductions": [r for r in rows if r[0].verdict == Verdict.DEDUCT],
            "sealed": services.sealed(inspection),
            "can_publish": actor.can(Action.PUBLISH_INSPECTION, unit=inspection.unit)
            and not inspection.published,
            "notice": getattr(inspection, "notice", None) if inspection.published else None,
            "bars": inspection.awardbar_set.select_related("plan"),
        },
    )


@require_POST
@staff_view(allows=[Action.PUBLISH_INSPECTION], refusal=_lazy("The organizing office publishes."))
def publish(request, actor, own, number):
    inspection = _inspection(actor, number)
    try:
        services.publish(actor=actor, inspection=inspection)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("supervision:inspection", number)
    messages.success(request, _("Published: the unit now sees the visit and its deductions."))
    return redirect("supervision:inspection", number)


@staff_view(allows=[Action.VIEW_INSPECTIONS, Action.RECORD_INSPECTION], refusal=READERS)
def photo(request, actor, own, pk):
    p = get_object_or_404(Photo.objects.select_related("inspection__unit"), pk=pk)
    if not selectors.visible(actor, p.inspection):
        raise NotFound(_("No such photo."))
    response = FileResponse(p.image.open("rb"), content_type=p.content_type)
    response["Cache-Control"] = "private, no-store"
    return response
