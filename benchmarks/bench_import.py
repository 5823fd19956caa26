"""Excel import throughput: rows per second through the full import (every row validated by
the same rules as the app, saved one by one, audited) against a baseline measured in the same
run on the same workbook: openpyxl's read-only pass plus one bulk_create per sheet, with no
validation and no audit — the least any import of this file could cost.

Then the limits checked before parsing (decision 0015): what the check costs on this file,
and the time and memory to refuse a zip bomb — a 0.6 MB workbook whose sharedStrings.xml
unpacks to 600 MB (which took a worker to 1.3 GB before the check) — against the import.

    .venv/bin/python benchmarks/bench_import.py [--units 50 --windows 6 --staff 20]

Runs on a fresh SQLite file in a temp folder (or DATABASE_URL's server, into a database it
creates and drops). The last line is one JSON object.
"""

import argparse
import io
import json
import os
import resource
import sys
import tempfile
import time
import zipfile

parser = argparse.ArgumentParser()
parser.add_argument("--units", type=int, default=50)
parser.add_argument("--windows", type=int, default=6)
parser.add_argument("--staff", type=int, default=20)
args = parser.parse_args()

tmp = tempfile.mkdtemp(prefix="bench-import-")
os.environ["SERVICEHALL_VAR"] = tmp
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicehall.settings")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

old = setup_databases(verbosity=0, interactive=False)
try:
    call_command("migrate", verbosity=0)
    from openpyxl import load_workbook  # noqa: E402

    from servicehall.org import excel  # noqa: E402
    from servicehall.org.choices import Role  # noqa: E402
    from servicehall.org.models import Organization, Sector, Staff, Unit, Window  # noqa: E402
    from servicehall.org.permissions import Actor  # noqa: E402

    Organization.objects.create(
        name="开封市公安局", kind="authority", sector=Sector.objects.get(code="public_security")
    )
    wb = excel.template_workbook()
    for sheet in excel.SHEETS:
        ws = wb[sheet.title]
        ws.delete_rows(2, ws.max_row)
    for u in range(args.units):
        code = f"u{u:04d}"
        wb["单位 Units"].append(
            [
                code,
                f"测试派出所{u}",
                "police_station",
                "public_security",
                "开封市公安局",
                "",
                "",
                "",
                "",
                20000,
            ]
        )
        for w in range(1, args.windows + 1):
            wb["窗口 Windows"].append([code, w, f"窗口{w}", "household", w == 1, True])
        for s in range(args.staff):
            wb["人员 Staff"].append(
                [
                    code,
                    "",
                    f"{u:04d}{s:03d}",
                    f"民警{s}",
                    "officer",
                    "",
                    s % args.windows + 1,
                    s % 3 == 0,
                    "2023-01-01",
                    f"139{u:04d}{s:04d}",
                    True,
                    True,
                    "",
                ]
            )
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    rows = args.units * (1 + args.windows + args.staff)

    def clear():
        Staff.objects.all().delete()
        Window.objects.all().delete()
        Unit.objects.all().delete()

    # Baseline: read the same file and bulk-insert the same rows, no rules, no audit.
    start = time.perf_counter()
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sector = Sector.objects.get(code="public_security")
    units = Unit.objects.bulk_create(
        [
            Unit(code=r[0], name=r[1], kind=r[2], sector=sector)
            for r in book["单位 Units"].iter_rows(min_row=2, values_only=True)
        ]
    )
    by_code = {u.code: u for u in units}
    windows = Window.objects.bulk_create(
        [
            Window(
                unit=by_code[r[0]],
                number=r[1],
                function=r[2],
                kind="household",
                is_duty_lead=r[4] == "是",
            )
            for r in book["窗口 Windows"].iter_rows(min_row=2, values_only=True)
        ]
    )
    by_key = {(w.unit_id, w.number): w for w in windows}
    Staff.objects.bulk_create(
        [
            Staff(
                unit=by_code[r[0]],
                badge_no=r[2],
                name=r[3],
                role="officer",
                window=by_key[(by_code[r[0]].pk, r[6])],
            )
            for r in book["人员 Staff"].iter_rows(min_row=2, values_only=True)
        ]
    )
    baseline = time.perf_counter() - start
    clear()

    start = time.perf_counter()
    report = excel.import_registry(
        actor=Actor(user=None, staff=None, role=Role.ORGANIZER_ADMIN), source=io.BytesIO(data)
    )
    full = time.perf_counter() - start
    assert report.ok, [str(e) for e in report.errors[:5]]
    assert Staff.objects.count() == args.units * args.staff

    start = time.perf_counter()
    excel.check_file(io.BytesIO(data))
    check = time.perf_counter() - start

    # the bomb, written in pieces so that building it costs no memory either
    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(bomb, "w") as dst:
        for m in src.infolist():
            dst.writestr(m, src.read(m))
        info = zipfile.ZipInfo("xl/sharedStrings.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(info, "w", force_zip64=True) as part:
            piece = b"<si><t>" + b"A" * 1000 + b"</t></si>"
            for _ in range(600_000):
                part.write(piece)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        excel.check_file(io.BytesIO(bomb.getvalue()))
        raise AssertionError("the bomb was not refused")
    except excel.ImportRefused:
        refuse = time.perf_counter() - start
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before

    result = {
        "benchmark": "import",
        "database": connection.vendor,
        "rows": rows,
        "import_seconds": round(full, 3),
        "import_rows_per_s": round(rows / full, 1),
        "baseline_seconds": round(baseline, 3),
        "baseline_rows_per_s": round(rows / baseline, 1),
        "ratio_to_baseline": round(baseline / full, 3),
        "check_seconds": round(check, 4),
        "bomb_mb": round(len(bomb.getvalue()) / 2**20, 2),
        "bomb_unpacked_mb": round(
            sum(i.file_size for i in zipfile.ZipFile(bomb).infolist()) / 2**20
        ),
        "refuse_bomb_seconds": round(refuse, 4),
        "refuse_bomb_rss_growth_mb": round(rss_growth / 1024, 1),
        "refuse_vs_import": round(refuse / full, 5),
    }
finally:
    teardown_databases(old, verbosity=0)
print(
    f"full import {result['import_rows_per_s']} rows/s vs bulk baseline "
    f"{result['baseline_rows_per_s']} rows/s"
)
print(json.dumps(result))
