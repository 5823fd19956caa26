"""R-CASE-1, R-LAW-1, R-TIME-3: intake ends in exactly one outcome; one-time notices list
every missing material; later visits resume the same case and are counted."""

import datetime as dt

import pytest

from servicehall.cases import selectors, services
from servicehall.cases.models import Case, Status
from servicehall.core.errors import Forbidden, InvalidInput
from servicehall.worktime.models import CalendarDay, SlaPolicy
from tests.helpers import raises_rule

from .conftest import APPLICANT, accept, all_presented, at


def test_complete_materials_are_accepted_with_a_due_date_from_the_calendar(actor, migration):
    case = accept(actor("officer"), migration, now=at(2026, 9, 30, 10))
    assert case.status == Status.IN_PROGRESS and case.number.startswith("C2026-")
    # 8 working days from Wed 9-30 across National Day: 10-08 … 10-16, 10-19 → Mon 10-19? no:
    # 10-08, 10-09, 10-10 (Sat, worked), 10-12, 10-13, 10-14, 10-15, 10-16 → Fri 10-16 17:30
    assert case.due_at == at(2026, 10, 16, 17, 30)
    assert [s.state for s in case.steps.order_by("order")] == [
        "running",
        "pending",
        "pending",
        "pending",
    ]


def test_missing_materials_give_one_notice_that_names_them_all(actor, migration):
    checks = all_presented(
        migration, 居民户口簿=("missing", ""), 房产证明或落户地址证明=("defective", "复印件不清晰")
    )
    case = services.intake(
        actor=actor("officer"),
        matter=migration,
        applicant=APPLICANT,
        checks=checks,
        outcome="notice",
        now=at(2026, 11, 23),
    )
    notice = case.notices.get()
    assert [i["material"] for i in notice.items] == ["居民户口簿", "房产证明或落户地址证明"]
    assert notice.items[1]["note"] == "复印件不清晰"
    assert notice.within_law and notice.law_deadline == at(2026, 11, 30, 17, 30)
    assert case.status == Status.AWAITING_MATERIALS


def test_accepting_with_materials_missing_is_refused(actor, migration):
    checks = all_presented(migration, 居民户口簿=("missing", ""))
    with raises_rule("R-CASE-1", InvalidInput) as exc:
        services.intake(
            actor=actor("officer"),
            matter=migration,
            applicant=APPLICANT,
            checks=checks,
            outcome="accepted",
        )
    assert "居民户口簿" in str(exc.value)
    assert not Case.objects.filter(applicant_name="李明").exists()


def test_every_material_must_be_ticked(actor, migration):
    checks = all_presented(migration)
    checks.pop(next(iter(checks)))
    with raises_rule(None, InvalidInput, match="请勾选每项材料"):
        services.intake(
            actor=actor("officer"),
            matter=migration,
            applicant=APPLICANT,
            checks=checks,
            outcome="accepted",
        )


def test_a_refusal_without_its_legal_basis_is_refused(actor, migration):
    with raises_rule("R-CASE-1", InvalidInput) as exc:
        services.intake(
            actor=actor("officer"),
            matter=migration,
            applicant=APPLICANT,
            checks=all_presented(migration),
            outcome="rejected",
            rejection_reason="不符合条件",
        )
    assert "rejection_basis" in exc.value.errors
    case = services.intake(
        actor=actor("officer"),
        matter=migration,
        applicant=APPLICANT,
        checks=all_presented(migration),
        outcome="rejected",
        rejection_reason="迁入地址不在本辖区",
        rejection_basis="《户口登记条例》第十条",
    )
    assert case.status == Status.REJECTED and case.rejection_number.startswith("R2026-")


@pytest.mark.parametrize(
    ("id_number", "problem"),
    [
        ("41020319900101123", "18"),
        ("410203199013011234", "date"),
        ("41020319900101123Y", "18"),
        ("410203199001011230", "check digit"),
    ],
)
def test_an_invalid_resident_id_is_refused(actor, migration, id_number, problem):
    from django.utils import translation

    with translation.override("en"), raises_rule(None, InvalidInput, match=problem) as exc:
        services.intake(
            actor=actor("officer"),
            matter=migration,
            applicant={**APPLICANT, "id_number": id_number},
            checks=all_presented(migration),
            outcome="accepted",
        )
    assert problem in exc.value.errors["id_number"][0]


def test_an_auxiliary_cannot_take_a_case(actor, migration):
    with raises_rule("R-ORG-4", Forbidden) as exc:
        accept(actor("auxiliary"), migration)
    assert "辅警" in str(exc.value)


