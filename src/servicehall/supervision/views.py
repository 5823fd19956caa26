"""Supervision's pages: the visits one may see, one visit with its findings, publishing it,
and the evidence photos, served only to who may see the visit (R-SUP-2)."""

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from servicehall.core.errors import InvalidInput, NotFound, ServiceError
from servicehall.core.params import page_param
from servicehall.org.decorators import staff_view
from servicehall.org.models import Staff, Unit
from servicehall.org.permissions import Action

from . import agreement, plans, selectors, selfcheck, services
from .models import (
    FocusArea,
    Inspection,
    InspectionPlan,
    Photo,
    SelfFinding,
    SelfInspection,
    Verdict,
)

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


# ---- plans, agreement, self-inspection (R-SUP-2, R-SUP-4) ----------------------------------

PLANNERS = _lazy("Inspection plans are for the organizing office and its inspectors.")
AGREEMENT_READERS = _lazy("The inspectors' agreement is for inspectors and the organizing office.")
SELF_READERS = _lazy(
    "Self-inspections are held by a unit's leaders; the office and the sector see them."
)


def _date(value):
    try:
        return dt.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return None


def _plan_form(request, actor, errors=None, values=None, status=200):
    sectors = {}
    for unit in Unit.objects.select_related("sector").order_by("sector__order", "code"):
        sectors.setdefault(unit.sector, []).append(unit)
    return render(
        request,
        "supervision/plan_list.html",
        {
            "plans": InspectionPlan.objects.select_related("version__checklist")
            .annotate(n_visits=Count("visits", distinct=True))
            .order_by("-starts_on", "name"),
            "can_plan": actor.allows(Action.PLAN_INSPECTIONS),
            "versions": plans.current_versions(),
            "sectors": list(sectors.items()),
            "errors": errors or {},
            "values": values or {"min_visits": 1, "undercover_share": 100, "bars_award": True},
        },
        status=status,
    )


@staff_view(allows=[Action.PLAN_INSPECTIONS, Action.RECORD_INSPECTION], refusal=PLANNERS)
def plan_list(request, actor, own):
    if request.method != "POST":
        return _plan_form(request, actor)
    post = request.POST
    chosen = {int(u) for u in post.getlist("units") if u.isdigit()}
    whole = [int(s) for s in post.getlist("sectors") if s.isdigit()]
    chosen |= set(Unit.objects.filter(sector_id__in=whole).values_list("pk", flat=True))
    values = {
        "name": post.get("name", ""),
        "campaign": post.get("campaign", ""),
        "version": _int(post.get("version")),
        "starts_on": post.get("starts_on", ""),
        "ends_on": post.get("ends_on", ""),
        "units": chosen,
        "sectors": set(whole),
        "min_visits": _int(post.get("min_visits")),
        "undercover_share": _int(post.get("undercover_share")),
        "bars_award": post.get("bars_award") == "on",
    }
    try:
        plan = plans.create(
            actor=actor,
            name=values["name"],
            campaign=values["campaign"],
            version=values["version"],
            starts_on=_date(values["starts_on"]),
            ends_on=_date(values["ends_on"]),
            units=chosen,
            min_visits=values["min_visits"],
            undercover_share=values["undercover_share"],
            bars_award=values["bars_award"],
        )
    except InvalidInput as exc:
        return _plan_form(request, actor, exc.errors, values, status=400)
    messages.success(request, _("The plan is saved: draw its visits."))
    return redirect("supervision:plan", plan.pk)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _plan_page(request, actor, plan, errors=None, status=200):
    visits = list(
        plan.visits.select_related("unit", "window", "inspection").order_by("on", "unit__code")
    )
    days = {}
    for v in visits:
        days.setdefault(v.on, []).append(v)
    return render(
        request,
        "supervision/plan_detail.html",
        {
            "plan": plan,
            "days": list(days.items()),
            "n_visits": len(visits),
            "n_done": sum(1 for v in visits if hasattr(v, "inspection")),
            "n_units": plan.units.count(),
            "can_plan": actor.allows(Action.PLAN_INSPECTIONS),
            "locked": any(hasattr(v, "inspection") for v in visits),
            "bars": plan.bars.select_related("unit", "inspection").order_by("-recorded_at"),
            "errors": errors or {},
        },
        status=status,
    )


