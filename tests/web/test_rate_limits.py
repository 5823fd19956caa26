"""Rate limits on public writes and look-ups (decision 0016): over a rule's limit a request
answers 429 in Chinese with Retry-After and changes nothing; each client address (the one the
trusted proxy saw) and each Open311 key has its own budget; staff signed in have none; and the
counters are shared by worker processes, in the database or in Redis.

Rates here are per hour: django-ratelimit's windows end at a fixed second, and a per-minute
window could end in the middle of a test."""

import json
import multiprocessing as mp
import os
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from servicehall.complaints.models import ApiClient, Complaint
from servicehall.core.idnumbers import with_check_digit
from servicehall.queueing.models import Appointment, AppointmentSlot, Queue, Ticket
from servicehall.settings import _RATE_LIMIT_DEFAULTS, _rate_limits
from tests.complaints.test_pages import post_web

from .test_every_page_in_chinese import problems

REDIS_URL = "redis://127.0.0.1:6379/0"
DOWN = "redis://127.0.0.1:9/0"  # the discard port: nothing answers there


def limits(settings, **rules):
    settings.SERVICEHALL = {
        **settings.SERVICEHALL,
        "RATE_LIMITS": {**settings.SERVICEHALL["RATE_LIMITS"], **rules},
    }


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI"):  # .ci/run starts it
            pytest.fail("no Redis at 127.0.0.1:6379")
        pytest.skip("no Redis at 127.0.0.1:6379")
    return client


@pytest.fixture(params=["database", "redis"])
def store(request, settings):
    """The shared store the settings choose: the counter table (no SERVICEHALL_REDIS_URL) or
    Redis; this test's keys are flushed after it."""
    if request.param == "database":
        settings.RATELIMIT_USE_CACHE = "ratelimit"
        assert settings.CACHES["ratelimit"]["BACKEND"].endswith("CounterCache")
        yield request.param
        return
    client = _redis()
    settings.CACHES = {
        **settings.CACHES,
        "redis": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "servicehall",
        },
    }
    settings.RATELIMIT_USE_CACHE = "redis"
    yield request.param
    keys = list(client.scan_iter(f"*{settings.RATELIMIT_CACHE_PREFIX}*"))
    assert keys, "the test's counts were not kept in Redis"
    client.delete(*keys)


def assert_429(response, *, json_body=False):
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    if json_body:
        body = response.json()
        assert "过多" in body["detail"] and "分钟后再试" in body["detail"]
        return body
    page = response.content.decode()
    assert "请求过于频繁" in page and "未改动任何内容" in page
    assert problems(page) == []  # reads in Chinese, as every page
    return page


def test_complaints_over_the_limit_get_429_and_file_nothing(client, demo, settings, store):
    limits(settings, complaint="3/h")
    before = Complaint.objects.count()
    for _ in range(3):
        assert post_web(client, demo).status_code == 200
    assert Complaint.objects.count() == before + 3
    page = assert_429(post_web(client, demo))
    assert "投诉和建议" in page  # says which limit
    assert Complaint.objects.count() == before + 3


def test_kiosk_tickets_over_the_limit_get_429_and_take_no_number(client, demo, settings):
    limits(settings, ticket="2/h")
    queue = Queue.objects.filter(unit=demo, active=True, green_channel=False).first()
    url = reverse("kiosk", args=[demo.code])
    before = Ticket.objects.count()
    assert [client.post(url, {"queue": queue.pk}).status_code for _ in range(2)] == [302, 302]
    page = assert_429(client.post(url, {"queue": queue.pk}))
    assert "排队号" in page
    assert Ticket.objects.count() == before + 2
    check_in = client.post(reverse("kiosk_check_in", args=[demo.code]), {"code": "123456"})
    assert_429(check_in)  # checking in a booking takes a number too: the same budget


def test_bookings_over_the_limit_get_429_and_book_nothing(client, demo, settings):
    limits(settings, booking="1/h")
    slot = AppointmentSlot.objects.filter(matter__code="passport-issue").first()
    url = f"/book/kf-exit-entry/{slot.pk}/"
    person = {"name": "赵丽", "id_number": with_check_digit("41020319850612202")}
    assert client.post(url, person | {"phone": "13912345678"}).status_code == 302
    page = assert_429(client.post(url, person | {"phone": "13912345679"}))
    assert "预约" in page
    assert Appointment.objects.count() == 1


