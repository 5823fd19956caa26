"""R-LAW-4 (issue 14): a republished calendar moves every stored date. When next year's State
Council notice is loaded (or the admin adds a day), every open case, running step, complaint,
bad-review follow-up and holiday contact task whose due time depends on the changed days is
counted again; it loses "estimated" where the year is now official; the case's timeline has
an event with the old and new time; the reprinted receipt shows the new date.

The notice file below is written for the test (it is not the real 2027 notice): New Year's Day
and, to make the move visible, Monday 2027-01-04 off."""

import datetime as dt
import io
import uuid
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse

from servicehall.cases import services as cases
from servicehall.catalog.models import Matter
from servicehall.complaints import services as complaints
from servicehall.complaints.models import Channel, Complaint
from servicehall.core.idnumbers import with_check_digit
from servicehall.feedback import services as feedback
from servicehall.org.permissions import CITIZEN
from servicehall.queueing import services as queue
from servicehall.queueing.models import ContactTask, Queue
from servicehall.worktime.models import CalendarDay, SlaPolicy
from servicehall.worktime.services import calendar, seed_policies
from tests.cases.conftest import all_presented

SH = ZoneInfo("Asia/Shanghai")
VALID_ID = with_check_digit("41020319900101123")
NOTICE_2027 = """
[years.2027]
official = true
notice = "测试用通知（非真实文件）"
holidays = ["2027-01-01", "2027-01-04"]
workdays = []
"""


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


@pytest.fixture
def notice_file(tmp_path):
    path = tmp_path / "2027.toml"
    path.write_text(NOTICE_2027, encoding="utf-8")
    return path


def migration_case(officer, now, name="李明"):
    """户口迁移（市内）accepted at `now` (8 working days), every material in order."""
    matter = Matter.objects.get(code="hukou-migration-city")
    return cases.intake(
        actor=officer,
        matter=matter,
        applicant={"name": name, "id_type": "resident_id", "id_number": VALID_ID},
        checks=all_presented(matter),
        outcome="accepted",
        now=now,
    )


@pytest.fixture
def case(demo, actor):
    """Accepted Wednesday 2026-12-30: due in 2027."""
    return migration_case(actor("officer"), at(2026, 12, 30))


def load(path):
    out = io.StringIO()
    call_command("load_calendar", str(path), stdout=out)
    return out.getvalue()


def test_a_2027_deadline_estimated_today_becomes_exact_and_moves(client, login, case, notice_file):
    assert not calendar().is_official(2027)
    assert case.due_estimated is True
    before = case.due_at
    step = case.steps.get(order=1)  # 2 working days: Thursday 12-31, then 2027
    step_before = step.due_at
    output = load(notice_file)
    assert "2027: official" in output and "cases: 1 due times recomputed" in output
    case.refresh_from_db()
    step.refresh_from_db()
    assert calendar().is_official(2027)
    assert case.due_estimated is False
    assert case.due_at == before + dt.timedelta(days=1)  # Monday 01-04 is now off
    assert step.due_at == step_before + dt.timedelta(days=1)
    moved = case.events.get(kind="due_moved")
    assert dt.datetime.fromisoformat(moved.data["old"]) == before
    assert dt.datetime.fromisoformat(moved.data["new"]) == case.due_at
    assert moved.data["estimated_before"] is True and moved.data["estimated"] is False
    assert "假期日历已调整" in moved.text
    # the reprinted receipt carries the new date, no longer marked as an estimate
    login("officer")
    receipt = client.get(reverse("cases:print_receipt", args=[case.pk])).content.decode()
    new_day = case.due_at.astimezone(SH)
    assert f"{new_day.year}年{new_day.month}月{new_day.day}日" in receipt
    assert "（预计）" not in receipt


def test_a_case_due_before_the_changed_year_is_left_alone(demo, actor, case, notice_file):
    early = migration_case(actor("officer"), at(2026, 12, 1), name="王芳")
    due = early.due_at
    load(notice_file)
    early.refresh_from_db()
    assert early.due_at == due and not early.events.filter(kind="due_moved").exists()


