"""R-CASE-3, R-ORG-4, R-TIME-2: steps in order, by the right role, separated where required,
the last one issuing the result; pauses only where allowed."""

import pytest

from servicehall.cases import services
from servicehall.cases.models import Status
from servicehall.core.errors import Forbidden, InvalidInput
from tests.helpers import raises_rule

from .conftest import APPLICANT, accept, all_presented, at, paid


@pytest.fixture
def passport_case(staff_actor, passport):
    return services.intake(
        actor=staff_actor("044011"),
        matter=passport,
        applicant=APPLICANT,
        checks=all_presented(passport),
        outcome="accepted",
        fee=paid(passport),
        now=at(2026, 11, 23, 9),
    )


def steps(case):
    return list(case.steps.order_by("order"))


def test_nobody_performs_two_steps_of_one_exit_entry_case(staff_actor, passport_case):
    s1, s2, *_ = steps(passport_case)
    services.complete_step(actor=staff_actor("044011"), case_step=s1, now=at(2026, 11, 23, 10))
    with raises_rule("R-CASE-3", Forbidden) as exc:
        services.complete_step(actor=staff_actor("044011"), case_step=s2, now=at(2026, 11, 23, 11))
    assert "谢宇" in str(exc.value)
    services.complete_step(actor=staff_actor("044012"), case_step=s2, now=at(2026, 11, 23, 11))


def test_no_step_can_be_skipped(staff_actor, passport_case):
    _s1, s2, *_ = steps(passport_case)
    with raises_rule("R-CASE-3"):
        services.complete_step(actor=staff_actor("044012"), case_step=s2)


def test_an_approval_step_needs_a_leader(staff_actor, passport_case):
    s1, s2, s3, _s4 = steps(passport_case)
    services.complete_step(actor=staff_actor("044011"), case_step=s1, now=at(2026, 11, 23, 10))
    services.complete_step(actor=staff_actor("044012"), case_step=s2, now=at(2026, 11, 23, 11))
    with raises_rule("R-ORG-4", Forbidden):
        services.complete_step(actor=staff_actor("044013"), case_step=s3, now=at(2026, 11, 23, 12))
    services.complete_step(actor=staff_actor("044002"), case_step=s3, now=at(2026, 11, 23, 12))


def test_the_case_completes_in_time_after_the_last_step(staff_actor, passport_case):
    for badge, step in zip(
        ["044011", "044012", "044002", "044014"], steps(passport_case), strict=True
    ):
        services.complete_step(actor=staff_actor(badge), case_step=step, now=at(2026, 11, 24, 10))
    passport_case.refresh_from_db()
    assert passport_case.status == Status.COMPLETED and passport_case.on_time
    assert passport_case.events.filter(kind="completed").exists()


def test_an_auxiliary_cannot_perform_a_step(actor, migration):
    case = accept(actor("officer"), migration)
    with raises_rule("R-ORG-4", Forbidden):
        services.complete_step(actor=actor("auxiliary"), case_step=case.steps.get(order=1))


def test_only_a_pausable_step_pauses_and_it_needs_a_reason(actor, migration):
    case = accept(actor("officer"), migration)
    with raises_rule("R-TIME-2"):
        services.pause_step(actor=actor("officer"), case_step=case.steps.get(order=1), reason="x")
    services.complete_step(actor=actor("officer"), case_step=case.steps.get(order=1))
    with raises_rule("R-TIME-2", InvalidInput):
        services.pause_step(actor=actor("officer"), case_step=case.steps.get(order=2), reason=" ")
    services.pause_step(actor=actor("officer"), case_step=case.steps.get(order=2), reason="函调")
    with raises_rule(None, match="paused|暂停"):
        services.complete_step(actor=actor("officer"), case_step=case.steps.get(order=2))


def test_on_the_spot_matters_finish_at_once(staff_actor, demo):
    from servicehall.catalog.models import Matter

    matter = Matter.objects.get(code="household-certificate")
    case = services.intake(
        actor=staff_actor("041115"),
        matter=matter,
        applicant=APPLICANT,
        checks=all_presented(matter),
        outcome="on_the_spot",
    )
    assert case.status == Status.COMPLETED and case.on_time and case.visits == 1


