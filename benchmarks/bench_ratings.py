"""Citizens rating their visits through the real HTTP API on PostgreSQL, served the way production
serves it (`servicehall serve`: gunicorn sync workers, the event server, and the sealer
`servicehall seal_ratings --every 1` beside them, decisions 0004, 0008 and 0010).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/python benchmarks/bench_ratings.py

It creates and drops its own database (servicehall_bench_ratings): 8 halls × 8 windows, each
window staffed by an officer, a unit leader per hall (told of bad reviews), and enough finished
visits (done at the window, ended at set-up, inside the device's 30 minutes) for every rating
of the run, each rated once. Each window's rating device is paired as a unit leader pairs it;
a rating is POST /api/v1/ratings with that device's credential in its cookie, mostly 3–5, a
few at 1–2 with a reason (those open a follow-up).

(a) closed loop: 64 rating devices post as fast as they can; the baseline is the same 64 on a
    bare endpoint of the same server doing one plain INSERT into a simple table and nothing
    else (benchmarks/ratings_site), in alternating 5 s slices. Goal ≥ 0.7. The sealer runs
    throughout; what it has not sealed when a ratings slice ends is worked off, untimed,
    before the next baseline slice (reported as closed_seal_drain_s).
(b) open loop: a fixed 300 ratings/s, latency from the scheduled send (no coordinated
    omission). Goal p99 ≤ 20 ms. Then the same at --sustained-rate (150/s), below what the
    server can take on a small machine, to show the latency when it is not saturated. Each
    beside the baseline endpoint at the same rate, in alternating 5 s slices: on a shared
    virtual disk one slow fsync holds every commit for 50–200 ms, and the baseline's tail
    shows what of the p99 is the machine's (the stalls are counted for both).
(c) kill: the 64 devices rate under load, the whole gunicorn (master and workers, one process
    group) is SIGKILLed mid-run and started again the same way; a device resends an unanswered
    rating with the same idempotency key until it gets a 2xx, as the real device does.
Then the database: every acknowledged rating stored exactly once, every bad review with its
follow-up, and — once the sealer has caught up — `verify()` finds nothing. The seal lag is
sealed_at − created_at over the run's ratings. Last line: one JSON object.
"""

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time

import harness  # beside this file: the path to servicehall, the shared set-up

parser = argparse.ArgumentParser()
parser.add_argument("--seconds", type=float, default=30, help="closed loop, each of the two")
parser.add_argument("--clients", type=int, default=64, help="closed-loop rating devices")
parser.add_argument("--rate", type=int, default=300, help="open-loop ratings per second")
parser.add_argument(
    "--open-seconds", type=float, default=30, help="each open loop, ours and the baseline's"
)
parser.add_argument(
    "--sustained-rate", type=int, default=150, help="a second open loop, below saturation"
)
parser.add_argument("--kill-seconds", type=float, default=12, help="the loaded phase killed")
parser.add_argument(
    "--tickets-per-window", type=int, default=4000, help="finished visits to rate, per window"
)
harness.server_arguments(parser)
args = parser.parse_args()

import psycopg  # noqa: E402

BENCH_DB = "servicehall_bench_ratings"
bench_url = harness.fresh_database(BENCH_DB, "bench_ratings")
HALLS, WINDOWS_PER_HALL = 8, 8
# the device rates visits ended within RATING_DEVICE_MINUTES (30): a run longer than this
# moves the unrated visits' end forward between phases (untimed)
REFRESH_AFTER_S = 20 * 60
harness.setup_django(bench_url, "/tmp/servicehall-bench-ratings")
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from servicehall.feedback.services import (  # noqa: E402
    DEVICE_COOKIE,
    bad_review_level,
    enroll_device,
    pair_device,
    verify,
)
from servicehall.org.models import Sector, Staff  # noqa: E402
from servicehall.org.permissions import actor_for  # noqa: E402
from servicehall.queueing.models import Queue, QueueDay  # noqa: E402

