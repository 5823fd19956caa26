# The one-time keys and rate counters now belong to core (issue 13); their tables stay.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("web", "0002_rate_counter"), ("core", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="OneTimeKey"),
                migrations.DeleteModel(name="RateCounter"),
            ],
            database_operations=[],
        )
    ]
