"""Daily roll-ups on PostgreSQL (decision 0023): a city's day rolled up, and a year's question
asked of the roll-ups and of the raw tables in the same run.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/python benchmarks/bench_rollup.py

It creates and drops its own database (servicehall_bench_rollup): 100 units × 20 windows
(2,000 windows), one officer per window.

(a) A city's day (yesterday): 300,000 tickets, 200,000 ratings of its visits, 20,000 cases
    finished (INSERT … SELECT generate_series), rolled up by `rollups.services.roll_day`
    (every figure of every window and staff member): `rollup_day_s`.
(b) A year: the 364 days before it hold raw rows (--tickets-per-window-day tickets per
    window and day, 50 by default: 36 million tickets, half a real window's day; two thirds
    of the visits rated, a case finished per window every --case-every days). The window
    rows of those days are generated from them directly by one grouped INSERT (with
    yesterday's from (a): 2,000 windows × 365 days and the units' own rows), and the units'
    rows (UnitDay) made from those by `rollups.services.store_unit_days`, as roll_day makes
    them; one of those days is also rolled up by roll_day and must equal the generated rows.
    Then "good-review rate and on-time rate per unit per month" over the year, asked of the
    roll-ups (`rollups.selectors.unit_months`, `query_rollup_ms`) and of the raw tables with
    the same definitions and their own indexes (`feedback.figures.visits`/`visit_counts`,
    `cases.figures.case_counts` grouped by month, `query_raw_ms`); the answers must be equal.
    `ratio` = raw / roll-up, goal ≥ 20. The roll-up query is run --repeat times, the raw ones
    --raw-repeat times, the median reported; both at the server's own settings.
Progress goes to stderr; the last line of stdout is one JSON object.
"""

import argparse
import datetime as dt
import json
import statistics
import sys
import time

import harness  # beside this file: the path to servicehall, the shared set-up

T_START = time.perf_counter()

parser = argparse.ArgumentParser()
parser.add_argument("--units", type=int, default=100)
parser.add_argument("--windows-per-unit", type=int, default=20)
parser.add_argument("--day-tickets", type=int, default=300_000)
parser.add_argument("--day-ratings", type=int, default=200_000)
parser.add_argument("--day-cases", type=int, default=20_000)
parser.add_argument("--tickets-per-window-day", type=int, default=50)
parser.add_argument("--case-every", type=int, default=7, help="days between a window's cases")
parser.add_argument("--repeat", type=int, default=5)
parser.add_argument("--raw-repeat", type=int, default=3, help="runs of each raw-table query")
parser.add_argument("--keep", action="store_true", help="keep the database for a look after")
args = parser.parse_args()

BENCH_DB = "servicehall_bench_rollup"
bench_url = harness.fresh_database(BENCH_DB, "bench_rollup")
harness.setup_django(bench_url, "/tmp/servicehall-bench-rollup")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models.functions import TruncMonth  # noqa: E402
from django.utils import timezone  # noqa: E402

from servicehall.catalog.models import Matter  # noqa: E402
from servicehall.feedback.figures import visit_counts, visits  # noqa: E402
from servicehall.org.models import Sector, Staff, Unit, Window  # noqa: E402
from servicehall.queueing.models import Queue  # noqa: E402
from servicehall.rollups.models import UnitDay, WindowDay  # noqa: E402
from servicehall.rollups.selectors import month_rates, unit_months  # noqa: E402
from servicehall.rollups.services import roll_day, store_unit_days  # noqa: E402

t_setup = time.perf_counter()


def progress(what):
    print(f"{time.perf_counter() - t_setup:7.1f} s  {what}", file=sys.stderr, flush=True)