today = timezone.localdate()
sector = Sector.objects.order_by("pk").first()
devices = []  # per window: {"window", "key", "tickets": [unrated finished visits]}
for h in range(HALLS):
    unit = harness.hall(h, sector)
    queue = Queue.objects.create(unit=unit, letter="A", name="综合受理")
    lead = get_user_model().objects.create_user(f"bench-{h}-lead")  # pairs the devices
    Staff.objects.create(
        user=lead, name=f"负责人{h}", badge_no=f"L{h:02d}", role="unit_leader", unit=unit
    )
    for n in range(1, WINDOWS_PER_HALL + 1):
        window, _user, staff = harness.window_with_officer(unit, h, n, today)
        # each window's device paired as a unit leader pairs it (R-FB-1)
        _device, code = enroll_device(actor=actor_for(lead), window=window)
        credential = pair_device(code)[1]
        devices.append(
            {"window": window, "staff": staff, "queue": queue, "n": n, "credential": credential}
        )
    QueueDay.objects.create(queue=queue, day=today, last=WINDOWS_PER_HALL * args.tickets_per_window)

setup_at = time.time()
with connection.cursor() as cur:
    for d in devices:
        # the window's finished visits, numbered in its own block of the hall's day
        first = (d["n"] - 1) * args.tickets_per_window
        cur.execute(
            """
            INSERT INTO queueing_ticket (queue_id, day, number, label, state, source,
              green_channel, window_id, staff_id, arrived_at, called_at, started_at, ended_at,
              calls)
            SELECT %s, %s, g, 'A' || lpad(g::text, 6, '0'), 'done', 'kiosk', false, %s, %s,
              now() - interval '40 minutes', now() - interval '20 minutes',
              now() - interval '19 minutes', now(), 1
            FROM generate_series(%s, %s) g
            RETURNING id
            """,
            [
                d["queue"].pk,
                today,
                d["window"].pk,
                d["staff"].pk,
                first + 1,
                first + args.tickets_per_window,
            ],
        )
        d["tickets"] = sorted(r[0] for r in cur.fetchall())
        d["tickets"].reverse()  # pop() from the end: oldest number first
    cur.execute(
        """
        CREATE TABLE bench_bare_rating (
          id bigserial PRIMARY KEY, ticket_id bigint NOT NULL, overall smallint NOT NULL,
          idempotency_key varchar(64) NOT NULL, created_at timestamptz NOT NULL)
        """
    )
    cur.execute("VACUUM ANALYZE")
connection.close()


port, events_port = harness.free_port(), harness.free_port()
logs = os.environ["SERVICEHALL_VAR"]
os.makedirs(logs, exist_ok=True)
env = harness.server_env("ratings_site")


def start_web():
    """`servicehall serve`'s gunicorn (the environment adds the baseline's URL module), in a
    process group of its own so that the kill takes master and workers at once."""
    log = open(os.path.join(logs, "gunicorn.log"), "ab")  # noqa: SIM115
    return harness.start_web(env, port, args.workers, stderr=log, process_group=0)


