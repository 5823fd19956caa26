"""Calling tickets through the real HTTP API on PostgreSQL, served the way production serves it
(gunicorn sync workers + the event server for the boards, decisions 0004 and 0008).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/python benchmarks/bench_queue.py

It creates and drops its own database (servicehall_bench_queue, or --database): 8 halls × 8
windows, each window staffed by an officer with an API token and signed in; queues A (weight 2)
and G (green channel, weight 1) per hall, hundreds of thousands of waiting walk-ins in A. The
calling precedence (decision 0026) has its share, at the default settings: green-channel
tickets arrive while the loops run (--green-per-s, as reception issues them, half in A and half
in G), each called first by the next call of a window of its hall; checked-in appointments
come due at a steady rate (--booked-per-s) and go before the walk-ins.

(a) closed loop: 32 windows press "finish and call next" (POST /api/v1/windows/{id}/call-next)
    as fast as they can; the baseline is the same 32 windows on a bare endpoint of the same
    server doing one SKIP LOCKED update and nothing else (benchmarks/queue_site). Goal ≥ 0.7.
(b) open loop: a fixed 300 calls/s over 64 windows, latency from the scheduled send (no
    coordinated omission), after an untimed VACUUM. Goal p99 ≤ 20 ms.
(c) 200 boards on the event server (25 per hall): call sent → event received. Goal p95 ≤ 500 ms.
Then the database: double calls 0, lost or skipped tickets 0. Last line: one JSON object.
"""

import argparse
import asyncio
import json
import statistics
import sys
import time

import harness  # beside this file: the path to servicehall, the shared set-up

parser = argparse.ArgumentParser()
parser.add_argument("--seconds", type=float, default=30, help="closed loop, each of the two")
parser.add_argument("--windows", type=int, default=32, help="closed-loop windows")
parser.add_argument("--rate", type=int, default=300, help="open-loop calls per second")
parser.add_argument("--open-seconds", type=float, default=10)
parser.add_argument("--boards", type=int, default=200)
parser.add_argument("--board-calls", type=int, default=200)
parser.add_argument("--green-per-s", type=float, default=20, help="green tickets issued a second")
parser.add_argument("--booked-per-s", type=float, default=20, help="appointments due a second")
parser.add_argument("--database", default="servicehall_bench_queue")
harness.server_arguments(parser)
args = parser.parse_args()

import psycopg  # noqa: E402

BENCH_DB = args.database
bench_url = harness.fresh_database(BENCH_DB, "bench_queue")
HALLS, WINDOWS_PER_HALL = 8, 8
PER_QUEUE = {"A": 40_000, "G": 0, "Z": 150_000}
BOOKED_SECONDS = 400  # appointments fall due for this long, from the server's start
harness.setup_django(bench_url, "/tmp/servicehall-bench-queue")
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from servicehall.org.models import ApiToken, Sector  # noqa: E402
from servicehall.org.permissions import actor_for  # noqa: E402
from servicehall.queueing import services  # noqa: E402
from servicehall.queueing.models import CallRule, Queue, QueueDay  # noqa: E402

today = timezone.localdate()
signed_in_at = harness.opening_time()
sector = Sector.objects.order_by("pk").first()
halls = []  # per hall: unit, windows [(window, token)], queues
for h in range(HALLS):
    unit = harness.hall(h, sector)
    queues = {
        "G": Queue.objects.create(unit=unit, letter="G", name="绿色通道", green_channel=True),
        "A": Queue.objects.create(unit=unit, letter="A", name="综合受理"),
    }
    windows = []
    for n in range(1, WINDOWS_PER_HALL + 1):
        window, user, _staff = harness.window_with_officer(unit, h, n, today)
        CallRule.objects.create(window=window, queue=queues["G"], order=0, weight=1)
        CallRule.objects.create(window=window, queue=queues["A"], order=1, weight=2)
        user = type(user).objects.select_related("staff").get(pk=user.pk)
        services.sign_in(actor=actor_for(user), window=window, now=signed_in_at)
        windows.append((window, ApiToken.issue(user=user, name="bench")[1]))
    if h == 0:
        queues["Z"] = Queue.objects.create(unit=unit, letter="Z", name="baseline")
    halls.append({"unit": unit, "windows": windows, "queues": queues})

