from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "servicehall.web"
    label = "web"
    verbose_name = _("Web")


class AxesConfig(AxesAppConfig):
    """django-axes with a translated name in the admin (it ships none, nor Chinese)."""

    verbose_name = _("login protection")
