"""R-SUP-2: the inspector's phone form — one page with all it needs offline, read in a fixed
number of queries; its service worker; and the sync endpoint's JSON answers."""

import json

import pytest
from django.urls import reverse

from servicehall.org.models import Unit, Window
from servicehall.supervision import services
from servicehall.supervision.models import Checklist, Finding, Inspection, Photo
from tests.helpers import page_queries

from .conftest import ITEMS, jpeg

VISIT = "/supervision/visit/"
SYNC = "/supervision/visit/sync/"


def _form(page: str) -> dict:
    start = page.index('<script id="visit-form" type="application/json">')
    body = page[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(body)


def _post(client, d, **files):
    return client.post(SYNC, {"draft": json.dumps(d), **files})


def test_the_form_carries_units_norms_and_second_inspectors(login, version, demo):
    _n, page = page_queries(login("inspector"), VISIT)
    form = _form(page)
    gulou = next(u for u in form["units"] if u["id"] == demo.pk)
    assert gulou["windows"] and gulou["staff"]
    assert gulou["version"] == version.pk  # checklist_for preselects the only checklist
    v = next(v for v in form["versions"] if v["id"] == version.pk)
    assert [i["code"] for i in v["items"]] == ["JXJ-5", "JXJ-14", "JXJ-16"]
    first = v["items"][0]
    assert set(first) >= {"code", "title", "text", "source", "category", "points", "critical"}
    assert first["evidence"] == "photo" and first["category"] == "着装"
    names = {s["id"] for s in form["second_inspectors"]}
    assert form["me"] not in names and names
    assert form["sync_url"] == SYNC
    assert 'src="/static/supervision/visit.js"' in page and "<script>" not in page


def test_the_form_costs_the_same_queries_for_3_norms_or_30_and_more_units(
    login, actor, version, demo
):
    client = login("inspector")
    few, _ = page_queries(client, VISIT)
    items = [
        {**ITEMS[n % 3], "code": f"T-{n}", "title": f"规范{n}"} for n in range(30)
    ]  # the checklist grows to 30 norms …
    services.new_version(actor=actor("admin"), checklist=version.checklist, items=items)
    other = Checklist.objects.create(code="other", name="另一规范", window_kind="hotline")
    services.new_version(actor=actor("admin"), checklist=other, items=ITEMS)
    unit = Unit.objects.create(  # … and the city a unit more, with windows
        code="kf-extra", name="测试新增单位", kind=demo.kind, sector=demo.sector
    )
    for n in (1, 2):
        Window.objects.create(unit=unit, number=n, function=f"测试{n}", kind="general")
    many, page = page_queries(client, VISIT)
    assert many == few, f"{few} queries with 3 norms, {many} with 30"
    form = _form(page)
    assert len(next(v for v in form["versions"] if v["items"][0]["code"] == "T-0")["items"]) == 30


def test_the_service_worker_is_served_with_a_scope_over_the_form(login):
    response = login("inspector").get("/supervision/visit/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == VISIT
    assert b'addEventListener("fetch"' in response.content


def test_a_sync_answers_201_then_200_and_stores_nothing_new(login, draft, private_media):
    d = draft(verdicts={"JXJ-5": "deduct", "JXJ-14": "pass", "JXJ-16": "pass"})
    d["photos"] = [{"item": draft.items["JXJ-5"].pk, "name": "photo-1"}]
    client = login("inspector")
    first = _post(client, d, **{"photo-1": jpeg()})
    assert first.status_code == 201, first.content.decode()
    body = first.json()
    assert body["created"] is True and body["number"].startswith("JC-")
    assert body["url"] == reverse("supervision:inspection", args=[body["number"]])
    counts = (Inspection.objects.count(), Finding.objects.count(), Photo.objects.count())
    assert counts == (1, 3, 1)
    again = _post(client, d, **{"photo-1": jpeg()})
    assert again.status_code == 200
    assert again.json() == {**body, "created": False}
    assert (Inspection.objects.count(), Finding.objects.count(), Photo.objects.count()) == counts


def test_a_draft_with_a_problem_answers_400_in_chinese_and_stores_nothing(login, draft):
    d = draft(verdicts={"JXJ-5": "deduct", "JXJ-14": "pass", "JXJ-16": "pass"})  # no photo
    response = _post(login("inspector"), d)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "item.JXJ-5" in errors and "照片" in errors["item.JXJ-5"][0]
    assert response.json()["rule"] == "R-SUP-2"
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("bad", ["", "not json", "[1, 2]"])
def test_an_unreadable_draft_answers_400(login, bad):
    response = login("inspector").post(SYNC, {"draft": bad})
    assert response.status_code == 400
    assert "draft" in response.json()["errors"]


def test_another_inspectors_draft_answers_403(login, draft, actor):
    d = draft()
    services.sync(actor=actor("admin"), draft=d)  # the office synced it first
    response = _post(login("inspector"), d)
    assert response.status_code == 403
    assert response.json()["rule"] == "R-SUP-2"
    assert Inspection.objects.count() == 1


@pytest.mark.parametrize("username", ["leader", "officer", "reviewer"])
def test_who_records_no_visits_gets_403_on_both(login, draft, username):
    client = login(username)
    assert client.get(VISIT).status_code == 403
    assert client.get("/supervision/visit/sw.js").status_code == 403
    assert _post(client, draft()).status_code == 403
    assert not Inspection.objects.exists()


def test_a_stranger_is_sent_to_log_in(client, demo, draft):
    assert client.get(VISIT).status_code == 302
    assert _post(client, draft()).status_code == 302
    assert not Inspection.objects.exists()


def test_the_sync_needs_the_csrf_token(demo, draft):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username="inspector"))
    assert _post(client, draft()).status_code == 403
    client.get(VISIT)
    token = client.cookies["csrftoken"].value
    response = client.post(SYNC, {"draft": json.dumps(draft())}, headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_a_phone_in_a_loop_is_stopped_at_the_limit(login, draft, settings):
    settings.SERVICEHALL = {
        **settings.SERVICEHALL,
        "RATE_LIMITS": {**settings.SERVICEHALL["RATE_LIMITS"], "visit_sync": "2/m"},
    }
    client = login("inspector")
    d = draft()
    assert [_post(client, d).status_code for _ in range(2)] == [201, 200]
    over = _post(client, d)
    assert over.status_code == 429 and int(over["Retry-After"]) >= 1
    assert "同步" in over.json()["detail"]
