"""Ratings through the API from the window's device and from the link on the slip."""

import datetime as dt
import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from servicehall.feedback import services
from servicehall.feedback.models import Rating
from servicehall.org.permissions import CITIZEN
from servicehall.queueing import services as queue
from servicehall.queueing.models import Queue
from tests.conftest import pair_device as paired
from tests.helpers import raises_rule


@pytest.fixture
def visit(finish_visits):
    return finish_visits()[0]


def post(client, device=None, **data):
    """POST a rating; `device`: the credential of a paired device, sent as its cookie."""
    if device is not None:
        client.cookies[services.DEVICE_COOKIE] = device
    data.setdefault("idempotency_key", uuid.uuid4().hex)
    data.setdefault("overall", 5)
    return client.post("/api/v1/ratings", json.dumps(data), content_type="application/json")


def test_the_device_rates_the_visit_just_finished_once(client, visit):
    key = paired(visit.window)
    k = uuid.uuid4().hex
    first = post(client, device=key, ticket_id=visit.pk, idempotency_key=k, attitude=5)
    assert first.status_code == 201 and first.json()["created"] is True
    again = post(client, device=key, ticket_id=visit.pk, idempotency_key=k, attitude=5)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    other = post(client, device=key, ticket_id=visit.pk)  # a second rating, new key
    assert other.status_code == 400 and other.json()["rule"] == "R-LAW-2"
    rating = Rating.objects.get()
    assert rating.channel == "device" and rating.device.startswith("device:")


def test_a_device_rates_only_its_own_window(client, demo, visit):
    assert post(client, device="forged", ticket_id=visit.pk).status_code == 403
    elsewhere = paired(demo.windows.get(number=3))
    assert post(client, device=elsewhere, ticket_id=visit.pk).status_code == 400
    assert not Rating.objects.exists()


def test_a_staff_login_on_the_device_cannot_rate(login, visit):
    answer = post(login("officer"), device=paired(visit.window), ticket_id=visit.pk)
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
    late = post(client, device=paired(visit.window), ticket_id=visit.pk)
    assert late.status_code == 400 and not Rating.objects.exists()


def test_the_link_page_rates_once_on_a_phone(client, visit):
    url = f"/rate/{services.link_for(visit)}/"
    page = client.get(url).content.decode()
    assert "王建国" in page and visit.label in page
    missing = client.post(url, {"overall": "1", "key": "k" * 16})
    assert missing.status_code == 400 and not Rating.objects.exists()
    data = {"overall": "1", "reason": "材料要求没说清", "key": "k" * 16}
    saved = client.post(url, data, follow=True)
    assert saved.redirect_chain == [(f"{url}?thanks=1", 302)]  # PRG: the thanks page reloads
    assert saved.status_code == 200 and "感谢您的评价" in saved.content.decode()
    assert "感谢您的评价" in client.get(f"{url}?thanks=1").content.decode()
    resent = client.post(url, data)  # the same form sent again: the same thanks, no new row
    assert resent["Location"] == f"{url}?thanks=1" and Rating.objects.count() == 1
    assert Rating.objects.get().reason == "材料要求没说清"
    assert "本次办事已评价过" in client.get(url).content.decode()
    assert client.get("/rate/forged/").status_code == 403


def test_the_kiosk_slip_carries_the_rating_link(client, demo):
    ticket = queue.take_ticket(queue=Queue.objects.get(unit=demo, letter="A"))
    page = client.get(f"/kiosk/{demo.code}/slips/{queue.slip_token(ticket)}/").content.decode()
    assert "<svg" in page and "扫码" in page and "或在本机评价" in page
    assert "您前面还有" in page


def test_the_kiosk_leaves_no_slip_behind_for_the_next_person(client, demo):
    """The kiosk is shared: its slip is never cached and goes back to the start by itself."""
    ticket = queue.take_ticket(queue=Queue.objects.get(unit=demo, letter="A"))
    response = client.get(f"/kiosk/{demo.code}/slips/{queue.slip_token(ticket)}/")
    assert "no-store" in response["Cache-Control"]
    assert f'http-equiv="refresh" content="60;url=/kiosk/{demo.code}/"' in response.content.decode()


