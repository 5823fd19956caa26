# Violation moved from the complaints app to violations (issue 13 §5): its table stays where it
# is (complaints_violation); only Django's state moves. The ledger's changes follow in 0002-0004.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("complaints", "0002_due_estimated"),
        ("org", "0005_import_jobs"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Violation",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("points", models.PositiveSmallIntegerField(verbose_name="points")),
                        ("reason", models.CharField(max_length=300, verbose_name="reason")),
                        ("recorded_at", models.DateTimeField(verbose_name="recorded at")),
                        # until 0004 moves it into the source columns; no reverse accessor, so
                        # that it never meets complaints' own while both states exist
                        ("complaint", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="complaints.complaint", verbose_name="complaint")),
                        ("recorded_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="org.staff")),
                        ("staff", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="org.staff", verbose_name="staff member")),
                        ("unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="org.unit", verbose_name="unit")),
                    ],
                    options={
                        "verbose_name": "violation points",
                        "verbose_name_plural": "violation points",
                        "ordering": ["-recorded_at"],
                        "db_table": "complaints_violation",
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(("points__gte", 1), ("points__lte", 20)), name="violation_points_1_to_20"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        )
    ]
