"""Rectification becomes BadReviewFollowUp (decision 0022): supervision's rectification of an
inspection finding takes the name. The rows, their signatures and their history stay."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("feedback", "0009_rectification_signed")]

    operations = [
        migrations.RenameModel("Rectification", "BadReviewFollowUp"),
        migrations.AlterModelOptions(
            name="badreviewfollowup",
            options={
                "ordering": ["due_at"],
                "verbose_name": "bad-review follow-up",
                "verbose_name_plural": "bad-review follow-ups",
            },
        ),
        migrations.AlterField(
            model_name="badreviewfollowup",
            name="rating",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="follow_up",
                to="feedback.rating",
                verbose_name="rating",
            ),
        ),
        migrations.RenameIndex(
            model_name="badreviewfollowup",
            new_name="follow_up_unit_stage",
            old_name="rectification_unit_stage",
        ),
    ]
