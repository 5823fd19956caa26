"""Excel import/export of the registry: template, all-or-nothing, every bad row reported; the
columns a file leaves out keep what is stored, no import raises its uploader above their role,
and the export carries the office's people and never a live formula."""

import io
import subprocess
import sys

import pytest
from auditlog.models import LogEntry
from openpyxl import load_workbook

from servicehall.org import excel
from servicehall.org.models import Staff, Unit, Window
from servicehall.org.permissions import actor_for


def workbook_bytes(wb):
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def filled_template(rows_by_sheet):
    """The downloadable template with its example rows replaced by ours."""
    wb = excel.template_workbook()
    for sheet in excel.SHEETS:
        ws = wb[sheet.title]
        ws.delete_rows(2, ws.max_row)
        for row in rows_by_sheet.get(sheet.key, []):
            ws.append(row)
    return workbook_bytes(wb)


GOOD = {
    "units": [
        [
            "xh-hukou",
            "西湖派出所户籍窗口",
            "派出所户籍窗口",
            "public_security",
            "开封市公安局",
            "西湖路1号",
            "0371-1",
            "12345",
            "9:00-17:00",
            12000,
        ]
    ],
    "windows": [
        ["xh-hukou", 1, "所领导值班", "户籍业务", "是", "是"],
        ["xh-hukou", 2, "户口登记", "household", "否", "是"],
    ],
    "staff": [
        [
            "xh-hukou",
            "",
            "051001",
            "林一",
            "窗口工作人员",
            "户籍民警",
            1,
            "是",
            "2023-04-01",
            "13811112222",
            "是",
            "是",
            "",
        ],
        [
            "xh-hukou",
            "",
            "051002",
            "林二",
            "officer",
            "户籍民警",
            2,
            "否",
            "2023/4/1",
            "13811113333",
            "是",
            "是",
            "lin2",
        ],
    ],
}


