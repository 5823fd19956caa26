# The one-time keys and rate counters moved from the web app to core (issue 13): their tables
# stay where they are (web_onetimekey, web_ratecounter); only Django's state moves.

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("web", "0002_rate_counter")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OneTimeKey",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=64, unique=True, verbose_name="key")),
                        ("form", models.CharField(max_length=20, verbose_name="form")),
                        ("object_id", models.BigIntegerField(verbose_name="stored record")),
                        ("created_at", models.DateTimeField(verbose_name="created")),
                    ],
                    options={
                        "verbose_name": "one-time form key",
                        "verbose_name_plural": "one-time form keys",
                        "db_table": "web_onetimekey",
                    },
                ),
                migrations.CreateModel(
                    name="RateCounter",
                    fields=[
                        ("key", models.CharField(max_length=250, primary_key=True, serialize=False, verbose_name="key")),
                        ("count", models.IntegerField(verbose_name="count")),
                        ("expires", models.FloatField(db_index=True, verbose_name="expires (Unix time)")),
                    ],
                    options={
                        "verbose_name": "rate-limit counter",
                        "verbose_name_plural": "rate-limit counters",
                        "db_table": "web_ratecounter",
                    },
                ),
            ],
            database_operations=[],
        )
    ]