def start_sealer():
    """As `servicehall serve` starts it."""
    return subprocess.Popen(
        [sys.executable, "-m", "servicehall", "seal_ratings", "--every", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(os.path.join(logs, "sealer.log"), "ab"),  # noqa: SIM115
    )


web = start_web()
events = harness.start_events(env, events_port)
sealer = start_sealer()
sealer_restarts = 0


def sealer_alive():
    global sealer, sealer_restarts
    if sealer.poll() is not None:
        sealer = start_sealer()
        sealer_restarts += 1


class Unanswered(Exception):
    """No HTTP answer: the connection was refused, reset or closed before a status line."""


async def request(method, path, body=b"", timeout=30, device=""):
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    except (OSError, TimeoutError) as exc:
        raise Unanswered(repr(exc)) from None
    try:
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        if device:  # a paired device's credential, as its browser sends its cookie
            head += f"Cookie: {DEVICE_COOKIE}={device}\r\n"
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        writer.write(head.encode() + b"\r\n" + body)
        data = await asyncio.wait_for(reader.read(), timeout)
    except (OSError, TimeoutError) as exc:
        raise Unanswered(repr(exc)) from None
    finally:
        writer.close()
    if len(data) < 12 or not data.startswith(b"HTTP/1."):
        raise Unanswered(f"no status line: {data[:40]!r}")
    return int(data[9:12]), data.split(b"\r\n\r\n", 1)[-1]


rng = random.Random(20260)
TAGS = ["办事快", "态度好", "讲解清楚", "一次办好", "等候太久", "态度差", "要求不清楚"]
GOOD_TAGS, BAD_TAGS = TAGS[:4], TAGS[4:]
LEVELS = [5] * 60 + [4] * 25 + [3] * 10 + [2] * 3 + [1] * 2  # mostly satisfied, a few not
sent = {}  # idempotency key → ticket id, every rating the run sent
acked = {}  # idempotency key → (ticket id, status), every rating the server answered 2xx
serial = 0


def next_rating(device_no, phase, take=True):
    """A device's next rating: its window's next unrated visit, a fresh idempotency key. The
    baseline (take False) sends the same kind of body and leaves the visit unrated."""
    global serial
    d = devices[device_no % len(devices)]
    if not d["tickets"]:
        sys.exit("out of finished visits: raise --tickets-per-window")
    ticket = d["tickets"].pop() if take else d["tickets"][-1]
    serial += 1
    overall = rng.choice(LEVELS)
    low = overall <= bad_review_level()
    payload = {
        "_device": d["credential"],  # sent as the cookie, not in the body
        "ticket_id": ticket,
        "overall": overall,
        "efficiency": max(1, min(5, overall + rng.choice((-1, 0, 0, 1)))),
        "competence": max(1, min(5, overall + rng.choice((-1, 0, 0, 1)))),
        "attitude": max(1, min(5, overall + rng.choice((-1, 0, 0, 1)))),
        "tags": rng.sample(BAD_TAGS if overall <= 3 else GOOD_TAGS, rng.randint(0, 2)),
        "comment": "谢谢窗口的耐心解答" if rng.random() < 0.1 else "",
        "reason": "等候时间太长，材料要求没有一次说清楚" if low else "",
        "idempotency_key": f"{phase}-{serial:07d}-{rng.getrandbits(32):08x}",
    }
    if take:
        sent[payload["idempotency_key"]] = ticket
    return payload


unanswered = {}  # why a resent rating went unanswered: exception or status → times
answered = []  # (sent, answered) of every answer to a resending device


async def rate(payload, retry=False):
    """One rating; with retry, resend the same rating (same key) until it is answered 2xx."""
    body, device = _body(payload)
    while True:
        sent_at = time.perf_counter()
        try:
            status, answer = await request("POST", "/api/v1/ratings", body, device=device)
        except Unanswered as exc:
            if not retry:
                raise
            status, answer = None, str(exc).split("(")[0]
        if status in (200, 201):
            acked[payload["idempotency_key"]] = (payload["ticket_id"], status)
            if retry:
                answered.append((sent_at, time.perf_counter()))
            return
        if not retry or (status is not None and status < 500):
            raise RuntimeError(f"rating answered {status}: {answer[:300]!r}")
        why = answer if status is None else f"HTTP {status}"
        unanswered[why] = unanswered.get(why, 0) + 1
        await asyncio.sleep(0.05)


def _body(payload):
    """The JSON body of a rating and the credential its device sends as a cookie."""
    body = {k: v for k, v in payload.items() if k != "_device"}
    return json.dumps(body, ensure_ascii=False).encode(), payload["_device"]


async def bare_rate(payload):
    body, device = _body(payload)
    status, answer = await request("POST", "/bench/bare-rating/", body, device=device)
    if status != 201:
        raise RuntimeError(f"bare rating answered {status}: {answer[:300]!r}")


async def closed_loop(clients, seconds, bare, phase):
    """Ratings answered and seconds spent: every device rates again as soon as it is answered."""
    count = 0

    async def device(no, stop):
        nonlocal count
        while time.perf_counter() < stop:
            if bare:
                await bare_rate(next_rating(no, phase, take=False))
            else:
                await rate(next_rating(no, phase))
            count += 1

    started = time.perf_counter()
    await asyncio.gather(*(device(no, started + seconds) for no in range(clients)))
    return count, time.perf_counter() - started


async def closed_loops(clients, seconds, phase, slice_seconds=5):
    """Baseline and ours in alternating slices, so drift (autovacuum, caches) hits both. The
    sealer's backlog from a ratings slice is worked off, untimed, before the next baseline
    slice, so the baseline does not pay for it (its time is reported as seal_drain_s)."""
    totals = {True: [0, 0.0], False: [0, 0.0]}
    done = 0.0
    drain = 0.0
    while done < seconds:
        step = min(slice_seconds, seconds - done)
        for bare in (True, False):
            count, spent = await closed_loop(clients, step, bare, phase)
            totals[bare][0] += count
            totals[bare][1] += spent
            if not bare:
                drain += await asyncio.to_thread(wait_sealed, 120)
        done += step
    baseline = totals[True][0] / totals[True][1]
    ours = totals[False][0] / totals[False][1]
    return baseline, ours, totals[False][0], drain


async def open_loop(rate_per_s, seconds, phase, bare=False):
    """Latencies from each rating's scheduled send (with their scheduled times), and the
    ratings not answered 2xx (an overloaded server's backlog overflowing, say): those count,
    they do not stop the run. With bare, the baseline endpoint's."""
    latencies = []
    failed = 0
    begin = time.perf_counter() + 0.1
    total = int(rate_per_s * seconds)

    async def one(payload, at):
        nonlocal failed
        try:
            await (bare_rate(payload) if bare else rate(payload))
        except (Unanswered, RuntimeError):
            failed += 1
            return
        latencies.append((at, time.perf_counter() - at))

    tasks = []
    for k in range(total):
        at = begin + k / rate_per_s
        payload = next_rating(k, phase, take=not bare)  # round the windows
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(payload, at)))
    await asyncio.gather(*tasks)
    return latencies, failed


