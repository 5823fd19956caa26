"""Reads the bad-review pages need, in a fixed number of queries whatever their rows."""

from django.utils import timezone

from servicehall.core.masking import mask_phone

from . import services
from .models import BadReviewFollowUp


def open_reviews(unit, actor, now=None, shown=None) -> list[tuple]:
    """The unit's follow-ups under way, most urgent first: (follow-up, due text, contact),
    the contact masked unless `shown` is this follow-up and the actor may see it (R-LAW-2)."""
    from servicehall.queueing.models import Appointment
    from servicehall.worktime import services as worktime

    now = now or timezone.now()
    rows = list(
        BadReviewFollowUp.objects.filter(unit=unit)
        .exclude(stage=BadReviewFollowUp.Stage.CLOSED)
        .select_related(
            "unit",
            "rating__window",
            "rating__staff",
            "rating__ticket",
            "rating__case__matter",
            "rating__contact",
        )
    )
    policies = {code: worktime.policy(code) for code in set(BadReviewFollowUp.POLICY.values())}
    hours = worktime.hours_for(unit, timezone.localdate(now))
    cal = worktime.calendar()
    tickets = [r.rating.ticket_id for r in rows if r.rating.ticket_id]
    booked = dict(
        Appointment.objects.filter(ticket_id__in=tickets).values_list("ticket_id", "phone")
    )
    out = []
    for r in rows:
        phone = services.contact_phone(r, booked)
        out.append(
            (
                r,
                services.due_text(r, now, policies=policies, hours=hours, cal=cal),
                {
                    "masked": mask_phone(phone),
                    "full": phone if shown == r.pk else "",
                    "may_show": bool(phone) and services.may_see_contact(actor, r),
                },
            )
        )
    return out


def closed_reviews(unit, limit=20):
    """The unit's last follow-ups closed, newest first."""
    return (
        BadReviewFollowUp.objects.filter(unit=unit, stage=BadReviewFollowUp.Stage.CLOSED)
        .select_related("rating__window", "rating__staff")
        .order_by("-called_back_at")[:limit]
    )
