"""The norm library (R-SUP-1): versions, the pages, Excel out and back in, the seed's norms."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from servicehall.core.errors import Forbidden
from servicehall.supervision import norms, services
from servicehall.supervision.models import Checklist, ChecklistVersion, NormItem
from tests.helpers import raises_rule
from tests.web.test_every_page_in_chinese import _raw_words, problems

from .conftest import ITEMS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _edit_post(version, changes=None, delete=(), add=None, note="第十六条 重新表述"):
    """The edit form's POST: every item of `version`, some changed, some deleted, one added."""
    items = services.item_dicts(version)
    rows = [*items, *([add] if add else [])]
    data = {
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "note": note,
    }
    for n, row in enumerate(rows):
        row = {**row, **((changes or {}).get(row["code"], {}))}
        for key, value in row.items():
            if key == "critical":
                if value:
                    data[f"items-{n}-critical"] = "on"
            else:
                data[f"items-{n}-{key}"] = str(value)
        if row["code"] in delete:
            data[f"items-{n}-DELETE"] = "on"
    return data


def test_an_edited_norm_makes_version_2_and_an_old_visit_keeps_version_1s_text(
    login, actor, version, draft
):
    inspection, _new = services.sync(actor=actor("inspector"), draft=draft())
    old_text = ITEMS[2]["text"]
    client = login("admin")
    url = reverse("supervision:norm_edit", args=[version.checklist.code])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        _edit_post(
            version,
            changes={"JXJ-16": {"text": "对办事群众一视同仁，做到五个一样。", "points": 4}},
            delete=("JXJ-5",),
            add={
                **ITEMS[0],
                "code": "JXJ-8",
                "title": "文明用语",
                "source": "交巡警窗口规范 第八条",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = services.current(version.checklist)
    assert latest.number == 2 and latest.note == "第十六条 重新表述"
    assert [i.code for i in latest.items.all()] == ["JXJ-14", "JXJ-16", "JXJ-8"]
    assert latest.items.get(code="JXJ-16").points == 4
    # version 1 is as it was, and the visit judged by it still shows its words
    assert version.items.get(code="JXJ-16").text == old_text
    page = client.get(reverse("supervision:inspection", args=[inspection.number]))
    assert old_text in page.content.decode()
    assert "对办事群众一视同仁，做到五个一样。" not in page.content.decode()
    # the norm's page shows version 2 and what it changed; ?v=1 the old one
    detail = client.get(reverse("supervision:norm", args=[version.checklist.code])).content
    detail = detail.decode()
    assert "JXJ-8" in detail and "对办事群众一视同仁" in detail and "<del>" in detail
    old = client.get(reverse("supervision:norm", args=[version.checklist.code]) + "?v=1")
    assert old_text in old.content.decode()


def test_an_edit_with_a_bad_row_changes_nothing_and_says_where(login, version):
    client = login("admin")
    url = reverse("supervision:norm_edit", args=[version.checklist.code])
    response = client.post(url, _edit_post(version, changes={"JXJ-14": {"title": ""}}))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="row-2"' in html and "标题" in html
    assert ChecklistVersion.objects.filter(checklist=version.checklist).count() == 1


def _xlsx_of(response) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "norms.xlsx",
        b"".join(response.streaming_content) if response.streaming else response.content,
        content_type=XLSX,
    )


def test_export_then_import_makes_an_identical_next_version(login, version):
    client = login("admin")
    code = version.checklist.code
    exported = client.get(reverse("supervision:norm_export", args=[code]))
    assert exported.status_code == 200 and exported["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(exported.content)).active
    assert sheet["A1"].value == "编号 code" and sheet["G1"].value == "一票否决 critical"
    response = client.post(
        reverse("supervision:norm_import", args=[code]),
        {"file": _xlsx_of(exported), "note": "原样导回"},
    )
    assert response.status_code == 302
    latest = services.current(version.checklist)
    assert latest.number == 2
    assert services.item_dicts(latest) == services.item_dicts(version)
    assert services.version_diff(version, latest) == {"added": [], "removed": [], "changed": []}


def test_an_import_with_one_bad_row_changes_nothing_and_names_the_row_and_field(login, version):
    client = login("admin")
    code = version.checklist.code
    exported = client.get(reverse("supervision:norm_export", args=[code]))
    wb = load_workbook(io.BytesIO(exported.content))
    wb.active["F3"] = "很多"  # row 3 (JXJ-14): points not a number
    buf = io.BytesIO()
    wb.save(buf)
    upload = SimpleUploadedFile("bad.xlsx", buf.getvalue(), content_type=XLSX)
    response = client.post(reverse("supervision:norm_import", args=[code]), {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<td>3</td><td>扣分</td>" in html
    assert ChecklistVersion.objects.filter(checklist=version.checklist).count() == 1
    # and the service says which rule refused
    upload.seek(0)
    with raises_rule("R-SUP-1") as info:
        norms.read_workbook(upload)
    assert [(e.row, e.column) for e in info.value.rows] == [(3, "扣分")]


def test_a_file_that_is_no_workbook_is_refused_on_its_field(login, version):
    client = login("admin")
    upload = SimpleUploadedFile("x.xlsx", b"not a zip", content_type=XLSX)
    response = client.post(
        reverse("supervision:norm_import", args=[version.checklist.code]), {"file": upload}
    )
    assert response.status_code == 400 and ".xlsx" in response.content.decode()


def test_a_new_checklist_from_a_file(login, version):
    client = login("admin")
    exported = client.get(reverse("supervision:norm_export", args=[version.checklist.code]))
    data = {"code": "tax-hall", "name": "税务大厅规范", "unit_kind": "", "window_kind": ""}
    response = client.post(reverse("supervision:norm_new"), {**data, "file": _xlsx_of(exported)})
    assert response.status_code == 302
    made = Checklist.objects.get(code="tax-hall")
    assert services.current(made).items.count() == 3
    # the same code again: refused, nothing made
    response = client.post(reverse("supervision:norm_new"), {**data, "file": _xlsx_of(exported)})
    assert response.status_code == 400
    assert Checklist.objects.filter(code="tax-hall").count() == 1


@pytest.mark.parametrize("username", ["leader", "inspector"])
def test_only_the_office_manages_norms(login, version, username):
    client = login(username)
    code = version.checklist.code
    for name in ("supervision:norm_edit", "supervision:norm_import"):
        assert client.get(reverse(name, args=[code])).status_code == 403
    assert client.get(reverse("supervision:norm_new")).status_code == 403
    exported = login("admin").get(reverse("supervision:norm_export", args=[code]))
    client = login(username)
    response = client.post(
        reverse("supervision:norm_import", args=[code]), {"file": _xlsx_of(exported)}
    )
    assert response.status_code == 403
    assert ChecklistVersion.objects.filter(checklist=version.checklist).count() == 1


def test_new_version_refuses_who_may_not_manage_norms(actor, version):
    with raises_rule("R-ORG-4", Forbidden):
        services.new_version(actor=actor("inspector"), checklist=version.checklist, items=ITEMS)


def test_the_inspector_reads_the_library(login, demo):
    client = login("inspector")
    assert client.get(reverse("supervision:norms")).status_code == 200
    assert client.get(reverse("supervision:norm", args=["traffic-police"])).status_code == 200


def test_seed_norms_is_idempotent_with_the_traffic_polices_articles(demo):
    # the demo seed ran it already: a second run creates nothing
    assert norms.seed_norms() == 0
    traffic = services.current(Checklist.objects.get(code="traffic-police"))
    items = list(traffic.items.all())
    assert len(items) >= 30 and traffic.number == 1
    by_code = {i.code: i for i in items}
    assert by_code["JXJ-16"].source == "交巡警窗口规范 第十六条"
    assert by_code["JXJ-16"].title == "五个一样"
    assert by_code["JXJ-13"].critical and by_code["JXJ-14"].critical
    assert by_code["JXJ-17"].critical
    assert "JXJ-33" not in by_code and "JXJ-37" not in by_code
    assert by_code["JXJ-5"].evidence == "photo"
    checklist = traffic.checklist
    assert checklist.sector.code == "public_security" and checklist.unit_kind == "traffic_police"
    police = services.current(Checklist.objects.get(code="police-windows"))
    assert police.items.count() == 18
    assert police.items.get(code="GAC-18").source == "公安窗口服务规范 第十八条"
    assert NormItem.objects.filter(text__contains="著").count() == 0  # simplified: 着装


def test_the_norm_pages_read_in_chinese(login, version):
    client = login("admin")
    code = version.checklist.code
    client.post(
        reverse("supervision:norm_edit", args=[code]),
        _edit_post(version, changes={"JXJ-16": {"points": 4, "critical": True}}, delete=("JXJ-5",)),
    )
    bad = client.post(
        reverse("supervision:norm_edit", args=[code]),
        _edit_post(services.current(version.checklist), changes={"JXJ-14": {"points": 99}}),
    )
    pages = [
        reverse("supervision:norms"),
        reverse("supervision:norm", args=[code]),
        reverse("supervision:norm", args=[code]) + "?v=1",
        reverse("supervision:norm", args=["traffic-police"]),
        reverse("supervision:norm_edit", args=[code]),
        reverse("supervision:norm_import", args=[code]),
        reverse("supervision:norm_new"),
    ]
    report, raw = [], _raw_words()
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        report += [f"{url}: {p}" for p in problems(response.content.decode(), raw_words=raw)]
    report += [f"edit 400: {p}" for p in problems(bad.content.decode(), raw_words=raw)]
    assert report == []
