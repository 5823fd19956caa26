"""R-LAW-1, the Administrative Licensing Law in full (issue 14): a licence's decision within
20 working days (handled jointly 45), one extension of 10 (15) with the head's recorded
approval, told to the applicant, and the certificate within 10 working days of the decision
(行政许可法 第四十四条) on its own clock. Every number is a time-limit policy.

The passport matter stands in for a licence here: promised 20 working days, no statutory
limit of its own, four steps; step 3 (审批) makes the decision, step 4 issues the passport."""

import pytest

from servicehall.cases import services
from servicehall.cases.models import Case, DueState, Status
from servicehall.catalog.models import Licensing, Matter
from servicehall.notices.models import Notification
from servicehall.worktime.models import SlaPolicy
from servicehall.worktime.services import seed_policies
from tests.helpers import raises_rule

from .conftest import accept, at

BADGES = ["044011", "044012", "044002", "044014"]  # one colleague a step (R-CASE-3)
LEADER = "044001"  # 出入境管理支队支队长, the head of the office
MONDAY = at(2026, 11, 2, 10)  # no holiday until New Year


@pytest.fixture
def licence(passport):
    seed_policies()
    passport.licensing = Licensing.SINGLE
    passport.statutory_n = None
    passport.promised_n, passport.promised_unit = 20, "working_days"
    passport.save()
    passport.steps.filter(order=3).update(decides=True)
    return passport


@pytest.fixture
def case(staff_actor, licence):
    return accept(staff_actor("044011"), licence, now=MONDAY)


def step(case, order):
    return case.steps.get(order=order)


def finish_steps(staff_actor, case, *orders, now):
    for order in orders:
        services.complete_step(
            actor=staff_actor(BADGES[order - 1]), case_step=step(case, order), now=now
        )
    case.refresh_from_db()
    return case


def test_a_licence_without_its_own_statutory_limit_runs_the_laws_20_working_days(case):
    # 20 working days from Monday 11-02: Monday 11-30 (the day of acceptance not counted)
    assert case.statutory_due_at == at(2026, 11, 30, 17, 30)
    assert case.clock["law"] == [20, "working_days"]


def test_the_decision_limit_is_a_policy(staff_actor, licence):
    SlaPolicy.objects.filter(code="licence-decision").update(n=15)
    licence.promised_n = 15
    licence.save()
    case = accept(staff_actor("044011"), licence, now=MONDAY)
    assert case.statutory_due_at == at(2026, 11, 23, 17, 30)


def test_joint_handling_runs_45_working_days(staff_actor, licence):
    licence.licensing = Licensing.JOINT
    licence.promised_n = 45
    licence.save()
    case = accept(staff_actor("044011"), licence, now=MONDAY)
    assert case.clock["law"] == [45, "working_days"]
    services.extend_decision(
        actor=staff_actor(LEADER), case=case, reason="需征求规划部门意见", now=MONDAY
    )
    case.refresh_from_db()
    assert case.clock["extension"] == [15, "working_days"]  # 45 + 15


def test_the_head_extends_the_decision_by_10_working_days_and_the_applicant_is_told(
    client, staff_actor, case
):
    services.extend_decision(
        actor=staff_actor(LEADER),
        case=case,
        reason="需向外省公安机关核查户籍信息",
        now=at(2026, 11, 20, 9),
    )
    case.refresh_from_db()
    # 10 working days after Monday 11-30: Monday 12-14, the promise with it
    assert case.statutory_due_at == at(2026, 12, 14, 17, 30)
    assert case.due_at == at(2026, 12, 14, 17, 30)
    extended = case.events.get(kind="extended")
    assert extended.actor.badge_no == LEADER
    assert extended.data["old"] == at(2026, 11, 30, 17, 30).isoformat()
    assert extended.data["new"] == at(2026, 12, 14, 17, 30).isoformat()
    assert "需向外省公安机关核查户籍信息" in extended.text
    told = Notification.objects.get(kind=Notification.Kind.LIMIT_EXTENDED, case=case)
    assert told.recipient == case.owner.user
    # the applicant's status page says why and to when
    page = client.get("/status/", {"number": case.number, "code": case.check_code}).content.decode()
    assert "审查期限已延长" in page and "需向外省公安机关核查户籍信息" in page
    assert "2026-12-14" in page


def test_finishing_in_the_extension_is_in_time(staff_actor, case):
    services.extend_decision(
        actor=staff_actor(LEADER), case=case, reason="需实地核查", now=at(2026, 11, 20)
    )
    case = finish_steps(staff_actor, case, 1, 2, 3, 4, now=at(2026, 12, 8))
    assert case.status == Status.COMPLETED and case.on_time is True


@pytest.mark.parametrize(
    "badge, rule", [("044011", "R-ORG-4"), ("044002", "R-ORG-4")], ids=["officer", "duty_lead"]
)
def test_only_the_head_of_the_office_approves_an_extension(staff_actor, case, badge, rule):
    with raises_rule(rule):
        services.extend_decision(actor=staff_actor(badge), case=case, reason="x", now=MONDAY)
    case.refresh_from_db()
    assert "extension" not in case.clock


def test_the_law_allows_one_extension_before_the_limit_ends(staff_actor, case):
    leader = staff_actor(LEADER)
    with raises_rule("R-LAW-1"):  # a reason the applicant is told
        services.extend_decision(actor=leader, case=case, reason="  ", now=MONDAY)
    with raises_rule("R-LAW-1"):  # after the decision limit ended on 11-30
        services.extend_decision(actor=leader, case=case, reason="迟了", now=at(2026, 12, 1))
    services.extend_decision(actor=leader, case=case, reason="需补充核查", now=MONDAY)
    with raises_rule("R-LAW-1"):  # once
        services.extend_decision(actor=leader, case=case, reason="再延", now=MONDAY)
    case.refresh_from_db()
    assert case.events.filter(kind="extended").count() == 1


