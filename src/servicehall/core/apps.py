from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "servicehall.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        # post_migrate is sent only for apps with models: core has them, web no longer does
        post_migrate.connect(_grant_app_role, sender=self, dispatch_uid="grant_app_role")


def _grant_app_role(using, **kwargs):
    """After every migrate, the application's own role gets the privileges of the tables
    just created (and no more), so a new table never waits for a manual grant."""
    from django.conf import settings
    from django.db import connections

    from servicehall.core.db import grant_app_role

    if settings.DB_APP_ROLE and connections[using].vendor == "postgresql":
        grant_app_role(settings.DB_APP_ROLE)
