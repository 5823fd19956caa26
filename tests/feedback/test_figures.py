"""R-LAW-2's published figures, from finished visits and their ratings."""

import datetime as dt
import uuid

from django.utils import timezone

from servicehall.feedback import services
from servicehall.feedback.figures import figures
from servicehall.org.permissions import CITIZEN


def test_rates_per_unit_window_staff_and_day(demo, actor, client, finish_visits):
    visits = finish_visits(5)
    for visit, level in zip(visits, [5, 4, 3, 1], strict=False):  # the fifth is not rated
        services.rate(
            actor=CITIZEN,
            ticket=visit,
            overall=level,
            reason="说明不清" if level <= 2 else "",
            idempotency_key=uuid.uuid4().hex,
        )
    services.seal()  # the bad review's follow-up opens as it is sealed
    leader = actor("leader")
    rect = visits[3].rating.follow_up
    rect = services.verify_review(actor=leader, follow_up=rect, finding="属实")
    rect = services.rectify_review(actor=leader, follow_up=rect, measures="培训")
    services.call_back(actor=leader, follow_up=rect, satisfaction=5, note="满意")
    today = timezone.localdate()
    f = figures(demo, today, today)
    t = f["total"]
    assert (t["finished"], t["rated"], t["bad"]) == (5, 4, 1)
    assert t["good_rate"] == 0.5  # 2 of the 4 ratings
    assert t["unrated_rate"] == 0.0  # the unrated visit's link is still valid: not yet unrated
    assert (t["reply_rate"], t["rectification_rate"], t["satisfaction_rate"]) == (1.0, 1.0, 1.0)
    later = figures(demo, today, today, now=timezone.now() + dt.timedelta(days=8))
    assert later["total"]["unrated_rate"] == 0.2  # now it counts: 1 of 5
    assert list(f["by_window"]) == [2] and f["by_window"][2]["rated"] == 4
    assert list(f["by_staff"]) == ["王建国（041235）"]
    page = client.get(f"/ratings/{demo.code}/").content.decode()
    assert "评价公示" in page and "50%" in page and "2号窗口" in page