@staff_view(allows=[Action.PLAN_INSPECTIONS, Action.RECORD_INSPECTION], refusal=PLANNERS)
def plan_detail(request, actor, own, pk):
    plan = get_object_or_404(InspectionPlan.objects.select_related("version__checklist"), pk=pk)
    return _plan_page(request, actor, plan)


@require_POST
@staff_view(allows=[Action.PLAN_INSPECTIONS], refusal=PLANNERS)
def plan_draw(request, actor, own, pk):
    plan = get_object_or_404(InspectionPlan, pk=pk)
    try:
        plans.draw(
            actor=actor,
            plan=plan,
            visits_total=request.POST.get("visits_total"),
            seed=request.POST.get("seed"),
        )
    except InvalidInput as exc:
        return _plan_page(request, actor, plan, exc.errors, status=400)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("supervision:plan", plan.pk)
    messages.success(request, _("The visits are drawn."))
    return redirect("supervision:plan", plan.pk)


@require_POST
@staff_view(allows=[Action.PLAN_INSPECTIONS], refusal=PLANNERS)
def plan_award_rule(request, actor, own, pk):
    plan = get_object_or_404(InspectionPlan, pk=pk)
    on = request.POST.get("bars_award") == "on"
    plans.set_award_rule(actor=actor, plan=plan, on=on)
    if on:
        messages.success(request, _("The award rule is on for this plan."))
    else:
        messages.success(request, _("The award rule is off for this plan."))
    return redirect("supervision:plan", plan.pk)


@staff_view(allows=[Action.RECORD_INSPECTION, Action.PUBLISH_INSPECTION], refusal=AGREEMENT_READERS)
def agreement_page(request, actor, own):
    today = timezone.localdate()
    raw_from, raw_to = request.GET.get("from", ""), request.GET.get("to", "")
    start = _date(raw_from) if raw_from else today - dt.timedelta(days=90)
    end = _date(raw_to) if raw_to else today
    errors = []
    if start is None or end is None:
        errors.append(_("Give the dates as YYYY-MM-DD."))
    elif end < start:
        errors.append(_("The last day is not before the first day."))
    if errors:
        return render(
            request,
            "supervision/agreement.html",
            {"errors": errors, "start": raw_from, "end": raw_to, "low": agreement.LOW},
            status=400,
        )
    return render(
        request,
        "supervision/agreement.html",
        {
            "result": selectors.agreement(actor, start=start, end=end),
            "start": start.isoformat(),
            "end": end.isoformat(),
            "low": agreement.LOW,
        },
    )


@staff_view(allows=[Action.SELF_INSPECT, Action.VIEW_INSPECTIONS], refusal=SELF_READERS)
def self_list(request, actor, own):
    page = Paginator(selectors.self_checks_for(actor), 50).get_page(page_param(request.GET))
    return render(
        request,
        "supervision/self_list.html",
        {"page": page, "can_start": own is not None and actor.can(Action.SELF_INSPECT, unit=own)},
    )