def test_the_second_visit_resumes_the_same_case_and_a_fourth_visit_is_flagged(
    staff_actor, passport
):
    exit_officer = staff_actor("044011")
    checks = all_presented(passport, 中国公民出入境证件申请表=("missing", ""))
    case = services.intake(
        actor=exit_officer,
        matter=passport,
        applicant=APPLICANT,
        checks=checks,
        outcome="notice",
        now=at(2026, 11, 23),
    )
    services.resume(
        actor=exit_officer, case=case, checks=checks, outcome="notice", now=at(2026, 11, 24)
    )
    services.resume(
        actor=exit_officer, case=case, checks=checks, outcome="notice", now=at(2026, 11, 25)
    )
    case.refresh_from_db()
    assert case.visits == 3 and not case.over_visits  # at most 3 at exit-entry
    services.resume(
        actor=exit_officer,
        case=case,
        checks=all_presented(passport),
        outcome="accepted",
        now=at(2026, 11, 26),
    )
    case.refresh_from_db()
    assert case.visits == 4 and case.over_visits and case.status == Status.IN_PROGRESS
    assert case.events.filter(kind="over_visits").exists()


def test_a_later_notice_that_asks_for_more_is_flagged_as_not_one_time(actor, migration):
    first = all_presented(migration, 居民户口簿=("missing", ""))
    case = services.intake(
        actor=actor("officer"),
        matter=migration,
        applicant=APPLICANT,
        checks=first,
        outcome="notice",
    )
    more = all_presented(migration, 居民身份证=("missing", ""))
    services.resume(actor=actor("officer"), case=case, checks=more, outcome="notice")
    assert case.notices.order_by("pk").last().adds_items


def test_a_notice_after_the_5_day_window_is_marked_late(actor, migration, monkeypatch):
    case = services.intake(
        actor=actor("officer"),
        matter=migration,
        applicant=APPLICANT,
        checks=all_presented(migration, 居民户口簿=("missing", "")),
        outcome="notice",
        now=at(2026, 11, 23),
    )
    late = services._give_notice(
        case,
        case.received_by,
        [{"material": "居民户口簿", "state": "missing", "note": "", "form": "", "count": 1}],
        at(2026, 12, 2),
    )
    assert not late.within_law


def test_the_notice_limit_is_the_policy_an_admin_edits(actor, migration):
    # R-LAW-1: the office shortens 补正材料一次性告知 from 5 to 3 working days
    SlaPolicy.objects.filter(code="licence-correction-notice").update(n=3, warn_before=None)
    case = services.intake(
        actor=actor("officer"),
        matter=migration,
        applicant=APPLICANT,
        checks=all_presented(migration, 居民户口簿=("missing", "")),
        outcome="notice",
        now=at(2026, 11, 23),
    )
    # received Monday 23 November: the third working day is Thursday the 26th, not Monday 30th
    assert case.notices.get().law_deadline == at(2026, 11, 26, 17, 30)
    late = services._give_notice(
        case,
        case.received_by,
        [{"material": "居民户口簿", "state": "missing", "note": "", "form": "", "count": 1}],
        at(2026, 11, 27),
    )
    assert not late.within_law  # in time under 5 days, late under 3


def test_pause_arithmetic_across_a_holiday(actor, migration):
    # accepted Mon 9-28; step 1 (2 wd) done 9-29; investigation (3 wd, pausable) paused 9-30
    # for an out-of-county letter until 10-9: the pause spans (9-30, 10-9] = 10-8, 10-9 → +2
    officer, leader = actor("officer"), actor("dutylead")
    case = accept(officer, migration, now=at(2026, 9, 28, 9))
    due_before = case.due_at
    step1, step2 = case.steps.order_by("order")[:2]
    services.complete_step(actor=officer, case_step=step1, now=at(2026, 9, 29, 16))
    step2.refresh_from_db()
    assert step2.due_at == at(2026, 10, 9, 17, 30)  # 9-30, 10-8, 10-9
    services.pause_step(
        actor=officer, case_step=step2, reason="等待外县市函调回复", now=at(2026, 9, 30, 9)
    )
    services.resume_step(actor=officer, case_step=step2, now=at(2026, 10, 9, 9))
    step2.refresh_from_db()
    case.refresh_from_db()
    assert step2.due_at == at(2026, 10, 12, 17, 30)  # +2 working days: 10-10 (Sat, worked), 10-12
    assert case.due_at > due_before
    assert leader.role == "duty_lead"


def test_a_pause_of_a_morning_moves_the_step_and_the_case(actor, migration):
    # R-TIME-2: an hour and a half waiting for a reply is not counted, though no day passed
    officer = actor("officer")
    case = accept(officer, migration, now=at(2026, 11, 23, 9))
    step1, step2 = case.steps.order_by("order")[:2]
    services.complete_step(actor=officer, case_step=step1, now=at(2026, 11, 23, 10))
    step2.refresh_from_db()
    assert step2.due_at == at(2026, 11, 26, 17, 30)
    services.pause_step(
        actor=officer, case_step=step2, reason="等待档案回复", now=at(2026, 11, 24, 9)
    )
    services.resume_step(actor=officer, case_step=step2, now=at(2026, 11, 24, 10, 30))
    step2.refresh_from_db()
    case.refresh_from_db()
    # the unit opens at 8:30: the 1.5 hours run on the next morning
    assert step2.due_at == at(2026, 11, 27, 10, 0)
    assert case.due_at == at(2026, 12, 4, 10, 0)  # 8 working days, then the 1.5 hours