def test_an_open_complaint_and_its_clock_move_with_the_audit_keeping_the_old_time(
    demo, notice_file
):
    complaint = complaints.file(
        actor=CITIZEN,
        kind=Complaint.Kind.COMPLAINT,
        channel=Channel.WEB,
        unit=demo,
        category="delay",
        description="材料交了两周没有消息",
        name="王芳",
        phone="13812340000",
        now=at(2026, 12, 30, 16),
    )
    before = complaint.due_at
    assert complaint.due_estimated is True  # 3 working days: 12-31, then 2027
    load(notice_file)
    complaint.refresh_from_db()
    assert complaint.due_at == before + dt.timedelta(days=1) and not complaint.due_estimated
    entry = LogEntry.objects.get_for_object(complaint).filter(changes__has_key="due_at").first()
    assert entry is not None  # old and new due time in the audit trail


def test_a_bad_review_step_moves_and_stays_signed(demo, actor, notice_file):
    seed_policies()
    SlaPolicy.objects.filter(code="bad-review-verify").update(n=3)
    officer = actor("officer")
    window = demo.windows.get(number=2)
    queue.sign_in(actor=officer, window=window, now=at(2026, 12, 30, 8))
    queue.take_ticket(queue=Queue.objects.get(unit=demo, letter="A"), now=at(2026, 12, 30, 9))
    ticket = queue.call_next(actor=officer, window=window, now=at(2026, 12, 30, 9))
    queue.start(actor=officer, ticket=ticket, now=at(2026, 12, 30, 9))
    ticket = queue.finish(actor=officer, ticket=ticket, now=at(2026, 12, 30, 10))
    rating, _ = feedback.rate(
        actor=CITIZEN,
        ticket=ticket,
        overall=1,
        reason="态度不好",
        idempotency_key=uuid.uuid4().hex,
        now=at(2026, 12, 30, 15),
    )
    feedback.seal()
    rect = rating.follow_up
    before = rect.due_at
    load(notice_file)
    rect.refresh_from_db()
    assert rect.due_at == before + dt.timedelta(days=1)
    assert rect.mac == feedback.sign_follow_up(rect)  # re-signed: the change is seen


def test_a_contact_task_counted_in_working_time_moves(demo, notice_file):
    seed_policies()
    SlaPolicy.objects.filter(code="holiday-appointment-contact").update(n=2, unit="working_days")
    policy = SlaPolicy.objects.get(code="holiday-appointment-contact")
    requested = at(2026, 12, 31, 20)
    task = ContactTask.objects.create(
        unit=demo,
        name="张三",
        phone="13812340001",
        requested_at=requested,
        due_at=calendar().deadline(requested, policy.time_limit).at,
    )
    before = task.due_at
    load(notice_file)
    task.refresh_from_db()
    assert task.due_at == before + dt.timedelta(days=1)


def test_a_day_added_in_the_admin_moves_the_dates_too(
    client, login, case, django_capture_on_commit_callbacks
):
    before = case.due_at
    login("admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:worktime_calendarday_add"),
            {"date": "2027-01-05", "kind": "holiday", "name": "临时调休"},
            follow=True,
        )
    assert response.status_code == 200
    assert CalendarDay.objects.filter(date="2027-01-05").exists()
    case.refresh_from_db()
    assert case.due_at == before + dt.timedelta(days=1)
    assert case.events.filter(kind="due_moved").count() == 1


def test_a_broken_notice_file_changes_nothing(tmp_path, case):
    bad = tmp_path / "bad.toml"
    bad.write_text('[years.2027]\nholidays = ["2028-01-01"]\n', encoding="utf-8")
    with pytest.raises(Exception, match="listed under year 2027"):
        load(bad)
    assert not CalendarDay.objects.exists() and not case.events.filter(kind="due_moved").exists()
