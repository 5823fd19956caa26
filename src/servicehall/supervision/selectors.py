"""What each reader may see of supervision (R-SUP-2): the inspectors and the office see every
visit in their scope as soon as it is synced; a unit, its sector authority and its staff see a
visit only once the organizer has published it."""

from django.db.models import Count, F, Q

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


# ---- notices (R-SUP-3) ----------------------------------------------------------------------

NOTICE_TABS = ("open", "overdue", "escalated", "closed")


def notices_for(actor: Actor, tab: str = "open", now=None):
    """The supervision notices in this reader's scope (a unit its own, an authority its
    sector's, the office all), by tab, with their answer counts — one query however many.
    A notice exists only once its visit is published, so none is hidden from the unit."""
    from django.utils import timezone

    from .models import Notice, NoticeStatus

    now = now or timezone.now()
    qs = _scope(actor, Notice.objects.all())
    waiting = Q(status__in=[NoticeStatus.ISSUED, NoticeStatus.RETURNED])
    if tab == "overdue":
        qs = qs.filter(waiting, due_at__lt=now)
    elif tab == "escalated":
        qs = qs.filter(escalated_at__isnull=False).exclude(status=NoticeStatus.ACCEPTED)
    elif tab == "closed":
        qs = qs.filter(status=NoticeStatus.ACCEPTED)
    else:
        qs = qs.exclude(status=NoticeStatus.ACCEPTED)
    return (
        qs.select_related("unit", "inspection", "issued_by")
        .annotate(answered=Count("answers"))
        .order_by("due_at" if tab != "closed" else "-closed_at", "-pk")
    )


def notice_visible(actor: Actor, notice) -> bool:
    return actor.allows(Action.VIEW_INSPECTIONS) and actor.covers_unit(notice.unit)
