"""Kiosk, board and console pages, and the console's JSON actions."""

import json

from servicehall.queueing.models import BoardEvent, Queue, Ticket


def test_the_kiosk_gives_a_number_and_says_how_many_are_ahead(client, demo):
    queue = Queue.objects.get(unit=demo, letter="A")
    page = client.get("/kiosk/kf-gulou-hukou/").content.decode()
    assert "户籍业务" in page and "绿色通道" in page
    client.post("/kiosk/kf-gulou-hukou/", {"queue": queue.pk})
    response = client.post("/kiosk/kf-gulou-hukou/", {"queue": queue.pk}, follow=True)
    page = response.content.decode()
    assert "A002" in page and "您前面还有 1 人" in page


def test_the_kiosk_refuses_another_units_queue(client, demo):
    from servicehall.org.models import Unit

    other = Queue.objects.filter(unit=Unit.objects.get(code="kf-exit-entry")).first()
    response = client.post("/kiosk/kf-gulou-hukou/", {"queue": other.pk})
    assert response.status_code == 400 and "请选择本取号机上显示的队列" in response.content.decode()
    assert not Ticket.objects.filter(queue=other).exists()


def test_the_board_shows_windows_and_recent_calls(client, demo):
    BoardEvent.objects.create(
        unit=demo, kind="call", data={"ticket": "A009", "window": 2, "window_id": 1}
    )
    page = client.get("/board/kf-gulou-hukou/").content.decode()
    assert "A009" in page and "2号窗口" in page and "已关闭" in page


def test_the_console_signs_in_calls_and_answers_json(login, demo):
    queue = Queue.objects.get(unit=demo, letter="A")
    from servicehall.queueing import services

    services.take_ticket(queue=queue)
    client = login("officer")
    window = demo.windows.get(number=2)
    assert client.get("/console/").status_code == 200
    body = client.post(f"/console/{window.pk}/sign_in/").json()
    assert body["ok"] and body["state"]["status"] == "open"
    body = client.post(f"/console/{window.pk}/call_next/").json()
    assert body["state"]["current"]["label"] == "A001"
    assert BoardEvent.objects.filter(unit=demo, kind="call", data__ticket="A001").exists()
    body = client.post(f"/console/{window.pk}/call_next/").json()
    assert not body["ok"] and body["message"]
    client.post(f"/console/{window.pk}/start/")
    client.post(f"/console/{window.pk}/finish/")
    body = client.post(f"/console/{window.pk}/pause/", {"reason": "取档案", "minutes": "5"}).json()
    assert body["state"]["status"] == "paused"
    assert Ticket.objects.get(label="A001").state == "done"
    assert json.loads(json.dumps(body))  # plain JSON


def test_the_console_is_refused_to_an_auxiliary_calling_elsewhere_and_to_citizens(
    login, client, demo
):
    window = demo.windows.get(number=2)
    assert client.post(f"/console/{window.pk}/sign_in/").status_code == 302  # to the login
    other = demo.windows.get(number=1)
    body = login("auxiliary").post(f"/console/{other.pk}/call_next/")
    assert body.status_code in (403, 400)


def test_live_pages_find_the_event_server_on_the_next_port(client, demo, settings):
    """decision 0008: without SERVICEHALL_EVENTS_URL the event server is PORT + 1."""
    settings.SERVICEHALL = {**settings.SERVICEHALL, "EVENTS_URL": ""}
    page = client.get(f"/board/{demo.code}/", HTTP_HOST="testserver:8000")
    assert 'data-events="http://testserver:8001/events"' in page.content.decode()
    settings.SERVICEHALL = {**settings.SERVICEHALL, "EVENTS_URL": "/events"}
    assert 'data-events="/events"' in client.get(f"/board/{demo.code}/").content.decode()


def test_reception_hands_out_green_channel_numbers(login, demo):
    """R-CASE-4 at the door: staff may put a citizen in the green channel; the page shows the
    number to print and today's reception numbers; a matter of another queue is refused."""
    from servicehall.queueing.models import Queue, Ticket

    client = login("officer")
    queue = Queue.objects.get(unit=demo, letter="A")
    matter = queue.matters.first()
    answer = client.post(
        "/console/reception/", {"queue": queue.pk, "matter": matter.pk, "green_channel": "on"}
    )
    ticket = Ticket.objects.get(source="reception")
    assert answer.status_code == 302 and answer["Location"].endswith(f"?issued={ticket.pk}")
    assert ticket.green_channel and ticket.matter == matter
    page = client.get(answer["Location"]).content.decode()
    assert f'class="ticket-number">{ticket.label}<' in page
    green = Queue.objects.get(unit=demo, letter="G")
    # 户口迁移（需报上级审批） is served in queue A only
    stray = next(m for m in queue.matters.all() if not green.matters.filter(pk=m.pk).exists())
    refused = client.post("/console/reception/", {"queue": green.pk, "matter": stray.pk})
    assert refused.status_code == 200 and Ticket.objects.count() == 1
    assert "该事项不在此队列办理" in refused.content.decode()


def test_citizens_have_no_reception(client, demo):
    assert client.get("/console/reception/").status_code == 302  # to the login page
