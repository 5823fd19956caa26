# The complaint's foreign key goes (0003 moved it into the source columns); a source gives
# points once; and on PostgreSQL the database itself refuses to delete a row or change one,
# except for the ledger filling a new row's chain columns once. (SQLite, for development,
# relies on the model and on verify-ledger; its flush between tests deletes rows.)

from django.db import migrations, models

APPEND_ONLY = r"""
CREATE OR REPLACE FUNCTION violations_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'violation points are append-only: row % cannot be deleted', OLD.id;
  END IF;
  IF OLD.seq IS NOT NULL
     OR (to_jsonb(NEW) - 'seq' - 'prev_hash' - 'chain_hash')
        IS DISTINCT FROM (to_jsonb(OLD) - 'seq' - 'prev_hash' - 'chain_hash') THEN
    RAISE EXCEPTION 'violation points are append-only: row % cannot be changed', OLD.id;
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER violations_append_only BEFORE UPDATE OR DELETE ON complaints_violation
  FOR EACH ROW EXECUTE FUNCTION violations_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS violations_append_only ON complaints_violation; "
            "DROP FUNCTION IF EXISTS violations_append_only();",
            params=None,
        )


class Migration(migrations.Migration):
    dependencies = [("violations", "0003_sources_signed_and_chained")]

    operations = [
        migrations.RemoveField(model_name="violation", name="complaint"),
        migrations.AddIndex(
            model_name="violation",
            index=models.Index(fields=["unit", "recorded_at"], name="violation_unit_time"),
        ),
        migrations.AddConstraint(
            model_name="violation",
            constraint=models.UniqueConstraint(condition=models.Q(("cancels__isnull", True)), fields=("source_kind", "source_id", "revision"), name="violation_once_per_source"),
        ),
        migrations.RunPython(create, drop),
    ]
