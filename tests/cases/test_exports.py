"""Every Excel export through one helper: a bold frozen header with an autofilter, widths
fitted to the content (CJK counts double), real local dates, numbers as numbers, and
personal data still masked."""

import datetime as dt
import io

from openpyxl import load_workbook

from servicehall.org.models import Staff

from .conftest import APPLICANT, accept

# 00:30 Beijing time on 2 December 2026
HALF_PAST_MIDNIGHT = dt.datetime(2026, 12, 1, 16, 30, tzinfo=dt.UTC)


def sheet_of(response, title=None):
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    return wb[title] if title else wb.active


def header(ws):
    return [c.value for c in ws[1]]


def assert_table_shape(ws):
    assert ws.freeze_panes == "A2"
    assert all(c.font.b for c in ws[1])
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")


def test_the_ledger_export_is_a_real_table_with_local_dates_and_masked_data(
    login, migration, actor
):
    case = accept(actor("officer"), migration, now=HALF_PAST_MIDNIGHT)
    ws = sheet_of(login("leader").get("/cases/ledger/", {"export": "xlsx"}))
    assert_table_shape(ws)
    columns = header(ws)
    row = {columns[i]: c for i, c in enumerate(ws[2])}
    received = row["受理时间 received"]
    assert received.is_date and received.value == dt.datetime(2026, 12, 2, 0, 30)
    assert "yy" in received.number_format and "hh:mm" in received.number_format
    assert isinstance(row["到访次数 visits"].value, int)
    assert isinstance(row["承诺期限 due"].value, dt.datetime)
    assert row["办件编号 case"].value == case.number
    values = [str(c.value) for c in ws[2]]
    assert APPLICANT["id_number"] not in values and APPLICANT["phone"] not in values
    assert "*" in row["证件号码 ID"].value and "*" in row["电话 phone"].value
    assert "*" in row["申请人 applicant"].value


def test_ledger_columns_are_as_wide_as_their_content_cjk_counting_double(login, migration, actor):
    accept(actor("officer"), migration)
    ws = sheet_of(login("leader").get("/cases/ledger/", {"export": "xlsx"}))
    columns = header(ws)
    matter = ws.cell(row=2, column=columns.index("事项 matter") + 1)
    width = ws.column_dimensions[matter.column_letter].width
    assert width >= 2 * len(matter.value)  # “户口迁移（市内）”: 8 characters, 16 columns
    case_no = ws.cell(row=2, column=1)
    assert len(case_no.value) <= ws.column_dimensions["A"].width < 2 * len(case_no.value)


def test_the_registry_export_is_a_real_table_with_dates_and_masked_phones(login, demo):
    ws = sheet_of(login("admin").get("/org/export.xlsx"), "人员 Staff")
    assert_table_shape(ws)
    columns = header(ws)
    certified = columns.index("培训合格日期 certified on")
    phone = columns.index("电话 phone")
    dated = [r[certified] for r in ws.iter_rows(min_row=2) if r[certified].value]
    assert dated and all(c.is_date and "yy" in c.number_format for c in dated)
    phones = [r[phone].value for r in ws.iter_rows(min_row=2) if r[phone].value]
    stored = set(Staff.objects.exclude(phone="").values_list("phone", flat=True))
    assert phones and all("*" in p for p in phones) and not stored & set(phones)
    windows = sheet_of(login("admin").get("/org/export.xlsx"), "窗口 Windows")
    assert_table_shape(windows)
    assert isinstance(windows.cell(row=2, column=2).value, int)  # window numbers are numbers


def test_the_import_template_has_the_same_header(login):
    ws = sheet_of(login("leader").get("/org/import/template.xlsx"), "人员 Staff")
    assert_table_shape(ws)
    assert ws.column_dimensions["A"].width >= 14


def test_a_moment_is_written_as_local_wall_time():
    from servicehall.core.xlsx import excel_value, text_width

    value, fmt = excel_value(HALF_PAST_MIDNIGHT)
    assert value == dt.datetime(2026, 12, 2, 0, 30) and value.tzinfo is None and fmt
    assert excel_value(dt.date(2026, 12, 2))[1] == "yyyy-mm-dd"
    assert excel_value(3) == (3, None)
    assert text_width("户口A") == 5
