"""Excel import and export of the registry: sectors, organizations, units, windows, staff.

Import is all-or-nothing: every row of every sheet is checked, every bad cell is reported
with its sheet, row and column, and a file with any error changes nothing. Rows are saved
one by one through the same rules as the web forms (so the audit trail records them), inside
one transaction that is rolled back if anything failed.
"""

import datetime as dt
import html
import os
import re
import zipfile
import zlib
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from servicehall.core.errors import ServiceError
from servicehall.core.masking import mask_phone
from servicehall.core.xlsx import append_row, finish_sheet

from . import services
from .choices import OrganizationKind, Role, UnitKind, WindowKind
from .models import Organization, Sector, Staff, Unit, Window
from .permissions import Action, Actor, require
from .services import phone_problem
from .validators import MASKED_PHONE


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    kind: str = "text"  # text, int, bool, date, or a choices class
    required: bool = False
    choices: type | None = None
    width: int = 14

    @property
    def header(self):
        return f"{self.zh} {self.en}"

    @property
    def label(self):
        return _localized(self.zh, self.en)


@dataclass(frozen=True)
class Sheet:
    key: str
    zh: str
    en: str
    columns: tuple

    @property
    def title(self):
        return f"{self.zh} {self.en}"

    @property
    def label(self):
        return _localized(self.zh, self.en)

    def column(self, key):
        return next(c for c in self.columns if c.key == key)


def _localized(zh, en):
    """Sheet and column names in the reader's language (the file carries both)."""
    return en if (get_language() or "").startswith("en") else zh


C = Column
SHEETS = (
    Sheet(
        "sectors",
        "行业",
        "Sectors",
        (
            C("code", "代码", "code", required=True),
            C("name_zh", "中文名称", "Chinese name", required=True),
            C("name_en", "英文名称", "English name", required=True, width=24),
            C("order", "排序", "order", "int"),
        ),
    ),
    Sheet(
        "organizations",
        "组织",
        "Organizations",
        (
            C("name", "名称", "name", required=True, width=24),
            C("kind", "类别", "kind", "choice", True, OrganizationKind),
            C("sector", "行业代码", "sector code"),
            C("phone", "电话", "phone"),
            C("address", "地址", "address", width=24),
        ),
    ),
    Sheet(
        "units",
        "单位",
        "Units",
        (
            C("code", "代码", "code", required=True),
            C("name", "名称", "name", required=True, width=28),
            C("kind", "类别", "kind", "choice", True, UnitKind, 18),
            C("sector", "行业代码", "sector code", required=True),
            C("authority", "主管部门", "sector authority", width=20),
            C("address", "地址", "address", width=24),
            C("phone", "服务电话", "service phone"),
            C("supervision_phone", "监督电话", "supervision phone"),
            C("hours", "办公时间", "opening hours", width=20),
            C("registered_population", "户籍人口", "registered population", "int"),
        ),
    ),
    Sheet(
        "windows",
        "窗口",
        "Windows",
        (
            C("unit", "单位代码", "unit code", required=True),
            C("number", "窗口号", "number", "int", True),
            C("function", "窗口职能", "function", required=True, width=24),
            C("kind", "类别", "kind", "choice", False, WindowKind, 16),
            C("is_duty_lead", "1号窗口(值班领导)", "No. 1 window", "bool"),
            C("active", "启用", "in service", "bool"),
        ),
    ),
    Sheet(
        "staff",
        "人员",
        "Staff",
        (
            C("unit", "单位代码", "unit code"),
            C("organization", "所属组织", "organization", width=20),
            C("badge_no", "工号/警号", "badge number", required=True),
            C("name", "姓名", "name", required=True),
            C("role", "角色", "role", "choice", True, Role, 16),
            C("title", "职务", "title"),
            C("window", "窗口号", "window number", "int"),
            C("party_member", "党员", "party member", "bool"),
            C("certified_on", "培训合格日期", "certified on", "date"),
            C("phone", "电话", "phone"),
            C("on_duty", "在岗", "on duty", "bool"),
            C("active", "在职", "active", "bool"),
            C("username", "登录账号", "login account"),
        ),
    ),
)
SHEET_BY_KEY = {s.key: s for s in SHEETS}

_TRUE = {"是", "y", "yes", "true", "1", "✓", "√", "t"}
_FALSE = {"否", "n", "no", "false", "0", "", "×", "f"}