def test_no_extension_after_the_decision_or_for_a_matter_that_is_no_licence(staff_actor, case):
    leader = staff_actor(LEADER)
    case = finish_steps(staff_actor, case, 1, 2, 3, now=at(2026, 11, 10))
    with raises_rule("R-LAW-1"):
        services.extend_decision(actor=leader, case=case, reason="x", now=at(2026, 11, 10))
    id_card = Matter.objects.get(code="id-card-apply")  # no licence
    other = accept(staff_actor("041235"), id_card, now=MONDAY)
    with raises_rule("R-LAW-1"):
        services.extend_decision(actor=staff_actor("041201"), case=other, reason="x", now=MONDAY)


def test_the_decision_stops_the_laws_clock_and_starts_the_certificates(staff_actor, case):
    case = finish_steps(staff_actor, case, 1, 2, 3, now=at(2026, 11, 10, 10))
    assert case.clock["decided_at"] == at(2026, 11, 10, 10).isoformat()
    assert case.events.get(kind="decided").text == "已作出决定，证件应于 2026-11-24 17:30 前颁发"
    # the certificate's 10 working days (11-24) end before the promise (11-30): they decide
    assert case.due_at == at(2026, 11, 24, 17, 30)
    statuses = services.case_statuses(case, at(2026, 11, 25, 9))
    assert statuses.law.state == "met" and statuses.certificate.state == "overdue"
    assert statuses.binding is statuses.certificate
    services.check_deadlines(now=at(2026, 11, 25, 9))
    case.refresh_from_db()
    assert case.due_state == DueState.OVERDUE


def test_a_certificate_issued_after_its_10_days_is_late_though_the_promise_held(staff_actor, case):
    case = finish_steps(staff_actor, case, 1, 2, 3, now=at(2026, 11, 10))
    case = finish_steps(staff_actor, case, 4, now=at(2026, 11, 26))
    assert case.on_time is False
    assert services.case_statuses(case, at(2026, 11, 26)).promise.state == "met"


def test_a_late_decision_is_late_whatever_the_certificate(staff_actor, case):
    case = finish_steps(staff_actor, case, 1, 2, 3, now=at(2026, 12, 1))
    case = finish_steps(staff_actor, case, 4, now=at(2026, 12, 1, 11))
    statuses = services.case_statuses(case, at(2026, 12, 1, 11))
    assert statuses.law.state == "breached" and case.on_time is False


def test_without_a_deciding_step_the_last_step_decides(staff_actor, case):
    case.matter.steps.update(decides=False)
    case = finish_steps(staff_actor, case, 1, 2, 3, 4, now=at(2026, 11, 10))
    assert case.clock["decided_at"] == at(2026, 11, 10).isoformat()
    assert "certificate" not in case.clock and case.on_time is True


def test_the_case_page_shows_both_clocks_and_the_head_may_extend(client, staff_actor, case):
    client.force_login(staff_actor(LEADER).user)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "决定期限" in page and f'action="/cases/{case.pk}/extend/"' in page
    client.force_login(staff_actor("044011").user)
    assert "/extend/" not in client.get(case.get_absolute_url()).content.decode()


def test_the_extension_form_refuses_an_empty_reason_and_changes_nothing(
    client, staff_actor, licence
):
    case = accept(staff_actor("044011"), licence)  # today: the limit has not ended
    client.force_login(staff_actor(LEADER).user)
    url = f"/cases/{case.pk}/extend/"
    page = client.post(url, {"reason": ""}, follow=True).content.decode()
    assert "请填写将告知申请人的延长理由" in page
    assert "extension" not in Case.objects.get(pk=case.pk).clock
    client.post(url, {"reason": "需核查"}, follow=True)
    assert Case.objects.get(pk=case.pk).clock["extension"] == [10, "working_days"]
    client.force_login(staff_actor("044011").user)
    assert client.post(url, {"reason": "需核查"}).status_code == 403


def test_the_extension_joint_and_certificate_limits_are_policies(staff_actor, licence):
    SlaPolicy.objects.filter(code="licence-decision-extension").update(n=5)
    SlaPolicy.objects.filter(code="licence-certificate").update(n=3)
    case = accept(staff_actor("044011"), licence, now=MONDAY)
    services.extend_decision(actor=staff_actor(LEADER), case=case, reason="核查", now=MONDAY)
    case.refresh_from_db()
    assert case.statutory_due_at == at(2026, 12, 7, 17, 30)  # 11-30 + 5 working days
    case = finish_steps(staff_actor, case, 1, 2, 3, now=at(2026, 11, 10, 10))
    assert case.due_at == at(2026, 11, 13, 17, 30)  # the certificate: 3 working days
    SlaPolicy.objects.filter(code="licence-joint-decision").update(n=40)
    SlaPolicy.objects.filter(code="licence-joint-extension").update(n=12)
    licence.licensing, licence.promised_n = Licensing.JOINT, 40
    licence.save()
    joint = accept(staff_actor("044012"), licence, now=MONDAY)
    services.extend_decision(actor=staff_actor(LEADER), case=joint, reason="会商", now=MONDAY)
    joint.refresh_from_db()
    assert joint.clock["law"] == [40, "working_days"] and joint.clock["extension"] == [
        12,
        "working_days",
    ]
