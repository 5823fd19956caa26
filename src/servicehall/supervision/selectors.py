"""What each reader may see of supervision (R-SUP-2): the inspectors and the office see every
visit in their scope as soon as it is synced; a unit, its sector authority and its staff see a
visit only once the organizer has published it."""

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q
from django.utils import timezone

from servicehall.core.figures import day_bounds
from servicehall.org import services as org
from servicehall.org.choices import Role
from servicehall.org.models import Staff, Window
from servicehall.org.permissions import Action, Actor

from . import agreement as kappa
from . import services
from .models import (
    AWAITING_UNIT,
    Checklist,
    Inspection,
    NormItem,
    Notice,
    NoticeStatus,
    SelfInspection,
    Status,
    Verdict,
)


def sees_unpublished(actor: Actor) -> bool:
    return actor.allows(Action.RECORD_INSPECTION) or actor.allows(Action.PUBLISH_INSPECTION)


def _scope(actor: Actor, qs):
    """The rows of the units this reader's scope reaches (org.services.units_for)."""
    return qs.filter(unit__in=org.units_for(actor))


def inspections_for(actor: Actor, show: str = "all"):
    """The visits this reader may see, newest first, with their deduction counts — one query
    however many there are."""
    qs = _scope(actor, Inspection.objects.all())
    if not sees_unpublished(actor):
        qs = qs.filter(status=Status.PUBLISHED)  # R-SUP-2: nothing before it is published
    if show == "unpublished":
        qs = qs.filter(status=Status.SUBMITTED)
    elif show == "published":
        qs = qs.filter(status=Status.PUBLISHED)
    return (
        qs.select_related("unit", "window", "staff", "inspector")
        .annotate(
            deducted=Count(
                "findings",
                filter=Q(findings__verdict=Verdict.DEDUCT)
                & Q(findings__inspector_id=F("inspector_id")),
            )
        )
        .order_by("-visited_at", "-pk")
    )


def visible(actor: Actor, inspection: Inspection) -> bool:
    if not actor.covers_unit(inspection.unit):
        return False
    return inspection.published or sees_unpublished(actor)


def visit_form(actor: Actor) -> dict:
    """Everything the phone form needs to work with no signal (R-SUP-2): the units the
    inspector may visit with their windows and active staff, the current version of every
    checklist with its items, the checklist each unit and window is judged by, and the
    possible second inspectors — in a fixed number of queries however many there are."""
    units = list(org.units_for(actor).order_by("sector__order", "name"))
    ids = [u.pk for u in units]
    windows, people = {}, {}
    for w in Window.objects.filter(unit_id__in=ids, active=True).order_by("unit_id", "number"):
        windows.setdefault(w.unit_id, []).append(w)
    for p in Staff.objects.filter(unit_id__in=ids, active=True).order_by("unit_id", "name"):
        people.setdefault(p.unit_id, []).append(p)
    checklists = list(Checklist.objects.order_by("code"))
    versions = {v.checklist_id: v for v in services.current_versions()}
    items = {}
    for i in NormItem.objects.filter(version__in=list(versions.values())).order_by(
        "version_id", "position"
    ):
        items.setdefault(i.version_id, []).append(i)
    usable = [c for c in checklists if c.pk in versions]

    def version_for(unit, window=None):  # the one rule of which fits: services.checklist_for
        c = services.checklist_for(unit, window, checklists=usable)
        return versions[c.pk].pk if c is not None else None

    second = Staff.objects.filter(
        active=True, role__in=[Role.INSPECTOR, Role.ORGANIZER_ADMIN]
    ).order_by("name")
    if actor.staff is not None:
        second = second.exclude(pk=actor.staff.pk)
    return {
        "units": [
            {
                "id": u.pk,
                "name": u.name,
                "code": u.code,
                "version": version_for(u),
                "windows": [
                    {
                        "id": w.pk,
                        "number": w.number,
                        "function": w.function,
                        "version": version_for(u, w),
                    }
                    for w in windows.get(u.pk, [])
                ],
                "staff": [
                    {"id": p.pk, "name": p.name, "badge": p.badge_no, "window": p.window_id}
                    for p in people.get(u.pk, [])
                ],
            }
            for u in units
        ],
        "versions": [
            {
                "id": versions[c.pk].pk,
                "name": c.name,
                "number": versions[c.pk].number,
                "items": [
                    {
                        "id": i.pk,
                        "code": i.code,
                        "title": i.title,
                        "text": i.text,
                        "source": i.source,
                        "category": i.get_category_display(),
                        "points": i.points,
                        "critical": i.critical,
                        "evidence": i.evidence,
                    }
                    for i in items.get(versions[c.pk].pk, [])
                ],
            }
            for c in usable
        ],
        "second_inspectors": [{"id": p.pk, "name": p.name, "badge": p.badge_no} for p in second],
    }


