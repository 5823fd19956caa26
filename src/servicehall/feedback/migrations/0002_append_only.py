"""R-LAW-2: on PostgreSQL the database itself refuses to delete a rating or change one, except
for the sealer writing the chain columns once. (SQLite, for development, relies on the model
and on verify-ratings; its flush between tests deletes rows, which a trigger would refuse.)"""

from django.db import migrations

APPEND_ONLY = r"""
CREATE OR REPLACE FUNCTION feedback_rating_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'ratings are append-only (R-LAW-2): rating % cannot be deleted', OLD.id;
  END IF;
  IF OLD.seq IS NOT NULL
     OR (to_jsonb(NEW) - 'seq' - 'prev_hash' - 'chain_hash' - 'sealed_at')
        IS DISTINCT FROM (to_jsonb(OLD) - 'seq' - 'prev_hash' - 'chain_hash' - 'sealed_at') THEN
    RAISE EXCEPTION 'ratings are append-only (R-LAW-2): rating % cannot be changed', OLD.id;
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER feedback_rating_append_only BEFORE UPDATE OR DELETE ON feedback_rating
  FOR EACH ROW EXECUTE FUNCTION feedback_rating_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS feedback_rating_append_only ON feedback_rating; "
            "DROP FUNCTION IF EXISTS feedback_rating_append_only();",
            params=None,
        )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
