"""Hotline calls: answered within three rings, the connection rate, 七何 completeness, repeat
calls, complaint calls with their 3-working-day clock (R-FB-5, R-LAW-3, R-TIME-4)."""

import datetime as dt

from servicehall.complaints.models import Channel, Complaint
from servicehall.core.errors import Forbidden, InvalidInput
from servicehall.hotline import services
from servicehall.hotline.models import HotlineCall
from tests.helpers import raises_rule

from .conftest import CALLER, REPORT, local

S = dt.timedelta(seconds=1)


def taken(operator, centre, rang, after, number=CALLER):
    call = services.ring(actor=operator, unit=centre, caller_number=number, at=rang)
    return services.answer(actor=operator, call=call, at=rang + after)


def test_answered_within_15_seconds_is_in_time_and_later_is_flagged(operator, centre):
    t = local(2026, 11, 2, 9, 0, 0)
    on_time = taken(operator, centre, t, 15 * S)
    late = taken(operator, centre, t + 60 * S, 16 * S, number="13800000001")
    assert on_time.ring_seconds == 15 and on_time.answered_in_time
    assert late.ring_seconds == 16 and not late.answered_in_time
    assert on_time.taken_by.name == "金涛"
    assert on_time.seat.number == 2  # his posted seat, as no other was named
    f = services.figures(centre, t.date())
    assert f["answered"] == 2 and f["in_time"] == 1 and f["in_time_rate"] == 0.5


def test_the_connection_rate_counts_unanswered_calls(operator, centre):
    t = local(2026, 11, 3, 22, 0, 0)
    taken(operator, centre, t, 5 * S)
    taken(operator, centre, t + 60 * S, 8 * S, number="13800000002")
    gave_up = services.ring(actor=operator, unit=centre, caller_number="13800000003", at=t)
    gave_up = services.hang_up(actor=operator, call=gave_up, at=t + 40 * S)
    services.ring(actor=operator, unit=centre, caller_number="13800000004", at=t + 90 * S)
    assert gave_up.state == "abandoned" and gave_up.outcome == "hung_up"
    assert gave_up.answered_at is None and gave_up.ring_seconds == 40
    f = services.figures(centre, t.date())
    assert f["calls"] == 4 and f["answered"] == 2 and f["abandoned"] == 1
    assert f["unanswered"] == 2
    assert f["connection_rate"] == 0.5 and f["connection_below_target"]  # R-LAW-3: ≥ 95 %
    assert services.figures(centre, t.date() - dt.timedelta(days=1))["calls"] == 0


def test_a_report_call_missing_elements_is_incomplete_and_names_them(operator, centre):
    call = taken(operator, centre, local(2026, 11, 4, 8, 0, 0), 3 * S)
    details = {**REPORT, "where": "", "items": "  ", "callback_number": ""}
    # R-FB-5: not closed with 七何 missing unless the operator says why
    with raises_rule("R-FB-5", InvalidInput) as refused:
        services.close(actor=operator, call=call, details=details)
    assert "仍缺：何地、何物、回拨号码。" in refused.value.errors["missing_reason"][0]
    call.refresh_from_db()
    assert call.ended_at is None and call.recorded_at is None
    details["missing_reason"] = "来电人情绪激动，不愿说明地点，挂断前未留电话"
    call = services.close(actor=operator, call=call, details=details)
    assert call.missing_reason.startswith("来电人情绪激动")
    assert call.complete is False
    assert call.missing_fields == ["where", "items", "callback_number"]
    assert len(call.missing) == 3  # their labels, for the log
    assert call.ended_at is not None and call.outcome == "dispatched"
    f = services.figures(centre, call.rang_at.date())
    assert f["needs_elements"] == 1 and f["complete"] == 0 and f["completeness_rate"] == 0.0
    call = services.record(
        actor=operator,
        call=call,
        details={"where": "鼓楼街18号", "items": "木棍", "callback_number": "139 8765 4321"},
    )
    assert call.complete is True and call.callback_number == "13987654321"
    assert services.figures(centre, call.rang_at.date())["completeness_rate"] == 1.0
    consult = taken(operator, centre, local(2026, 11, 4, 9, 0, 0), 3 * S, number="13800000005")
    consult = services.close(
        actor=operator, call=consult, details={"kind": "consultation", "outcome": "answered"}
    )
    assert consult.complete is None and consult.missing == []  # needs no 七何