def test_the_slip_of_a_finished_and_rated_visit_says_so(client, demo, staff_of):
    """A slip looked at after the visit does not count people ahead: it says it is done, and
    once rated, no longer offers the rating."""
    w2 = demo.windows.get(number=2)
    ticket = finished(demo, w2, staff_of("kf-gulou-hukou", "041235"))
    url = f"/kiosk/{demo.code}/slips/{queue.slip_token(ticket)}/"
    page = client.get(url).content.decode()
    assert "您的业务已办结" in page and "您前面还有" not in page and "<svg" in page
    services.rate(actor=CITIZEN, ticket=ticket, overall=5, idempotency_key="slip-rated-01")
    page = client.get(url).content.decode()
    assert "您已评价" in page and "<svg" not in page


def finished(demo, window, staff, minutes_ago=1, n=[0]):  # noqa: B006 - a counter
    from servicehall.queueing.models import Ticket

    n[0] += 1
    ended = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return Ticket.objects.create(
        queue=Queue.objects.get(unit=demo, letter="A"),
        day=timezone.localdate(ended),
        number=5000 + n[0],
        label=f"A{5000 + n[0]}",
        state=Ticket.State.DONE,
        window=window,
        staff=staff,
        arrived_at=ended - dt.timedelta(minutes=10),
        ended_at=ended,
    )


def test_the_devices_one_statement_path_keeps_every_rule(client, demo, staff_of):
    """After a rating at a window, the next goes in one INSERT … SELECT (the unit and staff
    member last seen there); whatever does not fit that goes the full way and is answered
    as before."""
    services._AT_WINDOW.clear()
    window = demo.windows.get(number=2)
    officer, lead = staff_of("kf-gulou-hukou", "041235"), staff_of("kf-gulou-hukou", "041202")
    key = paired(window)
    first = post(client, device=key, ticket_id=finished(demo, window, officer).pk)
    assert first.status_code == 201 and services._AT_WINDOW[window.pk][1] == officer.pk
    # the next visit by the same officer: one statement, stored with everything in its place
    visit = finished(demo, window, officer)
    k = uuid.uuid4().hex
    with CaptureQueriesContext(connection) as queries:
        fast = post(client, device=key, ticket_id=visit.pk, idempotency_key=k, attitude=4)
    assert fast.status_code == 201
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1 and statements[0].startswith("INSERT INTO")
    rating = Rating.objects.get(pk=fast.json()["id"])
    assert (rating.ticket, rating.staff, rating.unit, rating.attitude) == (visit, officer, demo, 4)
    assert rating.mac == services.sign(rating)  # signed as the full way signs
    again = post(client, device=key, ticket_id=visit.pk, idempotency_key=k, attitude=4)
    assert again.status_code == 200 and again.json()["id"] == rating.pk  # a retry
    assert post(client, device=key, ticket_id=visit.pk).status_code == 400  # rated
    # another staff member took the window over: the rating is theirs
    taken_over = finished(demo, window, lead)
    assert post(client, device=key, ticket_id=taken_over.pk).status_code == 201
    assert Rating.objects.get(ticket=taken_over).staff == lead
    # a visit at another window, or too long ago, is refused as before
    elsewhere = finished(demo, demo.windows.get(number=3), lead)
    assert post(client, device=key, ticket_id=elsewhere.pk).status_code == 400
    old = finished(demo, window, lead, minutes_ago=45)
    assert post(client, device=key, ticket_id=old.pk).status_code == 400
    assert not Rating.objects.filter(ticket__in=[elsewhere, old]).exists()


