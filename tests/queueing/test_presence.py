"""R-Q-3, R-Q-4, R-TIME-5: sign-in and lateness, pauses and their approval, the closing rule."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from servicehall.core.errors import Forbidden, InvalidInput
from servicehall.notices.models import Notification
from servicehall.queueing import services
from servicehall.queueing.models import Queue
from tests.helpers import raises_rule

SH = ZoneInfo("Asia/Shanghai")


def at(h, mi=0):
    return dt.datetime(2026, 11, 25, h, mi, tzinfo=SH)


@pytest.fixture
def w2(demo):
    return demo.windows.get(number=2)


def test_signing_in_records_lateness_against_the_session_start(actor, w2):
    session = services.sign_in(actor=actor("officer"), window=w2, now=at(8, 42))  # opens 8:30
    assert session.minutes_late == 12
    services.sign_out(actor=actor("officer"), window=w2, now=at(12))
    early = services.sign_in(actor=actor("officer"), window=w2, now=at(14, 20))  # opens 14:30
    assert early.minutes_late == 0


def test_one_person_per_window(actor, w2):
    services.sign_in(actor=actor("officer"), window=w2, now=at(8, 20))
    with raises_rule(None, match="已有人签到"):
        services.sign_in(actor=actor("dutylead"), window=w2, now=at(8, 21))


def test_the_board_shows_a_pause_and_a_long_pause_goes_to_the_duty_lead(actor, w2):
    officer = actor("officer")
    services.sign_in(actor=officer, window=w2, now=at(8, 20))
    assert services.window_status(w2) == "open"
    p = services.pause(actor=officer, window=w2, reason="取档案", minutes=25, now=at(9))
    assert services.window_status(w2) == "paused" and p.needs_approval
    assert Notification.objects.filter(
        recipient__username="dutylead", kind="pause_approval"
    ).exists()
    assert [x.pk for x in services.overdue_pauses(w2.unit, now=at(9, 11))] == [p.pk]
    with raises_rule("R-ORG-4", Forbidden):
        services.approve_pause(actor=officer, window_pause=p)
    services.approve_pause(actor=actor("dutylead"), window_pause=p)
    assert services.overdue_pauses(w2.unit, now=at(9, 20)) == []
    services.resume_service(actor=officer, window=w2, now=at(9, 24))
    assert services.window_status(w2) == "open"


def test_a_short_pause_needs_no_approval(actor, w2):
    services.sign_in(actor=actor("officer"), window=w2, now=at(8, 20))
    p = services.pause(actor=actor("officer"), window=w2, reason="接电话", minutes=5, now=at(9))
    assert not p.needs_approval and services.overdue_pauses(w2.unit, now=at(9, 5)) == []


def test_a_window_with_citizens_waiting_cannot_close(actor, demo, w2):
    queue = Queue.objects.get(unit=demo, letter="A")
    services.take_ticket(queue=queue, now=at(17, 20))
    officer = actor("officer")
    services.sign_in(actor=officer, window=w2, now=at(14, 20))
    with raises_rule("R-TIME-5") as exc:
        services.sign_out(actor=officer, window=w2, now=at(17, 30))
    assert "A001" in str(exc.value)
    # a colleague at window 3 serves queue A too: now the window may close
    services.sign_in(actor=actor("dutylead"), window=demo.windows.get(number=3), now=at(17, 25))
    services.sign_out(actor=officer, window=w2, now=at(17, 31))


def test_the_duty_lead_sees_the_hall_and_approves_a_long_pause(login, actor, w2):
    services.sign_in(actor=actor("officer"), window=w2)
    p = services.pause(actor=actor("officer"), window=w2, reason="去档案室", minutes=20)
    client = login("dutylead")
    page = client.get("/console/hall/").content.decode()
    assert "去档案室" in page and "暂停服务" in page
    client.post(f"/console/pauses/{p.pk}/approve/")
    p.refresh_from_db()
    assert p.approved_by.badge_no == "041202"
    assert login("officer").post(f"/console/pauses/{p.pk}/approve/").status_code == 403


def test_the_day_s_duty_lead_on_the_rota_approves(actor, demo, w2):
    """R-Q-4: the rota names the day's duty lead; the pause goes to that person, not to a
    duty lead who is off that day. The unit leader may always approve."""
    from django.contrib.auth import get_user_model

    from servicehall.org.models import Staff
    from servicehall.queueing.models import DutyAssignment

    today_lead = Staff.objects.create(
        unit=demo,
        badge_no="041299",
        name="值班长乙",
        role="duty_lead",
        certified_on="2020-01-01",
        user=get_user_model().objects.create_user("lead-b", password="x" * 12),
    )
    DutyAssignment.objects.create(unit=demo, date=at(9).date(), kind="duty_lead", staff=today_lead)
    officer = actor("officer")
    services.sign_in(actor=officer, window=w2, now=at(8, 20))
    p = services.pause(actor=officer, window=w2, reason="取档案", minutes=30, now=at(9))
    told = Notification.objects.filter(kind="pause_approval").values_list(
        "recipient__username", flat=True
    )
    assert list(told) == ["lead-b"]
    with raises_rule("R-Q-3", Forbidden) as refused:
        services.approve_pause(actor=actor("dutylead"), window_pause=p, now=at(9, 2))
    assert "值班长乙" in str(refused.value)
    services.approve_pause(actor=actor("leader"), window_pause=p, now=at(9, 3))
    p.refresh_from_db()
    assert p.approved_by.name == actor("leader").staff.name


def test_ten_minutes_early_is_the_norm(actor, w2):
    """R-Q-3: signing in at 8:25 for an 8:30 session is on time but short of the norm."""
    officer = actor("officer")
    short = services.sign_in(actor=officer, window=w2, now=at(8, 25))
    assert short.minutes_late == 0 and short.minutes_early == 5 and short.short_of_norm
    services.sign_out(actor=officer, window=w2, now=at(12))
    good = services.sign_in(actor=officer, window=w2, now=at(14, 15))  # afternoon opens 14:30
    assert good.minutes_early == 15 and not good.short_of_norm
    services.sign_out(actor=officer, window=w2, now=at(17, 50))
    evening = services.sign_in(actor=officer, window=w2, now=at(20))  # no session left today
    assert evening.minutes_early is None and not evening.short_of_norm


def test_a_pause_past_its_planned_time_is_reported_once(actor, w2):
    officer = actor("officer")
    services.sign_in(actor=officer, window=w2, now=at(8, 20))
    services.pause(actor=officer, window=w2, reason="接电话", minutes=5, now=at(9))
    assert services.pause_overruns(now=at(9, 4)) == 0
    assert services.pause_overruns(now=at(9, 6)) == 1
    assert services.pause_overruns(now=at(9, 30)) == 0  # once
    told = set(
        Notification.objects.filter(kind="pause_overrun").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"officer", "dutylead"}


def test_the_long_pause_minutes_are_a_setting(actor, w2, settings):
    """R-Q-3: the office sets "away longer than" from 10 to 15 minutes (LONG_PAUSE_MINUTES):
    a 12-minute pause no longer needs the duty lead, and a pause is overdue after 15."""
    settings.SERVICEHALL = {**settings.SERVICEHALL, "LONG_PAUSE_MINUTES": 15}
    officer = actor("officer")
    services.sign_in(actor=officer, window=w2, now=at(8, 20))
    p = services.pause(actor=officer, window=w2, reason="取档案", minutes=12, now=at(9))
    assert not p.needs_approval
    assert not Notification.objects.filter(kind="pause_approval").exists()
    assert services.overdue_pauses(w2.unit, now=at(9, 14)) == []
    assert [x.pk for x in services.overdue_pauses(w2.unit, now=at(9, 16))] == [p.pk]


def test_the_pages_state_the_norms_minutes_as_set(login, actor, w2, settings):
    import datetime as _dt

    from django.utils import timezone

    settings.SERVICEHALL = {
        **settings.SERVICEHALL,
        "LONG_PAUSE_MINUTES": 15,
        "SIGN_IN_EARLY_MINUTES": 20,
    }
    officer = actor("officer")
    started = timezone.now() - _dt.timedelta(minutes=16)
    services.sign_in(actor=officer, window=w2, now=started - _dt.timedelta(minutes=1))
    services.pause(actor=officer, window=w2, reason="去档案室", minutes=30, now=started)
    console = login("officer").get(f"/console/?window={w2.pk}").content.decode()
    assert "暂停超过 15 分钟须报 1 号窗口值班领导批准" in console
    hall = login("dutylead").get("/console/hall/").content.decode()
    assert "超过 15 分钟未经批准" in hall and "10 分钟" not in hall


def test_what_the_boards_are_told_is_one_of_their_kinds(actor, demo, w2):
    from servicehall.queueing.models import BoardEvent, WindowStatus

    officer = actor("officer")
    services.sign_in(actor=officer, window=w2, now=at(8, 20))
    services.take_ticket(queue=Queue.objects.get(unit=demo, letter="A"), now=at(9))
    ticket = services.call_next(actor=officer, window=w2, now=at(9, 1))
    services.recall(actor=officer, ticket=ticket, now=at(9, 2))
    events = list(BoardEvent.objects.filter(unit=demo).order_by("pk"))
    assert {e.kind for e in events} <= set(BoardEvent.Kind.values)
    assert [e.kind for e in events][-2:] == [BoardEvent.Kind.CALL, BoardEvent.Kind.RECALL]
    states = [e.data["state"] for e in events if e.kind == BoardEvent.Kind.WINDOW]
    assert states and set(states) <= set(WindowStatus.values)
    assert services.console_state(w2)["status_label"] == "服务中"


def test_nobody_leaves_one_window_by_signing_in_at_another(actor, demo, w2):
    services.sign_in(actor=actor("officer"), window=w2, now=at(8, 50))
    with raises_rule("R-TIME-5"):
        services.sign_in(actor=actor("officer"), window=demo.windows.get(number=3), now=at(9))


def test_long_text_is_refused_plainly(actor, w2):
    officer = actor("officer")
    services.sign_in(actor=officer, window=w2, now=at(8, 50))
    with raises_rule(None, InvalidInput, match="100 字以内"):
        services.pause(actor=officer, window=w2, reason="很" * 101, now=at(9))


def test_nobody_approves_their_own_pause(actor, demo):
    lead, w1 = actor("dutylead"), demo.windows.get(number=1)
    services.sign_in(actor=lead, window=w1, now=at(8, 50))
    p = services.pause(actor=lead, window=w1, reason="开会", minutes=30, now=at(9))
    with raises_rule("R-Q-3", Forbidden):
        services.approve_pause(actor=lead, window_pause=p)


def test_a_paused_window_does_not_cover_the_queue_of_one_closing(actor, demo, w2):
    # R-TIME-5 窗口有群众不下班: window 3 would serve queue A, but it is paused
    services.take_ticket(queue=Queue.objects.get(unit=demo, letter="A"), now=at(17, 20))
    officer, lead = actor("officer"), actor("dutylead")
    w3 = demo.windows.get(number=3)
    services.sign_in(actor=officer, window=w2, now=at(14, 20))
    services.sign_in(actor=lead, window=w3, now=at(14, 20))
    services.pause(actor=lead, window=w3, reason="取档案", minutes=5, now=at(17, 22))
    with raises_rule("R-TIME-5", match="A001"):
        services.sign_out(actor=officer, window=w2, now=at(17, 30))
    services.resume_service(actor=lead, window=w3, now=at(17, 31))
    services.sign_out(actor=officer, window=w2, now=at(17, 32))  # covered again
    assert services.window_status(w2) == "closed"
