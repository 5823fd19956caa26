"""The case API end to end with a token, and what it refuses."""

import json

from django.contrib.auth import get_user_model
from django.test import Client

from servicehall.cases.models import Case
from servicehall.org.models import ApiToken

from .conftest import VALID_ID


def token_client(username):
    _token, key = ApiToken.issue(user=get_user_model().objects.get(username=username), name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="zh-hans")


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def checks(matter, missing=()):
    return [
        {
            "material_id": m.pk,
            "state": "missing"
            if m.name in missing
            else ("presented" if m.required else "not_applicable"),
        }
        for m in matter.materials.all()
    ]


def intake_body(matter, outcome, missing=()):
    return {
        "matter": matter.code,
        "window_number": 2,
        "applicant_name": "周强",
        "id_number": VALID_ID,
        "phone": "13700001111",
        "checks": checks(matter, missing),
        "outcome": outcome,
    }


def test_intake_notice_visit_steps_completion_over_the_api(migration):
    client = token_client("officer")
    response = post(client, "/api/v1/cases", intake_body(migration, "notice", ["居民户口簿"]))
    assert response.status_code == 201, response.content
    case = response.json()
    assert (
        case["status"] == "awaiting" and case["notices"][0]["items"][0]["material"] == "居民户口簿"
    )
    assert case["id_number"].startswith("4102") and "*" in case["id_number"]  # masked
    response = post(
        client,
        f"/api/v1/cases/{case['id']}/visits",
        {"checks": checks(migration), "outcome": "accepted"},
    )
    assert response.json()["status"] == "in_progress" and response.json()["visits"] == 2
    lead = token_client("dutylead")
    for order in (1, 2, 3, 4):
        response = post(lead, f"/api/v1/cases/{case['id']}/steps/{order}/complete", {})
        assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed" and response.json()["on_time"] is True
    code = Case.objects.get(pk=case["id"]).check_code
    public = Client().get(f"/api/v1/status/{case['number']}", {"code": code}).json()
    assert public["status"] == "completed" and "周强" not in json.dumps(public, ensure_ascii=False)


def test_the_api_refuses_an_auxiliary_and_says_why(migration):
    response = post(token_client("auxiliary"), "/api/v1/cases", intake_body(migration, "accepted"))
    assert response.status_code == 403
    assert response.json()["rule"] == "R-ORG-4" and "辅警" in response.json()["detail"]


def test_the_api_explains_bad_input_field_by_field(migration):
    body = intake_body(migration, "rejected")
    body["id_number"] = "410203199001011230"
    response = post(token_client("officer"), "/api/v1/cases", body)
    assert response.status_code == 400
    assert "id_number" in response.json()["errors"]


def test_the_ledger_api_pages_and_counts(migration):
    client = token_client("officer")
    for _ in range(3):
        post(client, "/api/v1/cases", intake_body(migration, "accepted"))
    leader = token_client("leader")
    body = leader.get(f"/api/v1/units/{migration.unit_id}/ledger", {"limit": 2}).json()
    assert body["count"] == 3 and len(body["items"]) == 2
    stats = leader.get(f"/api/v1/units/{migration.unit_id}/ledger/statistics").json()
    assert stats["received"] == 3 and stats["accepted"] == 3


def test_another_unit_cannot_read_the_case(migration):
    response = post(token_client("officer"), "/api/v1/cases", intake_body(migration, "accepted"))
    case_id = response.json()["id"]
    _t, key = ApiToken.issue(user=get_user_model().objects.get(username="inspector"), name="t")
    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(f"/api/v1/cases/{case_id}").status_code
        == 200
    )
    from servicehall.org.models import Staff

    other = Staff.objects.get(badge_no="ET0211")
    other.user = get_user_model().objects.create_user("nurse", password="x" * 12)
    other.save()
    _t, key = ApiToken.issue(user=other.user, name="t")
    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(f"/api/v1/cases/{case_id}").status_code
        == 403
    )
