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


def test_unrated_visits_count_as_satisfied_only_where_the_setting_says(
    demo, finish_visits, settings
):
    # R-LAW-2 as some regions apply it: in the figures only, never as a rating
    from servicehall.feedback.models import Rating
    from servicehall.rollups.selectors import month_rates

    first, second = finish_visits(2)
    services.rate(
        actor=CITIZEN, ticket=first, overall=1, reason="态度差", idempotency_key=uuid.uuid4().hex
    )
    today = timezone.localdate()
    expired = timezone.now() + dt.timedelta(days=settings.SERVICEHALL["RATING_LINK_DAYS"] + 1)
    off = figures(demo, today, today, now=expired)["total"]
    assert (off["good_rate"], off["deemed_satisfied"]) == (0.0, 0)  # 0 of 1 rating
    settings.SERVICEHALL = {**settings.SERVICEHALL, "UNRATED_AS_SATISFIED": True}
    on = figures(demo, today, today, now=expired)["total"]
    assert (on["good_rate"], on["deemed_satisfied"]) == (0.5, 1)  # the unrated one counts
    assert figures(demo, today, today)["total"]["deemed_satisfied"] == 0  # link still valid
    assert Rating.objects.count() == 1 and not Rating.objects.filter(ticket=second).exists()
    counts = {"good": 0, "rated": 1, "unrated": 1, "cases_on_time": 0, "cases_overdue": 0}
    assert month_rates(counts)["good_rate"] == 0.5  # the roll-ups' rates say the same


def test_the_published_page_says_how_many_count_as_satisfied(demo, finish_visits, settings, client):
    finish_visits(1)
    settings.SERVICEHALL = {**settings.SERVICEHALL, "UNRATED_AS_SATISFIED": True}
    page = client.get(f"/ratings/{demo.code}/").content.decode()
    assert 'id="deemed"' not in page  # its link is still valid
    later = timezone.now() + dt.timedelta(days=settings.SERVICEHALL["RATING_LINK_DAYS"] + 1)
    from unittest import mock

    month = timezone.localdate().strftime("%Y-%m")  # the visit's month, also at a month's end
    with mock.patch("django.utils.timezone.now", return_value=later):
        page = client.get(f"/ratings/{demo.code}/", {"month": month}).content.decode()
    assert "1 次办事在 7 天内未评价" in page
