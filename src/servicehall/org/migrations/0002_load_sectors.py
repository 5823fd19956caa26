"""Load the 35 sectors of the city plan (org/data/sectors.csv) into every installation."""

from django.db import migrations

from servicehall.org.data import load_sectors


def load(apps, schema_editor):
    load_sectors(apps.get_model("org", "Sector"))


def unload(apps, schema_editor):
    apps.get_model("org", "Sector").objects.filter(units__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
