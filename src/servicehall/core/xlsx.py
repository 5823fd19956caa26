"""One way to write every Excel sheet the app exports (ledger, registry, template): a bold,
frozen header row with an autofilter, columns as wide as their content (a CJK character
counts double), dates and times as real Excel dates in local time, numbers as numbers, and
text that starts with "=" kept as text, never a formula."""

import datetime as dt
import unicodedata
from decimal import Decimal

from django.utils import timezone
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "0.00"  # yuan with two decimals, from an exact Decimal (core.money)
MIN_WIDTH, MAX_WIDTH = 6, 60


def excel_value(value):
    """(value, number format) for a cell. Excel has no time zones: a moment is written as
    the local (Asia/Shanghai) wall time, naive."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None), DATETIME_FORMAT
    if isinstance(value, dt.date):
        return value, DATE_FORMAT
    if isinstance(value, Decimal):
        return value, MONEY_FORMAT
    return value, None


def text_width(text: str) -> int:
    """How many columns `text` takes: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _shown(cell) -> str:
    if cell.value is None:
        return ""
    if cell.number_format == DATETIME_FORMAT:
        return "2026-01-01 00:00"
    if cell.number_format == DATE_FORMAT:
        return "2026-01-01"
    return str(cell.value)


def append_row(ws, values):
    """Append one row of values (datetimes, dates, numbers, text) to a sheet."""
    converted = [excel_value(v) for v in values]
    ws.append([v for v, _fmt in converted])
    for cell, (_v, fmt) in zip(ws[ws.max_row], converted, strict=False):
        if fmt:
            cell.number_format = fmt
        if cell.data_type == "f":  # a name typed as "=…" stays text, never a formula
            cell.data_type = "s"


def finish_sheet(ws, min_widths=()):
    """Bold frozen header row, an autofilter over the table, widths fitted to the content
    (at least `min_widths`, one per column from the first, for a template's empty cells)."""
    for cell in ws[1]:
        font = cell.font
        cell.font = Font(name=font.name, size=font.size, color=font.color, bold=True)
    ws.freeze_panes = "A2"
    if ws.max_row >= 1 and ws.max_column >= 1:
        ws.auto_filter.ref = f"A1:{get_column_letter(ws.max_column)}{max(ws.max_row, 1)}"
    widths = {}
    for row in ws.iter_rows():
        for cell in row:
            longest = max((text_width(line) for line in _shown(cell).splitlines()), default=0)
            widths[cell.column_letter] = max(widths.get(cell.column_letter, 0), longest)
    for i, floor in enumerate(min_widths, start=1):
        letter = get_column_letter(i)
        widths[letter] = max(widths.get(letter, 0), floor - 2)
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)


def write_table(ws, header, rows):
    """A whole sheet: the header row, the rows, finished as above."""
    ws.append(list(header))
    for values in rows:
        append_row(ws, values)
    finish_sheet(ws)
    return ws
