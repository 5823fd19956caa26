"""The ratings' periodic work, run by `servicehall jobs` (decision 0020)."""

from django.utils.translation import gettext_lazy as _

from servicehall.core.tasks import job

from . import services


# The sealer beside the web workers seals within a second (decision 0010); this is the
# safety net, so that a stopped sealer cannot keep a bad review's follow-up from
# opening (R-LAW-2). seal() holds its own transaction and lock.
@job(
    "feedback.seal",
    every=60,
    atomic=False,
    title=_("Ratings the sealer has not sealed"),
    counted=_("ratings sealed"),
)
def seal():
    return services.seal()


@job(
    "feedback.late_steps",
    every=900,
    title=_("Bad reviews past a step's deadline"),
    counted=_("leaders told"),
)
def late_steps():
    return services.late_steps()
