"""R-FB-2, R-FB-3, R-TIME-4: complaints and suggestions reach the unit by every channel, are
answered within three working days, and a substantiated one costs violation points."""

import datetime as dt
from zoneinfo import ZoneInfo

from servicehall.complaints import services
from servicehall.complaints.models import Channel, Complaint, Opening
from servicehall.core.errors import Forbidden, InvalidInput
from servicehall.notices.models import Notification
from servicehall.org.permissions import CITIZEN
from servicehall.violations import services as ledger
from servicehall.violations.models import Violation
from tests.helpers import raises_rule

SH = ZoneInfo("Asia/Shanghai")


def at(month, day, h=10):
    return dt.datetime(2026, month, day, h, tzinfo=SH)


def web_complaint(demo, **kw):
    args = {
        "actor": CITIZEN,
        "kind": Complaint.Kind.COMPLAINT,
        "channel": Channel.WEB,
        "unit": demo,
        "category": "attitude",
        "description": "窗口民警态度生硬，不解释材料要求",
        "name": "李明",
        "phone": "13812345678",
    } | kw
    return services.file(**args)


def test_answer_due_three_working_days_later_across_national_day(demo):
    # R-FB-3 R-TIME-4: filed Wednesday 30 September 2026; 1–7 October are the holiday,
    # Saturday 10 October is a working day: the third working day is 10 October
    c = web_complaint(demo, now=at(9, 30))
    assert c.due_at.astimezone(SH).date() == dt.date(2026, 10, 10)
    assert c.status == Complaint.Status.RECEIVED
    assert c.code.startswith("TS-") and len(c.code) == 12


def test_leaders_told_and_overdue_once(demo, staff_of):
    c = web_complaint(demo, now=at(9, 30))
    leader = demo.staff.filter(role="unit_leader").first().user
    assert Notification.objects.filter(recipient=leader, kind="complaint").exists()
    assert services.overdue(now=at(10, 9)) == 0
    assert services.overdue(now=at(10, 12)) >= 1
    assert services.overdue(now=at(10, 13)) == 0  # told once
    assert Notification.objects.filter(
        recipient=leader, kind="complaint_overdue", text__contains=c.code
    ).exists()


def test_bad_input_names_the_field_and_stores_nothing(demo):
    before = Complaint.objects.count()
    with raises_rule(None, InvalidInput, match="请简要写明事情经过") as exc:
        web_complaint(demo, description="差", phone="call me")
    assert set(exc.value.errors) == {"description", "phone"}
    with raises_rule(None, InvalidInput, match="请选择投诉类别") as exc:
        web_complaint(demo, category="")
    assert "category" in exc.value.errors
    assert Complaint.objects.count() == before


def test_a_citizen_cannot_register_a_paper_complaint(demo):
    with raises_rule("R-ORG-4", Forbidden):
        web_complaint(demo, channel=Channel.BOOK)


def test_substantiated_complaint_gives_violation_points(demo, actor, staff_of):
    officer = staff_of("kf-gulou-hukou", "041235")
    c = web_complaint(demo, staff=officer)
    leader = actor("leader")
    # a complaint is investigated before it is answered
    with raises_rule(None, match="请先记录核查结果"):
        services.answer(actor=leader, complaint=c, text="已处理")
    with raises_rule(None, InvalidInput, match="请选择投诉是否属实") as exc:
        services.investigate(actor=leader, complaint=c, finding="调取录像属实")
    assert "substantiated" in exc.value.errors
    c = services.investigate(
        actor=leader, complaint=c, finding="调取录像，情况属实", substantiated=True
    )
    v = Violation.objects.get(source_kind="complaint", source_id=c.code)
    assert (v.unit, v.staff, v.points) == (demo, officer, 2)  # attitude: 2 points by default
    assert services.violation_of(c) == v
    assert ledger.points_by_unit([demo], at(1, 1).date(), at(12, 31).date())[demo.pk] >= 2
    c = services.answer(actor=leader, complaint=c, text="已对该民警批评教育并扣分，感谢监督。")
    assert c.status == Complaint.Status.ANSWERED
    with raises_rule(None, match="该投诉已答复"):
        services.answer(actor=leader, complaint=c, text="again")


def test_unsubstantiated_complaint_costs_nothing(demo, actor):
    c = web_complaint(demo)
    c = services.investigate(
        actor=actor("leader"), complaint=c, finding="经核实按规定办理", substantiated=False
    )
    assert not Violation.objects.filter(source_id=c.code).exists()


