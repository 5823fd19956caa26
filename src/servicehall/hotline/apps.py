from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "servicehall.hotline"
    label = "hotline"
    verbose_name = _("Hotline calls")
