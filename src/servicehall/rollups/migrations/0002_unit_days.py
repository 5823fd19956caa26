"""Each unit's day summed once (UnitDay, decision 0023), and filled for the days already rolled
up from their window rows: the per-unit questions read these rows from now on."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Sum


def fill_unit_days(apps, schema_editor):
    # frozen here, as the historical models are: the columns summed are UnitDay's own
    WindowDay = apps.get_model("rollups", "WindowDay")
    UnitDay = apps.get_model("rollups", "UnitDay")
    columns = [
        f.name
        for f in UnitDay._meta.concrete_fields
        if f.name not in ("id", "unit", "day")
    ]
    sums = (
        WindowDay.objects.order_by()
        .values("unit_id", "day")
        .annotate(**{c: Sum(c) for c in columns})
    )
    UnitDay.objects.bulk_create([UnitDay(**r) for r in sums], batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0005_import_jobs'),
        ('rollups', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='UnitDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('taken', models.PositiveIntegerField(default=0, verbose_name='numbers taken')),
                ('served', models.PositiveIntegerField(default=0, verbose_name='served')),
                ('abandoned', models.PositiveIntegerField(default=0, verbose_name='not served')),
                ('wait_seconds', models.FloatField(default=0, verbose_name='waiting time (s), summed')),
                ('wait_count', models.PositiveIntegerField(default=0, verbose_name='waits counted')),
                ('service_seconds', models.FloatField(default=0, verbose_name='service time (s), summed')),
                ('service_count', models.PositiveIntegerField(default=0, verbose_name='services counted')),
                ('visits', models.PositiveIntegerField(default=0, verbose_name='visits counted for ratings')),
                ('rated', models.PositiveIntegerField(default=0, verbose_name='rated')),
                ('rating_1', models.PositiveIntegerField(default=0, verbose_name='very dissatisfied')),
                ('rating_2', models.PositiveIntegerField(default=0, verbose_name='dissatisfied')),
                ('rating_3', models.PositiveIntegerField(default=0, verbose_name='fair')),
                ('rating_4', models.PositiveIntegerField(default=0, verbose_name='satisfied')),
                ('rating_5', models.PositiveIntegerField(default=0, verbose_name='very satisfied')),
                ('good', models.PositiveIntegerField(default=0, verbose_name='good reviews')),
                ('bad', models.PositiveIntegerField(default=0, verbose_name='bad reviews')),
                ('settled', models.PositiveIntegerField(default=0, verbose_name='rated or past the rating link')),
                ('unrated', models.PositiveIntegerField(default=0, verbose_name='unrated')),
                ('replied', models.PositiveIntegerField(default=0, verbose_name='bad reviews called back')),
                ('rectified', models.PositiveIntegerField(default=0, verbose_name='bad reviews rectified')),
                ('satisfied', models.PositiveIntegerField(default=0, verbose_name='satisfied with the follow-up')),
                ('complaints', models.PositiveIntegerField(default=0, verbose_name='complaints received')),
                ('complaints_substantiated', models.PositiveIntegerField(default=0, verbose_name='complaints substantiated')),
                ('violation_points', models.PositiveIntegerField(default=0, verbose_name='violation points')),
                ('late_sign_ins', models.PositiveIntegerField(default=0, verbose_name='late sign-ins')),
                ('long_pauses', models.PositiveIntegerField(default=0, verbose_name='long pauses')),
                ('cases_on_time', models.PositiveIntegerField(default=0, verbose_name='cases finished in time')),
                ('cases_overdue', models.PositiveIntegerField(default=0, verbose_name='cases finished late')),
                ('hotline_calls', models.PositiveIntegerField(default=0, verbose_name='hotline calls')),
                ('hotline_answered', models.PositiveIntegerField(default=0, verbose_name='hotline calls answered')),
                ('hotline_in_time', models.PositiveIntegerField(default=0, verbose_name='answered within 15 seconds')),
                ('day', models.DateField(verbose_name='day')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'unit day',
                'verbose_name_plural': 'unit days',
                'indexes': [models.Index(fields=['day'], name='unit_day_day')],
                'constraints': [models.UniqueConstraint(fields=('unit', 'day'), name='one_row_per_unit_day')],
            },
        ),
        migrations.RunPython(fill_unit_days, migrations.RunPython.noop),
    ]