def test_a_holiday_entered_in_the_admin_moves_the_due_date(actor, migration):
    import datetime as dt

    CalendarDay.objects.create(date=dt.date(2026, 11, 24), kind="holiday", name="测试")
    case = accept(actor("officer"), migration, now=at(2026, 11, 23))
    step = case.steps.get(order=1)
    assert step.due_at == at(2026, 11, 26, 17, 30)  # 2 working days skipping 11-24


def test_an_unknown_material_state_is_refused(actor, migration):
    checks = all_presented(migration)
    checks[next(iter(checks))] = ("nope", "")
    with raises_rule(None, InvalidInput, match="请标记为已提供"):
        services.intake(
            actor=actor("officer"),
            matter=migration,
            applicant=APPLICANT,
            checks=checks,
            outcome="accepted",
        )


def test_an_unknown_id_type_cannot_dodge_the_checksum(actor, migration):
    with raises_rule(None, InvalidInput, match="请选择证件类型") as exc:
        services.intake(
            actor=actor("officer"),
            matter=migration,
            applicant={**APPLICANT, "id_type": "RESIDENT", "id_number": "410203199001011230"},
            checks=all_presented(migration),
            outcome="accepted",
        )
    assert "id_type" in exc.value.errors


def test_an_uncertified_officer_cannot_take_cases(staff_actor, demo):
    from servicehall.catalog.models import Matter

    rookie = staff_actor("042031")  # 许诺, on duty without a certificate
    matter = Matter.objects.get(code="driving-licence-renew")
    with raises_rule("R-ORG-3", Forbidden):
        services.intake(
            actor=rookie,
            matter=matter,
            applicant=APPLICANT,
            checks=all_presented(matter),
            outcome="on_the_spot",
        )


def test_a_double_submission_makes_one_case_and_one_visit(actor, migration):
    first = services.intake(
        actor=actor("officer"),
        matter=migration,
        applicant=APPLICANT,
        checks=all_presented(migration, 居民户口簿=("missing", "")),
        outcome="notice",
        token="t-1",
    )
    again = services.intake(
        actor=actor("officer"),
        matter=migration,
        applicant=APPLICANT,
        checks=all_presented(migration, 居民户口簿=("missing", "")),
        outcome="notice",
        token="t-1",
    )
    assert (
        first.pk == again.pk and Case.objects.filter(applicant_name=APPLICANT["name"]).count() == 1
    )
    for _ in range(2):
        services.resume(
            actor=actor("officer"),
            case=first,
            checks=all_presented(migration),
            outcome="accepted",
            token="v-1",
        )
    first.refresh_from_db()
    assert first.visits == 2


def test_a_notice_later_accepted_still_counts_as_a_notice(actor, migration):
    case = services.intake(
        actor=actor("officer"),
        matter=migration,
        applicant=APPLICANT,
        checks=all_presented(migration, 居民户口簿=("missing", "")),
        outcome="notice",
    )
    services.resume(
        actor=actor("officer"), case=case, checks=all_presented(migration), outcome="accepted"
    )
    stats = selectors.statistics(Case.objects.filter(pk=case.pk))
    assert stats["notices"] == 1 and stats["accepted"] == 1


def test_collecting_the_result_counts_as_a_visit(staff_actor, passport):
    case = accept(staff_actor("044011"), passport)
    for n in range(3):
        services.record_visit(actor=staff_actor("044011"), case=case, purpose=f"询问进度 {n}")
    case.refresh_from_db()
    assert case.visits == 4 and case.over_visits


def test_the_promised_due_never_passes_the_statutory_due(actor, migration):
    type(migration).objects.filter(pk=migration.pk).update(promised_n=30)  # saved behind the rules
    migration.refresh_from_db()
    case = accept(actor("officer"), migration, now=at(2026, 11, 23))
    assert case.due_at <= case.statutory_due_at
    assert case.due_at.date() <= (at(2026, 11, 23) + dt.timedelta(days=40)).date()


def test_an_uncertified_officer_cannot_take_the_citizen_s_next_visit(actor, migration):
    # R-ORG-3: the later visit serves the citizen as the first did
    from servicehall.org.models import Staff

    checks = all_presented(migration, 居民户口簿=("missing", ""))
    case = services.intake(
        actor=actor("officer"),
        matter=migration,
        applicant=APPLICANT,
        checks=checks,
        outcome="notice",
        now=at(2026, 11, 23),
    )
    Staff.objects.filter(user__username="officer").update(certified_on=None)
    with raises_rule("R-ORG-3", Forbidden, match="尚未取得培训合格证书"):
        services.resume(
            actor=actor("officer"),
            case=case,
            checks=all_presented(migration),
            outcome="accepted",
            now=at(2026, 11, 24),
        )
    case.refresh_from_db()
    assert case.status == Status.AWAITING_MATERIALS and case.visits == 1