with connection.cursor() as cur:
    for hall in halls:
        for letter, queue in hall["queues"].items():
            n = PER_QUEUE[letter]
            cur.execute(
                """
                INSERT INTO queueing_ticket (queue_id, day, number, label, state, source,
                  green_channel, arrived_at, calls)
                SELECT %s, %s, g, %s || lpad(g::text, 6, '0'), 'waiting', 'kiosk', %s,
                  now() - interval '6 hours' + g * interval '1 millisecond', 0
                FROM generate_series(1, %s) g
                """,
                [queue.pk, today, letter, queue.green_channel, n],
            )
            QueueDay.objects.create(queue=queue, day=today, last=n)
        # checked in (after every walk-in, so only their slot calls them), due one after the
        # other from 20 s on (10 minutes before its slot: APPOINTMENT_EARLY_MINUTES)
        per_hall = args.booked_per_s / HALLS
        cur.execute(
            """
            INSERT INTO queueing_ticket (queue_id, day, number, label, state, source,
              green_channel, arrived_at, scheduled_at, calls)
            SELECT %s, %s, 500000 + g, 'B' || lpad(g::text, 6, '0'), 'waiting', 'appointment',
              false, now() - interval '5 hours' + g * interval '1 millisecond',
              now() + interval '20 seconds' + interval '10 minutes'
                + g * interval '1 second' / %s, 0
            FROM generate_series(1, %s) g
            """,
            [hall["queues"]["A"].pk, today, per_hall, int(per_hall * BOOKED_SECONDS)],
        )
    cur.execute("VACUUM ANALYZE queueing_ticket")
connection.close()


port, events_port = harness.free_port(), harness.free_port()
# `servicehall serve`'s processes; the environment adds the baseline's URL module
env = harness.server_env("queue_site")
web = harness.start_web(env, port, args.workers)
events = harness.start_events(env, events_port)


async def request(method, path, body=b"", token=None, port=port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    writer.write(head.encode() + b"\r\n" + body)
    data = await reader.read()
    writer.close()
    status = int(data[9:12])
    return status, data.split(b"\r\n\r\n", 1)[1]


FINISH_AND_NEXT = json.dumps({"finish_current": True}).encode()


async def call(window, token):
    """One 'finish and call next'; returns the called ticket or None."""
    status, body = await request(
        "POST", f"/api/v1/windows/{window.pk}/call-next", FINISH_AND_NEXT, token
    )
    if status != 200:
        raise RuntimeError(f"call-next answered {status}: {body[:300]!r}")
    return json.loads(body)["ticket"]


acked = []  # (window id, ticket id) for every call the server answered with a ticket


async def reception(stop):
    """Green-channel tickets as reception issues them, at --green-per-s over the halls, half
    in queue A (R-CASE-4: in whatever queue they stand) and half in G."""
    if args.green_per_s <= 0:
        return
    targets = [(h["queues"][q].pk, q) for q in ("A", "G") for h in halls]
    begin, k = time.perf_counter(), 0
    with await asyncio.to_thread(psycopg.connect, bench_url, autocommit=True) as conn:
        while not stop.is_set():
            queue_id, letter = targets[k % len(targets)]
            await asyncio.to_thread(
                conn.execute,
                "INSERT INTO queueing_ticket (queue_id, day, number, label, state, source,"
                " green_channel, arrived_at, calls) VALUES (%s, %s, %s, %s, 'waiting',"
                " 'reception', true, now(), 0)",
                [queue_id, today, 900_000 + k, f"{letter}{900_000 + k}"],
            )
            k += 1
            delay = begin + k / args.green_per_s - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)


