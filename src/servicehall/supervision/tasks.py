"""Supervision's periodic work, run by `servicehall jobs` (decision 0020)."""

from django.utils.translation import gettext_lazy as _

from servicehall.core.tasks import job

from . import notices


# one transaction per notice already: each is escalated once, whatever fails after
@job(
    "supervision.overdue_notices",
    every=300,
    atomic=False,
    title=_("Supervision notices past their deadline"),
    counted={"escalated": _("supervision notices escalated to the sector authority")},
)
def overdue_notices():
    return {"escalated": notices.escalate_overdue()}