today = timezone.localdate()
day = today - dt.timedelta(days=1)  # the city's day
first = day - dt.timedelta(days=364)  # the year: first … day
sector = Sector.objects.order_by("pk").first()
units = Unit.objects.bulk_create(
    Unit(code=f"bench-{u}", name=f"基准大厅{u}", kind="service_centre", sector=sector)
    for u in range(args.units)
)
Queue.objects.bulk_create(Queue(unit=u, letter="A", name="综合受理") for u in units)
windows = Window.objects.bulk_create(
    Window(unit=u, number=n, function="综合受理", is_duty_lead=(n == 1))
    for u in units
    for n in range(1, args.windows_per_unit + 1)
)
users = get_user_model().objects.bulk_create(
    get_user_model()(username=f"bench-{w.unit_id}-{w.number}") for w in windows
)
Staff.objects.bulk_create(
    Staff(
        user=user,
        name=f"窗口{w.unit_id}-{w.number}",
        badge_no=f"B{w.unit_id}-{w.number:02d}",
        role="officer",
        unit_id=w.unit_id,
        window=w,
        certified_on=today.replace(year=today.year - 1),
    )
    for w, user in zip(windows, users, strict=True)
)
Matter.objects.bulk_create(
    Matter(unit=u, code=f"bench-{u.pk}", name="综合事项", promised_n=5) for u in units
)

SLOTS = """
CREATE TEMP TABLE bench_slots AS
SELECT row_number() OVER (ORDER BY w.id) - 1 AS i, w.unit_id, w.id AS window_id,
       s.id AS staff_id, q.id AS queue_id, m.id AS matter_id
FROM org_window w JOIN org_staff s ON s.window_id = w.id
JOIN queueing_queue q ON q.unit_id = w.unit_id JOIN catalog_matter m ON m.unit_id = w.unit_id
"""
# g numbers the tickets; slot = g % windows, the day's number within its queue = g; by
# p = (g + g / windows) % 100 (so that the states mix at every window, not one state a
# window) 90 % done, 5 % no-show, 3 % still waiting, 2 % serving. Local day d starts 08:30.
TICKETS = """
INSERT INTO queueing_ticket (queue_id, day, number, label, state, source, green_channel,
  window_id, staff_id, arrived_at, called_at, started_at, ended_at, calls)
SELECT s.queue_id, %(d)s::date, g, 'A' || g,
  CASE WHEN p < 90 THEN 'done' WHEN p < 95 THEN 'no_show'
       WHEN p < 98 THEN 'waiting' ELSE 'serving' END,
  'kiosk', false,
  CASE WHEN p < 95 OR p >= 98 THEN s.window_id END,
  CASE WHEN p < 95 OR p >= 98 THEN s.staff_id END,
  a, CASE WHEN p < 95 OR p >= 98 THEN a + (g % 23) * interval '1 minute' END,
  CASE WHEN p < 90 OR p >= 98 THEN a + (1 + g % 23) * interval '1 minute' END,
  CASE WHEN p < 90 THEN a + (9 + g % 23 + g % 7) * interval '1 minute' END, 1
FROM generate_series(1, %(n)s) g
JOIN bench_slots s ON s.i = g % %(w)s
CROSS JOIN LATERAL (
  SELECT (%(d)s::date + time '08:30') AT TIME ZONE 'Asia/Shanghai'
         + (g % 480) * interval '1 minute' AS a, (g + g / %(w)s) % 100 AS p
) t
"""
# every third done visit of a day unrated; levels 5, 5, 4, 4, 3, 2, 1, 5, … by ticket id
RATINGS = """
INSERT INTO feedback_rating (ticket_id, unit_id, window_id, staff_id, overall, tags, comment,
  reason, channel, device, idempotency_key, created_at, mac, prev_hash, chain_hash)
SELECT t.id, q.unit_id, t.window_id, t.staff_id, (ARRAY[5,5,4,4,3,2,1,5])[1 + t.id % 8],
  '[]', '', '', 'device', '', 'bench-' || t.id, t.ended_at + interval '1 minute', '', '', ''
FROM queueing_ticket t JOIN queueing_queue q ON q.id = t.queue_id
WHERE t.day BETWEEN %(a)s AND %(b)s AND t.state = 'done' AND %(keep)s
"""
CASES = """
INSERT INTO cases_case (number, check_code, intake_token, unit_id, window_id, matter_id,
  applicant_name, id_type, id_number, phone, received_by_id, owner_id, outcome, status,
  green_channel, green_reason, visits, over_visits, received_at, accepted_at, due_at,
  statutory_due_at, due_estimated, due_state, finished_at, on_time, clock, rejection_basis,
  rejection_reason, rejection_number, notices_given)
SELECT %(prefix)s || g, 'ABC123', NULL, s.unit_id, s.window_id, s.matter_id, '测试申请人',
  'resident_id', '410203199001011234', '', s.staff_id, s.staff_id, 'accepted', 'completed',
  false, '', 1, false, f - interval '3 days', f - interval '3 days', f, NULL, false,
  CASE WHEN g % 10 = 0 THEN 'overdue' ELSE 'ok' END, f, g % 10 <> 0, '{}', '', '', '', 0
FROM generate_series(1, %(n)s) g
JOIN bench_slots s ON s.i = g % (SELECT count(*) FROM bench_slots)
CROSS JOIN LATERAL (
  SELECT (%(d0)s::date + (((g / (SELECT count(*) FROM bench_slots)) * %(every)s) % %(days)s)::int
          + time '10:00') AT TIME ZONE 'Asia/Shanghai' + (g % 360) * interval '1 minute' AS f
) t
"""


