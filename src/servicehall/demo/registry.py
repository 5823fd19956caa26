"""The demo city's registry (organizations, units, windows, staff and their logins) as data:
one CSV per sheet of the import template under data/, headers as the template writes them.
At seed time the rows not yet in the database become a workbook, and that workbook goes
through the Excel import (org/excel.py) as a file from the office would: the same checks,
the same audit trail. The sectors sheet comes from the city plan's reference list
(org/data/sectors.csv), so it has one source too.
"""

import csv
import io
from pathlib import Path

from openpyxl import Workbook

from servicehall.org import excel
from servicehall.org.choices import Role
from servicehall.org.data import SECTORS_CSV
from servicehall.org.models import Organization, Sector, Staff, Unit, Window
from servicehall.org.permissions import Actor

DATA = Path(__file__).resolve().parent / "data"
SHEETS = ("organizations", "units", "windows", "staff")


class DemoDataRefused(Exception):
    """The import refused the demo's own data files: the data (or a rule) must be fixed."""

    def __init__(self, report):
        super().__init__(report.summary())
        self.report = report


def read_sheet(key: str, folder: Path | None = None) -> list[dict]:
    """The rows of data/<key>.csv as {column key: text}, in file order."""
    columns = {c.header: c.key for c in excel.SHEET_BY_KEY[key].columns}
    path = (folder or DATA) / f"{key}.csv"
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = []
        for row in reader:
            # a row with more or fewer cells than the header is the data file's mistake
            if None in row or None in row.values():
                raise ValueError(f"{path}, line {reader.line_num}: not as many cells as headers")
            rows.append({columns[h]: v.strip() for h, v in row.items()})
        return rows


def _sector_rows() -> list[dict]:
    with SECTORS_CSV.open(encoding="utf-8", newline="") as f:
        return [
            {**row, "order": str(order)} for order, row in enumerate(csv.DictReader(f), start=1)
        ]


def _missing(rows: dict) -> dict:
    """Only the rows whose record is not there yet (by the import's own natural keys): a
    second run imports nothing and so changes nothing, and what someone edited in the demo
    city is kept."""
    sectors = set(Sector.objects.values_list("code", flat=True))
    orgs = set(Organization.objects.values_list("name", flat=True))
    units = set(Unit.objects.values_list("code", flat=True))
    windows = set(Window.objects.values_list("unit__code", "number"))
    staff = set(Staff.objects.values_list("unit__code", "organization__name", "badge_no"))
    return {
        "sectors": [r for r in rows["sectors"] if r["code"] not in sectors],
        "organizations": [r for r in rows["organizations"] if r["name"] not in orgs],
        "units": [r for r in rows["units"] if r["code"] not in units],
        "windows": [r for r in rows["windows"] if (r["unit"], int(r["number"])) not in windows],
        "staff": [
            r
            for r in rows["staff"]
            if (r["unit"] or None, r["organization"] or None, r["badge_no"]) not in staff
        ],
    }


def workbook(rows: dict) -> bytes:
    """An .xlsx in the template's layout (sheet titles and headers) holding `rows`."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in excel.SHEETS:
        if not rows.get(sheet.key):
            continue
        ws = wb.create_sheet(sheet.title)
        ws.append([c.header for c in sheet.columns])
        for row in rows[sheet.key]:
            ws.append([row.get(c.key) or None for c in sheet.columns])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def all_rows(folder: Path | None = None) -> dict:
    return {"sectors": _sector_rows(), **{key: read_sheet(key, folder) for key in SHEETS}}


def import_missing(folder: Path | None = None):
    """Import whatever of the demo registry is missing; the import's report, or None when
    nothing was missing. Raises DemoDataRefused (nothing changed) if the import refuses."""
    missing = _missing(all_rows(folder))
    if not any(missing.values()):
        return None
    # the office, as `servicehall import` acts when no user is given
    office = Actor(user=None, staff=None, role=Role.ORGANIZER_ADMIN)
    report = excel.import_registry(actor=office, source=io.BytesIO(workbook(missing)))
    if not report.ok:
        raise DemoDataRefused(report)
    return report
