"""The event server: Server-Sent Events for display boards and consoles (R-Q-2).

A small ASGI app of its own (run by `servicehall events`, beside the gunicorn workers that
serve ordinary requests, decision 0008). One poller per process reads new BoardEvent rows every
POLL seconds and fans them out to every connected board of that unit, so the database sees one
query per poll however many boards are open. Browsers reconnect by themselves (EventSource) and
resume from Last-Event-ID, so a network loss loses no call.
"""

import asyncio
import contextlib
import json
import logging
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicehall.settings")
django.setup()

from asgiref.sync import sync_to_async  # noqa: E402
from django.db import close_old_connections  # noqa: E402

from servicehall.queueing.models import BoardEvent  # noqa: E402

log = logging.getLogger(__name__)
POLL = float(os.environ.get("SERVICEHALL_EVENTS_POLL", "0.15"))
# On PostgreSQL a row with a lower id can commit after a higher one was read: each poll looks
# back this many ids and skips those already sent, so a late commit is still delivered.
LOOKBACK = 200
KEEPALIVE = 15.0


class Hub:
    def __init__(self):
        self.subscribers: dict[object, set[asyncio.Queue]] = {}
        self.last_id = None
        self.sent: set[int] = set()
        self.task = None

    def subscribe(self, audience):
        """audience: a unit id (its public boards) or ("screen", window id)."""
        queue = asyncio.Queue(maxsize=1000)
        self.subscribers.setdefault(audience, set()).add(queue)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self.run())
        return queue

    def unsubscribe(self, audience, queue):
        self.subscribers.get(audience, set()).discard(queue)

    @staticmethod
    def _fetch(after):
        close_old_connections()
        qs = BoardEvent.objects.order_by("pk")
        if after is None:  # start from the newest row; what came before counts as sent
            last = qs.last()
            last_id = last.pk if last else 0
            seen = list(
                qs.filter(pk__gt=last_id - LOOKBACK).values("pk", "unit_id", "kind", "data", "at")
            )
            return [dict(r, seen=True) for r in seen], last_id
        rows = list(
            qs.filter(pk__gt=max(after - LOOKBACK, 0)).values(
                "pk", "unit_id", "kind", "data", "at"
            )[:1000]
        )
        return rows, max([after] + [r["pk"] for r in rows])

    async def run(self):
        while any(self.subscribers.values()):
            try:
                rows, self.last_id = await sync_to_async(self._fetch, thread_sensitive=False)(
                    self.last_id
                )
            except Exception:  # a database hiccup must not stop the boards: log, retry
                log.exception("board event poll failed")
                await asyncio.sleep(1)
                continue
            self.sent.update(r["pk"] for r in rows if r.get("seen"))
            fresh = [r for r in rows if r["pk"] not in self.sent]
            for row in fresh:
                self.sent.add(row["pk"])
                for key in _audiences(row):
                    for queue in list(self.subscribers.get(key, ())):
                        if not queue.full():
                            queue.put_nowait(row)
            floor = self.last_id - LOOKBACK
            self.sent = {pk for pk in self.sent if pk > floor}
            if not fresh:
                await asyncio.sleep(POLL)
        # Nobody listens: start again from the newest row when the next board connects,
        # rather than replaying (and speaking) everything that happened meanwhile.
        self.last_id = None
        self.sent.clear()


hub = Hub()
# what a window shows its citizen, and its device revoked: never on the hall's public stream
PRIVATE = {BoardEvent.Kind.SCREEN, BoardEvent.Kind.UNPAIRED}


def _audiences(row):
    """Who hears an event: the unit's boards (public kinds), and the citizen screen of the
    window it concerns (its calls, its state, what is entered there)."""
    keys = [] if row["kind"] in PRIVATE else [row["unit_id"]]
    window_id = row["data"].get("window_id") if isinstance(row["data"], dict) else None
    if window_id:
        keys.append(("screen", window_id))
    return keys


def _missed(audience, after):
    close_old_connections()
    qs = BoardEvent.objects.filter(pk__gt=after).order_by("pk")
    if isinstance(audience, tuple):
        qs = qs.filter(data__window_id=audience[1])
    else:
        qs = qs.filter(unit_id=audience).exclude(kind__in=PRIVATE)
    return list(qs.values("pk", "unit_id", "kind", "data", "at")[:200])


def _audience(parts):
    """/events/board/<unit id> or /events/screen/<stream token>; None for anything else."""
    if len(parts) != 3 or parts[0] != "events":
        return None
    if parts[1] == "board" and parts[2].isdigit():
        return int(parts[2])
    if parts[1] == "screen":
        from urllib.parse import unquote

        from servicehall.feedback.screen import window_for_stream

        window = window_for_stream(unquote(parts[2]))
        return ("screen", window.pk) if window else None
    return None


def _frame(row):
    data = {"kind": row["kind"], **row["data"], "at": row["at"].isoformat()}
    payload = json.dumps(data, ensure_ascii=False)
    return f"id: {row['pk']}\nevent: {row['kind']}\ndata: {payload}\n\n".encode()


async def _until_disconnect(receive):
    while (await receive())["type"] != "http.disconnect":  # the request body comes first
        pass


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    parts = scope["path"].strip("/").split("/")
    audience = (
        await sync_to_async(_audience, thread_sensitive=False)(parts)
        if scope["type"] == "http"
        else None
    )
    if audience is None:
        await send(
            {
                "type": "http.response.start",
                "status": 404,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.body", "body": b"not found"})
        return
    headers = dict(scope["headers"])
    last = headers.get(b"last-event-id", b"").decode()
    query = dict(
        p.split("=", 1) for p in scope.get("query_string", b"").decode().split("&") if "=" in p
    )
    last = last or query.get("last", "")
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/event-stream; charset=utf-8"),
                (b"cache-control", b"no-cache"),
                (b"x-accel-buffering", b"no"),
                (b"access-control-allow-origin", b"*"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b"retry: 1000\n\n", "more_body": True})
    queue = hub.subscribe(audience)
    delivered: set[int] = set()
    try:
        if last.isdigit():  # a reconnect: replay what was missed
            for row in await sync_to_async(_missed, thread_sensitive=False)(audience, int(last)):
                delivered.add(row["pk"])
                await send({"type": "http.response.body", "body": _frame(row), "more_body": True})
        disconnected = asyncio.ensure_future(_until_disconnect(receive))
        while True:
            getter = asyncio.ensure_future(queue.get())
            done, _pending = await asyncio.wait(
                {getter, disconnected}, timeout=KEEPALIVE, return_when=asyncio.FIRST_COMPLETED
            )
            if disconnected in done:
                getter.cancel()
                break
            if getter in done:
                row = getter.result()
                if row["pk"] not in delivered:  # the replay may have sent it already
                    await send(
                        {"type": "http.response.body", "body": _frame(row), "more_body": True}
                    )
            else:
                getter.cancel()
                await send(
                    {"type": "http.response.body", "body": b": keepalive\n\n", "more_body": True}
                )
    finally:
        hub.unsubscribe(audience, queue)
    with contextlib.suppress(OSError):  # the client may be gone already
        await send({"type": "http.response.body", "body": b"", "more_body": False})