def test_the_template_downloads_with_every_sheet_and_an_example(login):
    response = login("leader").get("/org/import/template.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert [ws.title for ws in wb.worksheets][:5] == [s.title for s in excel.SHEETS]
    assert wb["人员 Staff"]["B1"].value.startswith("所属组织")


def test_a_good_file_imports_units_windows_and_staff(login, demo):
    client = login("admin")
    response = client.post("/org/import/", {"file": filled_template(GOOD)}, follow=True)
    assert response.status_code == 200
    unit = Unit.objects.get(code="xh-hukou")
    assert unit.registered_population == 12000
    assert list(unit.windows.values_list("number", "is_duty_lead")) == [(1, True), (2, False)]
    lin2 = Staff.objects.get(unit=unit, badge_no="051002")
    assert lin2.window.number == 2 and lin2.user.username == "lin2"
    assert str(lin2.certified_on) == "2023-04-01"
    assert LogEntry.objects.filter(additional_data__unit_id=unit.pk).count() >= 5


def test_a_malformed_file_changes_nothing_and_lists_every_bad_row(login, demo):
    bad = {
        "units": [
            [
                "xh-hukou",
                "西湖派出所户籍窗口",
                "not-a-kind",
                "public_security",
                "",
                "",
                "",
                "",
                "",
                "many",
            ]
        ],
        "windows": [
            ["xh-hukou", "one", "户口登记", "household", "maybe", "是"],
            ["nowhere", 2, "", "household", "否", "是"],
        ],
        "staff": [
            [
                "kf-gulou-hukou",
                "",
                "041235",
                "重复工号",
                "officer",
                "",
                2,
                "否",
                "2023-13-45",
                "",
                "是",
                "是",
                "",
            ],
            ["kf-gulou-hukou", "", "051009", "", "boss", "", 9, "否", "", "", "否", "是", ""],
        ],
    }
    counts_before = (
        Unit.objects.count(),
        Window.objects.count(),
        Staff.objects.count(),
        LogEntry.objects.count(),
    )
    response = login("admin").post("/org/import/", {"file": filled_template(bad)})
    assert response.status_code == 400
    assert counts_before == (
        Unit.objects.count(),
        Window.objects.count(),
        Staff.objects.count(),
        LogEntry.objects.count(),
    )
    report = response.context["report"]
    cells = {(e.sheet, e.row, e.column) for e in report.errors}
    assert ("单位", 2, "类别") in cells  # unknown unit kind
    assert ("单位", 2, "户籍人口") in cells  # not a number
    assert ("窗口", 2, "窗口号") in cells
    assert ("窗口", 2, "1号窗口(值班领导)") in cells
    assert ("窗口", 3, "单位代码") in cells  # unknown unit
    assert ("窗口", 3, "窗口职能") in cells  # required
    assert ("人员", 2, "培训合格日期") in cells  # impossible date
    assert ("人员", 3, "姓名") in cells
    assert ("人员", 3, "角色") in cells
    page = response.content.decode()
    assert "未导入任何数据" in page
    assert page.count("<tr>") >= len(report.errors)


def test_rows_that_clash_with_each_other_fail_together(login, demo):
    clash = {
        "windows": [
            ["kf-gulou-hukou", 7, "甲", "household", "否", "是"],
            ["kf-gulou-hukou", 8, "乙", "household", "是", "是"],
        ]
    }  # a second No. 1
    response = login("admin").post("/org/import/", {"file": filled_template(clash)})
    assert not Window.objects.filter(unit=demo, number__in=[7, 8]).exists()
    errors = response.context["report"].errors
    assert [(e.sheet, e.row) for e in errors] == [("窗口", 3)]


def test_a_file_that_is_not_excel_is_refused_plainly(login, demo):
    response = login("admin").post(
        "/org/import/", {"file": io.BytesIO(b"name,badge\n") | _named("staff.csv")}
    )
    assert response.status_code == 400
    assert ".xlsx" in response.content.decode()


class _named:
    def __init__(self, name):
        self.name = name

    def __ror__(self, other):
        other.name = self.name
        return other


def test_a_unit_leader_cannot_import_other_units(login, demo):
    response = login("leader").post("/org/import/", {"file": filled_template(GOOD)})
    assert response.status_code == 400
    assert not Unit.objects.filter(code="xh-hukou").exists()
    assert response.context["report"].errors


def test_an_officer_cannot_import_at_all(login, demo):
    assert login("officer").get("/org/import/").status_code == 403


def test_export_masks_phones_and_reimports_without_a_change(login, demo):
    client = login("admin")
    response = client.get("/org/export.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    staff_phones = [row[9] for row in wb["人员 Staff"].iter_rows(min_row=2, values_only=True)]
    assert staff_phones and all("*" in p for p in staff_phones if p)
    phones_before = dict(Staff.objects.values_list("pk", "phone"))
    entries_before = LogEntry.objects.count()
    response = client.post(
        "/org/import/", {"file": io.BytesIO(response.content) | _named("x.xlsx")}, follow=True
    )
    assert response.status_code == 200
    assert dict(Staff.objects.values_list("pk", "phone")) == phones_before
    assert LogEntry.objects.count() == entries_before  # nothing actually changed


@pytest.mark.django_db(transaction=True)
def test_the_command_line_import_reports_bad_rows_and_exits_non_zero(tmp_path, demo):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(filled_template({"windows": [["kf-gulou-hukou", "x", "", "", "", ""]]}).read())
    from django.core.management import call_command
    from django.core.management.base import CommandError

    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_registry", str(path), stderr=err)
    assert "窗口号" in err.getvalue()
    assert not Window.objects.filter(function="").exists()


def test_the_command_line_import_shows_a_progress_bar_for_large_files(tmp_path, demo):
    rows = [["kf-gulou-hukou", 100 + i, f"窗口{i}", "general", "否", "是"] for i in range(300)]
    path = tmp_path / "large.xlsx"
    path.write_bytes(filled_template({"windows": rows}).read())
    from django.core.management import call_command

    err, out = io.StringIO(), io.StringIO()
    import contextlib

    with contextlib.redirect_stderr(err):
        call_command("import_registry", str(path), stdout=out)
    assert Window.objects.filter(unit=demo, number__gte=100).count() == 300
    assert "300/300" in err.getvalue()


def test_servicehall_import_is_the_console_command(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "servicehall", "import", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "All-or-nothing" in result.stdout


def test_a_person_twice_in_one_file_is_created_once_then_updated(actor, demo):
    # the import looks the file's people up at once: one saved earlier in the same file is
    # found again by its unit and badge, and one of an organization by its organization
    row = GOOD["staff"][0]
    again = [*row[:5], "户籍民警（组长）", *row[6:]]
    reviewer = ["", "开封市公安局", "040001", "孙审核", "行业审核员", "政治处主任"]
    rows = {**GOOD, "staff": [row, again, reviewer + [None] * 7]}
    report = excel.import_registry(actor=actor("admin"), source=filled_template(rows))
    assert report.ok, report.errors
    assert report.created["staff"] == 1 and report.updated["staff"] == 2
    assert Staff.objects.get(unit__code="xh-hukou", badge_no="051001").title == "户籍民警（组长）"
    assert Staff.objects.get(organization__name="开封市公安局", badge_no="040001").title == (
        "政治处主任"
    )


def test_a_unit_leader_cannot_make_themself_office_admin_by_import(login, demo):
    from django.contrib.auth import get_user_model

    escalate = {
        "staff": [
            [
                "kf-gulou-hukou",
                "",
                "041201",
                "吕国栋",
                "unit_leader",
                "",
                None,
                "是",
                "2015-06-01",
                "",
                "否",
                "是",
                "decoy",
            ],
            [
                "",
                "开封市文明办",
                "WMB999",
                "吕国栋",
                "organizer_admin",
                "",
                None,
                "是",
                "2015-06-01",
                "",
                "否",
                "是",
                "leader",
            ],
        ]
    }
    response = login("leader").post("/org/import/", {"file": filled_template(escalate)})
    assert response.context["report"].errors
    leader = get_user_model().objects.get(username="leader")
    assert actor_for(leader).role == "unit_leader"
    assert not Staff.objects.filter(badge_no="WMB999").exists()


def test_columns_a_file_leaves_out_keep_what_is_stored(login, demo, staff_of):
    wb = excel_with_columns(
        ["单位代码 unit code", "工号/警号 badge number", "姓名 name", "角色 role"],
        [["kf-gulou-hukou", "041236", "张丽萍", "officer"]],
    )
    response = login("leader").post("/org/import/", {"file": wb})
    assert (
        not response.context or not response.context.get("report") or response.context["report"].ok
    )
    officer = staff_of("kf-gulou-hukou", "041236")
    assert officer.certified_on is not None and officer.window.number == 3


def excel_with_columns(headers, rows):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "人员 Staff"
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out | _named("partial.xlsx")


def test_the_export_never_carries_a_live_formula(login, demo, staff_of):
    officer = staff_of("kf-gulou-hukou", "041236")
    officer.name = '=HYPERLINK("http://x","y")'
    officer.save()
    content = login("admin").get("/org/export.xlsx").content
    ws = load_workbook(io.BytesIO(content))["人员 Staff"]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if c.value == officer.name]
    assert cells and all(c.data_type == "s" for c in cells)


def test_the_offices_export_includes_the_offices_people(login, demo):
    content = login("admin").get("/org/export.xlsx").content
    ws = load_workbook(io.BytesIO(content))["人员 Staff"]
    badges = {row[2] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert {"WMB001", "040001", "041235"} <= badges
