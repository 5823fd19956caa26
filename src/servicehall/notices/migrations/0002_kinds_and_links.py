# Notification.kind gets its choices and each notification a link to its page; the links of
# the notifications written before, all about cases, point at their case's page.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat


def link_cases(apps, schema_editor):
    Notification = apps.get_model("notices", "Notification")
    Notification.objects.filter(case__isnull=False, link="").update(
        link=Concat(Value("/cases/"), Cast("case_id", CharField()), Value("/"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_notification_moves_to_notices"),
        ("notices", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="notification",
            options={
                "ordering": ["-created_at", "-pk"],
                "verbose_name": "notification",
                "verbose_name_plural": "notifications",
            },
        ),
        migrations.AddField(
            model_name="notification",
            name="link",
            field=models.CharField(
                blank=True,
                default="",
                help_text="The page the notification is about, a path on this site.",
                max_length=200,
                verbose_name="link",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="case",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="cases.case",
                verbose_name="case",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("over_visits", "More visits than allowed"),
                    ("notice_not_one_time", "Notice not one-time"),
                    ("referred", "Case handed to you"),
                    ("referral_done", "Hand-off completed"),
                    ("due_warning", "Due soon"),
                    ("due_overdue", "Overdue"),
                    ("backup", "Cover a window (A/B)"),
                    ("pause_approval", "Pause to approve"),
                    ("pause_overrun", "Pause overrun"),
                    ("bad_review", "Bad review"),
                    ("complaint", "New complaint or suggestion"),
                    ("violation", "Violation points"),
                    ("complaint_overdue", "Complaint past its deadline"),
                ],
                max_length=40,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="read_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="read"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="recipient",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notifications",
                to=settings.AUTH_USER_MODEL,
                verbose_name="recipient",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="text",
            field=models.CharField(max_length=300, verbose_name="text"),
        ),
        migrations.RunPython(link_cases, migrations.RunPython.noop),
    ]
