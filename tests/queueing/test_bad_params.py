"""Every queueing page and API endpoint answers bad query, form and URL values with a 4xx and
a message, never a 500, and changes nothing."""

import pytest

from servicehall.queueing.models import Queue, Ticket, WindowSession

BAD = ["abc", "-1", "99999999999999999999", "", "1; drop", "2026-13-40"]


@pytest.fixture
def officer(login, demo):
    return login("officer")


def _nothing_changed():
    assert not Ticket.objects.exists()
    assert not WindowSession.objects.filter(signed_out_at__isnull=True).exists()


@pytest.mark.parametrize("value", BAD)
def test_console_window_parameter(officer, value):
    response = officer.get("/console/", {"window": value})
    assert response.status_code == 400
    assert "请从列表中选择本单位的窗口" in response.content.decode()


@pytest.mark.parametrize("value", BAD)
def test_reception_issued_parameter(officer, value):
    response = officer.get("/console/reception/", {"issued": value})
    assert response.status_code == 200


@pytest.mark.parametrize("value", BAD)
def test_console_actions_with_bad_ticket_and_targets(officer, demo, value):
    window = demo.windows.get(number=2)
    for action, data in [
        ("start", {"ticket": value}),
        ("finish", {"ticket": value}),
        ("recall", {"ticket": value}),
        ("transfer", {"ticket": value, "to_window": value, "to_queue": value}),
        ("pause", {"reason": "x", "minutes": value}),
        ("call_number", {"label": value}),
    ]:
        response = officer.post(f"/console/{window.pk}/{action}/", data)
        assert 400 <= response.status_code < 500, (action, value, response.status_code)
        assert response.json()["message"], (action, value)
    _nothing_changed()


@pytest.mark.parametrize("value", BAD)
def test_kiosk_queue_and_check_in_code(client, demo, value):
    response = client.post("/kiosk/kf-gulou-hukou/", {"queue": value})
    assert response.status_code == 400
    response = client.post("/kiosk/kf-gulou-hukou/check-in/", {"code": value})
    assert response.status_code == 400
    _nothing_changed()


@pytest.mark.parametrize("value", BAD)
def test_url_parameters(officer, demo, value):
    paths = [
        f"/kiosk/kf-gulou-hukou/slips/{value}/",
        f"/book/kf-gulou-hukou/{value}/",
        f"/console/{value}/call_next/",
        f"/kiosk/{value}/",
        f"/board/{value}/",
    ]
    for path in paths:
        response = officer.post(path) if "/console/" in path else officer.get(path)
        assert 400 <= response.status_code < 500, (path, response.status_code)


@pytest.mark.parametrize("value", BAD)
def test_api_endpoints(officer, demo, value):
    queue = Queue.objects.get(unit=demo, letter="A")
    for method, path, body in [
        ("get", f"/api/v1/windows/{value}/console", None),
        ("post", f"/api/v1/windows/{value}/sign-in", None),
        ("post", f"/api/v1/windows/{value}/call-next", None),
        ("post", f"/api/v1/tickets/{value}/start", None),
        ("post", f"/api/v1/tickets/{value}/transfer", {"to_queue_id": 1}),
        ("post", f"/api/v1/queues/{value}/tickets", {}),
        ("post", f"/api/v1/queues/{queue.pk}/tickets", {"matter_id": value}),
    ]:
        if method == "get":
            response = officer.get(path)
        else:
            response = officer.post(path, body or {}, content_type="application/json")
        assert 400 <= response.status_code < 500, (path, body, response.status_code)
    _nothing_changed()


def test_the_kiosk_answers_odd_input_with_400_and_a_message(client, demo):
    response = client.post("/kiosk/kf-gulou-hukou/", {"queue": "abc"})
    assert response.status_code == 400 and "请选择本取号机上显示的队列" in response.content.decode()


def test_a_console_action_at_another_units_window_answers_json(officer, demo):
    from servicehall.org.models import Window

    other = Window.objects.exclude(unit=demo).order_by("pk").first()
    response = officer.post(f"/console/{other.pk}/call_next/")
    assert response.status_code == 404
    body = response.json()
    assert body["ok"] is False and "本单位" in body["message"]
    assert not other.sessions.exists()
