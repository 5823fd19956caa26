"""R-LAW-3, R-FB-3: what comes in writing (web form, Open311, mailbox) is acknowledged within
the `hotline-written-reply` policy (24 hours) and answered within three working days; both
clocks show to staff, the status page says when it was acknowledged, and a late
acknowledgement is in the list and told to the unit's leaders once."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from servicehall.complaints import services
from servicehall.complaints.models import Channel, Complaint
from servicehall.core.errors import Forbidden, ServiceError
from servicehall.jobs.models import JobRun
from servicehall.notices.models import Notification
from servicehall.org.permissions import CITIZEN
from servicehall.worktime.models import SlaPolicy
from tests.helpers import raises_rule

SH = ZoneInfo("Asia/Shanghai")
FRIDAY = dt.datetime(2026, 11, 20, 16, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def _chinese():
    # the messages asserted are the Chinese ones, whatever language an earlier test left on
    with translation.override("zh-hans"):
        yield


def written(demo, actor=CITIZEN, channel=Channel.WEB, **kw):
    args = {
        "actor": actor,
        "kind": Complaint.Kind.COMPLAINT,
        "channel": channel,
        "unit": demo,
        "category": "delay",
        "description": "材料交了两周没有消息",
        "name": "王芳",
        "phone": "13812340000",
    } | kw
    return services.file(**args)


def test_written_channels_get_a_24_hour_acknowledgement_clock_beside_the_answer(demo, actor):
    web = written(demo, now=FRIDAY)
    # 24 hours on the clock, over the weekend too; the answer 3 working days (Wednesday)
    assert web.ack_due_at == FRIDAY + dt.timedelta(hours=24)
    assert timezone.localtime(web.due_at).date() == dt.date(2026, 11, 25)
    assert written(demo, channel=Channel.OPEN311, now=FRIDAY).ack_due_at is not None
    mailbox = written(demo, actor=actor("officer"), channel=Channel.MAILBOX, now=FRIDAY)
    assert mailbox.ack_due_at == FRIDAY + dt.timedelta(hours=24)
    # what is said on the phone or put in the box has no written acknowledgement to wait for
    phone = written(demo, actor=actor("officer"), channel=Channel.PHONE, now=FRIDAY)
    assert phone.ack_due_at is None and not phone.awaits_acknowledgement


def test_the_limit_is_the_policy_as_edited(demo):
    assert written(demo, now=FRIDAY).ack_due_at == FRIDAY + dt.timedelta(hours=24)
    SlaPolicy.objects.filter(code="hotline-written-reply").update(n=12)
    assert services.acknowledgement_policy().n == 12
    assert written(demo, now=FRIDAY).ack_due_at == FRIDAY + dt.timedelta(hours=12)


def test_acknowledging_records_who_and_when_once(demo, actor):
    c = written(demo, now=FRIDAY)
    officer = actor("officer")
    with raises_rule("R-ORG-4", Forbidden):
        services.acknowledge(actor=CITIZEN, complaint=c)
    c = services.acknowledge(actor=officer, complaint=c, now=FRIDAY + dt.timedelta(hours=2))
    assert (c.acknowledged_at, c.acknowledged_by) == (FRIDAY + dt.timedelta(hours=2), officer.staff)
    assert c.ack_state == "" and not c.awaits_acknowledgement
    with raises_rule(None, ServiceError, match="已于 2026-11-20 18:00 确认受理"):
        services.acknowledge(actor=officer, complaint=c)


def test_only_what_came_in_writing_is_acknowledged(demo, actor):
    phone = written(demo, actor=actor("officer"), channel=Channel.PHONE)
    with raises_rule("R-LAW-3", ServiceError, match="书面渠道"):
        services.acknowledge(actor=actor("officer"), complaint=phone)
    assert Complaint.objects.get(pk=phone.pk).acknowledged_at is None


def test_an_answer_before_the_acknowledgement_acknowledges_too(demo, actor):
    c = written(demo, kind=Complaint.Kind.SUGGESTION, description="建议周末开放户籍窗口")
    leader = actor("leader")
    c = services.answer(actor=leader, complaint=c, text="已研究，周六上午安排值班。")
    assert c.acknowledged_at == c.answered_at and c.acknowledged_by == leader.staff


def test_a_late_acknowledgement_is_told_to_the_leaders_once(demo, actor):
    late = written(demo, now=FRIDAY)
    in_time = written(demo, now=FRIDAY)
    services.acknowledge(actor=actor("officer"), complaint=in_time, now=FRIDAY)
    leader = demo.staff.filter(role="unit_leader").first().user
    assert services.unacknowledged(now=FRIDAY + dt.timedelta(hours=23)) == 0
    assert services.unacknowledged(now=FRIDAY + dt.timedelta(hours=25)) >= 1
    assert services.unacknowledged(now=FRIDAY + dt.timedelta(hours=26)) == 0  # told once
    told = Notification.objects.filter(recipient=leader, kind="complaint_overdue")
    assert "确认受理" in told.get(text__contains=late.code).text
    assert not told.filter(text__contains=in_time.code).exists()


def test_the_jobs_alert_on_both_clocks(demo):
    late = written(demo, now=timezone.now() - dt.timedelta(hours=25))
    out = io.StringIO()
    call_command("jobs", "--only", "complaints.overdue", stdout=out)
    assert "written complaints not acknowledged in time: " in out.getvalue()
    assert JobRun.objects.get(name="complaints.overdue").result["acknowledgement"] >= 1
    assert Complaint.objects.get(pk=late.pk).ack_overdue_notified


def test_both_clocks_on_the_staff_page_and_the_acknowledgement_recorded_there(login, demo):
    c = written(demo, now=timezone.now() - dt.timedelta(hours=30))
    client = login("officer")
    page = client.get(reverse("complaint", args=[c.code])).content.decode()
    assert "确认受理期限" in page and "答复期限" in page
    assert timezone.localtime(c.ack_due_at).strftime("%Y-%m-%d %H:%M") in page
    assert "超期未确认受理" in page and "24 小时" in page
    response = client.post(reverse("complaint", args=[c.code]), {"step": "acknowledge"})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.acknowledged_by.user.username == "officer"
    page = client.get(reverse("complaint", args=[c.code])).content.decode()
    assert "逾期确认受理" in page  # acknowledged, but after its 24 hours
    again = client.post(reverse("complaint", args=[c.code]), {"step": "acknowledge"})
    assert again.status_code == 400 and "已于" in again.content.decode()


def test_late_acknowledgements_show_in_the_list(login, demo):
    late = written(demo, now=timezone.now() - dt.timedelta(hours=30))
    fresh = written(demo)
    client = login("leader")
    overdue = client.get(reverse("complaints"), {"show": "overdue"}).content.decode()
    assert late.code in overdue and fresh.code not in overdue
    assert "超期未确认受理" in overdue


def test_the_status_page_says_when_it_was_acknowledged(client, demo, actor):
    c = written(demo)
    page = client.get(reverse("complaint_status"), {"code": c.code}).content.decode()
    assert "尚未确认受理" in page
    assert timezone.localtime(c.ack_due_at).strftime("%Y-%m-%d %H:%M") in page
    c = services.acknowledge(actor=actor("officer"), complaint=c)
    page = client.get(reverse("complaint_status"), {"code": c.code}).content.decode()
    assert "确认受理" in page and "尚未确认受理" not in page
    assert timezone.localtime(c.acknowledged_at).strftime("%Y-%m-%d %H:%M") in page
    assert "officer" not in page and c.acknowledged_by.name not in page  # the staff not named
