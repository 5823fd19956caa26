"""Holes found in review of the case handling, kept closed."""

import datetime as dt

from servicehall.cases import services
from servicehall.cases.models import Case
from servicehall.core.errors import Forbidden, InvalidInput
from servicehall.org.models import Staff, Unit, Window
from tests.helpers import raises_rule

from .conftest import APPLICANT, accept, all_presented, at


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


def test_auxiliaries_neither_receive_nor_acknowledge_hand_offs(actor, migration):
    case = accept(actor("officer"), migration)
    with raises_rule("R-ORG-4", InvalidInput):
        services.refer(
            actor=actor("officer"),
            case=case,
            task="x",
            to_staff=Staff.objects.get(badge_no="FJ1201"),
        )
    window_3 = Window.objects.get(unit=case.unit, number=3)  # 张丽萍 and the auxiliary 孔雪梅
    referral = services.refer(actor=actor("officer"), case=case, task="照相", to_window=window_3)
    with raises_rule("R-CASE-2", Forbidden):
        services.acknowledge(actor=actor("auxiliary"), referral=referral)


def test_a_hand_off_to_another_unit_is_read_and_taken_over_there(
    actor, migration, staff_actor, client
):
    case = accept(actor("officer"), migration)
    centre = Unit.objects.get(code="kf-centre-police")
    referral = services.refer(
        actor=actor("officer"), case=case, task="代为出具户籍证明", to_unit=centre
    )
    lead = staff_actor("041102")  # the centre's duty lead
    client.force_login(lead.user)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert client.get(f"/cases/referrals/{referral.pk}/handoff/print/").status_code == 200
    services.acknowledge(actor=lead, referral=referral)
    case.refresh_from_db()
    assert case.owner.badge_no == "041102"
    assert case in client.get("/cases/").context["mine"]


def test_the_last_step_waits_for_open_hand_offs_and_closed_cases_take_none(actor, migration):
    officer, lead = actor("officer"), actor("dutylead")
    case = accept(officer, migration)
    steps = list(case.steps.order_by("order"))
    for s in steps[:3]:
        services.complete_step(actor=lead, case_step=s)
    referral = services.refer(
        actor=officer, case=case, task="通知申请人", to_staff=Staff.objects.get(badge_no="041236")
    )
    with raises_rule("R-CASE-2"):
        services.complete_step(actor=lead, case_step=steps[3])
    Case.objects.filter(pk=case.pk).update(status="completed")
    with raises_rule("R-CASE-2"):
        services.acknowledge(actor=actor("officer"), referral=referral)


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
    stats = services.statistics(Case.objects.filter(pk=case.pk))
    assert stats["notices"] == 1 and stats["accepted"] == 1


def test_collecting_the_result_counts_as_a_visit(staff_actor, passport):
    case = accept(staff_actor("044011"), passport)
    for n in range(3):
        services.record_visit(actor=staff_actor("044011"), case=case, purpose=f"询问进度 {n}")
    case.refresh_from_db()
    assert case.visits == 4 and case.over_visits


def test_odd_input_is_answered_not_crashed(login, demo):
    client = login("officer")
    assert client.get("/cases/new/?matter=abc").status_code == 400  # names "matter"
    assert client.get("/api/v1/units/4/ledger?matter=nope").status_code in (400, 403)


def test_a_step_in_use_cannot_be_deleted(actor, migration):
    from servicehall.org import services as org_services

    accept(actor("officer"), migration)
    with raises_rule(None, InvalidInput, match="不能删除"):
        org_services.delete_record(actor=actor("leader"), instance=migration.steps.get(order=1))


def test_the_public_status_gives_shanghai_dates(client, actor, migration):
    case = accept(
        actor("officer"), migration, now=at(2026, 3, 10, 7, 30)
    )  # 23:30 UTC the day before
    body = client.get(f"/api/v1/status/{case.number}", {"code": case.check_code}).json()
    assert body["received_on"] == "2026-03-10"


def test_the_promised_due_never_passes_the_statutory_due(actor, migration):
    type(migration).objects.filter(pk=migration.pk).update(promised_n=30)  # saved behind the rules
    migration.refresh_from_db()
    case = accept(actor("officer"), migration, now=at(2026, 11, 23))
    assert case.due_at <= case.statutory_due_at
    assert case.due_at.date() <= (at(2026, 11, 23) + dt.timedelta(days=40)).date()
