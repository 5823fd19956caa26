"""Marks a past day for the next roll-up when one of its source rows is saved or deleted
through the ORM. Writes made with QuerySet.update() or raw SQL are not seen: those are the
hot paths (calling, ratings), which change the day they happen on or the recent days the job
redoes anyway (rollups.services.days_due); `servicehall rollup --since D` redoes the rest."""

from django.db.models.signals import post_delete, post_save
from django.utils import timezone


def _local(value):
    return timezone.localdate(value) if value is not None else None


def _ticket_day(ticket):
    return ticket.__dict__.get("day")  # never a query: a deferred day is left alone


def _follow_up_day(follow_up):
    """The day its rating counts on: the visit's, or the day the case was concluded."""
    from servicehall.cases.models import Case
    from servicehall.queueing.models import Ticket

    day = (
        Ticket.objects.filter(rating__pk=follow_up.rating_id).values_list("day", flat=True).first()
    )
    if day is not None:
        return day
    concluded = (
        Case.objects.filter(rating__pk=follow_up.rating_id)
        .values_list("finished_at", flat=True)
        .first()
    )
    return _local(concluded)


def _violation_day(violation):
    """A cancellation takes its points out of the day they were recorded: that day is redone."""
    if violation.cancels_id is None:
        return _local(violation.recorded_at)
    return _local(violation.cancels.recorded_at)


def _sources():
    from servicehall.cases.models import Case
    from servicehall.complaints.models import Complaint
    from servicehall.feedback.models import BadReviewFollowUp as FollowUp
    from servicehall.hotline.models import HotlineCall
    from servicehall.queueing.models import Ticket, WindowPause, WindowSession
    from servicehall.violations.models import Violation

    return {
        Ticket: _ticket_day,
        WindowSession: lambda s: _local(s.signed_in_at),
        WindowPause: lambda p: _local(p.started_at),
        FollowUp: _follow_up_day,
        Case: lambda c: _local(c.finished_at),
        Complaint: lambda c: _local(c.received_at),
        Violation: _violation_day,
        HotlineCall: lambda c: _local(c.rang_at),
    }


def connect():
    from .services import mark

    for model, day_of in _sources().items():

        def changed(sender, instance, day_of=day_of, raw=False, **kwargs):
            if raw:  # fixtures being loaded
                return
            day = day_of(instance)
            if day is not None and day < timezone.localdate():
                mark(day)

        post_save.connect(
            changed, sender=model, weak=False, dispatch_uid=f"rollups.{model._meta.label}"
        )
        post_delete.connect(
            changed, sender=model, weak=False, dispatch_uid=f"rollups.del.{model._meta.label}"
        )