async def closed_loop(pairs, seconds, bare):
    """Calls answered and seconds spent: every window calls again as soon as it has its answer."""
    zq = halls[0]["queues"]["Z"].pk
    count = 0

    async def one_window(window, token, stop):
        nonlocal count
        while time.perf_counter() < stop:
            if bare:
                status, body = await request("POST", f"/bench/bare-call/{window.pk}/{zq}/")
                assert status == 200 and json.loads(body)["ticket"], body[:200]
            else:
                ticket = await call(window, token)
                assert ticket, "the queues ran dry"
                acked.append((window.pk, ticket["id"]))
            count += 1

    started = time.perf_counter()
    await asyncio.gather(*(one_window(w, t, started + seconds) for w, t in pairs))
    return count, time.perf_counter() - started


async def closed_loops(pairs, seconds, slice_seconds=5):
    """Baseline and ours in alternating slices, so drift (autovacuum, caches) hits both."""
    totals = {True: [0, 0.0], False: [0, 0.0]}
    done = 0.0
    while done < seconds:
        step = min(slice_seconds, seconds - done)
        for bare in (True, False):
            count, spent = await closed_loop(pairs, step, bare)
            totals[bare][0] += count
            totals[bare][1] += spent
            await asyncio.to_thread(tidy_baseline)
        done += step
    return totals[True][0] / totals[True][1], totals[False][0] / totals[False][1]


async def open_loop(pairs, rate, seconds):
    latencies = []
    begin = time.perf_counter() + 0.1
    total = int(rate * seconds)

    async def one(k, at):
        window, token = pairs[k % len(pairs)]
        ticket = await call(window, token)
        latencies.append(time.perf_counter() - at)
        if ticket:
            acked.append((window.pk, ticket["id"]))

    tasks = []
    for k in range(total):
        at = begin + k / rate
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(k, at)))
    await asyncio.gather(*tasks)
    return latencies


