"""No page outside the queueing app (tests/queueing/test_bad_params.py) answers a bad query,
form or URL value with a 500: a 400 page in Chinese naming the parameter, a 404 for an
unknown object, or the page that ignored the value; and a bad form changes nothing."""

import re
from urllib.parse import parse_qsl

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client

from servicehall.catalog.models import Matter
from servicehall.complaints import services as complaints
from servicehall.complaints.models import Complaint
from servicehall.feedback.models import BadReviewFollowUp
from servicehall.hotline import services as hotline
from servicehall.hotline.models import HotlineCall
from servicehall.org.models import Staff, Unit, Window
from servicehall.org.permissions import CITIZEN, actor_for
from tests.cases.conftest import accept


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    """Dozens of bad values to one page: what answers is the parameter's 400, not a 429."""
    settings.SERVICEHALL = {
        **settings.SERVICEHALL,
        "RATE_LIMITS": dict.fromkeys(settings.SERVICEHALL["RATE_LIMITS"], ""),
    }


NUL = "a\x00b"
LONG = "长" * 3000 + "x" * 3000
# what goes wrong in a query string: not numbers, out of range, impossible dates, unknown
# choices, huge, NUL bytes, digits that are not ASCII
BAD = [
    "abc",
    "-1",
    "0",
    "99999",
    "99999999999999999999",
    "2026-13-45",
    "x",
    "zzz",
    LONG,
    NUL,
    "²",
    "",
]
# names any page might read, sent to every page
GENERIC = ["page", "unit", "window", "from", "to", "date", "status", "kind"]

CJK = re.compile(r"[\u4e00-\u9fff]")


def _client(username):
    client = Client(raise_request_exception=False)
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def objects(demo):
    """One of each object a page shows by id or code: a case, a complaint, a call."""
    officer = actor_for(get_user_model().objects.get(username="officer"))
    case = accept(officer, Matter.objects.get(code="hukou-migration-city"))
    complaint = complaints.file(
        actor=CITIZEN,
        kind="complaint",
        channel=complaints.Channel.WEB,
        unit=demo,
        category="attitude",
        description="窗口工作人员态度生硬，办理时间过长。",
        phone="13812345678",
    )
    operator = actor_for(get_user_model().objects.get(username="operator110"))
    call = hotline.ring(actor=operator, unit=Unit.objects.get(code="kf-110"), caller_number="")
    return {"case": case, "complaint": complaint, "call": call}


def _pages(demo, objects):
    """(login, path, the parameters the view reads) for every GET page of these apps."""
    unit = demo.pk
    matter = Matter.objects.filter(unit=demo).first()
    case = objects["case"]
    return [
        (None, "/", []),
        ("leader", "/help/permissions/", []),
        ("leader", "/org/", []),
        ("leader", f"/org/units/{unit}/", []),
        ("leader", f"/org/units/{unit}/edit/", []),
        ("admin", "/org/units/new/", []),
        ("leader", f"/org/units/{unit}/windows/new/", []),
        ("leader", f"/org/units/{unit}/staff/new/", []),
        ("leader", f"/org/units/{unit}/groups/new/", []),
        ("admin", "/org/organizations/new/", []),
        ("leader", "/org/import/", []),
        ("leader", "/org/export.xlsx", []),
        (None, f"/wall/{demo.code}/", []),
        ("leader", "/audit/", ["unit", "model", "action", "page"]),
        ("admin", "/audit/", ["unit", "model", "action", "page"]),
        ("officer", "/cases/", []),
        ("officer", "/cases/find/?number=x", ["number"]),
        ("officer", f"/cases/new/?matter={matter.pk}", ["matter"]),
        ("officer", "/cases/find/", ["number"]),
        (
            "leader",
            "/cases/ledger/",
            ["unit", "window", "date_from", "date_to", "matter", "outcome", "status", "page"],
        ),
        ("leader", "/cases/ledger/?export=xlsx", ["unit", "window", "date_from", "export"]),
        ("officer", "/cases/notifications/", []),
        ("officer", f"/cases/{case.pk}/", []),
        ("officer", f"/cases/{case.pk}/visit/", []),
        ("officer", f"/cases/{case.pk}/receipt/print/", []),
        (None, "/status/", ["number", "code"]),
        (None, f"/status/?number={case.number}&code={case.check_code}", ["number", "code"]),
        ("leader", "/reviews/", []),
        (None, f"/ratings/{demo.code}/", ["month"]),
        ("leader", "/reviews/patterns/", ["unit", "month"]),
        ("inspector", "/reviews/patterns/", ["unit", "month"]),
        ("admin", "/reviews/appeals/", []),
        ("leader", "/complaints/", ["show", "page"]),
        (None, "/complaints/new/", ["unit", "filed"]),
        (None, "/complaints/status/", ["code"]),
        ("officer", "/complaints/register/", []),
        ("officer", "/complaints/openings/", []),
        ("leader", f"/complaints/{objects['complaint'].code}/", []),
        ("operator110", "/hotline/", ["seat"]),
        ("operator110", f"/hotline/{objects['call'].pk}/", ["seat"]),
        (None, "/guide/", ["q"]),
        (None, f"/guide/{matter.code}/", []),
        (None, f"/guide/{matter.code}/card/", ["size"]),
        (None, "/calendar/", ["start", "n", "unit", "window_unit", "pause_from", "pause_to"]),
        (None, "/calendar/2026/", ["start", "n"]),
    ]


