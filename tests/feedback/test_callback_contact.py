"""R-LAW-2 回访: a bad review's call-back needs a number. The citizen may leave one on a low
rating (link page or device), with consent; the unit sees it masked, and whoever makes the
call-back sees it in full by an explicit action that the audit trail records."""

import uuid

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.urls import reverse

from servicehall.core.errors import Forbidden, InvalidInput
from servicehall.feedback import services
from servicehall.feedback.models import BadReviewFollowUp, CallbackContact, Rating
from servicehall.org.permissions import CITIZEN
from tests.helpers import raises_rule

PHONE = "13812345678"


@pytest.fixture
def visit(finish_visits):
    return finish_visits()[0]


def _link(visit):
    return reverse("rate_link", args=[services.link_for(visit)])


def _rate_low(client, visit, **extra):
    data = {"overall": "1", "reason": "等了很久没人管", "key": uuid.uuid4().hex} | extra
    return client.post(_link(visit), data)


def _to_callback(rect, leader):
    rect = services.verify_review(actor=leader, follow_up=rect, finding="核实属实")
    return services.rectify_review(actor=leader, follow_up=rect, measures="增开窗口")


def test_the_low_rating_step_asks_for_an_optional_phone_with_consent(client, visit):
    page = client.get(_link(visit)).content.decode()
    assert 'name="callback_phone"' in page and 'name="callback_consent"' in page
    assert "联系电话（用于回访）" in page


def test_a_phone_left_on_a_low_rating_is_kept_apart_from_the_signed_rating(client, visit):
    response = _rate_low(client, visit, callback_phone=PHONE, callback_consent="1")
    assert response.status_code == 302
    rating = Rating.objects.get(ticket=visit)
    assert rating.contact.phone == PHONE
    assert PHONE not in services.canonical(rating)  # not in the signed content
    with connection.cursor() as cursor:  # encrypted at rest: a database dump does not show it
        cursor.execute("SELECT phone FROM feedback_callbackcontact")
        (stored,) = cursor.fetchone()
    assert PHONE not in stored and "5678" not in stored
    services.seal()
    assert services.verify() == []  # the chain and signatures still hold
    published = client.get(reverse("ratings_published", args=[visit.window.unit.code]))
    assert (
        PHONE not in published.content.decode() and "138****5678" not in published.content.decode()
    )


def test_no_consent_no_number_and_nothing_stored(client, visit):
    response = _rate_low(client, visit, callback_phone=PHONE)
    assert response.status_code == 400
    assert "勾选" in response.content.decode()
    assert not Rating.objects.exists() and not CallbackContact.objects.exists()


def test_a_bad_number_is_named_and_nothing_stored(client, visit):
    response = _rate_low(client, visit, callback_phone="12345", callback_consent="1")
    assert response.status_code == 400
    assert not Rating.objects.exists()


def test_a_good_rating_keeps_no_phone(client, visit):
    client.post(
        _link(visit),
        {"overall": "5", "key": uuid.uuid4().hex, "callback_phone": PHONE, "callback_consent": "1"},
    )
    assert Rating.objects.filter(ticket=visit).exists()
    assert not CallbackContact.objects.exists()


def test_the_device_api_takes_the_phone_too(client, visit):
    from tests.conftest import pair_device

    client.cookies[services.DEVICE_COOKIE] = pair_device(visit.window)
    response = client.post(
        "/api/v1/ratings",
        {
            "ticket_id": visit.pk,
            "overall": 2,
            "reason": "态度生硬",
            "idempotency_key": uuid.uuid4().hex,
            "callback_phone": PHONE,
            "callback_consent": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Rating.objects.get(ticket=visit).contact.phone == PHONE


def test_the_unit_sees_it_masked_and_the_caller_back_in_full_recorded(client, visit, login):
    _rate_low(client, visit, callback_phone=PHONE, callback_consent="1")
    services.seal()
    rect = BadReviewFollowUp.objects.get(rating__ticket=visit)
    page = login("dutylead").get(reverse("reviews")).content.decode()
    assert "138****5678" in page and PHONE not in page
    assert "显示号码" not in page  # not at the call-back step yet: nothing to show in full
    from django.contrib.auth import get_user_model

    from servicehall.org.permissions import actor_for

    dutylead = actor_for(get_user_model().objects.get(username="dutylead"))
    with raises_rule("R-LAW-2", Forbidden):
        services.reveal_contact(actor=dutylead, follow_up=rect)
    _to_callback(rect, dutylead)
    page = client.get(reverse("reviews")).content.decode()
    assert "显示号码" in page and PHONE not in page
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    shown = client.post(reverse("review_step", args=[rect.pk]), {"step": "show_contact"})
    assert shown.status_code == 200 and PHONE in shown.content.decode()
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("timestamp")
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == before + 1
    assert entry.actor.username == "dutylead" and entry.timestamp is not None
    assert entry.additional_data["unit_id"] == rect.unit_id
    assert PHONE not in str(entry.changes) and PHONE not in entry.object_repr
    # the unit's leader finds it in the audit trail
    trail = login("leader").get(reverse("audit")).content.decode()
    assert "回访" in trail
    # a plain reload of the list shows it masked again
    assert PHONE not in login("dutylead").get(reverse("reviews")).content.decode()


def test_an_officer_may_not_see_the_number(client, visit, login, actor):
    _rate_low(client, visit, callback_phone=PHONE, callback_consent="1")
    services.seal()
    rect = BadReviewFollowUp.objects.get(rating__ticket=visit)
    _to_callback(rect, actor("leader"))
    response = login("officer").post(
        reverse("review_step", args=[rect.pk]), {"step": "show_contact"}
    )
    assert response.status_code == 403 and PHONE not in response.content.decode()
    with raises_rule("R-ORG-4", Forbidden):
        services.reveal_contact(actor=actor("officer"), follow_up=rect)


def test_no_phone_left_says_so(visit, actor):
    rating, _ = services.rate(
        actor=CITIZEN, ticket=visit, overall=1, reason="太慢", idempotency_key=uuid.uuid4().hex
    )
    services.seal()
    rect = _to_callback(BadReviewFollowUp.objects.get(rating=rating), actor("leader"))
    assert services.contact_phone(rect) == ""
    with raises_rule(None, match="未留下回访电话"):
        services.reveal_contact(actor=actor("leader"), follow_up=rect)


def test_check_contact_refuses_without_consent():
    with raises_rule(None, InvalidInput, match="请勾选同意") as exc:
        services.check_contact(overall=1, phone=PHONE, consent=False)
    assert "callback_consent" in exc.value.errors
    assert services.check_contact(overall=4, phone=PHONE, consent=True) == ""
