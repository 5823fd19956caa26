from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "servicehall.supervision"
    label = "supervision"
    verbose_name = _("Supervision and inspections")

    def ready(self):
        # a republished calendar moves the notices' deadlines (worktime.signals, R-SUP-3)
        from servicehall.worktime.signals import calendar_changed

        from .notices import redate

        calendar_changed.connect(
            lambda sender, years, now, **kw: redate(years=years, now=now),
            weak=False,
            dispatch_uid="supervision-redate",
        )
