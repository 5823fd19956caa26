"""A CTI system posts ring, answer and end with a bearer token, so times are exact (R-LAW-3)."""

import pytest
from django.contrib.auth import get_user_model

from servicehall.hotline.models import HotlineCall
from servicehall.org.models import ApiToken

from .conftest import CALLER, MASKED


@pytest.fixture
def cti(client, operator):
    """The phone system, on a token of the 110 centre's account."""
    _token, key = ApiToken.issue(user=operator.user, name="CTI")

    def post(path, data=None):
        return client.post(
            f"/api/v1{path}",
            data or {},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )

    post.get = lambda path: client.get(f"/api/v1{path}", HTTP_AUTHORIZATION=f"Bearer {key}")
    return post


def test_ring_answer_and_end_with_the_cti_times(cti, centre):
    seat = centre.windows.get(number=3)
    rung = cti(
        "/hotline/calls",
        {"caller_number": CALLER, "seat_id": seat.pk, "at": "2026-11-02T09:00:00+08:00"},
    )
    assert rung.status_code == 201, rung.json()
    body = rung.json()
    assert body["caller_number"] == MASKED and body["state"] == "ringing" and body["seat"] == 3
    answered = cti(
        f"/hotline/calls/{body['id']}/answer",
        {"at": "2026-11-02T09:00:17+08:00", "badge_no": "043012"},
    ).json()
    assert answered["ring_seconds"] == 17 and answered["answered_in_time"] is False
    assert answered["taken_by"] == "043012" and answered["state"] == "talking"
    ended = cti(f"/hotline/calls/{body['id']}/end", {"at": "2026-11-02T09:03:00+08:00"})
    assert ended.json()["state"] == "ended"
    call = HotlineCall.objects.get()
    assert call.taken_by.name == "魏晓琳" and call.seat == seat
    assert CALLER not in str(rung.content + ended.content)


def test_an_unanswered_call_is_recorded_as_abandoned(cti, centre):
    call = cti("/hotline/calls", {"caller_number": CALLER}).json()
    ended = cti(f"/hotline/calls/{call['id']}/end").json()
    assert ended["state"] == "abandoned" and ended["outcome"] == "hung_up"
    assert ended["answered_at"] is None and ended["unit"] == centre.pk


def test_bad_times_and_operators_are_refused(cti, centre):
    call = cti("/hotline/calls", {"at": "2026-11-02T09:00:00+08:00"}).json()
    early = cti(f"/hotline/calls/{call['id']}/answer", {"at": "2026-11-02T08:59:59+08:00"})
    assert early.status_code == 400 and "answered_at" in early.json()["errors"]
    stranger = cti(f"/hotline/calls/{call['id']}/answer", {"badge_no": "041235"})
    assert stranger.status_code == 400 and "badge_no" in stranger.json()["errors"]
    assert HotlineCall.objects.get().answered_at is None


def test_a_token_of_another_unit_is_refused(client, centre, cti):
    call = cti("/hotline/calls", {"caller_number": CALLER}).json()
    officer = get_user_model().objects.get(username="officer")  # 鼓楼派出所
    _token, key = ApiToken.issue(user=officer, name="other")
    refused = client.post(
        f"/api/v1/hotline/calls/{call['id']}/answer",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert refused.status_code == 403
    seat = centre.windows.get(number=2)
    rung = client.post(
        "/api/v1/hotline/calls",
        {"seat_id": seat.pk},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert rung.status_code == 403 and HotlineCall.objects.count() == 1


def test_figures_for_the_unit(cti):
    call = cti("/hotline/calls", {"caller_number": CALLER}).json()
    cti(f"/hotline/calls/{call['id']}/answer")
    cti("/hotline/calls", {"caller_number": "13800000009"})
    figures = cti.get("/hotline/figures").json()
    assert figures["calls"] == 2 and figures["answered"] == 1
    assert figures["connection_rate"] == 0.5 and figures["in_time_rate"] == 1.0
    assert cti.get(f"/hotline/calls/{call['id']}").json()["caller_number"] == MASKED
