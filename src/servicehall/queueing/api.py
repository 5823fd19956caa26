"""Queue endpoints for consoles, kiosks and reception machines (R-Q-1 … R-Q-3).

Thin: each one calls a service, which checks the actor (R-ORG-4) and the rules; errors come
back as {detail, errors, rule}. A console on a bearer token calls exactly as the web console
does, so a hardware caller or a third-party counter terminal can drive a window.
"""

import datetime as dt
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from servicehall.core.errors import InvalidInput
from servicehall.core.schemas import DbId, Text
from servicehall.org.models import Window
from servicehall.org.permissions import Action, actor_for, require

from . import services
from .models import Queue, Ticket, WindowPause

router = Router(tags=["queue"])


class TicketOut(Schema):
    id: int
    label: str = Field(description="the number on the slip, e.g. A023")
    queue: str = Field(alias="queue.letter")
    state: str
    green_channel: bool
    window: int | None = Field(None, description="window number, once called")
    arrived_at: dt.datetime
    called_at: dt.datetime | None
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    calls: int

    @staticmethod
    def resolve_window(obj):
        return obj.window.number if obj.window_id else None


class TicketCallOut(Schema):
    ticket: TicketOut | None = Field(description="null when nobody waits")


class CallNextIn(Schema):
    finish_current: bool = Field(
        False, description="finish the ticket at the window first (the 'finish and next' key)"
    )


class CallNumberIn(Schema):
    label: Text(Ticket, "label")


class PauseIn(Schema):
    reason: Text(WindowPause, "reason")
    minutes: int = Field(5, ge=1, le=240)


class TransferIn(Schema):
    to_queue_id: DbId | None = None
    to_window_id: DbId | None = None


class TakeIn(Schema):
    matter_id: DbId | None = None
    green_channel: bool = False


def _actor(request):
    return actor_for(request.auth if request.auth is not None else request.user)


def _window(request, window_id):
    window = get_object_or_404(Window.objects.select_related("unit"), pk=window_id)
    return _actor(request), window


def _ticket(request, ticket_id):
    ticket = get_object_or_404(Ticket.objects.select_related("queue", "window"), pk=ticket_id)
    return _actor(request), ticket


@router.get("/windows/{window_id}/console")
def window_state(request, window_id: int):
    """The window as its console shows it: who is signed in, current ticket, who waits."""
    actor, window = _window(request, window_id)
    require(actor, Action.CALL_TICKET, unit=window.unit)
    return services.console_state(window)


@router.post("/windows/{window_id}/sign-in", response={201: dict})
def sign_in(request, window_id: int):
    actor, window = _window(request, window_id)
    session = services.sign_in(actor=actor, window=window)
    return Status(201, {"signed_in_at": session.signed_in_at, "minutes_late": session.minutes_late})


@router.post("/windows/{window_id}/sign-out", response=dict)
def sign_out(request, window_id: int):
    actor, window = _window(request, window_id)
    session = services.sign_out(actor=actor, window=window)
    return {"signed_out_at": session.signed_out_at}


@router.post("/windows/{window_id}/call-next", response=TicketCallOut)
def call_next(request, window_id: int, payload: CallNextIn | None = None):
    """Call the next ticket by the window's rule (R-Q-1); the boards show it (R-Q-2)."""
    finish = payload.finish_current if payload else False
    # the window's id is enough: the service checks it and the session in one round trip
    ticket = services.call_next(actor=_actor(request), window=window_id, finish_current=finish)
    # The busiest route answers without validating its own output again (decision 0009);
    # TicketCallOut stays the documented contract, and test_api checks the two agree.
    body = {"ticket": ticket_out(ticket) if ticket else None}
    return HttpResponse(json.dumps(body, cls=DjangoJSONEncoder), content_type="application/json")


def ticket_out(t) -> dict:
    """TicketOut as a plain dict, for call-next."""
    return {
        "id": t.pk,
        "label": t.label,
        "queue": t.queue.letter,
        "state": t.state,
        "green_channel": t.green_channel,
        "window": t.window.number if t.window_id else None,
        "arrived_at": t.arrived_at,
        "called_at": t.called_at,
        "started_at": t.started_at,
        "ended_at": t.ended_at,
        "calls": t.calls,
    }


@router.post("/windows/{window_id}/call-number", response=TicketCallOut)
def call_number(request, window_id: int, payload: CallNumberIn):
    actor, window = _window(request, window_id)
    return {"ticket": services.call_number(actor=actor, window=window, label=payload.label)}


@router.post("/windows/{window_id}/pause", response={201: dict})
def pause(request, window_id: int, payload: PauseIn):
    """暂停服务 on the boards; a long pause needs the duty lead's approval (R-Q-3)."""
    actor, window = _window(request, window_id)
    p = services.pause(actor=actor, window=window, reason=payload.reason, minutes=payload.minutes)
    return Status(201, {"id": p.pk, "needs_approval": p.needs_approval})


@router.post("/windows/{window_id}/resume", response=dict)
def resume(request, window_id: int):
    actor, window = _window(request, window_id)
    p = services.resume_service(actor=actor, window=window)
    return {"paused_minutes": round((p.ended_at - p.started_at).total_seconds() / 60, 1)}


TICKET_ACTIONS = {
    "recall": services.recall,
    "start": services.start,
    "finish": services.finish,
    "no-show": services.no_show,
    "park": services.park,
    "resume": services.resume_parked,
}


@router.post("/tickets/{ticket_id}/transfer", response=TicketOut)
def transfer(request, ticket_id: int, payload: TransferIn):
    """To another queue or window of the unit; the ticket keeps its place in line."""
    actor, ticket = _ticket(request, ticket_id)
    unit = ticket.queue.unit_id
    to_queue = to_window = None
    if payload.to_queue_id is not None:
        to_queue = Queue.objects.filter(pk=payload.to_queue_id, unit_id=unit).first()
        if to_queue is None:
            raise InvalidInput({"to_queue_id": [_("No such queue in this unit.")]})
    if payload.to_window_id is not None:
        to_window = Window.objects.filter(pk=payload.to_window_id, unit_id=unit).first()
        if to_window is None:
            raise InvalidInput({"to_window_id": [_("No such window in this unit.")]})
    return services.transfer(actor=actor, ticket=ticket, to_queue=to_queue, to_window=to_window)


@router.post("/tickets/{ticket_id}/{action}", response=TicketOut)
def ticket_action(request, ticket_id: int, action: str):
    """recall, start, finish, no-show, park or resume (a parked ticket)."""
    if action not in TICKET_ACTIONS:
        raise InvalidInput({"action": [_("Unknown action: %(a)s.") % {"a": action}]})
    actor, ticket = _ticket(request, ticket_id)
    return TICKET_ACTIONS[action](actor=actor, ticket=ticket)


@router.post("/queues/{queue_id}/tickets", response={201: TicketOut})
def take(request, queue_id: int, payload: TakeIn):
    """A ticket issued by the unit's staff at reception (kiosks use the public page); only
    staff may put a citizen in the green channel."""
    queue = get_object_or_404(Queue.objects.select_related("unit"), pk=queue_id)
    matter = None
    if payload.matter_id is not None:
        matter = queue.matters.filter(pk=payload.matter_id).first()
        if matter is None:
            raise InvalidInput({"matter_id": [_("This matter is not served in this queue.")]})
    ticket = services.issue_at_reception(
        actor=_actor(request), queue=queue, matter=matter, green_channel=payload.green_channel
    )
    return Status(201, ticket)
