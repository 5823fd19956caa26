"""Database helpers the apps share."""

import time

from django.db import connection


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