@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self):
        return _("Sheet “%(sheet)s”, row %(row)s, column “%(column)s”: %(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportReport:
    errors: list = field(default_factory=list)
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)
    rows: int = 0

    @property
    def ok(self):
        return not self.errors

    @property
    def shown_errors(self):
        """The first problems, as many as a page shows (a file of 100,000 bad rows would
        otherwise answer with a page of tens of megabytes)."""
        return self.errors[: settings.SERVICEHALL["IMPORT_ERRORS_SHOWN"]]

    @property
    def more_errors(self):
        return max(len(self.errors) - settings.SERVICEHALL["IMPORT_ERRORS_SHOWN"], 0)

    def count(self, kind, created):
        target = self.created if created else self.updated
        target[kind] = target.get(kind, 0) + 1

    def summary(self):
        if not self.ok:
            return _("%(n)s problems found; nothing was imported.") % {"n": len(self.errors)}
        parts = [
            _("%(sheet)s: %(created)s new, %(updated)s updated")
            % {
                "sheet": s.label,
                "created": self.created.get(s.key, 0),
                "updated": self.updated.get(s.key, 0),
            }
            for s in SHEETS
            if self.created.get(s.key) or self.updated.get(s.key)
        ]
        # the list's separator is the language's own (Chinese：；)
        return _("Imported %(rows)s rows. ") % {"rows": self.rows} + _("; ").join(parts)


class _Rollback(Exception):
    pass


class ImportRefused(ServiceError):
    """A file refused before openpyxl parses any of it (too big, a zip bomb, too many rows,
    not a workbook); nothing was changed."""


NOT_XLSX = gettext_lazy("This is not an Excel .xlsx file; save it as .xlsx and retry.")
_MB = 1024 * 1024
# a row element of a sheet's XML, with or without a namespace prefix (not <rowBreaks>)
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_SPLIT = gettext_lazy(
    "Split the workbook into smaller files (for example a few units, or one sheet, per file) "
    "and import them one after another."
)


@dataclass(frozen=True)
class FileCheck:
    """What the checks before parsing found: bytes uploaded and unpacked, and data rows
    (every row element of every part, but one header row each, whatever their
    `<dimension>` says)."""

    size: int
    unpacked: int
    rows: int
    # the rows of the sheets the import reads, as the workbook names them: the progress's
    # total (the limits count every part, above)
    read_rows: int


def _mb(n):
    return f"{n / _MB:.1f}".removesuffix(".0")


def check_size(size: int):
    """The upload limit (SERVICEHALL_IMPORT_MAX_MB)."""
    limit = settings.SERVICEHALL["IMPORT_MAX_MB"] * _MB
    if size > limit:
        raise ImportRefused(
            _("The file is %(size)s MB; at most %(limit)s MB can be imported at once. %(split)s")
            % {"size": _mb(size), "limit": _mb(limit), "split": _SPLIT}
        )


def _size_of(source):
    if getattr(source, "size", None) is not None:  # an uploaded file
        return source.size
    if hasattr(source, "seek"):
        position = source.tell()
        size = source.seek(0, os.SEEK_END)
        source.seek(position)
        return size
    return os.path.getsize(source)


def _too_big_unpacked(limit):
    return ImportRefused(
        _(
            "The file unpacks to more than %(limit)s MB (an .xlsx is a zip archive); files "
            "this large, or archives made to unpack far beyond their size, are not read. "
            "Save the data again from Excel into a new workbook without pictures or unused "
            "sheets; if it is still too big: %(split)s"
        )
        % {"limit": _mb(limit), "split": _SPLIT}
    )


# what an XML part may begin with: a UTF-8 declaration, or none; anything else (UTF-16 with
# or without its mark, another declared encoding) hides its rows from the count below
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']""")
_WIDE = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<", b"\x00\x00")


def _not_utf8(head: bytes) -> bool:
    if head.startswith(_WIDE):
        return True
    declared = _DECLARED.match(head[:200])
    return bool(declared) and declared.group(1).lower().replace(b"_", b"-") not in (
        b"utf-8",
        b"utf8",
    )


_TAG_ATTRS = re.compile(rb'([\w:.-]+)\s*=\s*"([^"]*)"')


def _attrs(tag):
    return {
        k.decode(): html.unescape(v.decode("utf-8", "replace")) for k, v in _TAG_ATTRS.findall(tag)
    }


