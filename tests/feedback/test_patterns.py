"""R-FB-1 不得弄虚作假: the report points at ratings that look made rather than given."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from servicehall.feedback import patterns, services
from servicehall.org.permissions import CITIZEN
from servicehall.queueing.models import Queue, Ticket

SH = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 11, 16)


@pytest.fixture
def visits(demo):
    """make(staff, n, start, every, rate=…, after=…): n finished visits at the staff member's
    window, one every `every` seconds, rated `after` seconds after each ended."""
    queue = Queue.objects.get(unit=demo, letter="A")
    counter = iter(range(1, 100000))

    def make(staff, window, n, start, every=600, level=5, after=30, **extra):
        for i in range(n):
            ended = start + dt.timedelta(seconds=i * every)
            number = next(counter)
            ticket = Ticket.objects.create(
                queue=queue,
                day=DAY,
                number=number,
                label=f"A{number:03d}",
                state=Ticket.State.DONE,
                window=window,
                staff=staff,
                arrived_at=ended - dt.timedelta(minutes=20),
                called_at=ended - dt.timedelta(minutes=5),
                started_at=ended - dt.timedelta(minutes=5),
                ended_at=ended,
            )
            if level is not None:
                services.rate(
                    actor=CITIZEN,
                    ticket=ticket,
                    overall=level,
                    reason="不满意" if level <= 2 else "",
                    device=f"window:{window.pk}",
                    idempotency_key=uuid.uuid4().hex,
                    now=ended + dt.timedelta(seconds=after),
                    **extra,
                )

    return make


def at(h, m=0):
    return dt.datetime(2026, 11, 16, h, m, tzinfo=SH)


def test_a_burst_of_top_ratings_from_one_device_is_flagged(demo, visits, staff_of):
    officer = staff_of("kf-gulou-hukou", "041235")
    window = demo.windows.get(number=2)
    visits(officer, window, 4, at(9), every=600)  # an honest morning: 10 minutes apart
    visits(officer, window, 5, at(15), every=20, after=5)  # five in 80 seconds
    r = patterns.report(demo, DAY, DAY)
    assert len(r["bursts"]) == 1
    burst = r["bursts"][0]
    assert (burst.count, burst.window) == (5, 2)
    assert "041235" in burst.staff


def test_instant_top_ratings_with_no_choice_are_counted(demo, visits, staff_of):
    officer = staff_of("kf-gulou-hukou", "041235")
    window = demo.windows.get(number=2)
    visits(officer, window, 4, at(9), after=1)  # one second after the end, nothing else
    visits(officer, window, 2, at(11), after=1, attitude=5)  # chose a dimension: a person
    visits(officer, window, 2, at(14), after=40)
    r = patterns.report(demo, DAY, DAY)
    assert r["instant"] == 4
    line = next(s for s in r["staff"] if "041235" in s.staff)
    assert line.instant == 4 and "instant" in line.flags


def test_staff_out_of_line_with_their_unit(demo, visits):
    staff = list(demo.staff.filter(active=True).exclude(badge_no="").order_by("pk")[:3])
    windows = list(demo.windows.order_by("number")[:3])
    assert len(staff) == 3 and len(windows) == 3
    # two colleagues: a third of their ratings 非常满意; the third: all of them
    for s, w, hour in ((staff[0], windows[0], 8), (staff[1], windows[1], 8)):
        visits(s, w, 20, at(hour), every=60, level=5)
        visits(s, w, 40, at(hour + 2), every=60, level=4)
    visits(staff[2], windows[2], 40, at(8), every=600, level=5)
    r = patterns.report(demo, DAY, DAY)
    lines = {s.staff: s for s in r["staff"]}
    high = next(v for k, v in lines.items() if staff[2].badge_no in k)
    assert "top_high" in high.flags and high.top_z >= patterns.Z
    low = next(v for k, v in lines.items() if staff[0].badge_no in k)
    assert "top_high" not in low.flags


def test_too_few_ratings_say_nothing(demo, visits, staff_of):
    officer = staff_of("kf-gulou-hukou", "041235")
    visits(officer, demo.windows.get(number=2), 5, at(9), level=5)
    line = next(s for s in patterns.report(demo, DAY, DAY)["staff"] if "041235" in s.staff)
    assert line.top_z is None and line.flags == []


def test_the_page_for_the_organizer_and_not_for_an_officer(login, demo, visits, staff_of):
    officer = staff_of("kf-gulou-hukou", "041235")
    visits(officer, demo.windows.get(number=2), 3, at(15), every=10, after=2)
    page = login("admin").get(reverse("rating_patterns"), {"unit": demo.code, "month": "2026-11"})
    assert page.status_code == 200
    assert "041235" in page.content.decode()
    assert login("officer").get(reverse("rating_patterns")).status_code == 403


def test_a_lower_rating_breaks_the_run(demo, visits, staff_of):
    officer = staff_of("kf-gulou-hukou", "041235")
    window = demo.windows.get(number=2)
    visits(officer, window, 1, at(15, 0), after=5)
    visits(officer, window, 1, at(15, 0) + dt.timedelta(seconds=20), level=3, after=5)
    visits(officer, window, 2, at(15, 0) + dt.timedelta(seconds=40), every=20, after=5)
    assert patterns.report(demo, DAY, DAY)["bursts"] == []


def test_a_month_out_of_range_shows_this_month(client, demo):
    assert (
        client.get(reverse("ratings_published", args=[demo.code]), {"month": "9999-12"}).status_code
        == 200
    )


def test_the_office_finds_appeals_and_the_report_from_home(login, demo):
    page = login("admin").get("/").content.decode()
    assert reverse("rating_patterns") in page and reverse("appeals") in page
    assert reverse("ratings_published", args=[demo.code]) in page  # for everyone, per unit