def test_a_call_from_the_same_number_within_24_hours_is_linked(operator, centre, demo, actor):
    t = local(2026, 11, 5, 10, 0, 0)
    first = services.ring(actor=operator, unit=centre, caller_number=CALLER, at=t)
    again = services.ring(
        actor=operator, unit=centre, caller_number="138-1234-5678", at=t + dt.timedelta(hours=23)
    )
    assert again.repeat_of == first and again.caller_number == CALLER
    other = services.ring(actor=operator, unit=centre, caller_number="13800000006", at=t + S)
    assert other.repeat_of is None
    # a day and a second after the last call from the number: a new call, not a repeat
    later = services.ring(
        actor=operator, unit=centre, caller_number=CALLER, at=t + dt.timedelta(hours=47, seconds=1)
    )
    assert later.repeat_of is None
    # the same number at another unit is that unit's business
    elsewhere = services.ring(
        actor=actor("officer"), unit=demo, caller_number=CALLER, at=t + dt.timedelta(hours=1)
    )
    assert elsewhere.repeat_of is None
    # a number typed in after answering links the call too
    unknown = taken(operator, centre, t + dt.timedelta(hours=2), 2 * S, number="")
    assert unknown.repeat_of is None
    unknown = services.record(
        actor=operator,
        call=unknown,
        details={"kind": "urging", "outcome": "answered", "caller_number": CALLER},
    )
    assert unknown.repeat_of == first and first.repeats.count() == 2
    assert services.figures(centre, t.date())["repeats"] == 1
    assert services.figures(centre, t.date(), t.date() + dt.timedelta(days=1))["repeats"] == 2


def test_a_complaint_call_registers_a_hotline_complaint_due_in_3_working_days(operator, centre):
    from servicehall.worktime import services as worktime

    call = taken(operator, centre, local(2026, 9, 30, 10, 0, 0), 5 * S)
    call = services.close(
        actor=operator,
        call=call,
        details={
            "kind": "complaint",
            "greeted": True,
            "complainant_name": "李红",
            "complainant_address": "开封市鼓楼区书店街3号",
            "complainant_workplace": "开封市第一中学",
            "complainant_phone": "13712345678",
            "complaint_text": "鼓楼派出所窗口民警态度生硬，让我跑了三趟。",
            "complaint_category": "attitude",
        },
    )
    complaint = Complaint.objects.get()
    assert call.complaint == complaint and call.outcome == "complaint"
    assert complaint.channel == Channel.HOTLINE and complaint.kind == "complaint"
    assert complaint.unit == centre and complaint.received_by.name == "金涛"
    assert complaint.name == "李红" and complaint.workplace == "开封市第一中学"
    assert complaint.received_at == call.answered_at
    expected = worktime.deadline(
        start=call.answered_at, limit=worktime.policy("complaint-answer"), unit=centre
    ).at
    assert complaint.due_at == expected
    # 10月1日–7日 National Day holiday; 10月8日, 9日 and the working Saturday 10月10日 are the
    # three working days; the day ends at 17:30 (R-TIME-1, R-TIME-4)
    assert complaint.due_at == local(2026, 10, 10, 17, 30)
    # saving the call again does not register a second complaint
    services.record(actor=operator, call=call, details={"note": "已告知三个工作日内答复"})
    assert Complaint.objects.count() == 1
    assert services.figures(centre, call.rang_at.date())["complaints"] == 1


def test_an_officer_of_another_unit_is_refused(operator, centre, actor):
    outsider = actor("officer")  # 鼓楼派出所 户籍民警
    with raises_rule("R-ORG-4", Forbidden):
        services.ring(actor=outsider, unit=centre, caller_number=CALLER)
    call = services.ring(actor=operator, unit=centre, caller_number=CALLER)
    with raises_rule("R-ORG-4", Forbidden):
        services.answer(actor=outsider, call=call)
    with raises_rule("R-ORG-4", Forbidden):
        services.ring(actor=actor("auxiliary"), unit=outsider.staff.unit)
    call.refresh_from_db()
    assert call.answered_at is None and call.taken_by is None


