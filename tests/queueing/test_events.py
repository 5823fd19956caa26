"""The event server's poller: a late commit with a lower id still reaches the boards, nothing
is sent twice, and a poller that lost its last board starts again from the newest row."""

import asyncio
import threading

import pytest
from django.db import connections

from servicehall.queueing.models import BoardEvent
from servicehall.web import events

pytestmark = pytest.mark.django_db(transaction=True)


def immediate(fn, **kwargs):
    """sync_to_async without a thread pool: the test's loop thread does the queries."""

    async def call(*args, **kw):
        return fn(*args, **kw)

    return call


def run_in_own_thread(coro_fn):
    """A fresh thread and loop (the browser tests keep a loop running in the main thread)."""
    result = {}

    def target():
        try:
            result["value"] = asyncio.run(coro_fn())
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=30)
    return result["value"]


def test_a_late_lower_id_is_delivered_once_and_the_hub_resets(demo, monkeypatch):
    monkeypatch.setattr(events, "POLL", 0.01)
    monkeypatch.setattr(events, "sync_to_async", immediate)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    hub = events.Hub()
    BoardEvent.objects.create(unit=demo, kind="call", data={"ticket": "A000", "window": 2})

    async def scenario():
        queue = hub.subscribe(demo.pk)
        await asyncio.sleep(0.2)  # the poller starts from the newest row: A000 is not replayed
        late = BoardEvent.objects.create(
            unit=demo, kind="call", data={"ticket": "A002", "window": 2}
        )
        BoardEvent.objects.create(unit=demo, kind="call", data={"ticket": "A003", "window": 3})
        got = [await asyncio.wait_for(queue.get(), 3) for _ in range(2)]
        hub.sent.discard(late.pk)  # as if A002 had committed after the poller passed its id
        await asyncio.sleep(0.2)
        again = []
        while not queue.empty():
            again.append(queue.get_nowait())
        hub.unsubscribe(demo.pk, queue)
        await asyncio.sleep(0.2)
        return got, again

    got, again = run_in_own_thread(scenario)
    assert [r["data"]["ticket"] for r in got] == ["A002", "A003"]
    assert [r["data"]["ticket"] for r in again] == ["A002"]
    assert hub.last_id is None and not hub.sent
