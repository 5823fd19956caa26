"""Every case gets a check code (decision 0018). The old 16-character lookup code was never
printed or asked for anywhere, so it is dropped and each stored case is given a new code."""

import secrets

from django.db import migrations, models

# frozen here: the model's alphabet may change, this migration's output may not
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
BATCH = 2000


def fill_check_codes(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    pending = Case.objects.filter(check_code="").order_by("pk").only("pk")
    while batch := list(pending[:BATCH]):
        for case in batch:
            case.check_code = "".join(secrets.choice(ALPHABET) for _ in range(6))
        Case.objects.bulk_update(batch, ["check_code"])


def restore_lookup_codes(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    for case in Case.objects.filter(lookup_code__isnull=True).only("pk").iterator():
        case.lookup_code = secrets.token_hex(8).upper()
        case.save(update_fields=["lookup_code"])


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0004_help_text_without_requirement_ids"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="check_code",
            field=models.CharField(
                default="", editable=False, max_length=8, verbose_name="check code"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_check_codes, migrations.RunPython.noop),
        # nullable first, so that going back can give each case a lookup code again
        migrations.AlterField(
            model_name="case",
            name="lookup_code",
            field=models.CharField(
                editable=False, max_length=16, null=True, unique=True, verbose_name="lookup code"
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, restore_lookup_codes),
        migrations.RemoveField(
            model_name="case",
            name="lookup_code",
        ),
    ]
