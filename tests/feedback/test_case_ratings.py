"""一事一评 (R-FB-1, R-LAW-2, decision 0028): a concluded case — done on the spot, done after its
steps, or refused — is rated once through the link and QR code on its receipt or refusal
notice; never by staff; in the same signed chain as the visits' ratings; a bad one is
followed up like a visit's; and the published figures show cases beside visits, labelled."""

import datetime as dt
import html
import json
import multiprocessing as mp
import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.utils import timezone

from servicehall.cases import services as cases
from servicehall.catalog.models import Matter
from servicehall.core.errors import Forbidden
from servicehall.feedback import services
from servicehall.feedback.figures import figures
from servicehall.feedback.models import BadReviewFollowUp, Rating
from servicehall.notices.models import Notification
from servicehall.org.models import Staff
from servicehall.org.permissions import CITIZEN, actor_for
from tests.helpers import raises_rule

from ..cases.conftest import APPLICANT, all_presented, paid


def _staff_user(badge):
    staff = Staff.objects.get(badge_no=badge)
    if staff.user is None:
        staff.user = get_user_model().objects.create_user(f"u{badge}", password="x" * 12)
        staff.save(update_fields=["user"])
    return staff.user


def _staff_actor(badge):
    return actor_for(_staff_user(badge))


def _intake(actor, code, outcome, **kwargs):
    matter = Matter.objects.get(code=code)
    if outcome in ("accepted", "on_the_spot"):  # its fee taken at acceptance (decision 0027)
        kwargs.setdefault("fee", paid(matter))
    return cases.intake(
        actor=actor,
        matter=matter,
        applicant=APPLICANT,
        checks=all_presented(matter),
        outcome=outcome,
        **kwargs,
    )


@pytest.fixture
def on_the_spot(demo):
    """A household certificate done on the spot at the centre's police window (褚红梅)."""
    return _intake(_staff_actor("041115"), "household-certificate", "on_the_spot")


@pytest.fixture
def refused(actor):
    """A migration refused at 鼓楼 by the officer (王建国), with its legal basis."""
    return _intake(
        actor("officer"),
        "hukou-migration-city",
        "rejected",
        rejection_reason="迁入地址不在本辖区",
        rejection_basis="《户口登记条例》第十条",
    )


def _link_on(printed: str) -> str:
    """The rating link printed under its QR code, as a path of this site."""
    found = re.search(r'<span class="rate-link">([^<]+)</span>', printed)
    assert found, "no rating link on the document"
    return html.unescape(found.group(1)).removeprefix("http://testserver")


def _rate(client, url, **data):
    return client.post(url, {"overall": "5", "key": uuid.uuid4().hex, **data})


def test_a_case_done_on_the_spot_is_rated_once_from_its_receipt(client, on_the_spot):
    client.force_login(_staff_user("041115"))
    printed = client.get(f"/cases/{on_the_spot.pk}/receipt/print/").content.decode()
    url = _link_on(printed)
    assert url == f"/rate/case/{cases.rating_token(on_the_spot)}/"
    assert printed.count("<svg") == 2  # the status QR code and the rating QR code
    assert "一事一评" in printed and "7 天内" in printed
    client.logout()
    page = client.get(url).content.decode()
    assert on_the_spot.number in page and "户籍证明" in page and "一事一评" in page
    saved = _rate(client, url, attitude="5")
    assert saved["Location"] == f"{url}?thanks=1"
    rating = Rating.objects.get(case=on_the_spot)
    assert rating.ticket_id is None and rating.channel == "link"
    assert (rating.unit_id, rating.window_id) == (on_the_spot.unit_id, on_the_spot.window_id)
    assert rating.staff_id == on_the_spot.received_by_id
    # once used, the link rates no more: the page says so, a second post stores nothing
    assert "该办件已评价过" in client.get(url).content.decode()
    assert _rate(client, url)["Location"] == f"{url}?thanks=1"
    assert Rating.objects.filter(case=on_the_spot).count() == 1
    with raises_rule("R-LAW-2", match="该办件已评价过"):
        services.rate(actor=CITIZEN, case=on_the_spot, overall=4, idempotency_key=uuid.uuid4().hex)


