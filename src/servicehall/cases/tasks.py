"""The cases' periodic work, run by `servicehall jobs` (decision 0020)."""

from django.utils.translation import gettext_lazy as _

from servicehall.core.tasks import job

from . import services


# Its own transaction per case: one run-wide transaction would hold every open case it
# locks until the whole walk ends, and the staff at those windows would wait for it.
@job(
    "cases.deadlines",
    every=300,
    atomic=False,
    title=_("Cases and steps due soon or overdue"),
    counted={"warning": _("due soon"), "overdue": _("overdue")},
)
def deadlines():
    return services.check_deadlines()