async def boards_phase(pairs_by_hall, boards, calls):
    received = {}  # (window id, label) -> [receipt times]
    ready = 0

    async def board(unit_id):
        nonlocal ready
        reader, writer = await asyncio.open_connection("127.0.0.1", events_port)
        writer.write(
            f"GET /events/board/{unit_id} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        await reader.readuntil(b"retry: 1000\n\n")
        ready += 1
        kind = None
        try:
            while True:
                line = (await reader.readline()).decode().rstrip("\n")
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind == "call":
                    data = json.loads(line[6:])
                    received.setdefault((data["window_id"], data["ticket"]), []).append(
                        time.perf_counter()
                    )
        except (asyncio.CancelledError, ConnectionError, asyncio.IncompleteReadError):
            writer.close()

    units = [h["unit"].pk for h in halls]
    readers = [asyncio.create_task(board(units[i % len(units)])) for i in range(boards)]
    while ready < boards:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    sent = {}
    flat = [p for hall_pairs in pairs_by_hall for p in hall_pairs]
    for k in range(calls):
        window, token = flat[k % len(flat)]
        at = time.perf_counter()
        ticket = await call(window, token)
        acked.append((window.pk, ticket["id"]))
        sent[(window.pk, ticket["label"])] = at
        await asyncio.sleep(0.05)
    await asyncio.sleep(2)
    watching = {u: sum(1 for i in range(boards) if units[i % len(units)] == u) for u in units}
    unit_of = {w.pk: w.unit_id for w, _t in flat}
    latencies, missed = [], 0
    for (window_id, label), at in sent.items():
        times = received.get((window_id, label), [])
        latencies += [t - at for t in times]
        missed += watching[unit_of[window_id]] - len(times)
    for r in readers:
        r.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    return latencies, missed


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def tidy_baseline():
    """The bare calls leave their tickets called at the windows: finish them, untimed."""
    with psycopg.connect(bench_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE queueing_ticket SET state = 'done', ended_at = now() "
            "WHERE queue_id = %s AND state = 'called'",
            [halls[0]["queues"]["Z"].pk],
        )


def settle():
    """Between phases, untimed: vacuum after the saturating closed loop, so the open loop
    measures a steady 300 calls/s, not the clean-up after a minute at full load. (Not a
    CHECKPOINT: the full-page writes after one slow the next seconds down.)"""
    with psycopg.connect(bench_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE queueing_ticket, queueing_boardevent")


async def wait_up():
    for _ in range(300):
        try:
            status, _body = await request("GET", "/api/v1/calendar/2026")
            if status == 200:
                await asyncio.open_connection("127.0.0.1", events_port)
                return
        except OSError:
            pass
        await asyncio.sleep(0.1)
    sys.exit("the server did not start")


async def main():
    await wait_up()
    stop = asyncio.Event()
    issuing = asyncio.create_task(reception(stop))
    all_pairs = [p for h in halls for p in h["windows"]]
    closed_pairs = [p for h in halls for p in h["windows"][: args.windows // HALLS]]
    await closed_loops(closed_pairs, 2, slice_seconds=1)  # warm every worker's connections
    baseline, ours = await closed_loops(closed_pairs, args.seconds)
    await asyncio.to_thread(settle)
    latencies = await open_loop(all_pairs, args.rate, args.open_seconds)
    board_latencies, board_missed = await boards_phase(
        [h["windows"] for h in halls], args.boards, args.board_calls
    )
    stop.set()
    await issuing
    return baseline, ours, latencies, board_latencies, board_missed


try:
    baseline, ours, latencies, board_latencies, board_missed = asyncio.run(main())
finally:
    web.terminate()
    events.terminate()
    web.wait(10)
    events.wait(10)

with psycopg.connect(bench_url) as conn:
    ids = [t for _w, t in acked]
    double = conn.execute("SELECT count(*) FROM queueing_ticket WHERE calls > 1").fetchone()[0]
    double += len(ids) - len(set(ids))
    rows = dict(
        conn.execute(
            "SELECT id, window_id FROM queueing_ticket WHERE id = ANY(%s) AND state <> 'waiting'",
            [ids],
        ).fetchall()
    )
    lost = sum(1 for w, t in acked if rows.get(t) != w)
    # skipped: still waiting although a later arrival of the same queue and kind (walk-in,
    # green, appointment: each kind is called in its arrival order here) was called
    lost += conn.execute(
        """
        WITH newest AS (
          SELECT queue_id, green_channel, source, max(arrived_at) AS at FROM queueing_ticket
          WHERE state <> 'waiting' GROUP BY queue_id, green_channel, source)
        SELECT count(*) FROM queueing_ticket t
          JOIN newest n USING (queue_id, green_channel, source)
        WHERE t.state = 'waiting' AND t.arrived_at < n.at
        """
    ).fetchone()[0]
    green_called, booked_called, green_waiting = conn.execute(
        """
        SELECT count(*) FILTER (WHERE t.green_channel AND t.state <> 'waiting'),
               count(*) FILTER (WHERE t.source = 'appointment' AND t.state <> 'waiting'),
               count(*) FILTER (WHERE t.green_channel AND t.state = 'waiting')
          FROM queueing_ticket t JOIN queueing_queue q ON q.id = t.queue_id
         WHERE q.letter <> 'Z'
        """
    ).fetchone()

if not args.keep:
    harness.drop_database(BENCH_DB)

result = {
    "benchmark": "queue_calls_http_postgresql",
    "workers": args.workers,
    "closed_windows": args.windows,
    "closed_calls_per_s": round(ours, 1),
    "baseline_calls_per_s": round(baseline, 1),
    "closed_ratio": round(ours / baseline, 3),
    "open_rate": args.rate,
    "open_calls": len(latencies),
    "open_p50_ms": round(statistics.median(latencies) * 1000, 2),
    "open_p95_ms": round(pct(latencies, 95) * 1000, 2),
    "open_p99_ms": round(pct(latencies, 99) * 1000, 2),
    "open_max_ms": round(max(latencies) * 1000, 2),
    "boards": args.boards,
    "board_events": len(board_latencies),
    "board_missed": board_missed,
    "board_p95_ms": round(pct(board_latencies, 95) * 1000, 1),
    "calls_checked": len(acked),
    "green_called": green_called,
    "green_left_waiting": green_waiting,
    "booked_called": booked_called,
    "double_calls": double,
    "lost_tickets": lost,
}
print(json.dumps(result))
