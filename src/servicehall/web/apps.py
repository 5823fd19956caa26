from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.db.models.signals import post_migrate
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
        post_migrate.connect(_grant_app_role, sender=self, dispatch_uid="grant_app_role")


def _grant_app_role(using, **kwargs):
    """After every migrate, the application's own role gets the privileges of the tables
    just created (and no more), so a new table never waits for a manual grant."""
    from django.conf import settings
    from django.db import connections

    from servicehall.core.db import grant_app_role

    if settings.DB_APP_ROLE and connections[using].vendor == "postgresql":
        grant_app_role(settings.DB_APP_ROLE)


class AxesConfig(AxesAppConfig):
    """django-axes with a translated name in the admin (it ships none, nor Chinese)."""

    verbose_name = _("login protection")
