"""Supervision on PostgreSQL (R-SUP-2, R-SUP-3): visits synced from the phone, published, and
the pages an inspector and a unit read, against what the same rows cost with no rules.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \
        .venv/bin/python benchmarks/bench_supervision.py

It creates and drops its own database (servicehall_bench_supervision). Measured, in-process:
(a) `services.sync` of complete visits of the traffic police's checklist (every norm judged,
two deductions with a photo each), visits/s, beside the baseline: the same visit, findings and
photos written by bare `create`/`bulk_create` (no checks, no seal); (b) each visit synced a
second time (the phone's retry): ms per sync and rows added (goal 0); (c) `publish_with_notice`
(ledger points under the chain's lock, the notice), visits/s; (d) the notice list and the phone
form at a small and a large size: queries per page (goal: equal) and p50 ms. Last line: one
JSON object.
"""

import argparse
import io
import json
import statistics
import time
import uuid

import harness

parser = argparse.ArgumentParser()
parser.add_argument("--visits", type=int, default=300)
parser.add_argument("--keep", action="store_true")
args = parser.parse_args()

DB = "servicehall_bench_supervision"
harness.setup_django(harness.fresh_database(DB, "bench_supervision"), "/tmp/sh-bench-sup")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image  # noqa: E402

from servicehall.demo.services import seed_demo  # noqa: E402
from servicehall.org.models import Unit  # noqa: E402
from servicehall.org.permissions import actor_for  # noqa: E402
from servicehall.supervision import notices, services  # noqa: E402
from servicehall.supervision.models import (  # noqa: E402
    Checklist,
    Finding,
    Inspection,
    Notice,
    Photo,
    Verdict,
)

settings.SERVICEHALL["PRIVATE_MEDIA"] = "/tmp/sh-bench-sup/private"
seed_demo()
users = get_user_model().objects
inspector = actor_for(users.get(username="inspector"))
office = actor_for(users.get(username="admin"))
version = services.current(Checklist.objects.get(code="traffic-police"))
items = list(version.items.all())
units = list(Unit.objects.filter(sector__code="public_security").order_by("pk")) or list(
    Unit.objects.order_by("pk")
)


def jpeg_bytes() -> bytes:
    buf = io.BytesIO()
    Image.effect_noise((640, 480), 60).convert("RGB").save(buf, "JPEG", quality=80)
    return buf.getvalue()


PHOTO = jpeg_bytes()
DEDUCT = [i for i in items if i.evidence == "photo"][:2]


def draft(n: int) -> tuple[dict, dict]:
    verdicts = [
        {"item": i.pk, "verdict": Verdict.DEDUCT if i in DEDUCT else Verdict.PASS, "note": "x"}
        for i in items
    ]
    photos = {f"p{i.pk}": SimpleUploadedFile("p.jpg", PHOTO, "image/jpeg") for i in DEDUCT}
    d = {
        "key": str(uuid.uuid4()),
        "kind": "undercover",
        "unit": units[n % len(units)].pk,
        "version": version.pk,
        "visited_at": timezone.now().isoformat(),
        "verdicts": verdicts,
        "photos": [{"item": i.pk, "name": f"p{i.pk}"} for i in DEDUCT],
    }
    return d, photos


def baseline(n: int) -> None:
    """The same rows with no rules: no checks, no photo proof, no seal, no numbering."""
    with transaction.atomic():
        i = Inspection.objects.create(
            number=f"BL-{n:06d}",
            kind="undercover",
            unit=units[n % len(units)],
            version=version,
            visited_at=timezone.now(),
            inspector=inspector.staff,
            submitted_at=timezone.now(),
        )
        Finding.objects.bulk_create(
            Finding(inspection=i, item=it, inspector=inspector.staff, verdict="pass")
            for it in items
        )
        for it in DEDUCT:
            Photo.objects.create(
                inspection=i,
                item=it,
                image=SimpleUploadedFile("p.jpg", PHOTO, "image/jpeg"),
                sha256="0" * 64,
                content_type="image/jpeg",
                size=len(PHOTO),
            )