def test_officer_may_register_but_not_decide(demo, actor):
    c = services.file(
        actor=actor("officer"),
        kind=Complaint.Kind.SUGGESTION,
        channel=Channel.PHONE,
        unit=demo,
        description="建议周六上午也开放户籍窗口",
    )
    with raises_rule("R-ORG-4", Forbidden):
        services.answer(actor=actor("officer"), complaint=c, text="好的")
    # a suggestion may be answered without a finding
    c = services.answer(actor=actor("leader"), complaint=c, text="已研究，周六上午安排值班。")
    assert c.status == Complaint.Status.ANSWERED and c.substantiated is None


def test_box_opening_needs_a_witness_and_registers_each_item(demo, actor):
    leader = actor("leader")
    items = [
        {"kind": "complaint", "category": "delay", "description": "办证拖了两周还没好"},
        {"kind": "suggestion", "description": "等候区增加饮水机"},
    ]
    with raises_rule("R-FB-2", InvalidInput) as exc:
        services.record_opening(
            actor=leader,
            unit=demo,
            container="box",
            opened_at=at(11, 2),
            witnesses=leader.staff.name,
            items=items,
        )
    assert "witnesses" in exc.value.errors
    assert not Opening.objects.filter(unit=demo).exists()
    opening = services.record_opening(
        actor=leader,
        unit=demo,
        container="box",
        opened_at=at(11, 2),
        witnesses="王建国、赵敏",
        items=items,
    )
    assert opening.items_found == 2 and opening.witnesses == "王建国、赵敏"
    assert {(c.channel, c.kind) for c in opening.items.all()} == {
        ("box", "complaint"),
        ("box", "suggestion"),
    }
    # a bad item refuses the whole opening, naming the item
    with raises_rule(None, InvalidInput, match="第 2 件") as exc:
        services.record_opening(
            actor=leader,
            unit=demo,
            container="book",
            opened_at=at(11, 3),
            witnesses="赵敏",
            items=[items[0], {"kind": "complaint", "category": "fees", "description": ""}],
        )
    assert "item2-description" in exc.value.errors
    assert Opening.objects.filter(unit=demo).count() == 1
    # nothing found is a record too
    empty = services.record_opening(
        actor=leader, unit=demo, container="book", opened_at=at(11, 4), witnesses="赵敏", items=[]
    )
    assert empty.items_found == 0


def test_lookup_by_code_forgives_case_and_dashes(demo):
    c = web_complaint(demo)
    assert services.by_code(c.code.lower().replace("-", " ")) == c
    assert services.by_code("TS-0000-0000") is None
    assert services.by_code("") is None


def test_a_finding_stands_once_recorded(demo, actor):
    c = web_complaint(demo)
    leader = actor("leader")
    services.investigate(actor=leader, complaint=c, finding="属实", substantiated=True)
    with raises_rule(None, match="已记录核查结果"):  # a second leader, or a double click
        services.investigate(actor=leader, complaint=c, finding="不属实", substantiated=False)
    c.refresh_from_db()
    assert c.substantiated is True and Violation.objects.filter(source_id=c.code).count() == 1


def test_nobody_handles_a_complaint_about_themselves(demo, actor):
    leader = actor("leader")
    c = web_complaint(demo, staff=leader.staff)
    with raises_rule(None, match="涉及您本人"):
        services.investigate(actor=leader, complaint=c, finding="无此事", substantiated=False)
    services.investigate(actor=actor("admin"), complaint=c, finding="属实", substantiated=True)


def test_an_answer_due_in_an_unpublished_year_is_marked_estimated(demo):
    # R-LAW-4: three working days from 30 December 2026 reach into 2027, whose holidays the
    # calendar (workcal/data/china.toml) does not have yet
    c = web_complaint(demo, now=at(12, 30))
    assert c.due_estimated is True
    assert web_complaint(demo, now=at(9, 30)).due_estimated is False


def test_the_answer_limit_is_the_policy_an_admin_edits(demo):
    # R-FB-3 R-TIME-4: the office gives itself 5 working days instead of 3 (投诉答复)
    from servicehall.worktime.models import SlaPolicy

    SlaPolicy.objects.filter(code="complaint-answer").update(n=5)
    c = web_complaint(demo, now=at(9, 30))
    # 10-08, 10-09, 10-10 (Saturday, worked), 10-12, 10-13
    assert c.due_at.astimezone(SH).date() == dt.date(2026, 10, 13)