def _read_parts(archive) -> set | None:
    """The worksheet parts of the sheets the import reads (found by name in the workbook's
    XML, with a regular expression: nothing is parsed); None if that cannot be told."""
    try:
        book = archive.getinfo("xl/workbook.xml")
        rels = archive.getinfo("xl/_rels/workbook.xml.rels")
        if book.file_size > _MB or rels.file_size > _MB:
            return None
        book, rels = archive.read(book), archive.read(rels)
    except KeyError:
        return None
    targets = {}
    for tag in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
        a = _attrs(tag)
        target = a.get("Target", "")
        targets[a.get("Id")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    parts = set()
    for tag in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", book):
        a = _attrs(tag)
        rid = next((v for k, v in a.items() if k.endswith(":id")), None)
        if _sheet_for(a.get("name", "")) and rid in targets:
            parts.add(targets[rid])
    return parts


def check_file(source) -> FileCheck:
    """Refuse, before openpyxl reads anything, a workbook that could take a worker's memory
    or time: the upload's size, the zip members' declared sizes and compression ratio, then
    their real sizes while streaming through them (bounded memory), counting rows on the way.
    Raises ImportRefused with what to do; leaves a file object at its start."""
    conf = settings.SERVICEHALL
    size = _size_of(source)
    check_size(size)
    max_unpacked = conf["IMPORT_MAX_UNPACKED_MB"] * _MB
    max_ratio = conf["IMPORT_MAX_RATIO"]
    if hasattr(source, "seek"):
        source.seek(0)
    try:
        with zipfile.ZipFile(source) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if sum(m.file_size for m in members) > max_unpacked:
                raise _too_big_unpacked(max_unpacked)
            for m in members:
                if m.file_size > _MB and m.file_size > max_ratio * max(m.compress_size, 1):
                    raise ImportRefused(
                        _(
                            "Part “%(part)s” of the file is compressed %(ratio)s times (at most "
                            "%(limit)s is read): it looks made to exhaust the server. Save the "
                            "data again from Excel into a new workbook and import that."
                        )
                        % {
                            "part": m.filename[:80],
                            "ratio": m.file_size // max(m.compress_size, 1),
                            "limit": f"{max_ratio:g}",
                        }
                    )
            unpacked = rows = read_rows = 0
            read = _read_parts(archive) or set()
            # rows are counted in every part, not only those the workbook names as its sheets:
            # which part is a sheet is the sender's word too (a relationship written another
            # way would hide one), and a row element stands in no other part
            for m in members:
                real = sheet_rows = 0
                tail = b""
                with archive.open(m) as part:
                    while chunk := part.read(_MB):
                        if real == 0 and _not_utf8(chunk):
                            raise ImportRefused(
                                _(
                                    "Part “%(part)s” of the file is not in UTF-8, as Excel "
                                    "writes it. Save the data again from Excel into a new "
                                    "workbook and import that."
                                )
                                % {"part": m.filename[:80]}
                            )
                        real += len(chunk)
                        unpacked += len(chunk)
                        # the declared sizes are the sender's word: the real bytes count too
                        if unpacked > max_unpacked or real > m.file_size:
                            raise _too_big_unpacked(max_unpacked)
                        data = tail + chunk
                        sheet_rows += sum(1 for r in _ROW.finditer(data) if r.end() > len(tail))
                        tail = data[-64:]
                rows += max(sheet_rows - 1, 0)
                if m.filename in read:
                    read_rows += max(sheet_rows - 1, 0)
    # what zipfile raises for a file that is no workbook: not a zip, a corrupt stream, a part
    # cut short, a compression method it lacks (NotImplementedError), a password
    # (RuntimeError): each answered as not an .xlsx, nothing imported
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        raise ImportRefused(NOT_XLSX) from None
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    max_rows = conf["IMPORT_MAX_ROWS"]
    if rows > max_rows:
        raise ImportRefused(
            _(
                "The file has %(rows)s rows; at most %(limit)s rows can be imported at once. "
                "%(split)s"
            )
            % {"rows": rows, "limit": max_rows, "split": _SPLIT}
        )
    return FileCheck(size=size, unpacked=unpacked, rows=rows, read_rows=read_rows or rows)


INSTRUCTIONS_TITLE = "说明 Instructions"
_NOT_CHOOSABLE = {Role.CITIZEN}  # citizens are not staff


def _choice(value, choices):
    text = str(value).strip()
    allowed = [(code, label) for code, label in choices.choices if code not in _NOT_CHOOSABLE]
    for language in (None, "zh-hans", "en"):
        with translation.override(language) if language else nullcontext():
            for code, label in allowed:
                if text.lower() == code or text.lower() == str(label).lower():
                    return code
    raise ValueError(
        _("“%(value)s” is not one of: %(allowed)s")
        % {"value": text, "allowed": "、".join(str(label) for _c, label in allowed)}
    )


def _parse(column: Column, value):
    return parse_cell(value, column.kind, required=column.required, choices=column.choices)


def parse_cell(value, kind="text", *, required=False, choices=None):
    """One cell as the imports read it: `kind` int, bool (是/否 …), date, choice (its stored
    value or its label in either language, of `choices`) or text; an empty cell is None.
    Raises ValueError with the message that says what to write (the norm import uses it too)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValueError(_("This cell is required."))
        return None
    if kind == "int":
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip().replace(",", "")
        if not re.fullmatch(r"\d+", text):
            raise ValueError(_("Write a whole number, e.g. 3."))
        return int(text)
    if kind == "bool":
        text = str(value).strip().lower()
        if text in _TRUE or value is True:
            return True
        if text in _FALSE or value is False:
            return False
        raise ValueError(_("Write 是 or 否 (yes or no)."))
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", str(value).strip())
        try:
            if not m:
                raise ValueError
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise ValueError(_("Write a date as 2024-03-01.")) from None
    if kind == "choice":
        return _choice(value, choices)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # phone numbers typed as numbers
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()
    return str(value).strip()


def _sheet_for(title):
    title = title.strip()
    for sheet in SHEETS:
        if title in (sheet.title, sheet.zh, sheet.en, sheet.key):
            return sheet
    return None


def _read(workbook, report):
    """Rows of each known sheet as (row number, {key: value}) with only the columns the file
    has; a row with a bad cell is reported and left out. Unknown sheets and columns are
    reported too, so nothing in the file is silently ignored."""
    data = {}
    for ws in workbook.worksheets:
        sheet = _sheet_for(ws.title)
        if sheet is None:
            if ws.title.strip() != INSTRUCTIONS_TITLE:
                report.errors.append(
                    RowError(ws.title, 0, "—", _("Unknown sheet: rename it as in the template."))
                )
            continue
        if hasattr(ws, "reset_dimensions"):
            # a stale <dimension ref> would end the read early and import part of the
            # sheet: read every row the sheet has
            ws.reset_dimensions()
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None) or ()
        index = {}
        for i, text in enumerate(header):
            text = str(text or "").strip()
            if not text:
                continue
            col = next((c for c in sheet.columns if text in (c.header, c.zh, c.en, c.key)), None)
            if col is None:
                report.errors.append(
                    RowError(sheet.label, 1, text, _("Unknown column: use the template's headers."))
                )
            else:
                index[col.key] = i
        for col in sheet.columns:
            if col.required and col.key not in index:
                report.errors.append(
                    RowError(
                        sheet.label, 1, col.label, _("The column is missing from the header row.")
                    )
                )
        parsed = data.setdefault(sheet.key, [])
        for number, values in enumerate(rows, start=2):
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            row, bad = {}, False
            for key, i in index.items():
                col = sheet.column(key)
                try:
                    row[key] = _parse(col, values[i] if i < len(values) else None)
                except ValueError as exc:
                    report.errors.append(RowError(sheet.label, number, col.label, str(exc)))
                    bad = True
            parsed.append((number, row, bad))
    if not data and not report.errors:
        report.errors.append(
            RowError("—", 0, "—", _("No known sheet found: use the sheets of the template."))
        )
    return data


class _Rows:
    """Saving the rows of one sheet: messages name the sheet and column in the reader's
    language, and a row's values are only those its file gave (a missing column keeps what
    is stored)."""

    def __init__(self, actor, report, sheet_key):
        self.actor, self.report, self.sheet = actor, report, SHEET_BY_KEY[sheet_key]

    def error(self, number, key, message):
        label = self.sheet.column(key).label if key in {c.key for c in self.sheet.columns} else "—"
        self.report.errors.append(RowError(self.sheet.label, number, label, message))

    @staticmethod
    def assign(obj, row, keys):
        for key in keys:
            if key in row and row[key] is not None:
                setattr(obj, key, row[key])

    def ref(self, mapping, row, number, key, what):
        value = row.get(key)
        if not value:
            return None
        if value not in mapping:
            self.error(
                number,
                key,
                _("No %(what)s “%(key)s”: add it first (in this file or the app).")
                % {"what": what, "key": value},
            )
        return mapping.get(value)

    def check_refs(self, row, number, refs):
        """For a row with a bad cell: still report what it names that does not exist."""
        for key, (mapping, what) in refs.items():
            self.ref(mapping, row, number, key, what)

    def save(self, number, instance, created):
        try:
            services.save_record(actor=self.actor, instance=instance)
        except ServiceError as exc:
            for fname, messages in getattr(exc, "errors", {"__all__": [str(exc)]}).items():
                key = {"sector_id": "sector", "authority_id": "authority"}.get(fname, fname)
                for message in messages:
                    self.error(number, key, message)
            return False
        self.report.count(self.sheet.key, created)
        return True


def _user_for(rows, number, username, staff):
    """The login account named in a staff row, created without a password if new."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username)
        user.set_unusable_password()  # the leader sets a password with createuser or admin
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            for message in exc.message_dict.get("username", exc.messages):
                rows.error(number, "username", message)
            return None
        user.save()
    other = Staff.objects.filter(user=user).exclude(pk=staff.pk).first()
    if other is not None:
        rows.error(
            number,
            "username",
            _("The account %(u)s already belongs to %(name)s.")
            % {"u": username, "name": other.name},
        )
        return None
    if user.is_superuser and not services.is_office(rows.actor):
        rows.error(number, "username", _("Only the organizing office may link this account."))
        return None
    return user


