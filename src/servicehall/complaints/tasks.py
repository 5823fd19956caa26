"""The complaints' periodic work, run by `servicehall jobs` (decision 0020)."""

from django.utils.translation import gettext_lazy as _

from servicehall.core.tasks import job

from . import services


# one transaction per complaint already: each leader is told once, whatever fails after
@job(
    "complaints.overdue",
    every=300,
    atomic=False,
    title=_("Complaints past their answer deadline"),
    counted={
        "answer": _("complaints past their answer deadline"),
        "acknowledgement": _("written complaints not acknowledged in time"),
    },
)
def overdue():
    return {"answer": services.overdue(), "acknowledgement": services.unacknowledged()}