async def open_loops(rate_per_s, seconds, phase, slice_seconds=5):
    """Ours and the baseline at the same fixed rate, in alternating slices, so that what the
    machine does to every process (a slow fsync of the shared disk, a noisy neighbour) falls
    on both alike: ([latency], failed, [baseline latency], stalls, baseline stalls)."""
    ours, bare, failed, done = [], [], 0, 0.0
    while done < seconds:
        step = min(slice_seconds, seconds - done)
        got, lost = await open_loop(rate_per_s, step, phase)
        ours += got
        failed += lost
        await asyncio.to_thread(wait_sealed, 300)
        bare += (await open_loop(rate_per_s, step, phase, bare=True))[0]
        done += step
    return [x for _at, x in ours], failed, [x for _at, x in bare], stalls(ours), stalls(bare)


def stalls(timed, over=0.025, window=0.1):
    """Moments the whole server stood still: 0.1 s windows of scheduled sends in which every
    answer took longer than 25 ms (one slow request is the server's; all of them at once, the
    machine's)."""
    windows = {}
    for at, latency in timed:
        windows.setdefault(int(at / window), []).append(latency)
    return sum(1 for lat in windows.values() if len(lat) >= 3 and min(lat) > over)


async def kill_phase(clients, seconds, phase):
    """The devices rate under load; a third of the way in, SIGKILL gunicorn's whole process
    group and start it again the same way. Every device keeps resending its unanswered rating
    with the same key until it is answered 2xx, then rates the next visit. Returns the ratings
    answered and the outage: from the kill to the first answer to a request sent after it."""
    stop = time.perf_counter() + seconds
    count = 0
    killed_at = None

    async def device(no):
        nonlocal count
        while time.perf_counter() < stop:
            await rate(next_rating(no, phase), retry=True)
            count += 1

    async def killer():
        nonlocal killed_at
        global web
        await asyncio.sleep(seconds / 3)
        os.killpg(web.pid, signal.SIGKILL)
        killed_at = time.perf_counter()
        await asyncio.to_thread(web.wait)
        web = start_web()

    await asyncio.gather(killer(), *(device(no) for no in range(clients)))
    back = min((done for sent_at, done in answered if sent_at > killed_at), default=None)
    return count, (back - killed_at) if back else None


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def unsealed():
    with psycopg.connect(bench_url, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM feedback_rating WHERE seq IS NULL").fetchone()[0]


def wait_sealed(limit):
    """Seconds until the sealer has caught up (it seals every rating a second after the last
    batch at most)."""
    started = time.perf_counter()
    while unsealed():
        sealer_alive()
        if time.perf_counter() - started > limit:
            print(f"the sealer has not caught up after {limit} s", file=sys.stderr)
            break
        time.sleep(0.1)
    return time.perf_counter() - started


def settle():
    """Between phases, untimed: vacuum after the saturating closed loop, so the open loop
    measures a steady 300 ratings/s, not the clean-up after a minute at full load; and, in a
    run longer than the device allows, the unrated visits are moved to have just ended."""
    with psycopg.connect(bench_url, autocommit=True) as conn:
        if time.time() - settle.refreshed > REFRESH_AFTER_S:
            conn.execute(
                "UPDATE queueing_ticket SET ended_at = now() WHERE state = 'done' "
                "AND NOT EXISTS (SELECT 1 FROM feedback_rating r WHERE r.ticket_id = "
                "queueing_ticket.id)"
            )
            settle.refreshed = time.time()
        conn.execute(
            "VACUUM ANALYZE feedback_rating, feedback_badreviewfollowup, queueing_ticket, "
            "bench_bare_rating"
        )


settle.refreshed = setup_at


async def wait_up():
    for _ in range(300):
        try:
            status, _body = await request("GET", "/api/v1/calendar/2026")
            if status == 200:
                await asyncio.open_connection("127.0.0.1", events_port)
                return
        except (Unanswered, OSError):
            pass
        await asyncio.sleep(0.1)
    sys.exit("the server did not start")


async def main():
    await wait_up()
    await closed_loops(args.clients, 2, "w", slice_seconds=1)  # warm every worker's connections
    await asyncio.to_thread(settle)
    baseline, ours, closed_count, drain = await closed_loops(args.clients, args.seconds, "c")
    await asyncio.to_thread(wait_sealed, 300)
    await asyncio.to_thread(settle)
    opened = await open_loops(args.rate, args.open_seconds, "o")
    await asyncio.to_thread(wait_sealed, 300)
    await asyncio.to_thread(settle)
    sustained = await open_loops(args.sustained_rate, args.open_seconds, "s")
    await asyncio.to_thread(wait_sealed, 300)
    await asyncio.to_thread(settle)
    kill = await kill_phase(args.clients, args.kill_seconds, "k")
    return baseline, ours, closed_count, drain, (opened, sustained), kill


try:
    baseline, ours, closed_count, drain, loops, kill = asyncio.run(main())
    (latencies, open_failed, open_bare, open_stalls, open_bare_stalls), sustained_run = loops
    sustained, sustained_failed, sustained_bare, sustained_stalls, sustained_bare_stalls = (
        sustained_run
    )
    # let the sealer finish what the run wrote, as production's would
    seal_wait = wait_sealed(600)
finally:
    for proc in (web, events, sealer):
        proc.terminate()
    for proc in (web, events, sealer):
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()

with psycopg.connect(bench_url) as conn:
    keys = list(acked)
    stored = dict(
        conn.execute(
            "SELECT idempotency_key, ticket_id FROM feedback_rating "
            "WHERE idempotency_key = ANY(%s)",
            [keys],
        ).fetchall()
    )
    acked_missing = sum(1 for k, (t, _s) in acked.items() if stored.get(k) != t)
    duplicates = conn.execute(
        """
        SELECT (SELECT count(*) FROM (SELECT ticket_id FROM feedback_rating
                WHERE ticket_id IS NOT NULL GROUP BY ticket_id HAVING count(*) > 1) t)
             + (SELECT count(*) FROM (SELECT idempotency_key FROM feedback_rating
                GROUP BY idempotency_key HAVING count(*) > 1) k)
        """
    ).fetchone()[0]
    tickets = [t for t, _s in acked.values()]
    duplicates += len(tickets) - len(set(tickets))
    total_ratings = conn.execute("SELECT count(*) FROM feedback_rating").fetchone()[0]
    stored_not_acked = total_ratings - len(stored)  # every device resent until answered
    low, followed = conn.execute(
        """
        SELECT count(*) FILTER (WHERE r.overall <= %s), count(x.id)
        FROM feedback_rating r LEFT JOIN feedback_badreviewfollowup x ON x.rating_id = r.id
        """,
        [bad_review_level()],
    ).fetchone()
    lag = {
        phase: (p95, n)
        for phase, p95, n in conn.execute(
            """
            SELECT left(idempotency_key, 1), percentile_disc(0.95) WITHIN GROUP
                     (ORDER BY extract(epoch FROM sealed_at - created_at) * 1000),
                   count(*)
            FROM feedback_rating GROUP BY ROLLUP (left(idempotency_key, 1))
            """
        ).fetchall()
    }
    unsealed_left = conn.execute(
        "SELECT count(*) FROM feedback_rating WHERE seq IS NULL"
    ).fetchone()[0]

findings = verify()
connection.close()

if not args.keep:
    harness.drop_database(BENCH_DB)

kill_count, kill_outage = kill


def ms(seconds, digits=2):
    return round(seconds * 1000, digits)


result = {
    "benchmark": "ratings_http_postgresql",
    "workers": args.workers,
    "closed_clients": args.clients,
    "closed_ratings_per_s": round(ours, 1),
    "baseline_per_s": round(baseline, 1),
    "closed_ratio": round(ours / baseline, 3),
    "closed_ratings": closed_count,
    "closed_seal_drain_s": round(drain, 1),
    "open_rate": args.rate,
    "open_ratings": len(latencies),
    "open_failed": open_failed,
    "open_p50_ms": ms(statistics.median(latencies)),
    "open_p95_ms": ms(pct(latencies, 95)),
    "open_p99_ms": ms(pct(latencies, 99)),
    "open_max_ms": ms(max(latencies)),
    "open_stalls": open_stalls,
    # the baseline endpoint at the same rate, in alternating slices of the same run
    "open_baseline_p50_ms": ms(statistics.median(open_bare)),
    "open_baseline_p99_ms": ms(pct(open_bare, 99)),
    "open_baseline_max_ms": ms(max(open_bare)),
    "open_baseline_stalls": open_bare_stalls,
    # the same open loop at a rate below the server's capacity on this machine
    "sustained_rate": args.sustained_rate,
    "sustained_failed": sustained_failed,
    "sustained_p50_ms": ms(statistics.median(sustained)),
    "sustained_p99_ms": ms(pct(sustained, 99)),
    "sustained_stalls": sustained_stalls,
    "sustained_baseline_p99_ms": ms(pct(sustained_bare, 99)),
    "sustained_baseline_stalls": sustained_bare_stalls,
    "kill_ratings": kill_count,
    "kill_resends": sum(unanswered.values()),
    "kill_unanswered": unanswered,
    "kill_answered_again": sum(1 for k, (_t, st) in acked.items() if k[0] == "k" and st == 200),
    "kill_outage_s": round(kill_outage, 2) if kill_outage is not None else None,
    "ratings_sent": len(sent),
    "ratings_acked": len(acked),
    "ratings_stored": total_ratings,
    "acked_missing": acked_missing,
    "duplicates": duplicates,
    "stored_not_acked": stored_not_acked,
    "low_ratings": low,
    "follow_ups_missing": low - followed,
    "unsealed_left": unsealed_left,
    "chain_verified": not findings,
    "chain_findings": len(findings),
    "sealer_restarts": sealer_restarts,
    "seal_wait_s": round(seal_wait, 1),
    "seal_lag_ms_p95": round(float(lag[None][0]), 1),
    "seal_lag_closed_ms_p95": round(float(lag["c"][0]), 1) if "c" in lag else None,
    "seal_lag_open_ms_p95": round(float(lag["o"][0]), 1) if "o" in lag else None,
    "seal_lag_kill_ms_p95": round(float(lag["k"][0]), 1) if "k" in lag else None,
}
print(json.dumps(result))
