# The ledger's columns (issue 13 §5): where the points come from (a kind and the source's id,
# no foreign key to any source), the cancellation a row may be, the signature and the chain.
# 0003 fills them for the rows there are; 0004 drops the complaint's foreign key.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0005_import_jobs"),
        ("violations", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="violation",
            options={"ordering": ["-recorded_at", "-pk"], "verbose_name": "violation points", "verbose_name_plural": "violation points"},
        ),
        migrations.AddField(
            model_name="violation",
            name="source_kind",
            field=models.CharField(choices=[("complaint", "complaint"), ("inspection", "inspection"), ("supervision_notice", "supervision notice"), ("other", "other")], default="other", max_length=20, verbose_name="source"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="violation",
            name="source_id",
            field=models.CharField(default="", max_length=40, verbose_name="source id"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="violation",
            name="revision",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="revision"),
        ),
        migrations.AddField(
            model_name="violation",
            name="cancels",
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="cancelled_by", to="violations.violation", verbose_name="cancels"),
        ),
        migrations.AddField(
            model_name="violation",
            name="mac",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="violation",
            name="seq",
            field=models.PositiveBigIntegerField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="violation",
            name="prev_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="violation",
            name="chain_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="violation",
            name="staff",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="violations", to="org.staff", verbose_name="staff member"),
        ),
        migrations.AlterField(
            model_name="violation",
            name="unit",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="violations", to="org.unit", verbose_name="unit"),
        ),
    ]
