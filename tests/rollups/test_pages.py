"""The figures pages show the numbers of the roll-up's definition, in a number of queries that
does not grow with the day's rows."""

import uuid

import pytest
from django.utils import timezone

from servicehall.feedback import services as feedback
from servicehall.hotline import services as hotline
from servicehall.org.permissions import CITIZEN
from servicehall.queueing import services as queue
from servicehall.queueing.models import Queue
from servicehall.rollups import selectors


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more_tickets(demo, actor, n):
    officer = actor("officer")
    window = demo.windows.get(number=2)
    a = Queue.objects.get(unit=demo, letter="A")
    for _ in range(n):
        queue.take_ticket(queue=a)
        t = queue.call_next(actor=officer, window=window)
        queue.start(actor=officer, ticket=t)
        t = queue.finish(actor=officer, ticket=t)
        feedback.rate(actor=CITIZEN, ticket=t, overall=5, idempotency_key=uuid.uuid4().hex)
    for _ in range(n):
        queue.take_ticket(queue=a)


def test_the_hall_shows_the_live_roll_up_of_today(city_day, demo, login):
    client = login("leader")
    html = client.get("/console/hall/").content.decode()
    today = timezone.localdate()
    rows = [r for r in selectors.window_days([demo], today, today) if r["unit_id"] == demo.pk]
    taken = sum(r["taken"] for r in rows)
    served = sum(r["served"] for r in rows)
    assert f"<b>{taken}</b><span>取号数" in html and f"<b>{served}</b><span>已办结" in html


@pytest.mark.parametrize(
    "url", ["/console/hall/", "/ratings/kf-gulou-hukou/", "/hotline/"], ids=str
)
def test_figures_pages_take_as_many_queries_with_more_rows(
    url, city_day, demo, centre, actor, login, django_assert_max_num_queries
):
    client = login("leader") if url != "/hotline/" else login("operator110")
    _more_tickets(demo, actor, 6)  # ten waits and more: the 90th percentile is asked for
    client.get(url)
    before = _queries(client, url)
    _more_tickets(demo, actor, 20)
    operator = actor("operator110")
    for n in range(4):
        hotline.ring(actor=operator, unit=centre, caller_number=f"1390000{n:04d}")
    feedback.seal()
    with django_assert_max_num_queries(before):
        assert client.get(url).status_code == 200