def sql(text, **params):
    for name, value in params.items():
        text = text.replace(
            f"%({name})s", str(value) if not isinstance(value, dt.date) else f"'{value}'"
        )
    with connection.cursor() as cur:
        cur.execute(text)


def intake_token_nullable():
    # the cases table's intake_token may be NOT NULL in this schema: then give each a value
    with connection.cursor() as cur:
        cur.execute(
            "SELECT is_nullable FROM information_schema.columns"
            " WHERE table_name = 'cases_case' AND column_name = 'intake_token'"
        )
        return cur.fetchone()[0] == "YES"


if not intake_token_nullable():
    CASES = CASES.replace("'ABC123', NULL,", "'ABC123', %(prefix)s || 't' || g,")

LOADED = ("queueing_ticket", "feedback_rating", "cases_case")


def drop_indexes():
    """The loaded tables' indexes and unique constraints (not their keys) dropped for the load
    and made again after it: a bulk load, as a restore does it. Returns what makes them."""
    again = []
    with connection.cursor() as cur:
        for table in LOADED:
            cur.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = %s::regclass AND contype = 'u'",
                [table],
            )
            for name, definition in cur.fetchall():
                cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                again.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            cur.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                [table],
            )
            for name, definition in cur.fetchall():
                cur.execute(f'DROP INDEX "{name}"')
                again.append(definition)
    return again


sql(SLOTS)
n_windows = len(windows)
indexes = drop_indexes()
progress("halls made; loading the city's day")
# the rows are made consistent by construction: no foreign-key trigger per row while loading
# (the postgres role of DATABASE_URL may do this; the keys hold again before anything reads)
sql("SET session_replication_role = replica")
# (a) the city's day
sql(TICKETS, d=day, n=args.day_tickets, w=n_windows)
sql(
    RATINGS,
    a=day,
    b=day,
    keep=f"t.id IN (SELECT id FROM queueing_ticket WHERE day = '{day}' AND state = 'done'"
    f" ORDER BY id LIMIT {args.day_ratings})",
)
sql(CASES, prefix="'D'", n=args.day_cases, d0=day, every=1, days=1)
# (b) the raw year before it, a day at a time (the number runs per queue and day)
per_day = args.tickets_per_window_day * n_windows
progress(f"loading the year's tickets, {per_day:,} a day")
for i in range(364):
    sql(TICKETS, d=first + dt.timedelta(days=i), n=per_day, w=n_windows)
progress("loading the year's ratings")
sql(RATINGS, a=first, b=day - dt.timedelta(days=1), keep="t.id % 3 <> 0")
year_cases = n_windows * 364 // args.case_every
sql(CASES, prefix="'Y'", n=year_cases, d0=first, every=args.case_every, days=364)
sql("SET session_replication_role = DEFAULT")
progress("making the indexes again")
# memory for the bench's own sorts and joins (the indexes, the generated rows), as a restore
# is given; RESET before anything measured, which runs at the server's settings
sql("SET maintenance_work_mem = '1GB'")
with connection.cursor() as cur:
    for statement in indexes:
        cur.execute(statement)
    for table in LOADED:
        cur.execute(f"ANALYZE {table}")
    cur.execute("RESET maintenance_work_mem")
    cur.execute("SELECT count(*) FROM queueing_ticket")
    raw_tickets = cur.fetchone()[0]
    cur.execute("SELECT count(*) FROM feedback_rating")
    raw_ratings = cur.fetchone()[0]
    cur.execute("SELECT count(*) FROM cases_case")
    raw_cases = cur.fetchone()[0]
