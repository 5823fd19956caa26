"""Database helpers the apps share."""

import time

from django.db import connection
from django.utils.translation import gettext as _


def fetch_prepared(sql: str, params):
    """Run one statement and return its first row: on PostgreSQL as a prepared statement of
    this connection, planned once per connection rather than on every call (decision 0012).
    Django's own cursors bind parameters on the client and are never prepared; this is for
    the few wide statements a hot path runs on every request. Placeholders are %s either way,
    but the SQL must not leave a parameter's type to guess (write `IS NOT DISTINCT FROM %s`,
    not `%s IS NULL`)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchone()
    import psycopg

    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    start = time.monotonic()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cur:
        cur.execute(sql, params, prepare=True)
        row = cur.fetchone()
    if connection.queries_logged:  # as Django's debug cursor does, for the query counts
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - start:.3f}"})
    return row


# The append-only tables and the only columns the application may ever write again: the
# sealer fills a rating's chain columns once, the ledger a violation row's (the triggers check
# that it is once).
APPEND_ONLY = {
    "feedback_rating": ("seq", "prev_hash", "chain_hash", "sealed_at"),
    "complaints_violation": ("seq", "prev_hash", "chain_hash"),
}


def app_role_grants(role: str) -> list[str]:
    """The privileges of the role the application runs as on PostgreSQL (R-LAW-2): rows in,
    out and changed on the tables the owner created, and nothing more. Not the owner, so it
    cannot disable or drop a trigger; not a superuser, so it cannot set
    session_replication_role; no TRUNCATE (which fires no row trigger) and, on the
    append-only tables, no DELETE and UPDATE only of the sealer's columns. Idempotent: run
    after every migration, as the owner (`servicehall grant_app_role`)."""
    quote = connection.ops.quote_name
    who = quote(role)
    with connection.cursor() as cur:
        cur.execute("SELECT current_database(), current_schema()")
        database, schema = cur.fetchone()
    statements = [
        f"REVOKE ALL ON DATABASE {quote(database)} FROM {who}",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {quote(database)} TO {who}",
        f"REVOKE ALL ON SCHEMA {quote(schema)} FROM {who}",
        f"GRANT USAGE ON SCHEMA {quote(schema)} TO {who}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {quote(schema)} FROM {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {quote(schema)} TO {who}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {quote(schema)} FROM {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quote(schema)} TO {who}",
    ]
    for table, columns in APPEND_ONLY.items():
        statements += [
            f"REVOKE UPDATE, DELETE ON {quote(table)} FROM {who}",
            f"GRANT UPDATE ({', '.join(map(quote, columns))}) ON {quote(table)} TO {who}",
        ]
    return statements


def grant_app_role(role: str) -> list[str]:
    """Apply app_role_grants; refuse a role that could undo them."""
    from servicehall.core.errors import ServiceError

    with connection.cursor() as cur:
        cur.execute(
            "SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = %s",
            [role],
        )
        found = cur.fetchone()
        if found is None:
            raise ServiceError(_("There is no database role %(role)s.") % {"role": role})
        if any(found):
            raise ServiceError(
                _(
                    "The role %(role)s is a superuser or may create roles: the application must "
                    "run as a role without either."
                )
                % {"role": role}
            )
        cur.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "WHERE r.rolname = %s AND c.relnamespace = current_schema()::regnamespace",
            [role],
        )
        if cur.fetchone()[0]:
            raise ServiceError(
                _(
                    "The role %(role)s owns tables: the application must run as a role that "
                    "owns nothing (run migrate as the owner)."
                )
                % {"role": role}
            )
        statements = app_role_grants(role)
        for statement in statements:
            cur.execute(statement)
    return statements