def test_rating_links_over_the_limit_get_the_429_page(client, demo, settings):
    limits(settings, rating="2/h")
    for _ in range(2):
        assert client.post("/rate/not-a-token/", {"overall": "5"}).status_code != 429
    assert "评价" in assert_429(client.post("/rate/not-a-token/", {"overall": "5"}))


@pytest.mark.parametrize(
    "url, params",
    [
        ("/status/", {"number": "KF-0000-0000"}),
        ("/complaints/status/", {"code": "TS-2222-2222"}),
        ("/guide/", {"q": "户口"}),
    ],
)
def test_look_up_pages_over_the_limit_get_429(client, demo, settings, url, params):
    limits(settings, lookup="3/h", search="3/h")
    for _ in range(3):
        assert client.get(url, params).status_code == 200
    assert_429(client.get(url, params))
    assert client.get(url).status_code == 200  # the empty form looks nothing up


@pytest.mark.parametrize(
    "url, rule",
    [("/api/v1/status/KF-0000-0000?code=ABCDEF", "lookup"), ("/api/v1/matters?q=户口", "search")],
)
def test_api_look_ups_over_the_limit_get_429_json(client, demo, settings, url, rule):
    limits(settings, lookup="2/h", search="2/h")
    assert [client.get(url).status_code in (200, 404) for _ in range(2)] == [True, True]
    body = assert_429(client.get(url), json_body=True)
    assert body["rule"] == f"rate-limit:{rule}"


def test_each_address_has_its_own_budget_and_only_the_proxy_names_it(client, demo, settings):
    limits(settings, lookup="2/h")
    url, params = "/status/", {"number": "KF-0000-0000"}
    for _ in range(2):
        client.get(url, params, REMOTE_ADDR="198.51.100.1")
    assert client.get(url, params, REMOTE_ADDR="198.51.100.1").status_code == 429
    assert client.get(url, params, REMOTE_ADDR="198.51.100.2").status_code == 200
    # behind one trusted proxy: the address it appended counts, not one the client wrote
    settings.TRUSTED_PROXY_COUNT = 1
    behind = {"REMOTE_ADDR": "10.0.0.1"}
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        answer = client.get(url, params, HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.9", **behind)
    assert answer.status_code == 429  # the third from 203.0.113.9, whatever it claimed
    other = client.get(url, params, HTTP_X_FORWARDED_FOR="203.0.113.10", **behind)
    assert other.status_code == 200


def test_staff_signed_in_are_not_limited(login, demo, settings):
    limits(settings, complaint="1/h", lookup="1/h")
    client = login("officer")
    before = Complaint.objects.count()
    for _ in range(3):
        assert post_web(client, demo).status_code == 200
        assert client.get("/status/", {"number": "KF-0000-0000"}).status_code == 200
    assert Complaint.objects.count() == before + 3


def test_open311_key_has_one_budget_across_addresses(client, demo, settings):
    limits(settings, open311="100/h", open311_key="3/h")
    _api_client, key = ApiClient.issue("开封12345热线")
    data = {
        "api_key": key,
        "service_code": "complaint-attitude",
        "attribute[unit]": "kf-gulou-hukou",
        "description": "窗口民警态度生硬，不解释材料要求",
    }
    before = Complaint.objects.count()
    url = "/open311/v2/requests.json"
    for n in range(3):
        assert client.post(url, data, REMOTE_ADDR=f"198.51.100.{n}").status_code == 201
    refused = client.post(url, data, REMOTE_ADDR="198.51.100.99")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    [error] = refused.json()  # the spec's errors: [{code, description}]
    assert error["code"] == 429 and "api_key" in error["description"]
    assert Complaint.objects.count() == before + 3
    # another key from the same addresses has its own budget
    _other, other_key = ApiClient.issue("开封市政务服务APP")
    assert client.post(url, data | {"api_key": other_key}).status_code == 201


def test_open311_per_address_whatever_the_key(client, demo, settings):
    limits(settings, open311="2/h", open311_key="100/h")
    url = "/open311/v2/requests.json"
    before = Complaint.objects.count()
    keys = [ApiClient.issue(f"客户端{n}")[1] for n in range(3)]
    data = {"service_code": "complaint-attitude", "attribute[unit]": "kf-gulou-hukou"}
    answers = [
        client.post(url, data | {"api_key": k, "description": "窗口无人"}).status_code for k in keys
    ]
    assert answers == [201, 201, 429]
    assert Complaint.objects.count() == before + 2


def test_rating_link_limited_and_a_paired_device_not(client, demo, settings):
    limits(settings, rating="2/h")
    post = {"link": "not-a-real-link", "overall": 5}

    def rate(**extra):
        body = post | {"idempotency_key": uuid.uuid4().hex} | extra
        return client.post("/api/v1/ratings", json.dumps(body), content_type="application/json")

    assert all(400 <= rate().status_code < 429 for _ in range(2))  # refused, not limited
    body = assert_429(rate(), json_body=True)
    assert body["rule"] == "rate-limit:rating"
    # posts as a device that is refused count against the address too
    assert_429(rate(link=None, ticket_id=1), json_body=True)


def test_rate_limit_settings_parse_and_refuse_unknown_rules():
    assert _rate_limits("", _RATE_LIMIT_DEFAULTS) == _RATE_LIMIT_DEFAULTS
    assert set(_rate_limits("off", _RATE_LIMIT_DEFAULTS).values()) == {""}
    changed = _rate_limits("complaint=2/m, 10/h;lookup=9/m", _RATE_LIMIT_DEFAULTS)
    assert changed["complaint"] == "2/m,10/h" and changed["lookup"] == "9/m"
    with pytest.raises(ImproperlyConfigured, match="complaints"):
        _rate_limits("complaints=1/m", _RATE_LIMIT_DEFAULTS)


def test_limits_off_lifts_every_limit(client, demo, settings):
    settings.SERVICEHALL = {
        **settings.SERVICEHALL,
        "RATE_LIMITS": _rate_limits("off", _RATE_LIMIT_DEFAULTS),
    }
    for _ in range(40):
        assert client.get("/status/", {"number": "KF-0000-0000"}).status_code == 200


def test_a_store_that_does_not_answer_lets_the_hall_work(client, demo, settings, caplog):
    settings.CACHES = {
        **settings.CACHES,
        "down": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DOWN},
    }
    settings.RATELIMIT_USE_CACHE = "down"
    limits(settings, ticket="1/h")
    queue = Queue.objects.filter(unit=demo, active=True, green_channel=False).first()
    url = reverse("kiosk", args=[demo.code])
    assert [client.post(url, {"queue": queue.pk}).status_code for _ in range(2)] == [302, 302]
    assert "not counted" in caplog.text