def rate(fn, n) -> float:
    start = time.perf_counter()
    for k in range(n):
        fn(k)
    return n / (time.perf_counter() - start)


# (a) sync against the baseline, alternating slices so that both see the same machine
drafts = [draft(k) for k in range(args.visits)]
synced, base_rates, sync_rates = [], [], []
slice_n = max(10, args.visits // 10)
for start in range(0, args.visits, slice_n):
    chunk = drafts[start : start + slice_n]
    base_rates.append(rate(lambda k, s=start: baseline(s + k), len(chunk)))
    t = time.perf_counter()
    for d, photos in chunk:
        synced.append(services.sync(actor=inspector, draft=d, photos=photos)[0])
    sync_rates.append(len(chunk) / (time.perf_counter() - t))
Inspection.objects.filter(number__startswith="BL-").delete()

# (b) every visit synced again, as a phone that lost the answer does
rows_before = (Inspection.objects.count(), Finding.objects.count(), Photo.objects.count())
t = time.perf_counter()
for d, _photos in drafts:
    d2, photos2 = dict(d), {k: SimpleUploadedFile("p.jpg", PHOTO, "image/jpeg") for k in _photos}
    again, created = services.sync(actor=inspector, draft=d2, photos=photos2)
    assert not created
resync_ms = 1000 * (time.perf_counter() - t) / len(drafts)
rows_after = (Inspection.objects.count(), Finding.objects.count(), Photo.objects.count())

# (c) publishing: the ledger's points (one chain lock each) and the notice
t = time.perf_counter()
for i in synced:
    notices.publish_with_notice(
        actor=office, inspection=i, requirements=notices.requirements_from(i)
    )
publish_per_s = len(synced) / (time.perf_counter() - t)


# (d) pages: queries and time at a small and a large size
def page(client, url, n=20):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    queries = len(ctx.captured_queries)  # now: the next request's start empties the log
    times = []
    for _ in range(n):
        s = time.perf_counter()
        client.get(url)
        times.append(1000 * (time.perf_counter() - s))
    return queries, statistics.median(times)


leader_client, inspector_client = Client(), Client()
leader_client.force_login(users.get(username="admin"))
inspector_client.force_login(users.get(username="inspector"))
notices_now = Notice.objects.count()
q_list_large, ms_list_large = page(leader_client, "/supervision/notices/")
q_form_large, ms_form_large = page(inspector_client, "/supervision/visit/")
keep = Notice.objects.order_by("-pk").values_list("pk", flat=True)[:10]
with transaction.atomic():
    # the small size: the same database with ten notices open, the rest closed
    Notice.objects.exclude(pk__in=list(keep)).update(status="accepted")
    q_list_small, ms_list_small = page(leader_client, "/supervision/notices/")
    transaction.set_rollback(True)

result = {
    "benchmark": "supervision_postgresql",
    "visits": args.visits,
    "norms_per_visit": len(items),
    "photos_per_visit": len(DEDUCT),
    "sync_per_s": round(statistics.median(sync_rates), 1),
    "baseline_per_s": round(statistics.median(base_rates), 1),
    "sync_ratio": round(statistics.median(sync_rates) / statistics.median(base_rates), 3),
    "resync_ms": round(resync_ms, 2),
    "resync_rows_added": [a - b for a, b in zip(rows_after, rows_before, strict=True)],
    "publish_with_notice_per_s": round(publish_per_s, 1),
    "notices": notices_now,
    "notice_list_queries_small": q_list_small,
    "notice_list_queries_large": q_list_large,
    "notice_list_p50_ms_large": round(ms_list_large, 1),
    "notice_list_p50_ms_small": round(ms_list_small, 1),
    "visit_form_queries": q_form_large,
    "visit_form_p50_ms": round(ms_form_large, 1),
    "seals_verify": not services.unsealed()[0],
}
if not args.keep:
    connection.close()
    harness.drop_database(DB)
print(json.dumps(result, ensure_ascii=False))
