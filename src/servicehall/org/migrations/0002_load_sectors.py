"""Load the 35 sectors of the city plan (data/sectors.csv) into every installation."""

import csv
from pathlib import Path

from django.db import migrations

CSV = Path(__file__).resolve().parent.parent / "data" / "sectors.csv"


def load(apps, schema_editor):
    Sector = apps.get_model("org", "Sector")
    with CSV.open(encoding="utf-8") as f:
        for order, row in enumerate(csv.DictReader(f), start=1):
            Sector.objects.get_or_create(
                code=row["code"],
                defaults={"name_zh": row["name_zh"], "name_en": row["name_en"], "order": order},
            )


def unload(apps, schema_editor):
    apps.get_model("org", "Sector").objects.filter(units__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
