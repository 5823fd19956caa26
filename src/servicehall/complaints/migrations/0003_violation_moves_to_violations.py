# Violation now belongs to the violations app (issue 13 §5); its table, complaints_violation,
# stays.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_due_estimated"), ("violations", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Violation")],
            database_operations=[],
        )
    ]
