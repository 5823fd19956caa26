"""The norm library as data and as Excel (R-SUP-1): the written norms the seed documents set
(data/*.csv, one row a norm, simplified Chinese), loaded as version 1 of their checklists, and
a version written to a workbook and read back, every row checked before anything is written.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from servicehall.core.errors import InvalidInput, ServiceError
from servicehall.core.xlsx import append_row, finish_sheet
from servicehall.org import excel
from servicehall.org.choices import UnitKind
from servicehall.org.models import Sector
from servicehall.org.permissions import Actor

from . import services
from .models import Category, Checklist, ChecklistVersion, Evidence

DATA = Path(__file__).parent / "data"

# the checklists the seed documents write, and whom they are for
LIBRARY = (
    {
        "code": "traffic-police",
        "name": "交巡警支队窗口单位优质服务操作规范",
        "sector": "public_security",
        "unit_kind": UnitKind.TRAFFIC_POLICE,
        "file": "traffic-police.csv",
    },
    {
        "code": "police-windows",
        "name": "行政服务中心公安窗口优质服务规范",
        "sector": "public_security",
        "unit_kind": "",
        "file": "police-windows.csv",
    },
)


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str

    @property
    def header(self):
        return f"{self.zh} {self.en}"


# the workbook's columns: both languages in each header, as the registry's export writes them
COLUMNS = (
    Column("code", "编号", "code"),
    Column("title", "标题", "title"),
    Column("text", "规范内容", "norm text"),
    Column("source", "出处", "source"),
    Column("category", "类别", "category"),
    Column("points", "扣分", "deduction points"),
    Column("critical", "一票否决", "critical"),
    Column("evidence", "证据", "evidence needed"),
)
MIN_WIDTHS = (10, 20, 60, 26, 10, 8, 10, 8)


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self):
        return _("Row %(row)s, column “%(column)s”: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class RowsRefused(InvalidInput):
    """A file whose rows are wrong: nothing was written; `rows` lists each RowError."""

    def __init__(self, rows: list[RowError]):
        self.rows = rows
        super().__init__({f"{e.row}.{e.column}": [e.message] for e in rows}, rule="R-SUP-1")


def _cell(value, kind, **kwargs):
    """A cell as the registry's import reads it; None where it cannot (the norm's own check
    then names what to write)."""
    try:
        return excel.parse_cell(value, kind, **kwargs)
    except ValueError:
        return None


def read_rows(rows) -> list[dict]:
    """Items from (row number, {field: raw cell}) pairs: every row
    checked, and every problem raised at once as RowsRefused (row number, column, message)."""
    items, problems = [], []
    labels = {c.key: c.zh for c in COLUMNS}
    for number, raw in rows:
        item = {k: str(raw.get(k) or "").strip() for k in ("code", "title", "text", "source")}
        item["category"] = _cell(raw.get("category"), "choice", choices=Category) or ""
        item["points"] = _cell(raw.get("points"), "int")
        item["evidence"] = _cell(raw.get("evidence") or Evidence.NOTE, "choice", choices=Evidence)
        item["evidence"] = item["evidence"] or ""
        found = services.item_problems(item)
        try:  # an empty cell: not critical
            item["critical"] = bool(excel.parse_cell(raw.get("critical"), "bool"))
        except ValueError as exc:
            item["critical"] = False
            found["critical"] = [str(exc)]
        for field, messages in found.items():
            problems += [RowError(number, labels[field], m) for m in messages]
        items.append(item)
    seen = {}
    for (number, _raw), item in zip(rows, items, strict=True):
        if item["code"] and item["code"] in seen:
            problems.append(
                RowError(
                    number,
                    labels["code"],
                    _("The code %(code)s is used in row %(other)s too.")
                    % {"code": item["code"], "other": seen[item["code"]]},
                )
            )
        seen.setdefault(item["code"], number)
    if not items:
        problems.append(RowError(2, labels["code"], _("A checklist needs at least one norm.")))
    if problems:
        raise RowsRefused(problems)
    return items


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return read_rows(list(enumerate(csv.DictReader(f), start=2)))


# ---- Excel --------------------------------------------------------------------------------


def export_workbook(version: ChecklistVersion) -> Workbook:
    """A version's norms, one row each, in a workbook that import_workbook reads back."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"{version.checklist.code}-v{version.number}"[:31]
    ws.append([c.header for c in COLUMNS])
    for item in version.items.all():
        append_row(
            ws,
            [
                item.code,
                item.title,
                item.text,
                item.source,
                item.get_category_display(),
                item.points,
                "是" if item.critical else "否",
                item.get_evidence_display(),
            ],
        )
    finish_sheet(ws, MIN_WIDTHS)
    return wb


def _column_of(header) -> str | None:
    text = " ".join(str(header or "").split())
    for c in COLUMNS:
        if text in (c.header, c.zh, c.en) or text.lower() == c.en.lower():
            return c.key
    return None


def read_workbook(upload) -> list[dict]:
    """The norms of an uploaded workbook's first sheet (header row, then one norm a row),
    checked as the registry's import checks a file before parsing it; raises ServiceError
    (the file) or RowsRefused (its rows)."""
    excel.check_file(upload)  # its size, unpacked size and rows, before openpyxl reads it
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is no workbook
        raise ServiceError(excel.NOT_XLSX) from None
    try:
        ws = wb.worksheets[0]
        if hasattr(ws, "reset_dimensions"):  # a stale <dimension> would cut the rows short
            ws.reset_dimensions()
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None) or ()
        keys = [_column_of(h) for h in header]
        missing = [c.header for c in COLUMNS if c.key not in keys and c.key != "evidence"]
        if missing:
            raise ServiceError(
                _("The first row must name the columns; missing: %(columns)s.")
                % {"columns": "、".join(missing)}
            )
        found = []
        for number, values in enumerate(rows, start=2):
            if values is None or all(v in (None, "") for v in values):
                continue
            found.append(
                (number, {k: v for k, v in zip(keys, values, strict=False) if k is not None})
            )
    finally:
        wb.close()
    return read_rows(found)


def import_version(*, actor: Actor, checklist: Checklist, upload, note="") -> ChecklistVersion:
    """A good file makes the checklist's next version; a bad one changes nothing."""
    items = read_workbook(upload)
    return services.new_version(actor=actor, checklist=checklist, items=items, note=note)


# ---- the seed's norms ---------------------------------------------------------------------


def seed_norms(actor: Actor | None = None) -> int:
    """The checklists of the seed documents, each with its norms as version 1, if missing;
    returns how many were created. Idempotent. Without an actor (the demo's seed) the
    version has no author."""
    created = 0
    for entry in LIBRARY:
        checklist, new = Checklist.objects.get_or_create(
            code=entry["code"],
            defaults={
                "name": entry["name"],
                "sector": Sector.objects.filter(code=entry["sector"]).first(),
                "unit_kind": entry["unit_kind"],
            },
        )
        if checklist.versions.exists():
            continue
        items = read_csv(DATA / entry["file"])
        note = _("The written norms, as the document sets them.")
        if actor is not None:
            services.new_version(actor=actor, checklist=checklist, items=items, note=note)
        else:
            services.write_version(checklist=checklist, items=items, note=note)
        created += 1
    return created
