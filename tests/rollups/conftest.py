import datetime as dt
import uuid

import pytest
from django.utils import timezone

from servicehall.complaints import services as complaints
from servicehall.complaints.models import Channel, Complaint
from servicehall.feedback import services as feedback
from servicehall.hotline import services as hotline
from servicehall.org.models import Unit
from servicehall.org.permissions import CITIZEN
from servicehall.queueing import services as queue
from servicehall.queueing.models import Queue

from ..cases.conftest import APPLICANT, all_presented, paid
from ..feedback.conftest import finish_visits  # noqa: F401  (a fixture)


@pytest.fixture
def centre(demo):
    return Unit.objects.get(code="kf-110")


def _staff_actor(badge):
    from django.contrib.auth import get_user_model

    from servicehall.org.models import Staff
    from servicehall.org.permissions import actor_for

    staff = Staff.objects.get(badge_no=badge)
    if staff.user is None:
        staff.user = get_user_model().objects.create_user(f"u{badge}", password="x" * 12)
        staff.save(update_fields=["user"])
    return actor_for(staff.user)


@pytest.fixture
def city_day(demo, actor, centre, staff_of):
    """Today in the demo city, built through the services: at window 2 of 鼓楼 five visits
    (rated 5, 4, 3, 1 and one not), a no-show and a number still waiting, a late sign-in and a
    long pause; a bad review rectified; two complaints, one substantiated (points); cases
    finished on the spot and one finished late; hotline calls, one answered in time."""
    from servicehall.cases import services as cases
    from servicehall.catalog.models import Matter

    now = timezone.now()
    # earlier moments of today, whatever the hour the suite runs at
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(now), dt.time.min))
    earlier = max(midnight + dt.timedelta(seconds=1), now - dt.timedelta(minutes=40))
    officer = actor("officer")
    window = demo.windows.get(number=2)
    queue.sign_in(actor=officer, window=window)
    a = Queue.objects.get(unit=demo, letter="A")
    visits = []
    for _ in range(5):
        queue.take_ticket(queue=a)
        t = queue.call_next(actor=officer, window=window)
        queue.start(actor=officer, ticket=t)
        visits.append(queue.finish(actor=officer, ticket=t))
    queue.take_ticket(queue=a)
    queue.no_show(actor=officer, ticket=queue.call_next(actor=officer, window=window))
    queue.take_ticket(queue=a)  # still waiting
    for visit, level in zip(visits, [5, 4, 3, 1], strict=False):
        feedback.rate(
            actor=CITIZEN,
            ticket=visit,
            overall=level,
            reason="说明不清" if level <= 2 else "",
            idempotency_key=uuid.uuid4().hex,
        )
    feedback.seal()
    leader = actor("leader")
    follow_up = visits[3].rating.follow_up
    follow_up = feedback.verify_review(actor=leader, follow_up=follow_up, finding="属实")
    feedback.rectify_review(actor=leader, follow_up=follow_up, measures="培训")
    # presence: a session signed in late today, a pause of 20 minutes
    from servicehall.queueing.models import WindowPause, WindowSession

    session = WindowSession.objects.get(window=window, signed_out_at__isnull=True)
    WindowSession.objects.filter(pk=session.pk).update(minutes_late=7)
    WindowPause.objects.create(
        session=session,
        reason="接水",
        started_at=earlier,
        ended_at=earlier + dt.timedelta(minutes=20),
    )
    officer_staff = staff_of("kf-gulou-hukou", "041235")
    args = {
        "actor": CITIZEN,
        "kind": Complaint.Kind.COMPLAINT,
        "channel": Channel.WEB,
        "unit": demo,
        "category": "attitude",
        "description": "窗口民警态度生硬，不解释材料要求",
        "name": "李明",
        "phone": "13812345678",
    }
    c = complaints.file(**args, staff=officer_staff, window=window)
    complaints.investigate(
        actor=leader, complaint=c, finding="调取录像，情况属实", substantiated=True
    )
    complaints.file(**args)
    on_the_spot = Matter.objects.get(code="household-certificate")
    for _ in range(2):
        cases.intake(
            actor=_staff_actor("041115"),
            matter=on_the_spot,
            applicant=APPLICANT,
            checks=all_presented(on_the_spot),
            outcome="on_the_spot",
        )
    passport = Matter.objects.get(code="passport-issue")
    late = cases.intake(
        actor=_staff_actor("044011"),
        matter=passport,
        applicant=APPLICANT,
        checks=all_presented(passport),
        outcome="accepted",
        fee=paid(passport),
        now=now - dt.timedelta(days=60),
    )
    for badge, step in zip(
        ["044011", "044012", "044002", "044014"], late.steps.order_by("order"), strict=True
    ):
        cases.complete_step(actor=_staff_actor(badge), case_step=step)
    operator = actor("operator110")
    rang = earlier
    call = hotline.ring(actor=operator, unit=centre, caller_number="13812345678", at=rang)
    hotline.answer(actor=operator, call=call, at=rang + dt.timedelta(seconds=5))
    late_call = hotline.ring(actor=operator, unit=centre, caller_number="13900001111", at=rang)
    hotline.answer(actor=operator, call=late_call, at=rang + dt.timedelta(seconds=40))
    hotline.ring(actor=operator, unit=centre, caller_number="13900002222", at=rang)
    return {"visits": visits, "window": window, "complaint": c, "now": now}
