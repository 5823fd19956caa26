#!/usr/bin/env bash
# The whole suite on SQLite, then on PostgreSQL, each followed by the API fuzz run
# (scripts/fuzz.py: schemathesis against the live app on a fresh database). In CI (or with
# REQUIRE_POSTGRES=1) a PostgreSQL server that does not answer is a failure, not a skip.
# SKIP_FUZZ=1 leaves the fuzz runs out (a quick local run of a few tests).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL=${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}
unset DATABASE_URL

echo "== servicehall tests on SQLite =="
$BIN/python -m pytest "$@"
sqlite_rc=$?
fuzz() {
  [ -n "${SKIP_FUZZ:-}" ] && { echo "SKIPPED: the fuzz run (SKIP_FUZZ)"; return 0; }
  $BIN/python scripts/fuzz.py "$@"
}
echo "== API fuzz run on SQLite =="
fuzz
sqlite_fuzz_rc=$?

pg_up=$($BIN/python - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close(); print("yes")
except Exception as exc:
    print("no:", exc)
PY
)
if [ "$pg_up" != "yes" ]; then
  echo "PostgreSQL at $PG_URL does not answer ($pg_up)."
  if [ -n "${CI:-}" ] || [ -n "${REQUIRE_POSTGRES:-}" ]; then
    echo "FAIL: the PostgreSQL run is required here."; exit 1
  fi
  echo "SKIPPED: the PostgreSQL run (start PostgreSQL or set DATABASE_URL to run it)."
  [ $sqlite_rc -eq 0 ] && [ $sqlite_fuzz_rc -eq 0 ]
  exit
fi
echo "== servicehall tests on PostgreSQL ($PG_URL) =="
DATABASE_URL=$PG_URL $BIN/python -m pytest "$@"
pg_rc=$?
echo "== API fuzz run on PostgreSQL =="
fuzz --database "$PG_URL"
pg_fuzz_rc=$?
echo "SQLite run exit $sqlite_rc (fuzz $sqlite_fuzz_rc), PostgreSQL run exit $pg_rc (fuzz $pg_fuzz_rc)"
[ $sqlite_rc -eq 0 ] && [ $pg_rc -eq 0 ] && [ $sqlite_fuzz_rc -eq 0 ] && [ $pg_fuzz_rc -eq 0 ]