def _alert(html):
    return " ".join(re.findall(r'role="alert"[^>]*>(.*?)</', html, re.S))


def _check(response, where, name=None):
    status = response.status_code
    assert status in (200, 302, 400, 403, 404), (where, status)
    if status == 400:
        message = _alert(response.content.decode())
        assert CJK.search(message), (where, message)
        if name:
            assert name in message, (where, message)


@pytest.mark.parametrize("index", range(45))
def test_every_page_with_bad_query_values(demo, objects, index):
    pages = _pages(demo, objects)
    assert len(pages) == 45
    username, path, names = pages[index]
    path, _sep, query = path.partition("?")
    base = dict(parse_qsl(query))
    client = _client(username)
    response = client.get(path, base)
    assert response.status_code in (200, 302), (path, response.status_code)
    for name in dict.fromkeys(names + GENERIC):
        for value in BAD:
            response = client.get(path, {**base, name: value})
            _check(response, (username, path, name, value[:20]), name)
    # everything at once, and a NUL byte in a parameter's name
    _check(client.get(path, {name: NUL for name in names + GENERIC}), (path, "all NUL"))
    _check(client.get(path, {**base, NUL: "1"}), (path, "NUL name"))


def test_a_400_page_is_chinese_and_names_the_parameter(demo):
    response = _client("leader").get("/audit/", {"page": "abc"})
    assert response.status_code == 400
    message = _alert(response.content.decode())
    assert "page" in message and CJK.search(message)
    assert "没有做任何更改" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/calendar/99999/", "/calendar/0/", "/calendar/1/", "/calendar/99999999999999999999/"]
)
def test_calendar_years_out_of_range(demo, path):
    _check(_client(None).get(path), path)


@pytest.mark.parametrize("value", ["0", "99999", "99999999999999999999"])
def test_unknown_objects_in_urls_are_404(demo, value):
    pages = {
        "leader": [
            f"/org/units/{value}/",
            f"/org/units/{value}/edit/",
            f"/org/units/{value}/windows/new/",
            f"/org/units/{demo.pk}/windows/{value}/",
            f"/org/units/{demo.pk}/staff/{value}/",
            f"/org/units/{demo.pk}/groups/{value}/",
            f"/org/organizations/{value}/",
            f"/org/organizations/{value}/groups/{value}/",
            "/wall/no-such-unit/",
            f"/ratings/no-such-unit-{value}/",
            f"/complaints/TS{value}/",
        ],
        "officer": [
            f"/cases/{value}/",
            f"/cases/{value}/visit/",
            f"/cases/{value}/receipt/print/",
            f"/cases/{value}/refusal/print/",
            f"/cases/{value}/notices/{value}/print/",
            f"/cases/referrals/{value}/slip/print/",
        ],
        "operator110": [f"/hotline/{value}/"],
        None: [f"/guide/no-such-{value}/", f"/guide/no-such-{value}/card/", f"/rate/{value}/"],
    }
    for username, paths in pages.items():
        client = _client(username)
        for path in paths:
            response = client.get(path)
            assert response.status_code in (403, 404), (username, path, response.status_code)


