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
    counted=_("complaints past their answer deadline"),
)
def overdue():
    return services.overdue()