def _apply(actor, data, report, progress):
    sectors = {s.code: s for s in Sector.objects.all()}
    orgs = {o.name: o for o in Organization.objects.all()}
    units = {u.code: u for u in Unit.objects.all()}

    rows = _Rows(actor, report, "sectors")
    for number, row, bad in data.get("sectors", []):
        progress(1)
        if bad:
            continue
        obj = sectors.get(row["code"]) or Sector(code=row["code"])
        created = obj.pk is None
        rows.assign(obj, row, ("name_zh", "name_en", "order"))
        if rows.save(number, obj, created):
            sectors[obj.code] = obj

    rows = _Rows(actor, report, "organizations")
    for number, row, bad in data.get("organizations", []):
        progress(1)
        if bad:
            rows.check_refs(row, number, {"sector": (sectors, _("sector"))})
            continue
        obj = orgs.get(row["name"]) or Organization(name=row["name"])
        created = obj.pk is None
        rows.assign(obj, row, ("kind", "phone", "address"))
        if "sector" in row:
            obj.sector = rows.ref(sectors, row, number, "sector", _("sector"))
        if rows.save(number, obj, created):
            orgs[obj.name] = obj

    rows = _Rows(actor, report, "units")
    for number, row, bad in data.get("units", []):
        progress(1)
        if bad:
            rows.check_refs(
                row,
                number,
                {"sector": (sectors, _("sector")), "authority": (orgs, _("organization"))},
            )
            continue
        obj = units.get(row["code"]) or Unit(code=row["code"])
        created = obj.pk is None
        rows.assign(obj, row, ("name", "kind", "address", "phone", "supervision_phone", "hours"))
        if "registered_population" in row:
            obj.registered_population = row["registered_population"]
        sector = rows.ref(sectors, row, number, "sector", _("sector"))
        if sector is not None:
            obj.sector = sector
        if "authority" in row:
            obj.authority = rows.ref(orgs, row, number, "authority", _("organization"))
        if row.get("sector") and sector is None:
            continue
        if rows.save(number, obj, created):
            units[obj.code] = obj

    windows = {(w.unit_id, w.number): w for w in Window.objects.all()}
    rows = _Rows(actor, report, "windows")
    for number, row, bad in data.get("windows", []):
        progress(1)
        if bad:
            rows.check_refs(row, number, {"unit": (units, _("unit"))})
            continue
        unit = rows.ref(units, row, number, "unit", _("unit"))
        if unit is None:
            continue
        obj = windows.get((unit.pk, row["number"])) or Window(unit=unit, number=row["number"])
        created = obj.pk is None
        rows.assign(obj, row, ("function", "kind", "is_duty_lead", "active"))
        if rows.save(number, obj, created):
            windows[(unit.pk, obj.number)] = obj

    # the file's people already in the registry, looked up at once rather than row by row
    # (one query instead of one per row); by unit and badge, or organization and badge, the
    # two ways a person is unique
    badges = {row["badge_no"] for _n, row, bad in data.get("staff", []) if not bad}
    by_unit, by_org = {}, {}

    def remember(person):
        if person.unit_id:
            by_unit[(person.unit_id, person.badge_no)] = person
        if person.organization_id:
            by_org[(person.organization_id, person.badge_no)] = person

    for person in Staff.objects.filter(badge_no__in=badges).order_by():
        remember(person)

    rows = _Rows(actor, report, "staff")
    for number, row, bad in data.get("staff", []):
        progress(1)
        if bad:  # every other problem of the row is still reported, in this one pass
            rows.check_refs(row, number, {"organization": (orgs, _("organization"))})
            unit = rows.ref(units, row, number, "unit", _("unit"))
            if unit and row.get("window") and (unit.pk, row["window"]) not in windows:
                rows.error(
                    number, "window", _("This unit has no window %(n)s.") % {"n": row["window"]}
                )
            masked = MASKED_PHONE.fullmatch(row.get("phone") or "")
            if not masked and phone_problem(row.get("phone") or ""):
                rows.error(number, "phone", phone_problem(row["phone"]))
            continue
        unit = rows.ref(units, row, number, "unit", _("unit"))
        org = rows.ref(orgs, row, number, "organization", _("organization"))
        if unit is None and org is None:
            if not row.get("unit") and not row.get("organization"):
                rows.error(number, "unit", _("Give the unit code or the organization."))
            continue
        place = {"unit": unit} if unit else {"organization": org}
        key = (unit or org).pk, row["badge_no"]
        obj = by_unit.get(key) if unit else by_org.get(key)
        created = obj is None
        obj = obj or Staff(badge_no=row["badge_no"], **place)
        rows.assign(obj, row, ("name", "role", "title", "party_member", "on_duty", "active"))
        if "certified_on" in row:
            obj.certified_on = row["certified_on"]
        phone = row.get("phone")
        # a masked export (138****5678) keeps the stored phone; anything else is checked
        if phone is not None and not MASKED_PHONE.fullmatch(phone):
            obj.phone = phone
        if "window" in row:
            obj.window = windows.get((unit.pk, row["window"])) if unit and row["window"] else None
            if row["window"] and obj.window is None:
                rows.error(
                    number, "window", _("This unit has no window %(n)s.") % {"n": row["window"]}
                )
        if row.get("username"):
            user = _user_for(rows, number, row["username"], obj)
            if user is not None:
                obj.user = user
        # its other problems too (nothing is kept on error)
        if rows.save(number, obj, created):
            remember(obj)


