"""What each reader may see of supervision (R-SUP-2): the inspectors and the office see every
visit in their scope as soon as it is synced; a unit, its sector authority and its staff see a
visit only once the organizer has published it."""

import datetime as dt

from django.db.models import Count, F, Q
from django.utils import timezone

from servicehall.org.permissions import Action, Actor

from .models import Inspection, Status, Verdict


def sees_unpublished(actor: Actor) -> bool:
    return actor.allows(Action.RECORD_INSPECTION) or actor.allows(Action.PUBLISH_INSPECTION)


def _scope(actor: Actor, qs):
    staff = actor.staff
    if staff is None:
        return qs if actor.role == "organizer_admin" else qs.none()
    if staff.unit_id is not None:
        return qs.filter(unit_id=staff.unit_id)
    if staff.organization.kind == "organizer":
        return qs
    return qs.filter(
        Q(unit__authority_id=staff.organization_id)
        | Q(unit__authority__isnull=True, unit__sector_id=staff.organization.sector_id)
    )


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


def agreement(actor: Actor, *, plan=None, start=None, end=None) -> dict:
    """R-SUP-2: how far the two inspectors of a visit agree, over the visits of a plan or of
    the days start..end (local dates, both included) in this reader's scope: per norm code and
    per inspector, Cohen's kappa with its number of pairs."""
    from servicehall.org.models import Staff

    from . import agreement as kappa

    qs = _scope(actor, Inspection.objects.filter(second_inspector__isnull=False))
    if plan is not None:
        qs = qs.filter(planned__plan=plan)
    tz = timezone.get_current_timezone()
    if start is not None:
        qs = qs.filter(visited_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz))
    if end is not None:
        after = end + dt.timedelta(days=1)
        qs = qs.filter(visited_at__lt=dt.datetime.combine(after, dt.time.min, tzinfo=tz))
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
    from .models import SelfInspection

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