def test_every_event_of_a_case_s_life_is_a_kind_people_read_in_chinese(staff_actor, passport_case):
    from servicehall.cases.models import CaseEvent

    services.check_deadlines(now=at(2026, 12, 30, 10))  # far past due: overdue events
    for badge, step in zip(
        ["044011", "044012", "044002", "044014"], steps(passport_case), strict=True
    ):
        services.complete_step(actor=staff_actor(badge), case_step=step, now=at(2026, 12, 30, 11))
    events = list(passport_case.events.all())
    kinds = [e.kind for e in events]
    assert kinds[:2] == [CaseEvent.Kind.RECEIVED, CaseEvent.Kind.ACCEPTED]
    assert CaseEvent.Kind.DUE_OVERDUE in kinds and kinds[-1] == CaseEvent.Kind.COMPLETED
    assert set(kinds) <= set(CaseEvent.Kind.values)
    labels = {e.kind: e.get_kind_display() for e in events}
    assert labels[CaseEvent.Kind.DUE_OVERDUE] == "已超期"
    assert labels[CaseEvent.Kind.STEP_DONE] == "本环节完成"


def test_a_matter_with_steps_cannot_be_done_on_the_spot(staff_actor, passport):
    with raises_rule("R-CASE-3", InvalidInput):
        services.intake(
            actor=staff_actor("044011"),
            matter=passport,
            applicant=APPLICANT,
            checks=all_presented(passport),
            outcome="on_the_spot",
        )


def test_whoever_accepted_an_exit_entry_case_counts_as_its_first_step(staff_actor, passport):
    case = accept(staff_actor("044011"), passport)
    s1, s2 = list(case.steps.order_by("order"))[:2]
    services.complete_step(actor=staff_actor("044012"), case_step=s1)
    with raises_rule("R-CASE-3", Forbidden):
        services.complete_step(actor=staff_actor("044011"), case_step=s2)


def test_only_the_units_staff_of_the_right_role_pause_and_resume(actor, migration):
    case = accept(actor("officer"), migration)
    services.complete_step(actor=actor("officer"), case_step=case.steps.get(order=1))
    step2 = case.steps.get(order=2)
    with raises_rule("R-ORG-4", Forbidden):
        services.pause_step(actor=actor("auxiliary"), case_step=step2, reason="函调")
    services.pause_step(actor=actor("officer"), case_step=step2, reason="函调")
    for outsider in ("inspector", "surveyor", "reviewer", "auxiliary"):
        with raises_rule("R-ORG-4", Forbidden):
            services.resume_step(actor=actor(outsider), case_step=step2)


def test_a_step_in_use_cannot_be_deleted(actor, migration):
    from servicehall.org import services as org_services

    accept(actor("officer"), migration)
    with raises_rule(None, InvalidInput, match="不能删除"):
        org_services.delete_record(actor=actor("leader"), instance=migration.steps.get(order=1))


def test_nobody_serves_before_the_certificate_at_any_step(staff_actor, passport_case):
    # R-ORG-3, the one check of every serving action: a step, a later visit
    from servicehall.org.models import Staff

    s1, s2, *_ = steps(passport_case)
    services.complete_step(actor=staff_actor("044011"), case_step=s1, now=at(2026, 11, 23, 10))
    Staff.objects.filter(badge_no="044012").update(certified_on=None)  # 证书未取得
    rookie = staff_actor("044012")
    visits = passport_case.visit_log.count()
    with raises_rule("R-ORG-3", Forbidden, match="尚未取得培训合格证书"):
        services.complete_step(actor=rookie, case_step=s2, now=at(2026, 11, 23, 11))
    with raises_rule("R-ORG-3", Forbidden):
        services.record_visit(actor=rookie, case=passport_case, purpose="询问进度")
    s2.refresh_from_db()
    assert s2.performer is None and passport_case.visit_log.count() == visits