def test_a_refused_case_is_rated_from_its_refusal_notice_in_the_same_chain(
    login, client, refused, finish_visits
):
    printed = login("officer").get(f"/cases/{refused.pk}/refusal/print/").content.decode()
    url = _link_on(printed)
    client.logout()
    visit = finish_visits()[0]
    services.rate(actor=CITIZEN, ticket=visit, overall=5, idempotency_key=uuid.uuid4().hex)
    assert _rate(client, url, overall="4").status_code == 302
    # one chain for visits and cases: both signed, both sealed in order, and verified clean
    assert services.seal() == 2
    sealed = list(Rating.objects.order_by("seq").values_list("ticket_id", "case_id"))
    assert sealed == [(visit.pk, None), (None, refused.pk)]
    assert services.verify() == []


def test_a_case_still_being_handled_is_rated_once_it_is_concluded(client, demo):
    case = _intake(_staff_actor("044011"), "passport-issue", "accepted")
    client.force_login(_staff_user("044011"))
    printed = client.get(f"/cases/{case.pk}/receipt/print/").content.decode()
    url = _link_on(printed)
    assert "办件办结后扫此码" in printed
    client.logout()
    page = client.get(url)
    assert page.status_code == 200 and 'id="not-yet"' in page.content.decode()
    assert 'name="overall"' not in page.content.decode()
    early = _rate(client, url)
    assert early.status_code == 400 and "只有办结的办件才能评价" in early.content.decode()
    with raises_rule("R-LAW-2", match="只有办结的办件"):
        services.rate(actor=CITIZEN, case=case, overall=5, idempotency_key=uuid.uuid4().hex)
    for badge, step in zip(
        ["044011", "044012", "044002", "044014"], case.steps.order_by("order"), strict=True
    ):
        cases.complete_step(actor=_staff_actor(badge), case_step=step)
    assert _rate(client, url).status_code == 302
    assert Rating.objects.filter(case=case).exists()


def test_staff_cannot_rate_a_case_not_even_their_own(client, on_the_spot):
    url = f"/rate/case/{cases.rating_token(on_the_spot)}/"
    client.force_login(_staff_user("041115"))  # who received the case
    refused = _rate(client, url)
    assert refused.status_code == 403 and not Rating.objects.exists()
    with raises_rule("R-LAW-2", Forbidden):
        services.rate(
            actor=_staff_actor("041115"),
            case=on_the_spot,
            overall=5,
            idempotency_key=uuid.uuid4().hex,
        )
    # the API refuses a staff session whatever it carries (R-FB-1)
    api = client.post(
        "/api/v1/ratings",
        json.dumps(
            {
                "case_link": cases.rating_token(on_the_spot),
                "overall": 5,
                "idempotency_key": uuid.uuid4().hex,
            }
        ),
        content_type="application/json",
    )
    assert api.status_code == 403 and not Rating.objects.exists()


def test_the_link_is_valid_for_the_days_after_the_conclusion_and_cannot_be_forged(
    client, demo, settings
):
    long_ago = timezone.now() - dt.timedelta(days=10)
    case = _intake(_staff_actor("041115"), "household-certificate", "on_the_spot", now=long_ago)
    url = f"/rate/case/{cases.rating_token(case)}/"
    late = client.get(url)
    assert late.status_code == 400 and "办结后 7 天内" in late.content.decode()
    settings.SERVICEHALL = {**settings.SERVICEHALL, "RATING_LINK_DAYS": 30}
    assert client.get(url).status_code == 200
    assert client.get(f"/rate/case/{cases.rating_token(case)}x/").status_code == 403
    # a visit's token is not a case's, nor the other way round
    assert client.get(f"/rate/{cases.rating_token(case)}/").status_code == 403
    forged = f"/rate/case/{str(case.pk)}/"
    assert client.get(forged).status_code == 403 and not Rating.objects.exists()


def test_the_api_rates_a_case_by_its_link_once(client, on_the_spot):
    def post(key, **data):
        body = {"case_link": cases.rating_token(on_the_spot), "overall": 5, **data}
        return client.post(
            "/api/v1/ratings",
            json.dumps({"idempotency_key": key, **body}),
            content_type="application/json",
        )

    key = uuid.uuid4().hex
    first = post(key)
    assert first.status_code == 201 and first.json()["created"] is True
    again = post(key)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    other = post(uuid.uuid4().hex)
    assert other.status_code == 400 and other.json()["rule"] == "R-LAW-2"
    assert Rating.objects.get().case_id == on_the_spot.pk