setup_s = time.perf_counter() - t_setup

# (a) the city's day rolled up
progress("rolling up the city's day")
t0 = time.perf_counter()
day_rows = roll_day(day)
rollup_day_s = time.perf_counter() - t0

# (b) the year's roll-ups, generated from the raw rows in one grouped INSERT (what the
# question reads: tickets, ratings, cases; the other columns zero)
ZEROS = [
    f.column
    for f in WindowDay._meta.concrete_fields
    if f.column
    not in {
        "id",
        "unit_id",
        "window_id",
        "day",
        "taken",
        "served",
        "visits",
        "rated",
        "good",
        "bad",
        "unrated",
        "cases_on_time",
        "cases_overdue",
    }
]
ZERO_COLS = ", ".join(ZEROS)
ZERO_VALS = ", ".join("0" for _ in ZEROS)
GENERATE = f"""
INSERT INTO rollups_windowday (unit_id, window_id, day, taken, served, visits, rated, good, bad,
  unrated, cases_on_time, cases_overdue, {ZERO_COLS})
SELECT coalesce(t.unit_id, c.unit_id), coalesce(t.window_id, c.window_id), coalesce(t.day, c.day),
  coalesce(t.taken, 0), coalesce(t.served, 0), coalesce(t.served, 0), coalesce(t.rated, 0),
  coalesce(t.good, 0), coalesce(t.bad, 0), coalesce(t.unrated, 0), coalesce(c.on_time, 0),
  coalesce(c.overdue, 0),
  {ZERO_VALS}
FROM (
  SELECT q.unit_id, t.window_id, t.day, count(*) AS taken,
    count(*) FILTER (WHERE t.state = 'done') AS served,
    count(r.id) FILTER (WHERE t.state = 'done') AS rated,
    count(r.id) FILTER (WHERE t.state = 'done' AND r.overall >= 4) AS good,
    count(r.id) FILTER (WHERE t.state = 'done' AND r.overall <= 2) AS bad,
    -- unrated once the rating link expired, as feedback.figures counts it
    count(*) FILTER (WHERE t.state = 'done' AND r.id IS NULL AND t.ended_at < %(cutoff)s) AS unrated
  FROM queueing_ticket t JOIN queueing_queue q ON q.id = t.queue_id
  LEFT JOIN feedback_rating r ON r.ticket_id = t.id
  WHERE t.day BETWEEN %(a)s AND %(b)s GROUP BY 1, 2, 3
) t
FULL JOIN (
  SELECT unit_id, window_id, (finished_at AT TIME ZONE 'Asia/Shanghai')::date AS day,
    count(*) FILTER (WHERE on_time) AS on_time, count(*) FILTER (WHERE NOT on_time) AS overdue
  FROM cases_case WHERE finished_at >= (%(a)s::date + time '00:00') AT TIME ZONE 'Asia/Shanghai'
    AND finished_at < (%(b)s::date + 1 + time '00:00') AT TIME ZONE 'Asia/Shanghai'
  GROUP BY 1, 2, 3
) c ON c.window_id = t.window_id AND c.day = t.day
"""
progress("generating the year's window rows")
t0 = time.perf_counter()
sql("SET work_mem = '256MB'")
# the units' own rows (window empty) are the numbers never called: waiting tickets
link_cutoff = timezone.now() - dt.timedelta(days=settings.SERVICEHALL["RATING_LINK_DAYS"])
sql(GENERATE, a=first, b=day - dt.timedelta(days=1), cutoff=f"'{link_cutoff.isoformat()}'")
sql("RESET work_mem")
generate_s = time.perf_counter() - t0
progress("the units' rows of the year (store_unit_days)")
t0 = time.perf_counter()
store_unit_days(first, day - dt.timedelta(days=1))
unit_days_s = time.perf_counter() - t0
with connection.cursor() as cur:
    cur.execute("ANALYZE rollups_windowday")
    cur.execute("ANALYZE rollups_unitday")
rollup_rows = WindowDay.objects.count()
unit_day_rows = UnitDay.objects.count()

# one generated day must be what roll_day stores
check_day = first + dt.timedelta(days=100)
FIELDS = ("taken", "served", "visits", "rated", "good", "bad", "cases_on_time", "cases_overdue")


