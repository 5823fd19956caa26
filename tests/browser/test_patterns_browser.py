"""In Chromium: the organizing office opens the suspicious-patterns report and sees a burst
of top ratings from one device flagged (R-FB-1 不得弄虚作假)."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from servicehall.demo.services import seed_demo
from servicehall.feedback import services
from servicehall.org.models import Staff
from servicehall.org.permissions import CITIZEN
from servicehall.queueing.models import Queue, Ticket

from .test_org_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_burst_is_flagged_on_the_report(live_server, page, shot):
    seed_demo()
    queue = Queue.objects.get(unit__code="kf-gulou-hukou", letter="A")
    officer = Staff.objects.get(unit__code="kf-gulou-hukou", badge_no="041235")
    window = queue.unit.windows.get(number=2)
    now = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=10)
    for i in range(4):  # four 非常满意 fifteen seconds apart, each two seconds after the end
        ended = now + dt.timedelta(seconds=15 * i)
        ticket = Ticket.objects.create(
            queue=queue,
            day=timezone.localdate(ended),
            number=900 + i,
            label=f"A{900 + i}",
            state=Ticket.State.DONE,
            window=window,
            staff=officer,
            arrived_at=ended - dt.timedelta(minutes=3),
            ended_at=ended,
        )
        services.rate(
            actor=CITIZEN,
            ticket=ticket,
            overall=5,
            device=f"window:{window.pk}",
            idempotency_key=uuid.uuid4().hex,
            now=ended + dt.timedelta(seconds=2),
        )
    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/reviews/patterns/?unit=kf-gulou-hukou")
    assert "评价异常分析" in page.inner_text("h1")
    burst = page.locator("tr.flagged").first
    assert "041235" in burst.inner_text() and "4" in burst.inner_text()
    shot(page, "rating-patterns")
