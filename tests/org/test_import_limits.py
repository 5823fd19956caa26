"""Registry imports that cannot take the server down (decision 0015): upload size, unpacked
size, compression ratio and rows refused before openpyxl parses anything; every row read
whatever the sheet's <dimension> says; a bounded list of problems; large files imported as
a job with a progress page that only the uploader and the office see, and that the periodic
worker finishes if nothing else did."""

import datetime as dt
import io
import re
import struct
import zipfile

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from servicehall.org import excel, jobs
from servicehall.org.choices import Role
from servicehall.org.models import ImportJob, Staff, Unit, Window
from tests.helpers import raises_rule

from .test_import_export import filled_template


@pytest.fixture(autouse=True)
def _var(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the progress files of this test's jobs


@pytest.fixture
def parsed(monkeypatch):
    """Every call of openpyxl's load_workbook by the import, recorded."""
    calls = []
    real = excel.load_workbook

    def spy(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(excel, "load_workbook", spy)
    return calls


def limits(settings, **values):
    settings.SERVICEHALL = {**settings.SERVICEHALL, **values}


def window_rows(n, start=100, number=None):
    return [
        ["kf-gulou-hukou", number or start + i, f"窗口{i}", "general", "否", "是"] for i in range(n)
    ]


def upload(data, name="registry.xlsx"):
    data = data.getvalue() if hasattr(data, "getvalue") else data
    return SimpleUploadedFile(name, data)


def with_member(xlsx, name, data, compress=zipfile.ZIP_DEFLATED):
    """The workbook with one more part (or a part replaced)."""
    src = zipfile.ZipFile(xlsx)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for m in src.infolist():
            if m.filename != name:
                dst.writestr(m, src.read(m))
        dst.writestr(name, data, compress_type=compress)
    return out.getvalue()


def bomb():
    """A workbook whose sharedStrings.xml is 60 MB of one repeated string: 60 kB on disk."""
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    strings += b"<si><t>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</t></si>" * 1_200_000
    return with_member(
        filled_template({"windows": window_rows(2)}), "xl/sharedStrings.xml", strings
    )


def counts():
    return (Unit.objects.count(), Window.objects.count(), Staff.objects.count())


def page_message(response):
    return response.content.decode()


def test_a_zip_bomb_is_refused_before_openpyxl_reads_it(login, demo, parsed):
    data = bomb()
    assert len(data) < 1024 * 1024
    before, entries = counts(), LogEntry.objects.count()
    response = login("admin").post("/org/import/", {"file": upload(data)})
    assert response.status_code == 400
    page = page_message(response)
    assert "文件解压后超过 50 MB" in page and "另存为一个新的工作簿" in page
    assert parsed == []  # nothing was parsed, so no memory was spent on it
    assert counts() == before and LogEntry.objects.count() == entries


def test_a_part_compressed_beyond_the_ratio_is_refused(settings, actor, demo, parsed):
    limits(settings, IMPORT_MAX_UNPACKED_MB=500)
    data = with_member(filled_template({}), "xl/media/image1.png", b"\0" * (20 * 1024 * 1024))
    with raises_rule(None, excel.ImportRefused, match="压缩了") as refused:
        excel.import_registry(actor=actor("admin"), source=io.BytesIO(data))
    assert "xl/media/image1.png" in str(refused.value) and "最多读取 100 倍" in str(refused.value)
    assert parsed == []


def test_sizes_the_archive_understates_are_found_while_reading(actor, demo, parsed):
    """Declared sizes of 1 kB over 60 MB of data: what unpacks is read against them, so the
    part ends at its declared size and fails its checksum, before anything is parsed."""
    data = bytearray(bomb())
    # rewrite the uncompressed size of every central directory entry to 1,000 bytes
    for m in re.finditer(rb"PK\x01\x02", bytes(data)):
        struct.pack_into("<I", data, m.start() + 24, 1000)
    before = counts()
    with raises_rule(None, excel.ImportRefused, match="不是 Excel") as refused:
        excel.import_registry(actor=actor("admin"), source=io.BytesIO(bytes(data)))
    assert "不是 Excel .xlsx 文件" in str(refused.value)
    assert parsed == [] and counts() == before


def test_too_many_rows_are_refused_before_parsing_naming_the_limit(settings, login, demo, parsed):
    limits(settings, IMPORT_MAX_ROWS=50)
    data = filled_template({"windows": window_rows(60)})
    response = login("admin").post("/org/import/", {"file": upload(data)})
    assert response.status_code == 400
    assert re.search(r"文件共有 6\d 行，每次最多可导入 50 行", page_message(response))
    assert "拆分" in page_message(response)
    assert parsed == []
    assert not Window.objects.filter(unit=demo, number__gte=100).exists()


def _rewritten(xlsx, name, change):
    src = zipfile.ZipFile(io.BytesIO(xlsx.getvalue() if hasattr(xlsx, "getvalue") else xlsx))
    return with_member(xlsx, name, change(src.read(name)))


def test_rows_are_counted_whatever_the_relationships_look_like(settings, actor, demo, parsed):
    """Single quotes in the workbook's relationships (valid XML, openpyxl reads them) used to
    hide every sheet from the count: the rows are counted in every part."""
    limits(settings, IMPORT_MAX_ROWS=50)
    data = _rewritten(
        filled_template({"windows": window_rows(60)}),
        "xl/_rels/workbook.xml.rels",
        lambda xml: xml.replace(b'"', b"'"),
    )
    with raises_rule(None, excel.ImportRefused, match="最多可导入 50 行") as refused:
        excel.import_registry(actor=actor("admin"), source=io.BytesIO(data))
    assert "每次最多可导入 50 行" in str(refused.value) and parsed == []


def test_a_part_not_in_utf8_is_refused_before_parsing(actor, demo, parsed):
    """A sheet written in UTF-16 hides its rows from a byte count: refused, as Excel never
    writes one."""
    data = filled_template({"windows": window_rows(3)})
    sheet = next(n for n in zipfile.ZipFile(data).namelist() if n.startswith("xl/worksheets/sheet"))

    def utf16(xml):
        text = xml.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
        return text.encode("utf-16")

    before = counts()
    with raises_rule(None, excel.ImportRefused, match="不是 UTF-8") as refused:
        excel.import_registry(
            actor=actor("admin"), source=io.BytesIO(_rewritten(data, sheet, utf16))
        )
    assert "不是 UTF-8" in str(refused.value) and sheet in str(refused.value)
    assert parsed == [] and counts() == before


def test_too_big_an_upload_is_refused_naming_the_limit(settings, login, demo, parsed):
    limits(settings, IMPORT_MAX_MB=1)
    data = b"PK" + b"\0" * (1536 * 1024)
    response = login("admin").post("/org/import/", {"file": upload(data)})
    assert response.status_code == 400
    assert "文件大小为 1.5 MB，每次最多可导入 1 MB" in page_message(response)
    assert parsed == []


def test_the_command_applies_the_same_limits(settings, tmp_path, demo):
    limits(settings, IMPORT_MAX_ROWS=50)
    path = tmp_path / "big.xlsx"
    path.write_bytes(filled_template({"windows": window_rows(60)}).getvalue())
    with pytest.raises(CommandError, match="最多可导入 50 行"):
        call_command("import_registry", str(path))
    path.write_bytes(bomb())
    with pytest.raises(CommandError, match="解压后超过 50 MB"):
        call_command("import_registry", str(path))
    assert not Window.objects.filter(unit=demo, number__gte=100).exists()


def stale_dimension(xlsx):
    """Every sheet's <dimension ref> rewritten to A1:B2, as some tools leave it."""
    src = zipfile.ZipFile(xlsx)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for m in src.infolist():
            data = src.read(m)
            if m.filename.startswith("xl/worksheets/"):
                data, n = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B2"', data)
                assert n == 1
            dst.writestr(m, data)
    return out.getvalue()


def test_a_stale_dimension_still_imports_every_row(actor, demo):
    data = stale_dimension(filled_template({"windows": window_rows(3)}))
    # every row element counts, whatever the dimension says (and the template's lists too)
    empty = excel.check_file(io.BytesIO(stale_dimension(filled_template({})))).rows
    assert excel.check_file(io.BytesIO(data)).rows == empty + 3
    report = excel.import_registry(actor=actor("admin"), source=io.BytesIO(data))
    assert report.ok, report.errors
    assert report.rows == 3 and "已导入 3 行" in report.summary()
    assert "Sectors" not in report.summary() and "; " not in report.summary()
    assert set(
        Window.objects.filter(unit=demo, number__gte=100).values_list("number", flat=True)
    ) == {
        100,
        101,
        102,
    }


def test_a_file_of_many_bad_rows_lists_the_first_problems_and_counts_the_rest(
    settings, login, demo
):
    limits(settings, IMPORT_ERRORS_SHOWN=20)
    data = filled_template({"windows": window_rows(300, number="x")})
    response = login("admin").post("/org/import/", {"file": upload(data)})
    assert response.status_code == 400
    page = page_message(response)
    table = page.split('class="import-errors"')[1].split("</table>")[0]
    assert table.count("<tr>") == 21  # the header and 20 problems
    assert "另有 280 个问题未列出" in page
    assert "发现 300 处问题，未导入任何数据。" in page
    assert not Window.objects.filter(unit=demo, function__startswith="窗口").exists()


# Jobs


def submit(client, settings, rows=10, **rest):
    limits(settings, IMPORT_JOB_ROWS=5)
    response = client.post(
        "/org/import/", {"file": upload(filled_template({"windows": window_rows(rows, **rest)}))}
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == f"/org/import/jobs/{job.pk}/"
    return job


def test_a_large_file_becomes_a_job_with_progress_and_the_worker_finishes_it(
    settings, login, demo, monkeypatch
):
    client = login("admin")
    job = submit(client, settings)  # the test's transaction never commits: no thread starts
    assert job.status == "pending" and job.rows_total == 10 and job.user.username == "admin"
    page = client.get(job.get_absolute_url()).content.decode()
    assert "等待开始" in page and 'http-equiv="refresh"' in page
    assert "已保存 0 / 共 10 行" in page

    seen = []
    monkeypatch.setattr(jobs, "_EVERY", 0)
    meter = jobs._Meter.__call__

    def watch(self, n):
        meter(self, n)
        if self.done == 6:  # the page, while the import is under way
            seen.append(client.get(job.get_absolute_url()).content.decode())

    monkeypatch.setattr(jobs._Meter, "__call__", watch)
    out = io.StringIO()
    call_command("check_deadlines", stdout=out)
    assert "imports run: 1" in out.getvalue()
    assert "正在导入" in seen[0] and "已保存 6 / 共 10 行" in seen[0] and "60%" in seen[0]

    job.refresh_from_db()
    assert job.status == "done" and job.rows_done == 10 and job.content in (b"", memoryview(b""))
    assert Window.objects.filter(unit=demo, number__gte=100).count() == 10
    page = client.get(job.get_absolute_url()).content.decode()
    assert "已导入" in page and "已导入 10 行" in page and 'http-equiv="refresh"' not in page
    assert LogEntry.objects.filter(actor__username="admin", content_type__model="window").exists()
    call_command("check_deadlines", stdout=out)  # a finished job is not run again
    assert Window.objects.filter(unit=demo, number__gte=100).count() == 10


def test_a_job_with_bad_rows_imports_nothing_and_lists_a_bounded_report(settings, login, demo):
    limits(settings, IMPORT_ERRORS_SHOWN=3)
    client = login("admin")
    job = submit(client, settings, rows=8, number="x")
    assert jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.error_count == 8 and len(job.errors) == 3
    page = client.get(job.get_absolute_url()).content.decode()
    assert "未导入任何数据" in page and "另有 5 个问题未列出" in page
    assert not Window.objects.filter(unit=demo, function__startswith="窗口").exists()


def test_an_interrupted_job_is_taken_over_by_the_worker_after_its_lease(settings, login, demo):
    job = submit(login("admin"), settings)
    recent = timezone.now() - dt.timedelta(minutes=1)
    ImportJob.objects.filter(pk=job.pk).update(status="running", started_at=recent, attempts=1)
    assert jobs.pick_up() == 0  # still someone's, within its lease
    old = timezone.now() - jobs.LEASE - dt.timedelta(minutes=1)
    ImportJob.objects.filter(pk=job.pk).update(started_at=old)
    assert jobs.pick_up() == 1
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2
    assert Window.objects.filter(unit=demo, number__gte=100).count() == 10


def test_a_run_whose_job_was_taken_over_rolls_back(settings, login, demo, monkeypatch):
    job = submit(login("admin"), settings)
    meter = jobs._Meter.__call__

    def taken_over(self, n):
        meter(self, n)
        if self.done == 3:  # another worker claims the job meanwhile
            ImportJob.objects.filter(pk=job.pk).update(attempts=9)

    monkeypatch.setattr(jobs._Meter, "__call__", taken_over)
    assert jobs.run(job.pk) is False
    assert not Window.objects.filter(unit=demo, number__gte=100).exists()


def other_leader():
    staff = Staff.objects.filter(role=Role.UNIT_LEADER, unit__isnull=False).exclude(
        unit__code="kf-gulou-hukou"
    )[0]
    if staff.user is None:
        staff.user = get_user_model().objects.create_user("other-leader")
        staff.save(update_fields=["user"])
    return staff.user


def test_only_the_uploader_and_the_office_see_a_job(settings, login, demo, client):
    job = submit(login("leader"), settings)
    assert login("leader").get(job.get_absolute_url()).status_code == 200
    assert login("admin").get(job.get_absolute_url()).status_code == 200
    client.force_login(other_leader())
    response = client.get(job.get_absolute_url())
    assert response.status_code == 404
    assert "/org/import/jobs/" not in client.get("/org/import/").content.decode()
    assert login("officer").get(job.get_absolute_url()).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_job_runs_in_the_background_once_the_upload_is_stored(settings, login, monkeypatch):
    threads = []
    start = jobs.start
    monkeypatch.setattr(jobs, "start", lambda pk: threads.append(start(pk)))
    client = login("admin")
    job = submit(client, settings)
    [thread] = threads
    thread.join(timeout=60)
    job.refresh_from_db()
    assert job.status == "done", job.summary
    assert Window.objects.filter(unit__code="kf-gulou-hukou", number__gte=100).count() == 10
    assert "已导入 10 行" in client.get(job.get_absolute_url()).content.decode()
