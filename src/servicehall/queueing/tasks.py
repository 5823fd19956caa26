"""The queue's periodic work, run by `servicehall jobs` (decision 0020)."""

from django.utils.translation import gettext_lazy as _

from servicehall.core.tasks import job

from . import appointments, rota, services


# every minute: the norm gives a window's B ten minutes, the alert should not take five more
@job(
    "queueing.backups", every=60, title=_("A/B backups told to cover"), counted=_("backups alerted")
)
def backups():
    return rota.backup_alerts()


@job(
    "queueing.no_shows",
    every=300,
    title=_("Appointments not kept"),
    counted=_("no-shows marked"),
)
def no_shows():
    return appointments.mark_no_shows()


@job(
    "queueing.pause_overruns",
    every=60,
    title=_("Pauses past their planned minutes"),
    counted=_("pauses over time"),
)
def pause_overruns():
    return services.pause_overruns()


@job(
    "queueing.contacts_overdue",
    every=300,
    title=_("Holiday appointment requests not answered in time"),
    counted=_("duty leads told"),
)
def contacts_overdue():
    return appointments.overdue_contacts()