def test_a_bad_review_at_the_device_is_one_statement_and_sealing_opens_its_follow_up(
    client, demo, staff_of
):
    """A window this process has not seen: looked up, then the one statement, whatever the
    level. The bad review's follow-up and the leaders' notice come with its seal, in the
    sealing transaction: exactly one, however often the device resends (R-LAW-2)."""
    from servicehall.feedback.models import BadReviewFollowUp
    from servicehall.notices.models import Notification

    services._AT_WINDOW.clear()
    window = demo.windows.get(number=2)
    officer = staff_of("kf-gulou-hukou", "041235")
    key, k = paired(window), uuid.uuid4().hex
    visit = finished(demo, window, officer)
    unexplained = post(client, device=key, ticket_id=visit.pk, overall=1)
    assert unexplained.status_code == 400 and "reason" in unexplained.json()["errors"]
    assert not Rating.objects.exists()
    bad = dict(device=key, ticket_id=visit.pk, idempotency_key=k, overall=1, reason="态度差")
    with CaptureQueriesContext(connection) as queries:
        first = post(client, **bad)
    assert first.status_code == 201
    assert [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]][0].startswith("INSERT")
    assert len([q for q in queries if "SAVEPOINT" not in q["sql"]]) == 1
    again = post(client, **bad)  # the device resends before the seal
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert services.seal() == 1
    rect = BadReviewFollowUp.objects.get()
    assert rect.rating_id == first.json()["id"] and rect.stage == BadReviewFollowUp.Stage.VERIFY
    assert rect.opened_at == Rating.objects.get().created_at and rect.due_at > rect.opened_at
    told = Notification.objects.filter(kind="bad_review")
    leaders = told.count()
    assert leaders and all("2" in n.text for n in told)
    assert post(client, **bad).status_code == 200 and services.seal() == 0
    assert BadReviewFollowUp.objects.count() == 1 and told.count() == leaders
    # a bad review of a visit at another window: refused, so nothing to seal or put right
    elsewhere = finished(demo, demo.windows.get(number=3), officer)
    refused = post(client, device=key, ticket_id=elsewhere.pk, overall=2, reason="慢")
    assert refused.status_code == 400 and services.seal() == 0


def test_a_follow_up_opened_before_the_seal_is_not_opened_twice(demo, staff_of):
    """Ratings written by an earlier version opened their follow-up at once: sealing them
    leaves it as it is."""
    from servicehall.feedback.models import BadReviewFollowUp

    window = demo.windows.get(number=2)
    officer = staff_of("kf-gulou-hukou", "041235")
    rating, _ = services.rate(
        actor=CITIZEN,
        ticket=finished(demo, window, officer),
        overall=2,
        reason="慢",
        idempotency_key=uuid.uuid4().hex,
    )
    opened = {"pk": rating.pk, "unit_id": demo.pk, "window_id": window.pk}
    first = services.open_follow_ups([{**opened, "created_at": rating.created_at}])
    assert len(first) == 1 and services.seal() == 1
    assert BadReviewFollowUp.objects.filter(rating=rating).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_the_devices_insert_is_planned_once_per_connection(client, demo, staff_of):
    """decision 0012: the device's statement is a prepared statement of the connection."""
    services._AT_WINDOW.clear()
    window = demo.windows.get(number=2)
    officer = staff_of("kf-gulou-hukou", "041235")
    key = paired(window)
    for _ in range(3):
        assert (
            post(client, device=key, ticket_id=finished(demo, window, officer).pk).status_code
            == 201
        )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['INSERT INTO "feedback_rating"%SELECT%'],
        )
        assert cur.fetchone()[0] == 1
    assert Rating.objects.filter(ticket__window=window).count() == 3


# ---- who may rate: a paired device, never staff (R-FB-1) -----------------------------------


def test_the_old_screen_key_rates_nothing(client, visit):
    """The window's screen key the console used to link to: derived from the server's secret,
    known to staff, never rotating. Without a paired device nothing is stored."""
    from django.core import signing

    old_key = signing.Signer(salt="citizen-screen").sign(str(visit.window_id))
    for credential in (old_key, "", f"{visit.window_id}.{'x' * 43}"):
        answer = post(client, device=credential, ticket_id=visit.pk)
        assert answer.status_code == 403, credential
    answer = post(client, device_key=old_key, ticket_id=visit.pk)
    assert answer.status_code == 403 and "配对" in answer.json()["detail"]
    assert not Rating.objects.exists()


