"""Every app that tells people does it through notices.notify(): each notification has its
kind and a link to the page it is about, and that page opens for the person told."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.urls import resolve

from servicehall.catalog.models import Matter
from servicehall.notices.models import Notification
from servicehall.org.models import Staff
from servicehall.org.permissions import CITIZEN
from tests.cases.conftest import APPLICANT, accept, all_presented

SH = ZoneInfo("Asia/Shanghai")
K = Notification.Kind


def at(month, day, h=10, mi=0):
    return dt.datetime(2026, month, day, h, mi, tzinfo=SH)


def told(kind, username):
    return Notification.objects.get(kind=kind, recipient__username=username)


def opens_for(login, username, n):
    """The link is followed from the notifications page to its page, which opens."""
    client = login(username)
    response = client.get(f"/cases/notifications/{n.pk}/")
    assert response.status_code == 302 and response["Location"] == n.link
    page = client.get(n.link)
    assert page.status_code == 200
    path, _, fragment = n.link.partition("#")
    if fragment:  # the part of the page it is about
        assert f'id="{fragment}"' in page.content.decode()
    return resolve(path.split("?")[0])


# ---- cases ------------------------------------------------------------------------------


@pytest.fixture
def migration(demo):
    return Matter.objects.get(code="hukou-migration-city")


def test_a_hand_off_tells_the_receiver_and_its_completion_the_owner(actor, migration, login):
    from servicehall.cases import services
    from servicehall.org.models import Window

    case = accept(actor("officer"), migration)
    window = Window.objects.get(unit=case.unit, number=1)
    referral = services.refer(
        actor=actor("officer"), case=case, task="所领导审批", to_window=window
    )
    n = told(K.REFERRED, "dutylead")
    assert (n.case, n.link) == (case, case.get_absolute_url())
    services.acknowledge(actor=actor("dutylead"), referral=referral)
    services.complete_referral(actor=actor("dutylead"), referral=referral)
    done = told(K.REFERRAL_DONE, "officer")
    assert done.link == case.get_absolute_url()
    assert opens_for(login, "officer", done).url_name == "case"


def test_the_deadline_job_links_each_warning_to_its_case(actor, migration):
    from servicehall.cases import services

    case = accept(actor("officer"), migration, now=at(11, 23, 9))
    services.check_deadlines(now=at(11, 24, 10))
    services.check_deadlines(now=at(11, 26, 9))
    for kind in (K.DUE_WARNING, K.DUE_OVERDUE):
        for who in ("officer", "leader"):
            rows = Notification.objects.filter(kind=kind, recipient__username=who, case=case)
            assert rows.exists() and {r.link for r in rows} == {case.get_absolute_url()}


def test_a_notice_that_is_not_one_time_goes_to_the_leaders(actor, migration):
    from servicehall.cases import services

    case = services.intake(
        actor=actor("officer"),
        matter=migration,
        applicant=APPLICANT,
        checks=all_presented(migration, 居民户口簿=("missing", "")),
        outcome="notice",
    )
    more = all_presented(migration, 居民身份证=("missing", ""))
    services.resume(actor=actor("officer"), case=case, checks=more, outcome="notice")
    n = told(K.NOTICE_NOT_ONE_TIME, "leader")
    assert (n.case, n.link) == (case, case.get_absolute_url())


# ---- queueing ---------------------------------------------------------------------------


def test_the_backup_is_sent_to_the_console_of_the_window_to_cover(actor, demo, login):
    from servicehall.queueing import rota

    window = demo.windows.get(number=2)
    b = Staff.objects.get(badge_no="041236")
    b.user = get_user_model().objects.create_user("zhanglp", password="x" * 12)
    b.save(update_fields=["user"])
    day = dt.date(2026, 11, 25)
    rota.assign(actor=actor("leader"), unit=demo, date=day, kind="backup", staff=b, window=window)
    assert rota.backup_alerts(now=at(11, 25, 8, 45)) == 1
    n = Notification.objects.get(kind=K.BACKUP, recipient=b.user)
    assert n.link == f"/console/?window={window.pk}"
    assert "2号窗口" in n.text


def test_a_long_pause_and_an_overrun_link_to_the_hall(actor, demo, login):
    from servicehall.queueing import services

    w2 = demo.windows.get(number=2)
    officer = actor("officer")
    services.sign_in(actor=officer, window=w2, now=at(11, 25, 8, 20))
    services.pause(actor=officer, window=w2, reason="取档案", minutes=25, now=at(11, 25, 9))
    n = told(K.PAUSE_APPROVAL, "dutylead")
    assert n.link == "/console/hall/"
    assert opens_for(login, "dutylead", n).url_name == "hall"
    assert services.pause_overruns(now=at(11, 25, 9, 30)) == 1
    overrun = Notification.objects.filter(kind=K.PAUSE_OVERRUN)
    assert {r.recipient.username for r in overrun} == {"officer", "dutylead"}
    assert {r.link for r in overrun} == {"/console/hall/"}


# ---- feedback ---------------------------------------------------------------------------


def test_a_bad_review_links_the_leader_to_its_rectification(actor, demo, login):
    from servicehall.feedback import services
    from servicehall.queueing import services as queue
    from servicehall.queueing.models import Queue

    officer = actor("officer")
    window = demo.windows.get(number=2)
    queue.sign_in(actor=officer, window=window, now=at(9, 30, 8))
    queue.take_ticket(queue=Queue.objects.get(unit=demo, letter="A"), now=at(9, 30, 9))
    ticket = queue.call_next(actor=officer, window=window, now=at(9, 30, 9))
    queue.start(actor=officer, ticket=ticket, now=at(9, 30, 9))
    ticket = queue.finish(actor=officer, ticket=ticket, now=at(9, 30, 10))
    services.rate(
        actor=CITIZEN,
        ticket=ticket,
        overall=1,
        reason="材料要求前后说法不一",
        idempotency_key=uuid.uuid4().hex,
        now=at(9, 30, 15),
    )
    services.seal()
    n = told(K.BAD_REVIEW, "leader")
    assert n.text == "2号窗口收到差评，请在1 个工作日内核实。"  # the sealer writes in Chinese
    assert opens_for(login, "leader", n).url_name == "reviews"


# ---- complaints -------------------------------------------------------------------------


def test_a_complaint_its_points_and_its_lateness_link_to_the_complaint(demo, actor, login):
    from servicehall.complaints import services
    from servicehall.complaints.models import Channel, Complaint

    c = services.file(
        actor=CITIZEN,
        kind=Complaint.Kind.COMPLAINT,
        channel=Channel.WEB,
        unit=demo,
        category="attitude",
        description="窗口民警态度生硬，不解释材料要求",
        name="李明",
        phone="13812345678",
        staff=Staff.objects.get(badge_no="041235"),
        now=at(9, 30, 9, 30),
    )
    link = f"/complaints/{c.code}/"
    assert told(K.COMPLAINT, "leader").link == link
    services.investigate(actor=actor("leader"), complaint=c, finding="属实", substantiated=True)
    assert told(K.VIOLATION, "leader").link == link
    assert services.overdue(now=at(10, 12)) >= 1
    late = told(K.COMPLAINT_OVERDUE, "leader")
    assert late.link == link
    assert opens_for(login, "leader", late).url_name == "complaint"
