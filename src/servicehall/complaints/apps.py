from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "servicehall.complaints"
    label = "complaints"
    verbose_name = _("Complaints and suggestions")

    def ready(self):
        # a republished calendar moves the due times this app stored (worktime.signals)
        from servicehall.worktime.signals import calendar_changed

        from .services import redate

        calendar_changed.connect(
            lambda sender, years, now, **kw: redate(years=years, now=now),
            weak=False,
            dispatch_uid="complaints-redate",
        )
