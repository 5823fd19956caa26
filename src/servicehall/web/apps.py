from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "servicehall.web"
    label = "web"
    default = True  # this module holds AxesConfig too
    verbose_name = _("Web")

    def ready(self):
        from django.contrib import admin

        # the admin speaks as the hall, not as "Django"
        admin.site.site_header = admin.site.site_title = _("Window Service Hall")
        admin.site.index_title = _("System administration")


class AxesConfig(AxesAppConfig):
    """django-axes with a translated name in the admin (it ships none, nor Chinese)."""

    verbose_name = _("login protection")