def import_registry(
    *, actor: Actor, source, progress=None, checked=None, before_commit=None
) -> ImportReport:
    """Import a filled-in template (path or file object). All-or-nothing.

    The file's limits are checked first (ImportRefused), unless `checked` says they were.
    `before_commit(report)` runs inside the transaction when every row was saved; what it
    raises rolls the import back."""
    require(actor, Action.IMPORT_REGISTRY)
    if checked is None:
        check_file(source)
    report = ImportReport()
    progress = progress or (lambda n: None)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception:
        report.errors.append(RowError("—", 0, "—", str(NOT_XLSX)))
        return report
    try:
        data = _read(workbook, report)
    finally:
        workbook.close()
    report.rows = sum(len(rows) for rows in data.values())
    try:
        with transaction.atomic():
            _apply(actor, data, report, progress)
            if report.errors:
                raise _Rollback
            if before_commit is not None:
                before_commit(report)
    except _Rollback:
        report.created.clear()
        report.updated.clear()
    order = [s.label for s in SHEETS]
    report.errors.sort(key=lambda e: (order.index(e.sheet) if e.sheet in order else -1, e.row))
    return report


def _header(ws, sheet):
    ws.append([c.header for c in sheet.columns])
    for i, col in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True, color="FFFFFF" if col.required else "000000")
        cell.fill = PatternFill("solid", fgColor="B22222" if col.required else "F2E6C9")
        if col.kind == "choice":
            labels = ",".join(str(label) for _c, label in col.choices.choices)
            dv = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=not col.required)
            dv.add(f"{cell.column_letter}2:{cell.column_letter}5000")
            ws.add_data_validation(dv)
        if col.kind == "bool":
            dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
            dv.add(f"{cell.column_letter}2:{cell.column_letter}5000")
            ws.add_data_validation(dv)


