"""The console command, the demo seed, the OpenAPI document and token authentication."""

import io
import subprocess
import sys

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command

from servicehall.org.models import ApiToken, Staff, Unit, Window


@pytest.mark.parametrize(
    "command",
    [
        "demo",
        "serve",
        "migrate",
        "seed-demo",
        "createuser",
        "import",
        "export",
        "createtoken",
        "check",
    ],
)
def test_the_servicehall_command_has(command):
    result = subprocess.run(
        [sys.executable, "-m", "servicehall", command, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_seeding_the_demo_twice_changes_nothing(demo):
    call_command("seed_demo", stdout=io.StringIO())  # the city's activity the first time
    counts = (
        Unit.objects.count(),
        Window.objects.count(),
        Staff.objects.count(),
        LogEntry.objects.count(),
    )
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert counts == (
        Unit.objects.count(),
        Window.objects.count(),
        Staff.objects.count(),
        LogEntry.objects.count(),
    )


def test_the_demo_city_has_the_units_of_the_documents_and_a_login_per_role(demo):
    names = set(Unit.objects.values_list("name", flat=True))
    assert {
        "开封市儿童医院",
        "市行政服务中心公安窗口",
        "交巡警支队车管所",
        "鼓楼派出所户籍窗口",
        "110指挥中心",
        "出入境窗口",
        "开封市地税直属局办税服务厅",
        "大庆路劳动保障事务所",
    } <= names
    roles = set(Staff.objects.filter(user__isnull=False).values_list("role", flat=True))
    assert roles == {
        "organizer_admin",
        "sector_reviewer",
        "unit_leader",
        "duty_lead",
        "officer",
        "auxiliary",
        "inspector",
        "surveyor",
    }
    assert Window.objects.filter(is_duty_lead=True).count() == Unit.objects.count()


def test_createuser_links_a_staff_record(db, demo):
    call_command(
        "createuser",
        "newleader",
        "--password",
        "a-long-password",
        "--role",
        "unit_leader",
        "--unit",
        "kf-tax-hall",
        "--name",
        "新主任",
        "--badge",
        "DS0099",
        stdout=io.StringIO(),
    )
    staff = Staff.objects.get(user__username="newleader")
    assert staff.unit.code == "kf-tax-hall" and staff.role == "unit_leader"


def test_the_openapi_document_is_valid(client, demo):
    from openapi_spec_validator import validate

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    assert "/api/v1/units/{unit_id}/custody" in spec["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_a_token_authenticates_and_a_wrong_or_revoked_one_does_not(client, demo):
    from django.contrib.auth import get_user_model

    token, key = ApiToken.issue(user=get_user_model().objects.get(username="leader"), name="t")
    assert (
        client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").json()["role"] == "unit_leader"
    )
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer sh_wrong").status_code == 401
    token.revoked_at = token.created_at
    token.save()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert key not in str(ApiToken.objects.values_list())  # only the hash is kept


def test_createtoken_prints_a_working_key(client, demo):
    out = io.StringIO()
    call_command("createtoken", "reviewer", "nightly export", stdout=out)
    key = out.getvalue().strip()
    assert client.get("/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_the_api_validates_input_and_says_what_to_fix(login, demo):
    import json

    client = login("leader")
    response = client.post(
        f"/api/v1/units/{demo.pk}/windows",
        json.dumps({"number": 2, "function": "重复"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "窗口" in json.dumps(response.json(), ensure_ascii=False)
    assert Window.objects.filter(unit=demo, number=2).count() == 1


def test_the_models_and_migrations_agree(db):
    out = io.StringIO()
    # --check exits with status 1 when a model change has no migration
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