def test_a_bad_case_rating_is_followed_up_like_a_visits(client, login, refused):
    url = f"/rate/case/{cases.rating_token(refused)}/"
    assert _rate(client, url, overall="1", reason="不予受理的理由没讲清楚").status_code == 302
    assert services.seal() == 1
    follow_up = BadReviewFollowUp.objects.get(rating__case=refused)
    assert follow_up.stage == "verify" and follow_up.unit_id == refused.unit_id
    told = Notification.objects.get(recipient__username="leader", kind="bad_review")
    assert refused.number in told.text and told.link.endswith(f"#review-{follow_up.pk}")
    page = login("leader").get("/reviews/").content.decode()
    assert "一事一评（办件）" in page and refused.number in page
    assert services.late_steps(now=follow_up.due_at + dt.timedelta(hours=1)) >= 1
    late = Notification.objects.filter(recipient__username="leader", text__contains="至今未完成")
    assert late.filter(text__contains=refused.number).count() == 1


def test_the_published_figures_show_case_ratings_beside_visits_each_labelled(
    client, demo, refused, actor, finish_visits
):
    visit = finish_visits()[0]
    services.rate(actor=CITIZEN, ticket=visit, overall=5, idempotency_key=uuid.uuid4().hex)
    services.rate(
        actor=CITIZEN,
        case=refused,
        overall=2,
        reason="解释不清",
        idempotency_key=uuid.uuid4().hex,
    )
    _intake(actor("officer"), "hukou-migration-city", "rejected", **_reasons())  # not rated
    services.seal()
    today = timezone.localdate()
    f = figures(demo, today, today)
    assert (f["total"]["finished"], f["total"]["rated"], f["total"]["good_rate"]) == (1, 1, 1.0)
    c = f["cases"]["total"]
    assert (c["finished"], c["rated"], c["bad"], c["good_rate"]) == (2, 1, 1, 0.0)
    page = client.get(f"/ratings/{demo.code}/").content.decode()
    visits, cases_part = page.split('id="cases"')
    assert "一次一评（现场）" in visits and "办结人次" in visits
    assert "一事一评（办件）" in cases_part and "办结办件" in cases_part


def _reasons():
    return {"rejection_reason": "不在本辖区", "rejection_basis": "《户口登记条例》第十条"}


def test_the_status_page_of_a_concluded_case_offers_its_rating_link(client, refused):
    query = {"number": refused.number, "code": refused.check_code}
    page = client.get("/status/", query).content.decode()
    assert f"/rate/case/{cases.rating_token(refused)}/" in page
    open_case = _intake(_staff_actor("044011"), "passport-issue", "accepted")
    query = {"number": open_case.number, "code": open_case.check_code}
    assert 'id="rate-case"' not in client.get("/status/", query).content.decode()


def _rate_in_a_process(token, barrier, out):
    connections.close_all()  # each process its own connection
    barrier.wait(timeout=30)
    try:
        case = services.case_for_link(token)
        services.rate(actor=CITIZEN, case=case, overall=5, idempotency_key=uuid.uuid4().hex)
        out.put("created")
    except Exception as exc:  # noqa: BLE001 - the parent asserts which rule refused
        out.put(getattr(exc, "rule", None) or repr(exc))
    connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_two_phones_sending_the_case_link_at_once_store_one_rating(demo):
    """R-LAW-2 under real concurrency: two processes rate the same case by its link at the
    same moment; the database keeps one rating and the other is told why."""
    if connection.vendor != "postgresql":
        pytest.skip("parallel processes need PostgreSQL; SQLite serialises every writer")
    case = _intake(_staff_actor("041115"), "household-certificate", "on_the_spot")
    token = cases.rating_token(case)
    connections.close_all()
    ctx = mp.get_context("fork")
    out, barrier = ctx.Queue(), ctx.Barrier(2)
    procs = [ctx.Process(target=_rate_in_a_process, args=(token, barrier, out)) for _ in "ab"]
    for p in procs:
        p.start()
    results = sorted(out.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    assert results == ["R-LAW-2", "created"]
    assert Rating.objects.filter(case=case).count() == 1
