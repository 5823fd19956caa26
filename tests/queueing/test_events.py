"""The event server's poller: a late commit with a lower id still reaches the boards, nothing
is sent twice, and a poller that lost its last board starts again from the newest row."""

import asyncio

import pytest
from asgiref.sync import sync_to_async

from servicehall.queueing import events
from servicehall.queueing.models import BoardEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_late_lower_id_is_delivered_once_and_the_hub_resets(demo, monkeypatch):
    monkeypatch.setattr(events, "POLL", 0.01)
    hub = events.Hub()
    BoardEvent.objects.create(unit=demo, kind="call", data={"ticket": "A000", "window": 2})
    create = sync_to_async(BoardEvent.objects.create, thread_sensitive=False)

    async def scenario():
        queue = hub.subscribe(demo.pk)
        await asyncio.sleep(0.2)  # the poller starts from the newest row: A000 is not replayed
        late = await create(unit=demo, kind="call", data={"ticket": "A002", "window": 2})
        await create(unit=demo, kind="call", data={"ticket": "A003", "window": 3})
        got = [await asyncio.wait_for(queue.get(), 3) for _ in range(2)]
        hub.sent.discard(late.pk)  # as if A002 had committed after the poller passed its id
        await asyncio.sleep(0.2)
        again = []
        while not queue.empty():
            again.append(queue.get_nowait())
        hub.unsubscribe(demo.pk, queue)
        await asyncio.sleep(0.2)
        return got, again

    got, again = asyncio.run(scenario())
    assert [r["data"]["ticket"] for r in got] == ["A002", "A003"]
    assert [r["data"]["ticket"] for r in again] == ["A002"]
    assert hub.last_id is None and not hub.sent
