"""Excel import and export of the registry: sectors, organizations, units, windows, staff.

Import is all-or-nothing: every row of every sheet is checked, every bad cell is reported
with its sheet, row and column, and a file with any error changes nothing. Rows are saved
one by one through the same rules as the web forms (so the audit trail records them), inside
one transaction that is rolled back if anything failed.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from servicehall.errors import ServiceError
from servicehall.web.masking import mask_phone

from . import services
from .choices import OrganizationKind, Role, UnitKind, WindowKind
from .models import Organization, Sector, Staff, Unit, Window
from .permissions import Action, Actor, require


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


@dataclass(frozen=True)
class Sheet:
    key: str
    zh: str
    en: str
    columns: tuple

    @property
    def title(self):
        return f"{self.zh} {self.en}"


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

    def count(self, kind, created):
        target = self.created if created else self.updated
        target[kind] = target.get(kind, 0) + 1

    def summary(self):
        if not self.ok:
            return _("%(n)s problems found; nothing was imported.") % {"n": len(self.errors)}
        parts = [
            _("%(sheet)s: %(created)s new, %(updated)s updated")
            % {
                "sheet": _(s.en),
                "created": self.created.get(s.key, 0),
                "updated": self.updated.get(s.key, 0),
            }
            for s in SHEETS
            if self.created.get(s.key) or self.updated.get(s.key)
        ]
        return _("Imported %(rows)s rows. ") % {"rows": self.rows} + "; ".join(parts)


class _Rollback(Exception):
    pass


def _choice(value, choices):
    text = str(value).strip()
    for code, label in choices.choices:
        if text.lower() == code or text == str(label):
            return code
    # The Chinese label, whatever the current language.
    from django.utils import translation

    with translation.override("zh-hans"):
        for code, label in choices.choices:
            if text == str(label):
                return code
    with translation.override("en"):
        for code, label in choices.choices:
            if text.lower() == str(label).lower():
                return code
    raise ValueError(
        _("“%(value)s” is not one of: %(allowed)s")
        % {"value": text, "allowed": "、".join(str(label) for _c, label in choices.choices)}
    )


def _parse(column: Column, value):
    if value is None or (isinstance(value, str) and not value.strip()):
        if column.required:
            raise ValueError(_("This cell is required."))
        return None
    if column.kind == "int":
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip().replace(",", "")
        if not re.fullmatch(r"\d+", text):
            raise ValueError(_("Write a whole number, e.g. 3."))
        return int(text)
    if column.kind == "bool":
        text = str(value).strip().lower()
        if text in _TRUE or value is True:
            return True
        if text in _FALSE or value is False:
            return False
        raise ValueError(_("Write 是 or 否 (yes or no)."))
    if column.kind == "date":
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
    if column.kind == "choice":
        return _choice(value, column.choices)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # phone numbers typed as numbers
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()
    return str(value).strip()


def _read(workbook, report):
    """Rows of each known sheet as (row number, {key: value}); cell errors go to the report."""
    data = {}
    titles = {}
    for ws in workbook.worksheets:
        for sheet in SHEETS:
            if ws.title.strip() in (sheet.title, sheet.zh, sheet.en, sheet.key):
                titles[sheet.key] = ws
    for sheet in SHEETS:
        ws = titles.get(sheet.key)
        if ws is None:
            continue
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None) or ()
        index = {}
        for i, text in enumerate(header):
            text = str(text or "").strip()
            for col in sheet.columns:
                if text in (col.header, col.zh, col.en, col.key):
                    index[col.key] = i
        missing = [c for c in sheet.columns if c.required and c.key not in index]
        for col in missing:
            report.errors.append(
                RowError(sheet.zh, 1, col.zh, _("The column is missing from the header row."))
            )
        parsed = []
        for number, values in enumerate(rows, start=2):
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            row = {}
            for col in sheet.columns:
                if col.key not in index:
                    continue
                raw = values[index[col.key]] if index[col.key] < len(values) else None
                try:
                    row[col.key] = _parse(col, raw)
                except ValueError as exc:
                    report.errors.append(RowError(sheet.zh, number, col.zh, str(exc)))
            parsed.append((number, row))
        data[sheet.key] = parsed
    if not data:
        report.errors.append(
            RowError("—", 0, "—", _("No known sheet found: use the sheets of the template."))
        )
    return data


def _column_label(sheet_key, field_name):
    sheet = SHEET_BY_KEY[sheet_key]
    for col in sheet.columns:
        if col.key == field_name:
            return col.zh
    return field_name if field_name != "__all__" else "—"


def _save(actor, report, sheet_key, number, instance, created):
    sheet = SHEET_BY_KEY[sheet_key]
    try:
        services.save_record(actor=actor, instance=instance)
    except ValidationError as exc:  # pragma: no cover - save_record converts these
        report.errors.append(RowError(sheet.zh, number, "—", "; ".join(exc.messages)))
        return False
    except ServiceError as exc:
        for fname, messages in getattr(exc, "errors", {"__all__": [str(exc)]}).items():
            for message in messages:
                report.errors.append(
                    RowError(sheet.zh, number, _column_label(sheet_key, fname), message)
                )
        return False
    report.count(sheet_key, created)
    return True


def _apply(actor, data, report, progress):
    sectors = {s.code: s for s in Sector.objects.all()}
    orgs = {o.name: o for o in Organization.objects.all()}
    units = {u.code: u for u in Unit.objects.all()}

    def ref(mapping, key, sheet, number, column, what):
        if not key:
            return None
        if key not in mapping:
            report.errors.append(
                RowError(
                    SHEET_BY_KEY[sheet].zh,
                    number,
                    column,
                    _("No %(what)s “%(key)s”: add it first (in this file or the app).")
                    % {"what": what, "key": key},
                )
            )
        return mapping.get(key)

    for number, row in data.get("sectors", []):
        obj = sectors.get(row.get("code")) or Sector(code=row.get("code"))
        created = obj.pk is None
        for k in ("name_zh", "name_en"):
            if k in row:
                setattr(obj, k, row[k] or "")
        if row.get("order") is not None:
            obj.order = row["order"]
        if _save(actor, report, "sectors", number, obj, created):
            sectors[obj.code] = obj
        progress(1)

    for number, row in data.get("organizations", []):
        obj = orgs.get(row.get("name")) or Organization(name=row.get("name"))
        created = obj.pk is None
        obj.kind = row.get("kind") or obj.kind
        obj.sector = ref(
            sectors, row.get("sector"), "organizations", number, "行业代码", _("sector")
        )
        for k in ("phone", "address"):
            if row.get(k) is not None:
                setattr(obj, k, row[k])
        if _save(actor, report, "organizations", number, obj, created):
            orgs[obj.name] = obj
        progress(1)

    for number, row in data.get("units", []):
        obj = units.get(row.get("code")) or Unit(code=row.get("code"))
        created = obj.pk is None
        for k in ("name", "kind", "address", "phone", "supervision_phone", "hours"):
            if row.get(k) is not None:
                setattr(obj, k, row[k])
        obj.registered_population = row.get("registered_population")
        obj.sector = ref(sectors, row.get("sector"), "units", number, "行业代码", _("sector"))
        obj.authority = ref(
            orgs, row.get("authority"), "units", number, "主管部门", _("organization")
        )
        if obj.sector is None and row.get("sector"):
            progress(1)
            continue
        if _save(actor, report, "units", number, obj, created):
            units[obj.code] = obj
        progress(1)

    windows = {(w.unit_id, w.number): w for w in Window.objects.all()}
    for number, row in data.get("windows", []):
        unit = ref(units, row.get("unit"), "windows", number, "单位代码", _("unit"))
        if unit is None:
            progress(1)
            continue
        obj = windows.get((unit.pk, row.get("number"))) or Window(
            unit=unit, number=row.get("number")
        )
        created = obj.pk is None
        obj.function = row.get("function") or obj.function
        obj.kind = row.get("kind") or obj.kind or WindowKind.GENERAL
        if row.get("is_duty_lead") is not None:
            obj.is_duty_lead = row["is_duty_lead"]
        if row.get("active") is not None:
            obj.active = row["active"]
        if _save(actor, report, "windows", number, obj, created):
            windows[(unit.pk, obj.number)] = obj
        progress(1)

    User = get_user_model()
    for number, row in data.get("staff", []):
        unit = ref(units, row.get("unit"), "staff", number, "单位代码", _("unit"))
        org = ref(orgs, row.get("organization"), "staff", number, "所属组织", _("organization"))
        if unit is None and org is None:
            if not row.get("unit") and not row.get("organization"):
                report.errors.append(
                    RowError(
                        "人员", number, "单位代码", _("Give the unit code or the organization.")
                    )
                )
            progress(1)
            continue
        existing = Staff.objects.filter(
            badge_no=row.get("badge_no"), **({"unit": unit} if unit else {"organization": org})
        ).first()
        obj = existing or Staff(badge_no=row.get("badge_no"), unit=unit, organization=org)
        created = obj.pk is None
        for k in ("name", "role", "title"):
            if row.get(k) is not None:
                setattr(obj, k, row[k])
        for k in ("party_member", "on_duty", "active"):
            if row.get(k) is not None:
                setattr(obj, k, row[k])
        obj.certified_on = row.get("certified_on")
        phone = row.get("phone")
        if phone is not None and "*" not in phone:  # a masked export keeps the stored phone
            obj.phone = phone
        if row.get("window") is not None:
            window = windows.get((unit.pk, row["window"])) if unit else None
            if window is None:
                report.errors.append(
                    RowError(
                        "人员",
                        number,
                        "窗口号",
                        _("This unit has no window %(n)s.") % {"n": row["window"]},
                    )
                )
                progress(1)
                continue
            obj.window = window
        else:
            obj.window = None
        username = row.get("username")
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username)
                user.set_unusable_password()  # the leader sets a password with createuser/admin
                user.save()
            other = Staff.objects.filter(user=user).exclude(pk=obj.pk).first()
            if other is not None:
                report.errors.append(
                    RowError(
                        "人员",
                        number,
                        "登录账号",
                        _("The account %(u)s already belongs to %(name)s.")
                        % {"u": username, "name": other.name},
                    )
                )
                progress(1)
                continue
            obj.user = user
        _save(actor, report, "staff", number, obj, created)
        progress(1)


def count_rows(source) -> int:
    workbook = load_workbook(source, read_only=True, data_only=True)
    titles = {t for s in SHEETS for t in (s.title, s.zh, s.en, s.key)}
    total = sum(max(ws.max_row - 1, 0) for ws in workbook.worksheets if ws.title.strip() in titles)
    workbook.close()
    if hasattr(source, "seek"):
        source.seek(0)
    return total


def import_registry(*, actor: Actor, source, progress=None) -> ImportReport:
    """Import a filled-in template (path or file object). All-or-nothing."""
    require(actor, Action.IMPORT_REGISTRY)
    report = ImportReport()
    progress = progress or (lambda n: None)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception:
        report.errors.append(
            RowError("—", 0, "—", _("This is not an Excel .xlsx file; save it as .xlsx and retry."))
        )
        return report
    data = _read(workbook, report)
    workbook.close()
    report.rows = sum(len(rows) for rows in data.values())
    try:
        with transaction.atomic():
            _apply(actor, data, report, progress)
            if report.errors:
                raise _Rollback
    except _Rollback:
        report.created.clear()
        report.updated.clear()
    report.errors.sort(
        key=lambda e: (
            ([s.zh for s in SHEETS] + ["—"]).index(e.sheet)
            if e.sheet in [s.zh for s in SHEETS] + ["—"]
            else 99
        )
    )
    return report


def _header(ws, sheet):
    ws.append([c.header for c in sheet.columns])
    for i, col in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True, color="FFFFFF" if col.required else "000000")
        cell.fill = PatternFill("solid", fgColor="B22222" if col.required else "F2E6C9")
        ws.column_dimensions[cell.column_letter].width = max(col.width, len(col.header) + 2)
        if col.kind == "choice":
            labels = ",".join(str(label) for _c, label in col.choices.choices)
            dv = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=not col.required)
            dv.add(f"{cell.column_letter}2:{cell.column_letter}5000")
            ws.add_data_validation(dv)
        if col.kind == "bool":
            dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
            dv.add(f"{cell.column_letter}2:{cell.column_letter}5000")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"


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
            ws.append([_cell(c, v) for c, v in zip(sheet.columns, example, strict=True)])
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
            for s in Staff.objects.filter(unit_id__in=unit_ids)
            .select_related("unit", "organization", "window", "user")
            .order_by("unit__code", "badge_no")
        ],
    }
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.title)
        _header(ws, sheet)
        for row in rows[sheet.key]:
            ws.append([_cell(c, v) for c, v in zip(sheet.columns, row, strict=True)])
    return wb