def _workbook():
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def _cell(col, value):
    if col.kind == "bool":
        return "是" if value else "否"
    if col.kind == "choice" and value:
        return str(col.choices(value).label)
    return value


TEMPLATE_EXAMPLES = {
    "sectors": [["public_security", "公安", "Public security", 5]],
    "organizations": [["开封市公安局", "authority", "public_security", "0371-25955110", ""]],
    "units": [
        [
            "gulou-hukou",
            "鼓楼派出所户籍窗口",
            "police_station",
            "public_security",
            "开封市公安局",
            "鼓楼街1号",
            "0371-25661234",
            "12345",
            "9:00–12:00 13:30–17:30",
            23000,
        ]
    ],
    "windows": [["gulou-hukou", 1, "值班所领导 · 咨询投诉", "household", True, True]],
    "staff": [
        [
            "gulou-hukou",
            "",
            "041235",
            "王建国",
            "officer",
            "户籍民警",
            1,
            True,
            "2023-05-10",
            "13800001234",
            True,
            True,
            "",
        ]
    ],
}


def template_workbook():
    """The import template: one sheet per record type, an example row, and an instructions sheet."""
    wb = _workbook()
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.title)
        _header(ws, sheet)
        for example in TEMPLATE_EXAMPLES[sheet.key]:
            append_row(ws, [_cell(c, v) for c, v in zip(sheet.columns, example, strict=True)])
        finish_sheet(ws, [c.width for c in sheet.columns])
    ws = wb.create_sheet("说明 Instructions")
    ws.column_dimensions["A"].width = 110
    for line in INSTRUCTIONS:
        ws.append([str(line)])
    return wb