def test_nul_and_long_values_in_url_paths(demo):
    client = _client("leader")
    for path in [
        "/complaints/a%00b/",
        "/guide/a%00b/",
        "/rate/a%00b/",
        "/wall/" + "x" * 3000 + "/",
        "/complaints/" + "长" * 2000 + "/",
        "/status/?number=" + "长" * 3000,
        "/status/?number=C1&code=" + "长" * 3000,
    ]:
        response = client.get(path)
        assert response.status_code in (200, 400, 403, 404), (path, response.status_code)


# ---- forms ----------------------------------------------------------------------------------

APPS = ["org", "catalog", "cases", "complaints", "feedback", "hotline", "queueing", "worktime"]


def _snapshot():
    counts = {}
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            counts[model._meta.label] = model.objects.count()
    counts["stages"] = list(BadReviewFollowUp.objects.values_list("pk", "stage", "appeal_upheld"))
    counts["calls"] = list(HotlineCall.objects.values_list("pk", "recorded_at", "seat_id"))
    counts["complaints"] = list(Complaint.objects.values_list("pk", "status", "substantiated"))
    counts["units"] = list(Unit.objects.values_list("pk", "name", "code"))
    counts["windows"] = list(Window.objects.values_list("pk", "number", "kind", "active"))
    counts["staff"] = list(Staff.objects.values_list("pk", "name", "badge_no", "window_id"))
    return counts


def _forms(demo, objects):
    other = Unit.objects.exclude(pk=demo.pk).filter(windows__isnull=False).first()
    other_window = other.windows.first()
    other_staff = Staff.objects.exclude(unit=demo).first()
    window = demo.windows.first()
    staff = demo.staff.first()
    case = objects["case"]
    step = case.steps.first()
    call = objects["call"]
    code = objects["complaint"].code
    garbage = {"name": NUL, "number": "abc", "window": "abc", "unit": "abc", "kind": "zzz"}
    return [
        ("leader", f"/org/units/{demo.pk}/edit/", {}),
        ("leader", f"/org/units/{demo.pk}/edit/", garbage),
        ("leader", f"/org/units/{demo.pk}/windows/new/", garbage),
        ("leader", f"/org/units/{demo.pk}/windows/{window.pk}/", {"number": "abc", "name": ""}),
        ("leader", f"/org/units/{demo.pk}/windows/{other_window.pk}/", {"number": "1"}),
        ("leader", f"/org/units/{demo.pk}/staff/new/", {"window": other_window.pk}),
        ("leader", f"/org/units/{demo.pk}/staff/{staff.pk}/", {"window": "abc", "name": ""}),
        ("leader", f"/org/units/{demo.pk}/custody/", {"item": "zzz", "holder": "abc"}),
        ("leader", f"/org/units/{demo.pk}/custody/", {"item": "seal", "holder": other_staff.pk}),
        ("leader", f"/org/delete/zzz/{window.pk}/", {}),
        ("leader", f"/org/delete/window/{other_window.pk}/", {}),
        ("leader", "/org/import/", {"file": "abc"}),
        ("officer", "/cases/new/", {"matter": "abc"}),
        ("officer", "/cases/new/", {"matter": "99999999999999999999"}),
        ("officer", f"/cases/{case.pk}/refer/", {"to_unit": "abc", "to_staff": other_staff.pk}),
        ("officer", f"/cases/{case.pk}/steps/{step.pk}/zzz/", {}),
        ("officer", f"/cases/{case.pk}/steps/99999999/complete/", {}),
        ("officer", f"/cases/{case.pk}/visits/", {"outcome": "zzz", "token": NUL}),
        ("officer", "/cases/referrals/99999/acknowledge/", {}),
        ("officer", "/complaints/register/", {"unit": "abc", "channel": "zzz"}),
        ("officer", "/complaints/register/", {"unit": other.pk, "kind": "complaint"}),
        ("officer", "/complaints/openings/", {"opened_at": "2026-13-45T25:99", "item-0-x": "1"}),
        ("leader", f"/complaints/{code}/", {"step": "investigate", "points": "abc"}),
        ("leader", f"/complaints/{code}/", {"step": "answer", "answer": ""}),
        ("leader", f"/complaints/{code}/", {"step": "zzz"}),
        (None, "/complaints/new/", {"unit": "abc", "window_number": "abc", "once": NUL}),
        ("admin", "/reviews/appeals/", {"follow_up": "abc", "decision": "uphold"}),
        ("admin", "/reviews/appeals/", {"follow_up": "99999999999999999999"}),
        ("admin", "/reviews/appeals/", {}),
        ("leader", "/reviews/99999/", {"step": "verify"}),
        ("operator110", "/hotline/ring/", {"seat": "abc", "caller_number": "abc"}),
        ("operator110", "/hotline/ring/", {"seat": other_window.pk}),
        ("operator110", f"/hotline/{call.pk}/", {"kind": "zzz", "outcome": "zzz"}),
        ("operator110", "/hotline/99999/answer/", {}),
        ("operator110", "/hotline/99999/hang-up/", {}),
    ]