# ---- notices (R-SUP-3) ----------------------------------------------------------------------

NOTICE_TABS = ("open", "overdue", "escalated", "closed")


def notices_for(actor: Actor, tab: str = "open", now=None):
    """The supervision notices in this reader's scope (a unit its own, an authority its
    sector's, the office all), by tab, with their answer counts — one query however many.
    A notice exists only once its visit is published, so none is hidden from the unit."""
    now = now or timezone.now()
    qs = _scope(actor, Notice.objects.all())
    late = Q(status__in=AWAITING_UNIT, due_at__lt=now)  # as Notice.overdue
    if tab == "overdue":
        qs = qs.filter(late)
    elif tab == "escalated":
        qs = qs.filter(escalated_at__isnull=False).exclude(status=NoticeStatus.ACCEPTED)
    elif tab == "closed":
        qs = qs.filter(status=NoticeStatus.ACCEPTED)
    else:
        qs = qs.exclude(status=NoticeStatus.ACCEPTED)
    return (
        qs.select_related("unit", "inspection", "issued_by")
        .annotate(
            answered=Count("answers"),
            is_overdue=ExpressionWrapper(late, output_field=BooleanField()),
        )
        .order_by("due_at" if tab != "closed" else "-closed_at", "-pk")
    )


def notice_visible(actor: Actor, notice) -> bool:
    return actor.allows(Action.VIEW_INSPECTIONS) and actor.covers_unit(notice.unit)


def agreement(actor: Actor, *, plan=None, start=None, end=None) -> dict:
    """R-SUP-2: how far the two inspectors of a visit agree, over the visits of a plan or of
    the days start..end (local dates, both included) in this reader's scope: per norm code and
    per inspector, Cohen's kappa with its number of pairs."""
    qs = _scope(actor, Inspection.objects.filter(second_inspector__isnull=False))
    if plan is not None:
        qs = qs.filter(planned__plan=plan)
    if start is not None:
        qs = qs.filter(visited_at__gte=day_bounds(start)[0])
    if end is not None:
        qs = qs.filter(visited_at__lt=day_bounds(end)[1])
    pairs = kappa.pairs_for(qs)
    people = kappa.by_inspector(pairs)
    names = dict(
        Staff.objects.filter(pk__in=[p["staff_id"] for p in people]).values_list("pk", "name")
    )
    for p in people:
        p["name"] = names.get(p["staff_id"], "—")
    return {
        "visits": qs.count(),
        "pairs": len(pairs),
        "items": kappa.by_item(pairs),
        "inspectors": people,
    }


def self_checks_for(actor: Actor):
    """The self-inspections this reader may see: a unit's own; the office and a sector's
    authority every one in their scope."""
    return (
        _scope(actor, SelfInspection.objects.all())
        .select_related("unit", "by", "signed_off_by", "version__checklist")
        .annotate(
            n_findings=Count("findings", distinct=True),
            n_open=Count(
                "findings",
                filter=Q(findings__fixed_now=False, findings__done_at__isnull=True),
                distinct=True,
            ),
        )
        .order_by("-held_on", "-pk")
    )