# --- shared across processes ------------------------------------------------------------

BUDGET, WORKERS, EACH = 25, 6, 8


def _kiosk_worker(code, queue_id, barrier, out):
    connections.close_all()  # each process its own database connection
    client = Client(REMOTE_ADDR="203.0.113.7")
    barrier.wait(timeout=60)
    statuses = [
        client.post(f"/kiosk/{code}/", {"queue": queue_id}).status_code for _ in range(EACH)
    ]
    out.put(statuses)
    connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_worker_processes_share_one_budget(demo, settings, store):
    """Six processes, as gunicorn's workers, take kiosk numbers for one address at once: the
    store counts for all of them, so exactly the budget is taken and the rest refused."""
    if connection.vendor != "postgresql" and store == "database":
        pytest.skip("parallel writers need PostgreSQL; SQLite serialises every writer")
    limits(settings, ticket=f"{BUDGET}/h")
    queue = Queue.objects.filter(unit=demo, active=True, green_channel=False).first()
    before = Ticket.objects.filter(queue=queue).count()
    connections.close_all()
    ctx = mp.get_context("fork")
    out, barrier = ctx.Queue(), ctx.Barrier(WORKERS)
    procs = [
        ctx.Process(target=_kiosk_worker, args=(demo.code, queue.pk, barrier, out))
        for _ in range(WORKERS)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    statuses = [s for r in results for s in r]
    assert statuses.count(302) == BUDGET
    assert statuses.count(429) == WORKERS * EACH - BUDGET
    assert Ticket.objects.filter(queue=queue).count() == before + BUDGET
    assert sum(1 for r in results if 302 in r) > 1, "the workers did not run side by side"
