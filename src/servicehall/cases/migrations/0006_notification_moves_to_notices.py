# Notification now belongs to the notices app (issue 13); its table, cases_notification, stays.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_check_code"), ("notices", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        )
    ]
