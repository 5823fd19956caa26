from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "servicehall.feedback"
    label = "feedback"
    verbose_name = _("Feedback")

    def ready(self):
        # a republished calendar moves the due times this app stored (worktime.signals)
        from servicehall.worktime.signals import calendar_changed

        from .services import redate

        calendar_changed.connect(
            lambda sender, years, now, **kw: redate(years=years, now=now),
            weak=False,
            dispatch_uid="feedback-redate",
        )
