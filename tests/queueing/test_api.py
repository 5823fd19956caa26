"""The queue API a console or counter terminal drives with a bearer token (R-Q-1 … R-Q-3)."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from servicehall.org.models import ApiToken
from servicehall.queueing import services
from servicehall.queueing.api import TicketOut
from servicehall.queueing.models import BoardEvent, Queue, Ticket


@pytest.fixture
def console(client, demo):
    """The officer of window 2 with a token: console.post(path, json) → response."""
    user = get_user_model().objects.get(username="officer")
    token, key = ApiToken.issue(user=user, name="counter terminal")

    class Console:
        window = demo.windows.get(number=2)
        api_token = token

        def post(self, path, data=None, key=key):
            return client.post(
                f"/api/v1{path}",
                data or {},
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {key}",
                HTTP_ACCEPT_LANGUAGE="zh-hans",
            )

        def get(self, path, key=key):
            return client.get(f"/api/v1{path}", HTTP_AUTHORIZATION=f"Bearer {key}")

    return Console()


def take(demo, letter, n):
    queue = Queue.objects.get(unit=demo, letter=letter)
    return [services.take_ticket(queue=queue) for _ in range(n)]


def test_finish_and_call_next_through_the_api(console, demo):
    first, second = take(demo, "A", 2)
    w = console.window.pk
    assert console.post(f"/windows/{w}/sign-in").status_code == 201
    body = console.post(f"/windows/{w}/call-next").json()
    assert body["ticket"]["label"] == first.label and body["ticket"]["window"] == 2
    # the fast answer is exactly what the documented schema gives
    called = Ticket.objects.select_related("queue", "window").get(pk=first.pk)
    documented = json.loads(
        json.dumps(TicketOut.model_validate(called).model_dump(), cls=DjangoJSONEncoder)
    )
    assert body["ticket"] == documented
    # the board hears of it once, and learns the window now serves
    event = BoardEvent.objects.filter(unit=demo, kind="call").latest("pk")
    assert event.data["ticket"] == first.label and event.data["state"] == "serving"

    refused = console.post(f"/windows/{w}/call-next")
    assert refused.status_code == 400  # the citizen at the window comes first

    body = console.post(f"/windows/{w}/call-next", {"finish_current": True}).json()
    assert body["ticket"]["label"] == second.label
    # the call names the visit it finished: the rating device asks the citizen about it
    call = BoardEvent.objects.filter(unit=demo, kind="call").latest("pk")
    assert call.data["finished"] == {"id": first.pk, "ticket": first.label}
    first.refresh_from_db()
    assert first.state == Ticket.State.DONE and first.started_at == first.called_at
    assert first.ended_at is not None

    body = console.post(f"/windows/{w}/call-next", {"finish_current": True}).json()
    assert body["ticket"] is None  # nobody waits; the window shows open again
    last = BoardEvent.objects.filter(unit=demo, kind="window").latest("pk").data
    assert last["state"] == "open" and last["finished"]["id"] == second.pk
    assert Ticket.objects.get(pk=second.pk).state == Ticket.State.DONE


def test_only_the_signed_in_staff_member_calls(console, demo):
    take(demo, "A", 1)
    w = console.window.pk
    answer = console.post(f"/windows/{w}/call-next")
    assert answer.status_code == 403 and answer.json()["rule"] == "R-Q-3"
    assert console.post("/windows/999999/call-next").status_code == 404
    assert Ticket.objects.filter(state=Ticket.State.CALLED).count() == 0


def test_a_paused_window_does_not_call(console, demo):
    take(demo, "A", 1)
    w = console.window.pk
    console.post(f"/windows/{w}/sign-in")
    paused = console.post(f"/windows/{w}/pause", {"reason": "取材料", "minutes": 5})
    assert paused.status_code == 201 and paused.json()["needs_approval"] is False
    answer = console.post(f"/windows/{w}/call-next")
    assert answer.status_code == 400 and answer.json()["rule"] == "R-Q-3"
    state = console.get(f"/windows/{w}/console").json()
    assert state["status"] == "paused" and state["pause"]["reason"] == "取材料"
    assert state["waiting"]["A"] == 1
    assert console.post(f"/windows/{w}/resume").status_code == 200
    assert console.post(f"/windows/{w}/call-next").json()["ticket"] is not None


def test_ticket_actions_and_transfer_keep_the_number(console, demo):
    (ticket,) = take(demo, "A", 1)
    w = console.window.pk
    console.post(f"/windows/{w}/sign-in")
    console.post(f"/windows/{w}/call-next")
    assert console.post(f"/tickets/{ticket.pk}/recall").json()["calls"] == 2
    assert console.post(f"/tickets/{ticket.pk}/start").json()["state"] == "serving"
    other = demo.windows.get(number=3)
    moved = console.post(f"/tickets/{ticket.pk}/transfer", {"to_window_id": other.pk}).json()
    assert moved["label"] == ticket.label and moved["state"] == "waiting"
    assert console.post(f"/tickets/{ticket.pk}/teleport").status_code == 400
    wrong = console.post(f"/tickets/{ticket.pk}/transfer", {"to_queue_id": 999999})
    assert wrong.status_code == 400 and "to_queue_id" in wrong.json()["errors"]


def test_reception_issues_green_tickets_citizens_cannot(console, demo, client):
    green = Queue.objects.get(unit=demo, letter="A")
    answer = console.post(f"/queues/{green.pk}/tickets", {"green_channel": True})
    assert answer.status_code == 201 and answer.json()["green_channel"] is True
    assert Ticket.objects.get(pk=answer.json()["id"]).source == Ticket.Source.RECEPTION
    citizen = get_user_model().objects.create_user("citizen-x")
    _t, key = ApiToken.issue(user=citizen, name="x")
    refused = console.post(f"/queues/{green.pk}/tickets", {"green_channel": True}, key=key)
    assert refused.status_code == 403


def test_a_revoked_token_stops_at_once(console, demo):
    w = console.window.pk
    assert console.post(f"/windows/{w}/sign-in").status_code == 201  # the token is now known
    console.api_token.revoked_at = timezone.now()
    console.api_token.save(update_fields=["revoked_at"])
    assert console.post(f"/windows/{w}/sign-out").status_code == 401


def test_finishing_names_the_visit_and_a_no_show_does_not(console, demo):
    first, second = take(demo, "A", 2)
    w = console.window.pk
    console.post(f"/windows/{w}/sign-in")
    console.post(f"/windows/{w}/call-next")
    console.post(f"/tickets/{first.pk}/no-show")
    assert "finished" not in BoardEvent.objects.filter(kind="window").latest("pk").data
    console.post(f"/windows/{w}/call-next")
    console.post(f"/tickets/{second.pk}/start")
    console.post(f"/tickets/{second.pk}/finish")
    done = BoardEvent.objects.filter(kind="window").latest("pk").data
    assert done["finished"] == {"id": second.pk, "ticket": second.label}
