from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "servicehall.org"
    label = "org"
    verbose_name = _("Organization registry")

    def ready(self):
        from auditlog.registry import auditlog
        from django.contrib.auth import get_user_model

        # Accounts are audited too; password hashes and login times are not history.
        auditlog.register(get_user_model(), exclude_fields=["password", "last_login"])