INSTRUCTIONS = (
    gettext_lazy("Fill in the sheets in any order; red headers are required columns."),
    gettext_lazy(
        "Existing records are updated: sectors by code, organizations by name, units by "
        "code, windows by unit and number, staff by unit (or organization) and badge."
    ),
    gettext_lazy(
        "Yes/no columns take 是 or 否; dates are written 2024-03-01; choice columns take "
        "the Chinese label, the English label or the code."
    ),
    gettext_lazy("If any row is wrong, nothing is imported and every wrong cell is listed."),
    gettext_lazy(
        "Phones that arrive masked (138****5678, as in an export) keep the stored number."
    ),
)


def export_workbook(*, actor: Actor):
    """The registry within the actor's scope, phones masked, in the template's layout."""
    require(actor, Action.EXPORT_REGISTRY)
    units = list(services.units_for(actor).order_by("code"))
    unit_ids = [u.pk for u in units]
    staff_scope = Q(unit_id__in=unit_ids)
    if services.is_office(actor):
        staff_scope |= Q(organization__isnull=False)  # the office's and authorities' people
    wb = _workbook()
    rows = {
        "sectors": [[s.code, s.name_zh, s.name_en, s.order] for s in Sector.objects.all()],
        "organizations": [
            [o.name, o.kind, o.sector.code if o.sector else "", o.phone, o.address]
            for o in Organization.objects.select_related("sector")
        ],
        "units": [
            [
                u.code,
                u.name,
                u.kind,
                u.sector.code,
                u.authority.name if u.authority else "",
                u.address,
                u.phone,
                u.supervision_phone,
                u.hours,
                u.registered_population,
            ]
            for u in units
        ],
        "windows": [
            [w.unit.code, w.number, w.function, w.kind, w.is_duty_lead, w.active]
            for w in Window.objects.filter(unit_id__in=unit_ids)
            .select_related("unit")
            .order_by("unit__code", "number")
        ],
        "staff": [
            [
                s.unit.code if s.unit else "",
                s.organization.name if s.organization else "",
                s.badge_no,
                s.name,
                s.role,
                s.title,
                s.window.number if s.window else None,
                s.party_member,
                s.certified_on,
                mask_phone(s.phone),
                s.on_duty,
                s.active,
                s.user.username if s.user else "",
            ]
            for s in Staff.objects.filter(staff_scope)
            .select_related("unit", "organization", "window", "user")
            .order_by("organization__name", "unit__code", "badge_no")
        ],
    }
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.title)
        _header(ws, sheet)
        for row in rows[sheet.key]:
            append_row(ws, [_cell(c, v) for c, v in zip(sheet.columns, row, strict=True)])
        finish_sheet(ws, [c.width for c in sheet.columns])
    return wb
