"""The registry's periodic work, run by `servicehall jobs` (decision 0020)."""

from django.utils.translation import gettext_lazy as _

from servicehall.core.tasks import job

from . import jobs


# Registry imports left waiting, or whose process died (decision 0015). Not in one
# transaction: each claim must commit for the job's page to show it under way.
@job(
    "org.imports",
    every=60,
    atomic=False,
    title=_("Registry imports left waiting"),
    counted=_("imports run"),
)
def imports():
    return jobs.pick_up()