def test_staff_forms_with_garbage_change_nothing(demo, objects):
    before = _snapshot()
    for username, path, data in _forms(demo, objects):
        response = _client(username).post(path, data)
        status = response.status_code
        assert status in (200, 302, 400, 403, 404, 405), (username, path, data, status)
        assert _snapshot() == before, (username, path, data)


# ---- the JSON API ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999", "2026-13-45", NUL, "²"])
def test_api_bad_query_and_path_values_are_4xx_json(demo, value):
    client = _client("leader")
    unit = demo.pk
    for path, params in [
        (f"/api/v1/units/{value}", {}),
        (f"/api/v1/units/{value}/windows", {}),
        (f"/api/v1/units/{value}/staff", {}),
        (f"/api/v1/units/{unit}/ledger", {"window": value}),
        (f"/api/v1/units/{unit}/ledger", {"date_from": value}),
        (f"/api/v1/units/{unit}/ledger", {"matter": value}),
        (f"/api/v1/units/{unit}/ledger", {"status": value, "outcome": value}),
        (f"/api/v1/units/{unit}/ledger", {"limit": value}),
        (f"/api/v1/units/{unit}/ledger", {"offset": value}),
        (f"/api/v1/units/{unit}/ledger/statistics", {"date_to": value}),
        (f"/api/v1/cases/{value}", {}),
        (f"/api/v1/status/{value}", {}),
        (f"/api/v1/status/{value}", {"code": value}),
        ("/api/v1/status/C2026-0004-000001", {"code": value}),
        (f"/api/v1/calendar/{value}", {}),
        ("/api/v1/matters", {"q": value, "unit": value}),
        (f"/api/v1/matters/{value}", {}),
        ("/api/v1/audit", {"unit_id": value}),
        ("/api/v1/audit", {"model": value}),
        ("/api/v1/audit", {"limit": value}),
        (f"/api/v1/hotline/calls/{value}", {}),
        ("/api/v1/hotline/figures", {"first": value}),
    ]:
        response = client.get(path, params)
        assert 200 <= response.status_code < 500, (path, params, response.status_code)
        assert response["Content-Type"].startswith("application/json"), (path, params)
        if response.status_code >= 400:
            assert response.json(), (path, params)


def test_api_bad_bodies_are_4xx_json(demo):
    client = _client("leader")
    before = _snapshot()
    for path, body in [
        ("/api/v1/authorize", {"action": NUL}),
        ("/api/v1/deadline", {"start": "2026-13-45", "n": "abc"}),
        ("/api/v1/deadline", {"start": "2026-01-05T09:00", "n": 10**30, "unit": "zzz"}),
        (f"/api/v1/units/{demo.pk}/windows", {"number": "abc"}),
        (f"/api/v1/units/{demo.pk}/windows", {"number": 1, "name": NUL}),
        ("/api/v1/cases", {"matter": NUL}),
        ("/api/v1/ratings", {"ticket_id": 10**30}),
    ]:
        response = client.post(path, body, content_type="application/json")
        assert 400 <= response.status_code < 500, (path, body, response.status_code)
        assert response["Content-Type"].startswith("application/json"), (path, body)
    response = client.post("/api/v1/authorize", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert _snapshot() == before


def test_odd_input_is_answered_not_crashed(login, demo):
    client = login("officer")
    assert client.get("/cases/new/?matter=abc").status_code == 400  # names "matter"
    assert client.get("/api/v1/units/4/ledger?matter=nope").status_code in (400, 403)


@pytest.mark.parametrize("path", ["/audit/?action=abc", "/org/delete/bogus/1/"])
def test_odd_urls_are_answered_not_crashed(login, demo, path):
    client = login("admin")
    response = client.post(path) if "delete" in path else client.get(path)
    assert response.status_code in (200, 400, 404)
