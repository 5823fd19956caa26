from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RollupsConfig(AppConfig):
    name = "servicehall.rollups"
    label = "rollups"
    verbose_name = _("Daily figures")

    def ready(self):
        from . import signals

        signals.connect()
