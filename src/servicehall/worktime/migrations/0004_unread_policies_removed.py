"""Seeded time-limit policies that no code read: editing them in the admin changed nothing
(decision 0022). A matter's statutory and promised limits and its steps' limits are kept on
the matter in the catalogue; the hotline's written-channel reply has no clock yet."""

from django.db import migrations

UNREAD = [
    "hukou-leader-review",
    "hukou-investigation",
    "hukou-approval",
    "hukou-finish-notify",
    "hukou-forward",
    "licence-decision",
    "licence-certificate",
    "id-card-statutory",
    "passport-statutory",
    "hotline-written-reply",
]


def remove_unread(apps, schema_editor):
    apps.get_model("worktime", "SlaPolicy").objects.filter(code__in=UNREAD).delete()


class Migration(migrations.Migration):
    dependencies = [("worktime", "0003_legal_basis_without_requirement_ids")]

    operations = [migrations.RunPython(remove_unread, migrations.RunPython.noop)]
