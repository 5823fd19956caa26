"""One window's ledger page (filtered, paginated) and the unit's statistics, through HTTP, with
1,000 and then 1,000,000 cases in PostgreSQL, served the way production serves them (gunicorn
sync workers).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \
        .venv/bin/python benchmarks/bench_ledger.py

It creates and drops its own database (servicehall_bench_ledger). Last line: one JSON object
with ledger_p50_ms, ledger_p95_ms, stats_p95_ms at 1,000,000 cases (goal ≤ 200 ms each) and
queries_small, queries_large (queries per ledger page at both sizes; goal: equal).
"""

import argparse
import http.cookiejar
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("--small", type=int, default=1_000)
parser.add_argument("--large", type=int, default=1_000_000)
parser.add_argument("--requests", type=int, default=200)
parser.add_argument("--workers", type=int, default=3)
args = parser.parse_args()

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))
base_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
if not base_url.startswith("postgres"):
    sys.exit("bench_ledger needs PostgreSQL: set DATABASE_URL=postgresql://…")
BENCH_DB = "servicehall_bench_ledger"
bench_url = base_url.rsplit("/", 1)[0] + "/" + BENCH_DB

import psycopg  # noqa: E402

with psycopg.connect(base_url, autocommit=True) as conn:
    conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
    conn.execute(f"CREATE DATABASE {BENCH_DB}")

os.environ["DATABASE_URL"] = bench_url
os.environ["DJANGO_SETTINGS_MODULE"] = "servicehall.settings"
os.environ["SERVICEHALL_DEBUG"] = "0"  # as in production: no query log in the workers
os.environ.setdefault("SERVICEHALL_VAR", "/tmp/servicehall-bench-ledger")
import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

call_command("migrate", verbosity=0)
call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
call_command("collectstatic", interactive=False, verbosity=0)

from django.contrib.auth import get_user_model  # noqa: E402

from servicehall.org.models import Unit  # noqa: E402

unit = Unit.objects.get(code="kf-gulou-hukou")
window = unit.windows.get(number=2)
leader = get_user_model().objects.get(username="leader")
leader.set_password("bench-password-1")
leader.save()

SLOTS_SQL = """
CREATE TEMP TABLE bench_slots AS
SELECT row_number() OVER (ORDER BY w.id, m.id) - 1 AS i, w.unit_id, w.id AS window_id,
       m.id AS matter_id, s.id AS staff_id
FROM org_window w
JOIN catalog_matter m ON m.unit_id = w.unit_id
JOIN LATERAL (
  SELECT id FROM org_staff WHERE unit_id = w.unit_id AND role = 'officer' LIMIT 1
) s ON true
"""
INSERT_SQL = """
INSERT INTO cases_case (number, check_code, unit_id, window_id, matter_id, applicant_name, id_type,
  id_number, phone, received_by_id, owner_id, outcome, status, green_channel, green_reason, visits,
  over_visits, received_at, accepted_at, due_at, statutory_due_at, due_estimated, due_state,
  finished_at, on_time, clock, rejection_basis, rejection_reason, rejection_number,
  notices_given)
SELECT 'B' || g, upper(left(md5(g::text), 6)), s.unit_id, s.window_id, s.matter_id, '测试申请人',
  'resident_id', '410203199001011234', '13800000000', s.staff_id, s.staff_id,
  (ARRAY['accepted','on_the_spot','notice','rejected'])[1 + g % 4],
  (ARRAY['completed','completed','awaiting','rejected'])[1 + g % 4],
  g % 17 = 0, '', 1 + (g % 3 = 0)::int, false,
  t, CASE WHEN g % 4 < 2 THEN t END, CASE WHEN g % 4 = 0 THEN t + interval '8 days' END,
  NULL, false,
  CASE WHEN g % 53 = 0 THEN 'overdue' ELSE 'ok' END,
  CASE WHEN g % 4 IN (0, 1, 3) THEN t + interval '2 days' END,
  CASE WHEN g % 4 IN (0, 1) THEN g % 29 <> 0 END, '{}', '', '', '',
  (g % 4 = 2)::int
FROM generate_series(%(first)s, %(last)s) g
CROSS JOIN LATERAL (
  SELECT now() - ((g::bigint * 7919) % (730 * 1440)) * interval '1 minute' AS t
) tt
JOIN bench_slots s ON s.i = g % (SELECT count(*) FROM bench_slots)
"""


