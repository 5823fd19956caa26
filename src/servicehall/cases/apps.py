from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "servicehall.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self):
        # a republished calendar moves the due times this app stored (worktime.signals)
        from servicehall.worktime.signals import calendar_changed

        from .services import redate

        calendar_changed.connect(
            lambda sender, years, now, **kw: redate(years=years, now=now),
            weak=False,
            dispatch_uid="cases-redate",
        )
