"""R-LAW-1: a case's promised limit and its statutory limit both run, and the earlier decides
"overdue", "due soon" and "finished in time" everywhere (issue 14).

The example of the issue: a passport (promised 7 working days, the law 15 calendar days)
accepted on Friday 2026-02-13, the eve of the Spring Festival (2-15 … 2-23 off, Saturday 2-14
and 2-28 worked). The promise ends Monday 3-02 17:30; the law Saturday 2-28 17:30."""

import pytest

from servicehall.cases import selectors, services
from servicehall.cases.models import Case, DueState, Status
from servicehall.rollups.models import UnitDay
from servicehall.rollups.services import roll_day

from .conftest import APPLICANT, all_presented, at, paid

BADGES = ["044011", "044012", "044002", "044014"]  # one colleague a step (R-CASE-3)


@pytest.fixture
def festival_case(staff_actor, passport):
    return services.intake(
        actor=staff_actor("044011"),
        matter=passport,
        applicant=APPLICANT,
        checks=all_presented(passport),
        outcome="accepted",
        fee=paid(passport),
        now=at(2026, 2, 13, 10),
    )


def finish(staff_actor, case, now):
    for badge, step in zip(BADGES, case.steps.order_by("order"), strict=True):
        services.complete_step(actor=staff_actor(badge), case_step=step, now=now)
    case.refresh_from_db()
    return case


def test_the_calendar_knows_the_festival_and_the_law_ends_first(festival_case):
    assert festival_case.due_at == at(2026, 2, 28, 17, 30)
    assert festival_case.statutory_due_at == at(2026, 2, 28, 17, 30)
    promise = services.case_clocks(festival_case)[0].due(at(2026, 2, 13, 10))
    assert promise.at == at(2026, 3, 2, 17, 30) and not promise.estimated


def test_the_deadline_job_warns_and_overdues_by_the_law(festival_case):
    # Friday 2-27: the promise has two working days left, the law one: due soon
    services.check_deadlines(now=at(2026, 2, 27, 10))
    festival_case.refresh_from_db()
    assert festival_case.due_state == DueState.WARNING
    # Saturday 2-28 after close: the law is broken though the promise still runs
    services.check_deadlines(now=at(2026, 2, 28, 18))
    festival_case.refresh_from_db()
    assert festival_case.due_state == DueState.OVERDUE
    overdue = festival_case.events.filter(kind="due_overdue").values_list("text", flat=True)
    assert [t for t in overdue if t.startswith(festival_case.number)] == [
        f"{festival_case.number} 已超期"
    ]
    stats = selectors.statistics(Case.objects.filter(pk=festival_case.pk))
    assert stats["overdue"] == 1 and stats["in_time"] == 0


def test_finishing_within_the_promise_but_after_the_law_is_late(staff_actor, festival_case):
    case = finish(staff_actor, festival_case, at(2026, 3, 2, 10))
    assert case.status == Status.COMPLETED
    assert case.on_time is False and case.due_state == DueState.OVERDUE
    assert case.events.filter(kind="completed").get().text == "超期办结"
    assert services.case_status(case, at(2026, 3, 2, 10)).due.at == at(2026, 2, 28, 17, 30)


def test_the_roll_ups_count_it_late(staff_actor, festival_case):
    finish(staff_actor, festival_case, at(2026, 3, 2, 10))
    day = at(2026, 3, 2).date()
    roll_day(day, now=at(2026, 3, 3))
    row = UnitDay.objects.get(unit=festival_case.unit, day=day)
    assert (row.cases_overdue, row.cases_on_time) == (1, 0)


def test_finishing_before_both_is_in_time(staff_actor, festival_case):
    case = finish(staff_actor, festival_case, at(2026, 2, 27, 10))
    assert case.on_time is True and case.due_state == DueState.OK


def test_the_case_page_shows_the_law_when_it_binds(client, staff_actor, festival_case):
    finish(staff_actor, festival_case, at(2026, 3, 2, 10))
    client.force_login(staff_actor("044011").user)
    page = client.get(festival_case.get_absolute_url()).content.decode()
    assert "<strong>法定时限:</strong>" in page and "承诺时限: 2026-03-02 17:30" in page
    assert "已超期" in page and "（2月28日 17:30 到期）" in page  # not 按时办结 by the promise


def test_a_late_notice_makes_the_law_count_from_receipt(actor, migration):
    # 行政许可法 art. 32: what is missing is told within 5 working days (to Mon 11-23 here),
    # else the application counts as accepted from the day its materials were received
    officer = actor("officer")
    missing = all_presented(migration, 居民户口簿=("missing", ""))
    case = services.intake(
        actor=officer,
        matter=migration,
        applicant=APPLICANT,
        checks=missing,
        outcome="notice",
        now=at(2026, 11, 16),
    )
    assert case.deemed_accepted_at is None  # the first notice was given on the spot
    services.resume(
        actor=officer, case=case, checks=missing, outcome="notice", now=at(2026, 11, 27)
    )
    case.refresh_from_db()
    assert case.deemed_accepted_at == at(2026, 11, 16)
    deemed = case.events.get(kind="deemed_accepted")
    assert deemed.text == "一次性告知超过告知期限（2026-11-23 17:30）：自收到申请材料之日起即为受理"
    services.resume(
        actor=officer,
        case=case,
        checks=all_presented(migration),
        outcome="accepted",
        now=at(2026, 12, 7),
    )
    case.refresh_from_db()
    # the law's 20 working days run from 11-16 (to 12-14), the promise's 8 from 12-07 (12-17)
    assert case.statutory_due_at == at(2026, 12, 14, 17, 30)
    assert case.due_at == at(2026, 12, 14, 17, 30)
    assert case.events.filter(kind="deemed_accepted").count() == 1


def test_a_notice_in_time_leaves_the_law_counting_from_acceptance(actor, migration):
    officer = actor("officer")
    missing = all_presented(migration, 居民户口簿=("missing", ""))
    case = services.intake(
        actor=officer,
        matter=migration,
        applicant=APPLICANT,
        checks=missing,
        outcome="notice",
        now=at(2026, 11, 16),
    )
    services.resume(
        actor=officer, case=case, checks=missing, outcome="notice", now=at(2026, 11, 20)
    )
    services.resume(
        actor=officer,
        case=case,
        checks=all_presented(migration),
        outcome="accepted",
        now=at(2026, 12, 7),
    )
    case.refresh_from_db()
    assert case.deemed_accepted_at is None
    assert case.statutory_due_at == at(2027, 1, 5, 17, 30)  # 20 working days from 12-07, 1-1 off
