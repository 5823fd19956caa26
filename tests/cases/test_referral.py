"""R-CASE-2: the first-contact owner keeps the case until the receiver acknowledges; a hand-off
has two receipts and stays open until completed."""

import pytest

from servicehall.cases import services
from servicehall.cases.models import Case
from servicehall.core.errors import Forbidden, InvalidInput
from servicehall.org.models import Staff, Unit, Window
from tests.helpers import raises_rule

from .conftest import accept


@pytest.fixture
def case(actor, migration):
    return accept(actor("officer"), migration)


def test_the_owner_keeps_the_case_until_the_receiver_acknowledges(actor, case):
    colleague = Staff.objects.get(badge_no="041236")
    referral = services.refer(
        actor=actor("officer"), case=case, task="入户调查核实", to_staff=colleague
    )
    assert referral.slip_number.startswith("S") and referral.handoff_number.startswith("H")
    case.refresh_from_db()
    assert case.owner.badge_no == "041235"
    with raises_rule("R-CASE-2", Forbidden):
        services.acknowledge(actor=actor("dutylead"), referral=referral)


def test_acknowledge_then_complete(actor, case, staff_actor):
    referral = services.refer(
        actor=actor("officer"),
        case=case,
        task="入户调查核实",
        to_staff=Staff.objects.get(badge_no="041236"),
    )
    receiver = staff_actor("041236")
    with raises_rule("R-CASE-2"):
        services.complete_referral(actor=receiver, referral=referral)
    services.acknowledge(actor=receiver, referral=referral)
    case.refresh_from_db()
    assert case.owner.badge_no == "041236"
    services.complete_referral(actor=receiver, referral=referral)
    referral.refresh_from_db()
    assert referral.state == "completed"
    assert [e.kind for e in case.events.all()][-3:] == ["referred", "acknowledged", "referral_done"]


def test_a_window_hand_off_is_acknowledged_by_whoever_sits_there(actor, case):
    window = Window.objects.get(unit=case.unit, number=1)
    referral = services.refer(
        actor=actor("officer"), case=case, task="所领导审批", to_window=window
    )
    dutylead = actor("dutylead")  # 施建华 sits at window 1
    services.acknowledge(actor=dutylead, referral=referral)
    referral.refresh_from_db()
    case.refresh_from_db()
    assert referral.acknowledged_by == dutylead.staff and referral.acknowledged_at is not None
    assert case.owner == dutylead.staff


def test_a_hand_off_names_exactly_one_receiver_and_a_task(actor, case):
    with raises_rule(None, InvalidInput, match="只能交办给一名人员"):
        services.refer(actor=actor("officer"), case=case, task="x")
    with raises_rule(None, InvalidInput, match="请说明交办内容"):
        services.refer(
            actor=actor("officer"),
            case=case,
            task=" ",
            to_staff=Staff.objects.get(badge_no="041236"),
        )


def test_only_the_owner_hands_over(actor, case):
    with raises_rule("R-CASE-2", Forbidden):
        services.refer(
            actor=actor("dutylead"),
            case=case,
            task="x",
            to_staff=Staff.objects.get(badge_no="041236"),
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


def test_a_hand_off_nobody_can_receive_is_refused(actor, case, demo):
    # a window with nobody posted, and a unit whose leaders are not yet certified
    empty = Window.objects.create(unit=demo, number=9, function="档案整理")
    with raises_rule("R-CASE-2", InvalidInput, match="没有可以接收交办的人员") as refused:
        services.refer(actor=actor("officer"), case=case, task="补录档案", to_window=empty)
    assert "9" in refused.value.errors["to"][0]
    other = Unit.objects.exclude(pk=demo.pk).order_by("pk").first()
    Staff.objects.filter(unit=other).update(certified_on=None)
    with raises_rule("R-CASE-2", InvalidInput):
        services.refer(actor=actor("officer"), case=case, task="协查", to_unit=other)
    assert not case.referrals.exists()
