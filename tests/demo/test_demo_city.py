"""The demo city: its registry is data loaded through the Excel import, a second run changes
nothing, and the registry app (org) holds no demo code."""

import importlib.util
import io
import shutil
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.test import override_settings

from servicehall.demo import registry
from servicehall.demo.city import DEMO_PASSWORD, LOGINS
from servicehall.org import excel
from servicehall.org.models import Sector, Staff, Unit, Window

EXPECTED_LOGINS = {
    "admin": ("开封市文明办", "WMB001"),
    "reviewer": ("开封市公安局", "040001"),
    "leader": ("kf-gulou-hukou", "041201"),
    "dutylead": ("kf-gulou-hukou", "041202"),
    "officer": ("kf-gulou-hukou", "041235"),
    "auxiliary": ("kf-gulou-hukou", "FJ1201"),
    "inspector": ("开封市文明办", "WMB011"),
    "inspector2": ("开封市文明办", "WMB012"),
    "surveyor": ("开封市文明办", "TJ0021"),
    "operator110": ("kf-110", "043011"),
}


def _counts():
    return (
        Unit.objects.count(),
        Window.objects.count(),
        Staff.objects.count(),
        LogEntry.objects.count(),
    )


@pytest.mark.django_db(transaction=True)
def test_a_fresh_city_is_seeded_through_the_import_and_a_second_run_changes_nothing(
    monkeypatch, media_root
):
    call_command("flush", interactive=False, verbosity=0)  # an empty database, sectors too
    reports = []
    real = excel.import_registry

    def spy(**kwargs):
        reports.append(real(**kwargs))
        return reports[-1]

    monkeypatch.setattr(excel, "import_registry", spy)
    out = io.StringIO()
    with override_settings(MEDIA_ROOT=media_root):
        call_command("seed_demo", stdout=out)
    [report] = reports
    assert report.ok
    assert report.created == {
        "sectors": 35,
        "organizations": 5,
        "units": 8,
        "windows": 36,
        "staff": 52,
    }
    assert report.updated == {}
    text = out.getvalue()
    assert (
        "Demo city seeded: Sector 35, Organization 5, Unit 8, Window 36, Staff 52, User 10" in text
    )
    assert Sector.objects.count() == 35
    # each record the import saved is in the audit trail, as an office import's are
    staff = LogEntry.objects.filter(content_type__model="staff", action=LogEntry.Action.CREATE)
    assert staff.count() == 52
    # the import links the logins; the demo gives them their password
    officer = Staff.objects.get(unit__code="kf-gulou-hukou", badge_no="041235")
    assert officer.user.username == "officer"
    assert officer.user.check_password(DEMO_PASSWORD)
    assert officer.photo

    counts = _counts()
    out = io.StringIO()
    with override_settings(MEDIA_ROOT=media_root):
        call_command("seed_demo", stdout=out)
    assert "Demo city already present; nothing changed." in out.getvalue()
    assert len(reports) == 1  # nothing was missing: nothing to import
    assert _counts() == counts


def test_the_logins_printed_are_the_staff_sheets_accounts(demo):
    assert list(LOGINS.items()) == list(EXPECTED_LOGINS.items())
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    lines = out.getvalue().splitlines()
    start = lines.index(f"Demo logins (password {DEMO_PASSWORD}):")
    assert lines[start + 1 :] == [
        f"  {name:<12} {place} {badge}" for name, (place, badge) in EXPECTED_LOGINS.items()
    ]


def _data_copy(tmp_path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(registry.DATA, folder)
    return folder


def _append(folder, sheet, line):
    with (folder / f"{sheet}.csv").open("a", encoding="utf-8") as f:
        f.write(line + "\n")


def test_only_the_missing_rows_are_imported(demo, tmp_path):
    folder = _data_copy(tmp_path)
    _append(
        folder,
        "units",
        "kf-songmen,宋门派出所户籍窗口,派出所户籍窗口,public_security,开封市公安局,,,,,8000",
    )
    _append(folder, "windows", "kf-songmen,1,户籍业务,户籍业务,是,是")
    _append(
        folder,
        "staff",
        "kf-songmen,,041301,宋立,值班领导,副所长,1,是,2021-03-01,13903781301,是,是,",
    )
    report = registry.import_missing(folder)
    assert report.created == {"units": 1, "windows": 1, "staff": 1}
    assert report.updated == {}  # the city's other rows were left out, not saved again
    unit = Unit.objects.get(code="kf-songmen")
    assert unit.staff.get().window.number == 1
    assert LogEntry.objects.get_for_object(unit).filter(action=LogEntry.Action.CREATE).exists()
    assert registry.import_missing(folder) is None


def test_bad_demo_data_is_refused_by_the_import_and_changes_nothing(demo, tmp_path):
    folder = _data_copy(tmp_path)
    _append(
        folder,
        "units",
        "kf-songmen,宋门派出所户籍窗口,派出所户籍窗口,public_security,开封市公安局,,,,,8000",
    )
    _append(folder, "staff", "kf-songmen,,041301,宋立,值班领导,副所长,7,是,2021-03-01,12345,是,是,")
    counts = _counts()
    with pytest.raises(registry.DemoDataRefused) as refused:
        registry.import_missing(folder)
    messages = [str(e) for e in refused.value.report.errors]
    # the import's own row-level checks: the window the unit lacks, the phone
    assert any("“人员”" in m and "“窗口号”" in m and "没有7号窗口" in m for m in messages), messages
    assert any("“人员”" in m and "“电话”" in m for m in messages), messages
    assert _counts() == counts
    assert not Unit.objects.filter(code="kf-songmen").exists()


def test_the_seed_command_reports_refused_data_without_a_traceback(demo, monkeypatch, tmp_path):
    from django.core.management.base import CommandError

    folder = _data_copy(tmp_path)
    _append(folder, "windows", "kf-nowhere,1,户籍业务,户籍业务,是,是")
    monkeypatch.setattr(registry, "DATA", folder)
    err = io.StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("seed_demo", stdout=io.StringIO(), stderr=err)
    assert "kf-nowhere" in err.getvalue()
    assert not Window.objects.filter(unit__code="kf-nowhere").exists()


def test_the_registry_app_holds_no_demo_code():
    assert importlib.util.find_spec("servicehall.org.demo") is None
    org = Path(importlib.util.find_spec("servicehall.org").origin).parent
    assert not (org / "management" / "commands" / "seed_demo.py").exists()
    for path in org.rglob("*.py"):
        assert "demo" not in path.read_text(encoding="utf-8").lower(), path


def test_a_data_row_with_a_cell_too_few_is_named_with_its_line(demo, tmp_path):
    folder = _data_copy(tmp_path)
    _append(folder, "windows", "kf-110,5,接警四席,接警席")
    with pytest.raises(ValueError, match=r"windows\.csv, line 38"):
        registry.import_missing(folder)
    assert not Window.objects.filter(unit__code="kf-110", number=5).exists()