def test_bad_input_changes_nothing(operator, centre):
    t = local(2026, 11, 6, 14, 0, 0)
    call = taken(operator, centre, t, 4 * S)
    before = {f.name: getattr(call, f.name) for f in HotlineCall._meta.fields}
    cases = [
        ({**REPORT, "kind": ""}, "kind"),
        ({**REPORT, "kind": "gossip"}, "kind"),
        ({**REPORT, "outcome": ""}, "outcome"),
        ({**REPORT, "outcome": "referred", "referred_to": ""}, "referred_to"),
        ({**REPORT, "outcome": "complaint"}, "outcome"),
        ({**REPORT, "callback_number": "call me"}, "callback_number"),
        (
            {"kind": "complaint", "complaint_text": "态度差", "complainant_phone": ""},
            "complainant_phone",
        ),
        (
            {"kind": "complaint", "complaint_text": "", "complainant_phone": CALLER},
            "complaint_text",
        ),
    ]
    for details, field in cases:
        with raises_rule("R-FB-5", InvalidInput) as exc:
            services.close(actor=operator, call=call, details=details)
        assert field in exc.value.errors, (details, exc.value.errors)
    call.refresh_from_db()
    assert {f.name: getattr(call, f.name) for f in HotlineCall._meta.fields} == before
    assert not Complaint.objects.exists()

    with raises_rule(None, InvalidInput, match="来电号码只填数字") as exc:
        services.ring(actor=operator, unit=centre, caller_number="110abc")
    assert "caller_number" in exc.value.errors
    with raises_rule(None, InvalidInput, match="不能晚于现在") as exc:
        services.ring(actor=operator, unit=centre, at=t + dt.timedelta(days=3650))
    assert "rang_at" in exc.value.errors
    ringing = services.ring(actor=operator, unit=centre, at=t)
    with raises_rule(None, InvalidInput, match="须在振铃之后") as exc:
        services.answer(actor=operator, call=ringing, at=t - S)
    assert "answered_at" in exc.value.errors
    assert HotlineCall.objects.count() == 2
    ringing.refresh_from_db()
    assert ringing.answered_at is None


def test_a_call_is_answered_once_and_only_answered_calls_are_recorded(operator, centre):
    t = local(2026, 11, 7, 3, 0, 0)
    call = services.ring(actor=operator, unit=centre, caller_number=CALLER, at=t)
    with raises_rule(None, match="未接通"):
        services.record(actor=operator, call=call, details=REPORT)
    services.answer(actor=operator, call=call, at=t + 2 * S)
    with raises_rule(None, match="已接听"):
        services.answer(actor=operator, call=call)
    services.close(actor=operator, call=call, details=REPORT)
    with raises_rule(None, match="已结束"):
        services.hang_up(actor=operator, call=call)


def test_a_seat_must_be_a_hotline_seat_of_the_unit(operator, centre, demo):
    with raises_rule(None, InvalidInput, match="不属于所选单位") as exc:
        services.ring(actor=operator, unit=centre, seat=demo.windows.get(number=2))
    assert "seat" in exc.value.errors
    call = services.ring(actor=operator, unit=centre, seat=centre.windows.get(number=3))
    assert call.seat.number == 3


def test_the_greeting_names_the_city_and_the_number(centre, demo):
    assert services.greeting(centre) == "你好，开封110"
    assert services.greeting(demo) == "你好，鼓楼派出所户籍窗口"


def test_the_audit_trail_masks_the_numbers(operator, centre):
    import json

    from auditlog.models import LogEntry

    call = taken(operator, centre, local(2026, 11, 8, 9, 0, 0), 2 * S)
    services.close(actor=operator, call=call, details=REPORT)
    entries = LogEntry.objects.get_for_object(call)
    assert entries.count() >= 2
    trail = json.dumps([e.changes for e in entries], ensure_ascii=False)
    assert CALLER not in trail and REPORT["callback_number"] not in trail


def test_a_complaint_call_reaches_the_unit_complained_about(operator, centre, staff_of):

    call = services.ring(actor=operator, unit=centre, caller_number="13611112222")
    services.answer(actor=operator, call=call)
    details = {
        "kind": "complaint",
        "complainant_phone": "13611112222",
        "complaint_text": "鼓楼户籍窗口2号窗口民警态度生硬",
        "complaint_category": "attitude",
        "complaint_unit": "kf-gulou-hukou",
        "complaint_window": "2",
        "complaint_badge": "999999",
    }
    with raises_rule("R-FB-3", InvalidInput) as exc:
        services.close(actor=operator, call=call, details=details)
    assert "complaint_badge" in exc.value.errors  # nobody wears it: named, nothing filed
    call = services.close(
        actor=operator, call=call, details=details | {"complaint_badge": "041235"}
    )
    c = call.complaint
    assert (c.channel, c.unit.code, c.window.number) == (Channel.HOTLINE, "kf-gulou-hukou", 2)
    assert c.staff == staff_of("kf-gulou-hukou", "041235")