def day_rows_of(d):
    windows = sorted(
        WindowDay.objects.filter(day=d).order_by().values_list("unit_id", "window_id", *FIELDS),
        key=lambda r: (r[0], r[1] or 0),
    )
    units = sorted(UnitDay.objects.filter(day=d).order_by().values_list("unit_id", *FIELDS))
    return windows, units


generated = day_rows_of(check_day)
progress(f"rolling up {check_day} to check the generated rows")
roll_day(check_day)
generated_equal = generated == day_rows_of(check_day)

all_units = list(Unit.objects.filter(code__startswith="bench-"))


def raw_months(first=first, day=day):
    """The same question of the raw tables, with the source apps' definitions."""
    counts = visit_counts()
    rated = (
        visits(first, day, units=all_units)
        .annotate(month=TruncMonth("day"))
        .values("queue__unit_id", "month")
        .annotate(good=counts["good"], rated=counts["rated"], unrated=counts["unrated"])
        .order_by()
    )
    from servicehall.cases.figures import case_counts
    from servicehall.core.figures import day_bounds

    start, end = day_bounds(first, day)
    from servicehall.cases.models import Case

    finished = (
        Case.objects.filter(unit__in=all_units, finished_at__gte=start, finished_at__lt=end)
        .annotate(month=TruncMonth("finished_at"))
        .values("unit_id", "month")
        .annotate(**case_counts())
        .order_by()
    )
    out = {}
    names = ("good", "rated", "unrated", "cases_on_time", "cases_overdue")
    for r in rated:
        acc = out.setdefault((r["queue__unit_id"], r["month"]), dict.fromkeys(names, 0))
        acc["good"], acc["rated"], acc["unrated"] = r["good"], r["rated"], r["unrated"]
    for r in finished:
        month = r["month"].date() if isinstance(r["month"], dt.datetime) else r["month"]
        acc = out.setdefault((r["unit_id"], month), dict.fromkeys(names, 0))
        acc["cases_on_time"], acc["cases_overdue"] = r["cases_on_time"], r["cases_overdue"]
    return {k: {**v, **month_rates(v)} for k, v in sorted(out.items())}


def timed(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


progress("the month question of the roll-ups")
query_rollup_ms, from_rollups = timed(lambda: unit_months(all_units, first, day), args.repeat)
progress("the month question of the raw tables")
query_raw_ms, from_raw = timed(raw_months, args.raw_repeat)
answers_equal = from_rollups == from_raw
# the raw tables' year is smaller than a city's (tickets_per_window_day against the city's
# day): the same question over the one day at the city's scale, to say what a year would cost
progress("the question of the city's day of the raw tables")
query_raw_city_day_ms, _day_answer = timed(lambda: raw_months(first=day), args.raw_repeat)
result = {
    "rollup_day_s": round(rollup_day_s, 2),
    "rollup_day_rows": day_rows,
    "query_rollup_ms": round(query_rollup_ms, 1),
    "query_raw_ms": round(query_raw_ms, 1),
    "ratio": round(query_raw_ms / query_rollup_ms, 1),
    "goal_ratio": 20,
    "query_raw_city_day_ms": round(query_raw_city_day_ms, 1),
    # an estimate, not a measurement: 365 such days of raw rows against the year's roll-ups
    "ratio_city_year_estimate": round(365 * query_raw_city_day_ms / query_rollup_ms, 1),
    "answers_equal": answers_equal,
    "generated_day_equals_roll_day": generated_equal,
    "windows": n_windows,
    "units": len(all_units),
    "day_tickets": args.day_tickets,
    "day_ratings": args.day_ratings,
    "day_cases": args.day_cases,
    "rollup_rows": rollup_rows,
    "unit_day_rows": unit_day_rows,
    "raw_year": {
        "tickets": raw_tickets,
        "ratings": raw_ratings,
        "cases": raw_cases,
        "tickets_per_window_day": args.tickets_per_window_day,
    },
    "months_answered": len(from_rollups),
    "setup_s": round(setup_s, 1),
    "generate_rollups_s": round(generate_s, 1),
    "unit_days_s": round(unit_days_s, 1),
    "total_s": round(time.perf_counter() - T_START, 1),
}
if not args.keep:
    connection.close()
    harness.drop_database(BENCH_DB)
print(json.dumps(result))
sys.exit(0 if answers_equal and generated_equal else 1)
