"""R-LAW-2: a bad review is verified, put right, and the citizen called back, each step on its
working-day clock; the unit leader sees it; the rating itself stays as it was."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest

from servicehall.core.errors import Forbidden, InvalidInput
from servicehall.feedback import services
from servicehall.feedback.models import BadReviewFollowUp
from servicehall.notices.models import Notification
from servicehall.org.permissions import CITIZEN
from servicehall.queueing import services as queue
from servicehall.queueing.models import Queue
from tests.helpers import raises_rule

SH = ZoneInfo("Asia/Shanghai")


def at(month, day, h=10):
    return dt.datetime(2026, month, day, h, tzinfo=SH)


@pytest.fixture
def bad(demo, actor):
    """A visit finished on Wednesday 30 September 2026 and rated 非常不满意 that afternoon."""
    officer = actor("officer")
    window = demo.windows.get(number=2)
    queue.sign_in(actor=officer, window=window, now=at(9, 30, 8))
    queue.take_ticket(queue=Queue.objects.get(unit=demo, letter="A"), now=at(9, 30, 9))
    ticket = queue.call_next(actor=officer, window=window, now=at(9, 30, 9))
    queue.start(actor=officer, ticket=ticket, now=at(9, 30, 9))
    ticket = queue.finish(actor=officer, ticket=ticket, now=at(9, 30, 10))
    rating, _ = services.rate(
        actor=CITIZEN,
        ticket=ticket,
        overall=1,
        reason="材料要求前后说法不一",
        idempotency_key=uuid.uuid4().hex,
        now=at(9, 30, 15),
    )
    services.seal()  # as the sealer does within a second: the follow-up opens with it
    return rating


def test_a_bad_review_opens_a_follow_up_due_after_the_holiday(bad):
    rect = bad.follow_up
    assert rect.stage == "verify"
    # 1 working day from Wednesday 30 September: the National Day holiday runs 1–7 October
    assert rect.due_at.astimezone(SH).date() == dt.date(2026, 10, 8)
    assert Notification.objects.filter(recipient__username="leader", kind="bad_review").exists()


def test_verify_rectify_call_back(bad, actor):
    leader = actor("leader")
    rect = services.verify_review(
        actor=leader, follow_up=bad.follow_up, finding="核实属实", now=at(10, 9)
    )
    assert rect.stage == "rectify"
    # 10 working days from Friday 9 October, Saturday the 10th being a working day
    assert rect.due_at.astimezone(SH).date() == dt.date(2026, 10, 22)
    rect = services.rectify_review(
        actor=leader, follow_up=rect, measures="统一告知口径并培训", now=at(10, 12)
    )
    with raises_rule(None, InvalidInput, match="五个等级"):
        services.call_back(actor=leader, follow_up=rect, satisfaction=None, note="已回访")
    rect = services.call_back(
        actor=leader, follow_up=rect, satisfaction=4, note="群众表示满意", now=at(10, 13)
    )
    assert rect.stage == "closed" and rect.satisfaction == 4
    bad.refresh_from_db()
    assert bad.overall == 1  # the rating stays as the citizen gave it


def test_only_leads_handle_and_steps_go_in_order(bad, actor):
    with raises_rule("R-ORG-4", Forbidden):
        services.verify_review(actor=actor("officer"), follow_up=bad.follow_up, finding="x")
    with raises_rule(None, match="不在这一环节"):
        services.rectify_review(actor=actor("leader"), follow_up=bad.follow_up, measures="x")
    with raises_rule(None, InvalidInput, match="请写明处理情况"):
        services.verify_review(actor=actor("leader"), follow_up=bad.follow_up, finding=" ")
    assert BadReviewFollowUp.objects.get().stage == "verify"


def test_the_unit_leader_sees_and_works_it_on_the_page(bad, login):
    client = login("leader")
    page = client.get("/reviews/").content.decode()
    assert "材料要求前后说法不一" in page and "待核实" in page
    client.post(f"/reviews/{bad.follow_up.pk}/", {"step": "verify", "finding": "属实"})
    assert BadReviewFollowUp.objects.get().stage == "rectify"
    assert login("officer").get("/reviews/").status_code == 403


def test_an_appeal_upheld_sets_the_rating_aside_and_keeps_it(bad, actor, login):
    from django.utils import timezone

    from servicehall.feedback.figures import figures

    day = bad.ticket.day
    assert figures(bad.unit, day, day)["total"]["bad"] == 1
    with raises_rule(None, InvalidInput, match="误评或恶意评价的理由"):
        services.appeal(actor=actor("leader"), follow_up=bad.follow_up, reason="短")
    services.appeal(
        actor=actor("leader"),
        follow_up=bad.follow_up,
        reason="该群众当日未在本窗口办理，评价对象错误",
    )
    with raises_rule("R-ORG-4", Forbidden):  # the unit does not decide its own appeal
        services.decide_appeal(actor=actor("leader"), follow_up=bad.follow_up, upheld=True)
    page = login("admin").get("/reviews/appeals/").content.decode()
    assert "评价对象错误" in page
    login("admin").post("/reviews/appeals/", {"follow_up": bad.follow_up.pk, "decision": "uphold"})
    rect = BadReviewFollowUp.objects.get()
    assert rect.set_aside and rect.stage == "closed"
    bad.refresh_from_db()
    assert bad.overall == 1  # kept as given
    assert figures(bad.unit, day, day, now=timezone.now())["total"]["bad"] == 0  # not counted


def test_the_deadline_job_seals_too_so_a_stopped_sealer_cannot_hold_a_follow_up(
    finish_visits,
):
    from django.core.management import call_command

    (ticket,) = finish_visits()
    rating, _ = services.rate(
        actor=CITIZEN, ticket=ticket, overall=2, reason="慢", idempotency_key=uuid.uuid4().hex
    )
    assert not BadReviewFollowUp.objects.exists()  # written; the sealer has not run
    call_command("check_deadlines")
    assert BadReviewFollowUp.objects.get().rating == rating


def test_each_step_s_limit_is_the_policy_an_admin_edits(request, actor):
    """R-LAW-2: the office sets verification to 2 working days, rectification to 5 (the
    local rules say 5–15) and the call-back to 1; each step's due date follows."""
    from servicehall.worktime.models import SlaPolicy

    SlaPolicy.objects.filter(code="bad-review-verify").update(n=2)
    SlaPolicy.objects.filter(code="bad-review-rectify").update(n=5, warn_before=None)
    SlaPolicy.objects.filter(code="bad-review-callback").update(n=1)
    bad = request.getfixturevalue("bad")  # rated Wednesday 30 September, before the holiday
    rect = bad.follow_up
    # the second working day after the National Day holiday (1–7 October)
    assert rect.due_at.astimezone(SH).date() == dt.date(2026, 10, 9)
    assert Notification.objects.filter(
        recipient__username="leader", kind="bad_review", text__contains="2 个工作日"
    ).exists()
    leader = actor("leader")
    rect = services.verify_review(actor=leader, follow_up=rect, finding="属实", now=at(10, 9))
    # 5 working days from Friday 9 October, Saturday the 10th worked: 10, 12, 13, 14, 15
    assert rect.due_at.astimezone(SH).date() == dt.date(2026, 10, 15)
    rect = services.rectify_review(actor=leader, follow_up=rect, measures="培训", now=at(10, 12))
    assert rect.due_at.astimezone(SH).date() == dt.date(2026, 10, 13)
    page = request.getfixturevalue("login")("leader").get("/reviews/").content.decode()
    assert "须在2 个工作日内核实，在5 个工作日内整改到位，并在1 个工作日内回访" in page


def test_a_step_past_its_deadline_tells_the_leaders_once_and_counts(bad, demo):
    # R-LAW-2: the verification was due the next working day after National Day
    from servicehall.feedback.figures import figures

    follow_up = BadReviewFollowUp.objects.get(rating=bad)
    assert services.late_steps(now=follow_up.due_at - dt.timedelta(minutes=1)) == 0
    later = follow_up.due_at + dt.timedelta(hours=1)
    assert services.late_steps(now=later) >= 1
    told = Notification.objects.filter(recipient__username="leader", kind="bad_review")
    assert told.filter(text__contains="“待核实”环节").count() == 1
    assert services.late_steps(now=later + dt.timedelta(hours=1)) == 0  # once per step
    day = bad.ticket.day
    assert figures(demo, day, day, now=later)["total"]["follow_ups_late"] == 1
    assert figures(demo, day, day, now=follow_up.due_at)["total"]["follow_ups_late"] == 0
