"""一机双屏 (R-Q-2): the citizen's screen at a window sees what is entered for them, masked,
on the window's private stream; the hall's public board never does."""

import pytest

from servicehall.cases import services as cases
from servicehall.core.errors import Forbidden
from servicehall.feedback import screen
from servicehall.queueing import services
from servicehall.queueing.models import BoardEvent
from servicehall.web import events
from tests.helpers import raises_rule

ID = "410203199001011234"


@pytest.fixture
def w2(demo):
    return demo.windows.get(number=2)


def form_for(matter, **extra):
    data = {"matter": str(matter.pk), "applicant_name": "李小明", "id_number": ID}
    data.update({"phone": "13812345678", "outcome": "accepted"}, **extra)
    first = matter.materials.first()
    data[f"m{first.pk}"] = "missing"
    data[f"n{first.pk}"] = "复印件不清晰"
    return data, first


def test_the_screen_shows_the_form_masked(actor, demo, w2):
    officer = actor("officer")
    services.sign_in(actor=officer, window=w2)
    matter = demo.matters.filter(materials__isnull=False).first()
    form, material = form_for(matter)
    event = cases.mirror_intake(actor=officer, window=w2, form=form)
    d = event.data
    assert d["applicant"] == "李**" and d["id_number"] == "4102**********1234"
    assert d["phone"] == "138****5678" and ID not in str(d)
    row = next(m for m in d["materials"] if m["name"] == material.name)
    assert row["state"] == "missing" and row["note"] == "复印件不清晰"
    assert d["matter"] == matter.name and d["window_id"] == w2.pk


def test_only_the_signed_in_staff_member_feeds_the_screen(actor, demo, w2):
    matter = demo.matters.filter(materials__isnull=False).first()
    with raises_rule("R-Q-3", Forbidden):
        cases.mirror_intake(actor=actor("officer"), window=w2, form=form_for(matter)[0])
    assert not BoardEvent.objects.filter(kind="screen").exists()


def test_the_intake_form_feeds_only_the_window_its_author_serves_at(login, actor, demo, w2):
    """The intake page posts what is typed to its own address (cases, above queueing): the
    window's staff member reaches the screen; anyone else gets the rule that refused."""
    from django.urls import reverse

    matter = demo.matters.filter(materials__isnull=False).first()
    form = form_for(matter)[0]
    client = login("officer")
    url = reverse("cases:intake_mirror", args=[w2.pk])
    refused = client.post(url, form)  # not signed in at window 2
    assert refused.status_code == 403 and refused.json()["rule"] == "R-Q-3"
    assert client.post(reverse("cases:intake_mirror", args=[999999]), form).status_code == 404
    assert not BoardEvent.objects.filter(kind="screen").exists()
    services.sign_in(actor=actor("officer"), window=w2)
    assert client.post(url, form).json() == {"ok": True}
    assert BoardEvent.objects.get(kind="screen").data["id_number"] == "4102**********1234"


def test_the_public_board_never_carries_the_screen(actor, demo, w2, monkeypatch):
    monkeypatch.setattr(events, "close_old_connections", lambda: None)  # inside a test atomic
    officer = actor("officer")
    services.sign_in(actor=officer, window=w2)
    matter = demo.matters.filter(materials__isnull=False).first()
    shown = cases.mirror_intake(actor=officer, window=w2, form=form_for(matter)[0])
    row = {"pk": shown.pk, "unit_id": demo.pk, "kind": "screen", "data": shown.data}
    assert events._audiences(row) == [("screen", w2.pk)]
    call = {"pk": 1, "unit_id": demo.pk, "kind": "call", "data": {"window_id": w2.pk}}
    assert events._audiences(call) == [demo.pk, ("screen", w2.pk)]
    assert shown.pk not in [r["pk"] for r in events._missed(demo.pk, 0)]
    assert shown.pk in [r["pk"] for r in events._missed(("screen", w2.pk), 0)]


def _stream_token(page: str) -> str:
    return page.split('data-stream="', 1)[1].split('"', 1)[0]


def test_the_screen_shows_only_on_a_paired_device(client, demo, w2):
    from servicehall.feedback import services as feedback
    from tests.conftest import pair_device

    unpaired = client.get("/screen/").content.decode()
    assert "配对此评价器" in unpaired and 'name="code"' in unpaired
    client.cookies[feedback.DEVICE_COOKIE] = pair_device(w2)
    page = client.get("/screen/").content.decode()
    assert "2号窗口" in page and "配对此评价器" not in page
    token = _stream_token(page)
    assert events._audience(["events", "screen", token]) == ("screen", w2.pk)
    assert events._audience(["events", "screen", str(w2.pk)]) is None
    assert events._audience(["events", "screen", token[:-2] + "xx"]) is None


def test_a_revoked_devices_stream_and_screen_close(client, demo, w2, actor):
    from servicehall.feedback import services as feedback
    from servicehall.feedback.models import RatingDevice
    from tests.conftest import pair_device

    client.cookies[feedback.DEVICE_COOKIE] = pair_device(w2)
    token = _stream_token(client.get("/screen/").content.decode())
    feedback.revoke_device(actor=actor("leader"), device=RatingDevice.objects.get(window=w2))
    assert events._audience(["events", "screen", token]) is None
    assert "配对此评价器" in client.get("/screen/").content.decode()
    # the screen still open hears it on its own stream, and no board does
    told = BoardEvent.objects.filter(kind="unpaired").get()
    row = {"kind": told.kind, "data": told.data, "unit_id": told.unit_id}
    assert told.data["window_id"] == w2.pk and events._audiences(row) == [("screen", w2.pk)]


def test_a_stream_token_ages_out(demo, w2, monkeypatch):
    import time

    from servicehall.feedback import services as feedback
    from tests.conftest import pair_device

    device = feedback.device_for(pair_device(w2))
    token = screen.screen_stream_token(device)
    later = time.time() + screen.SCREEN_STREAM_HOURS * 3600 + 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert screen.window_for_stream(token) is None


def test_the_device_is_paired_with_the_code_at_the_screen(client, demo, w2, actor):
    from servicehall.feedback import services as feedback

    _device, code = feedback.enroll_device(actor=actor("leader"), window=w2)
    wrong = client.post("/screen/", {"code": "AAAAA-AAAAA"})
    assert wrong.status_code == 400 and "配对码错误或已过期" in wrong.content.decode()
    paired = client.post("/screen/", {"code": code})
    assert paired.status_code == 302 and paired["Location"] == "/screen/"
    cookie = paired.cookies[feedback.DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert "2号窗口" in client.get("/screen/").content.decode()


def test_a_staff_login_cannot_pair_a_device(login, demo, w2, actor):
    from servicehall.feedback import services as feedback

    _device, code = feedback.enroll_device(actor=actor("leader"), window=w2)
    client = login("officer")
    refused = client.post("/screen/", {"code": code})
    assert refused.status_code == 403 and "已登录工作人员账号" in refused.content.decode()
    assert feedback.DEVICE_COOKIE not in refused.cookies


def test_pairing_codes_cannot_be_tried_at_will(client, demo, settings):
    from tests.web.test_rate_limits import limits

    limits(settings, pairing="3/h")
    for _ in range(3):
        assert client.post("/screen/", {"code": "AAAAA-AAAAA"}).status_code == 400
    refused = client.post("/screen/", {"code": "AAAAA-AAAAA"})
    assert refused.status_code == 429 and "配对码" in refused.content.decode()