@staff_view(
    unit=_lazy("A self-inspection is held by a unit."),
    action=Action.SELF_INSPECT,
    allows=[Action.SELF_INSPECT],
    refusal=SELF_READERS,
)
def self_new(request, actor, own):
    today = timezone.localdate()
    if request.method == "POST":
        raw = request.POST.get("held_on", "")
        try:
            check = selfcheck.start(actor=actor, unit=own, held_on=_date(raw))
        except InvalidInput as exc:
            return render(
                request,
                "supervision/self_new.html",
                {"errors": exc.errors, "held_on": raw, "unit": own},
                status=400,
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
            return redirect("supervision:self")
        return redirect("supervision:self_check", check.pk)
    return render(
        request,
        "supervision/self_new.html",
        {"errors": {}, "held_on": today.isoformat(), "unit": own},
    )


def _self_check(actor, pk) -> SelfInspection:
    check = get_object_or_404(
        SelfInspection.objects.select_related("unit", "version__checklist", "by", "signed_off_by"),
        pk=pk,
    )
    if not actor.covers_unit(check.unit):
        raise NotFound(_("No such self-inspection."))
    return check


def _self_page(request, actor, check, errors=None, values=None, status=200):
    today = timezone.localdate()
    findings = list(check.findings.select_related("item", "owner").order_by("pk"))
    items = list(check.version.items.order_by("position"))
    sections = [
        {
            "area": area,
            "label": label,
            "items": [i for i in items if i.focus_area == area],
            "findings": [f for f in findings if f.focus_area == area],
        }
        for area, label in FocusArea.choices
    ]
    planned = [f for f in findings if not f.fixed_now]
    for f in planned:
        f.is_overdue = selfcheck.overdue(f, today)
    may_edit = actor.can(Action.SELF_INSPECT, unit=check.unit)
    return render(
        request,
        "supervision/self_detail.html",
        {
            "check": check,
            "sections": sections,
            "planned": planned,
            "open": [f for f in planned if f.done_at is None],
            "may_edit": may_edit and check.signed_off_at is None,
            "may_mark": may_edit,
            "may_sign": actor.can(Action.SIGN_OFF_SELF_INSPECTION, unit=check.unit)
            and check.signed_off_at is None,
            "staff": Staff.objects.filter(unit=check.unit, active=True).order_by("name"),
            "errors": errors or {},
            "values": values or {},
        },
        status=status,
    )


@staff_view(allows=[Action.SELF_INSPECT, Action.VIEW_INSPECTIONS], refusal=SELF_READERS)
def self_detail(request, actor, own, pk):
    check = _self_check(actor, pk)
    if request.method != "POST":
        return _self_page(request, actor, check)
    post = request.POST
    values = {
        "focus_area": post.get("focus_area", ""),
        "problem": post.get("problem", ""),
        "item": _int(post.get("item")),
        "fixed_now": post.get("fixed_now") == "on",
        "measure": post.get("measure", ""),
        "owner": _int(post.get("owner")),
        "due_on": post.get("due_on", ""),
    }
    try:
        selfcheck.add_finding(
            actor=actor,
            check=check,
            focus_area=values["focus_area"],
            problem=values["problem"],
            item=values["item"],
            fixed_now=values["fixed_now"],
            measure=values["measure"],
            owner=values["owner"],
            due_on=_date(values["due_on"]) if values["due_on"] else None,
        )
    except InvalidInput as exc:
        return _self_page(request, actor, check, exc.errors, values, status=400)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("supervision:self_check", check.pk)
    messages.success(request, _("The problem is recorded."))
    return redirect("supervision:self_check", check.pk)


@require_POST
@staff_view(allows=[Action.SELF_INSPECT], refusal=SELF_READERS)
def self_done(request, actor, own, pk, finding):
    check = _self_check(actor, pk)
    row = get_object_or_404(SelfFinding, pk=finding, check_run=check)
    try:
        selfcheck.mark_done(actor=actor, finding=row, note=request.POST.get("note", ""))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The fix is marked done."))
    return redirect("supervision:self_check", check.pk)


@require_POST
@staff_view(allows=[Action.SIGN_OFF_SELF_INSPECTION], refusal=_lazy("The unit leader signs off."))
def self_sign(request, actor, own, pk):
    check = _self_check(actor, pk)
    try:
        selfcheck.sign_off(actor=actor, check=check)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The self-inspection is signed off."))
    return redirect("supervision:self_check", check.pk)