def fill(total):
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM cases_case")
        have = cur.fetchone()[0]
        cur.execute("DROP TABLE IF EXISTS bench_slots")
        cur.execute(SLOTS_SQL)
        step = 200_000
        for first in range(have + 1, total + 1, step):
            cur.execute(
                INSERT_SQL.replace("%(first)s", str(first)).replace(
                    "%(last)s", str(min(total, first + step - 1))
                )
            )
        cur.execute("ANALYZE cases_case")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


port = free_port()
server = subprocess.Popen(
    [
        sys.executable,
        "-m",
        "gunicorn",
        "servicehall.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--chdir",
        os.path.join(ROOT, "src"),
    ],
    env={**os.environ},
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)
base = f"http://127.0.0.1:{port}"
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def get(path):
    with opener.open(base + path, timeout=30) as r:
        return r.read()


def measure(paths):
    times = []
    for path in paths:
        t = time.perf_counter()
        get(path)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return round(statistics.median(times), 1), round(times[int(len(times) * 0.95) - 1], 1)


def queries_per_page(path):
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(leader)
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        client.get(path)
    return len(ctx)


try:
    for _ in range(100):
        try:
            get("/")
            break
        except OSError:
            time.sleep(0.2)
    login_page = get("/accounts/login/").decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
    opener.open(
        urllib.request.Request(
            base + "/accounts/login/",
            data=urllib.parse.urlencode(
                {"username": "leader", "password": "bench-password-1", "csrfmiddlewaretoken": token}
            ).encode(),
            headers={"Referer": base + "/accounts/login/"},
        ),
        timeout=30,
    ).read()
    rng = random.Random(1126)

    def ledger_paths():
        return [
            f"/cases/ledger/?window={window.pk}&date_from=2026-01-01&date_to=2026-12-31"
            f"&page={rng.randint(1, 10)}"
            for _ in range(args.requests)
        ]

    stats_path = (
        f"/api/v1/units/{unit.pk}/ledger/statistics?date_from=2026-01-01&date_to=2026-12-31"
    )
    results = {}
    for label, total in (("small", args.small), ("large", args.large)):
        t = time.perf_counter()
        fill(total)
        fill_s = time.perf_counter() - t
        measure(ledger_paths()[:10])  # warm the workers
        p50, p95 = measure(ledger_paths())
        s50, s95 = measure([stats_path] * args.requests)
        results[label] = {
            "cases": total,
            "fill_s": round(fill_s, 1),
            "ledger_p50_ms": p50,
            "ledger_p95_ms": p95,
            "stats_p50_ms": s50,
            "stats_p95_ms": s95,
            "queries": queries_per_page(ledger_paths()[0]),
        }
        print(label, results[label], flush=True)
finally:
    server.terminate()
    server.wait()
    connection.close()
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")

large, small = results["large"], results["small"]
print(
    json.dumps(
        {
            "benchmark": "ledger",
            "cases": large["cases"],
            "filters": "one window, one year, page 1–10 of 50 rows; unit statistics for the year",
            "ledger_p50_ms": large["ledger_p50_ms"],
            "ledger_p95_ms": large["ledger_p95_ms"],
            "stats_p50_ms": large["stats_p50_ms"],
            "stats_p95_ms": large["stats_p95_ms"],
            "small_ledger_p95_ms": small["ledger_p95_ms"],
            "small_stats_p95_ms": small["stats_p95_ms"],
            "queries_small": small["queries"],
            "queries_large": large["queries"],
            "fill_s": large["fill_s"],
        }
    )
)
