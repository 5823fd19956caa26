"""Ratings through the API from the window's device and from the link on the slip."""

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone

from servicehall.feedback import services
from servicehall.feedback.models import Rating
from servicehall.queueing import services as queue
from servicehall.queueing.models import Queue


@pytest.fixture
def visit(demo, actor):
    officer = actor("officer")
    window = demo.windows.get(number=2)
    queue.sign_in(actor=officer, window=window)
    queue.take_ticket(queue=Queue.objects.get(unit=demo, letter="A"))
    ticket = queue.call_next(actor=officer, window=window)
    queue.start(actor=officer, ticket=ticket)
    return queue.finish(actor=officer, ticket=ticket)


def post(client, **data):
    data.setdefault("idempotency_key", uuid.uuid4().hex)
    data.setdefault("overall", 5)
    return client.post("/api/v1/ratings", json.dumps(data), content_type="application/json")


def test_the_device_rates_the_visit_just_finished_once(client, visit):
    key = queue.screen_key(visit.window)
    k = uuid.uuid4().hex
    first = post(client, device_key=key, ticket_id=visit.pk, idempotency_key=k, attitude=5)
    assert first.status_code == 201 and first.json()["created"] is True
    again = post(client, device_key=key, ticket_id=visit.pk, idempotency_key=k, attitude=5)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    other = post(client, device_key=key, ticket_id=visit.pk)  # a second rating, new key
    assert other.status_code == 400 and other.json()["rule"] == "R-LAW-2"
    rating = Rating.objects.get()
    assert rating.channel == "device" and rating.device == f"window:{visit.window_id}"


def test_a_device_rates_only_its_own_window(client, demo, visit):
    assert post(client, device_key="forged", ticket_id=visit.pk).status_code == 403
    elsewhere = queue.screen_key(demo.windows.get(number=3))
    assert post(client, device_key=elsewhere, ticket_id=visit.pk).status_code == 400
    assert not Rating.objects.exists()


def test_a_staff_login_on_the_device_cannot_rate(login, visit):
    answer = post(login("officer"), device_key=queue.screen_key(visit.window), ticket_id=visit.pk)
    assert answer.status_code == 403 and not Rating.objects.exists()


def test_the_link_on_the_slip_rates_once_and_expires(client, visit, settings):
    token = services.link_for(visit)
    assert post(client, link=token, overall=2, reason="等候太久").status_code == 201
    assert Rating.objects.get().channel == "link"
    assert post(client, link=token).status_code == 400
    assert post(client, link=token + "x").status_code == 403
    settings.SERVICEHALL = {**settings.SERVICEHALL, "RATING_LINK_DAYS": 0}
    late = post(client, link=token)
    assert late.status_code == 400 and "0" in late.json()["detail"]


def test_the_device_is_for_the_visit_just_finished(client, visit):
    visit.ended_at = timezone.now() - dt.timedelta(hours=2)
    visit.save(update_fields=["ended_at"])
    late = post(client, device_key=queue.screen_key(visit.window), ticket_id=visit.pk)
    assert late.status_code == 400 and not Rating.objects.exists()


def test_the_link_page_rates_once_on_a_phone(client, visit):
    url = f"/rate/{services.link_for(visit)}/"
    page = client.get(url).content.decode()
    assert "王建国" in page and visit.label in page
    missing = client.post(url, {"overall": "1", "key": "k" * 16})
    assert missing.status_code == 400 and not Rating.objects.exists()
    saved = client.post(url, {"overall": "1", "reason": "材料要求没说清", "key": "k" * 16})
    assert saved.status_code == 200 and "感谢您的评价" in saved.content.decode()
    assert Rating.objects.get().reason == "材料要求没说清"
    assert "本次办事已评价过" in client.get(url).content.decode()
    assert client.get("/rate/forged/").status_code == 403


def test_the_kiosk_slip_carries_the_rating_link(client, demo):
    ticket = queue.take_ticket(queue=Queue.objects.get(unit=demo, letter="A"))
    page = client.get(f"/kiosk/{demo.code}/tickets/{ticket.pk}/").content.decode()
    assert "<svg" in page and "扫码" in page