def test_a_bearer_token_is_refused_whatever_else_the_request_carries(client, visit, demo):
    from servicehall.org.models import ApiToken

    credential = paired(visit.window)
    officer = demo.staff.get(badge_no="041235")
    token = ApiToken.issue(user=officer.user, name="console")[1]
    client.cookies["servicehall_device"] = credential
    answer = client.post(
        "/api/v1/ratings",
        json.dumps({"ticket_id": visit.pk, "overall": 5, "idempotency_key": uuid.uuid4().hex}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 403 and answer.json()["rule"] == "R-FB-1"
    assert not Rating.objects.exists()


def test_a_revoked_device_stops_at_once_and_pairing_again_rotates(client, demo, staff_of, actor):
    from servicehall.feedback.models import RatingDevice

    services._AT_WINDOW.clear()
    window = demo.windows.get(number=2)
    officer = staff_of("kf-gulou-hukou", "041235")
    credential = paired(window)
    assert (
        post(client, device=credential, ticket_id=finished(demo, window, officer).pk).status_code
        == 201
    )
    device = RatingDevice.objects.get(window=window)
    # rotate: a new code typed into the device replaces the credential
    code = services.pair_again(actor=actor("leader"), device=device)
    assert (
        post(client, device=credential, ticket_id=finished(demo, window, officer).pk).status_code
        == 201
    )
    _device, rotated = services.pair_device(code)
    assert rotated != credential
    assert (
        post(client, device=credential, ticket_id=finished(demo, window, officer).pk).status_code
        == 403
    )
    assert (
        post(client, device=rotated, ticket_id=finished(demo, window, officer).pk).status_code
        == 201
    )
    # revoke: the fast path (this process knows the window) refuses as well
    services.revoke_device(actor=actor("leader"), device=device)
    refused = post(client, device=rotated, ticket_id=finished(demo, window, officer).pk)
    assert refused.status_code == 403
    assert Rating.objects.count() == 3


def test_only_the_units_leader_enrols_and_a_code_works_once(demo, actor):
    from servicehall.core.errors import Forbidden, InvalidInput

    window = demo.windows.get(number=2)
    for who in ("officer", "dutylead", "auxiliary"):
        with raises_rule("R-ORG-4", Forbidden):
            services.enroll_device(actor=actor(who), window=window)
    device, code = services.enroll_device(actor=actor("leader"), window=window, name="2号平板")
    assert code not in str(device.__dict__)  # kept hashed only
    assert services.pair_device(code.lower().replace("-", " "))[0] == device  # typed loosely
    with raises_rule(None, InvalidInput, match="配对码错误或已过期") as again:
        services.pair_device(code)
    assert "code" in again.value.errors


def test_a_pairing_code_expires(demo, actor, settings):
    from servicehall.core.errors import InvalidInput

    device, code = services.enroll_device(actor=actor("leader"), window=demo.windows.get(number=2))
    later = timezone.now() + dt.timedelta(
        minutes=settings.SERVICEHALL["DEVICE_PAIRING_MINUTES"] + 1
    )
    with raises_rule(None, InvalidInput, match="配对码错误或已过期"):
        services.pair_device(code, now=later)


def test_a_slip_opens_only_by_its_own_token(client, demo):
    """Nobody reaches another citizen's slip, and its rating link, by counting numbers."""
    from servicehall.org.models import Unit

    ticket = queue.take_ticket(queue=Queue.objects.get(unit=demo, letter="A"))
    token = queue.slip_token(ticket)
    assert client.get(f"/kiosk/{demo.code}/slips/{token}/").status_code == 200
    assert client.get(f"/kiosk/{demo.code}/tickets/{ticket.pk}/").status_code == 404
    assert client.get(f"/kiosk/{demo.code}/slips/{ticket.pk}/").status_code == 404
    head = token.split(":")[0]
    forged = token.replace(head, "Mg" if head == "MQ" else "MQ", 1)  # another id, same signature
    assert client.get(f"/kiosk/{demo.code}/slips/{forged}/").status_code == 404
    elsewhere = Unit.objects.exclude(pk=demo.pk).first()
    assert client.get(f"/kiosk/{elsewhere.code}/slips/{token}/").status_code == 404
    # the kiosk lands the citizen on their slip by its token
    taken = client.post(
        f"/kiosk/{demo.code}/", {"queue": Queue.objects.get(unit=demo, letter="A").pk}
    )
    assert taken.status_code == 302 and "/slips/" in taken["Location"]
    assert "/tickets/" not in taken["Location"]
