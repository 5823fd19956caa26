"""Hotline endpoints for a CTI or phone system (R-FB-5, R-LAW-3): it posts when a call rings,
when it is answered and when it ends, so ring times are exact; the seat's operator records the
details on the call log page. A bearer token acts as its user (a staff account of the hotline
unit); caller numbers come back masked.
"""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from servicehall.core.errors import InvalidInput
from servicehall.core.schemas import DbId, Text
from servicehall.org.models import Staff, Unit, Window
from servicehall.org.permissions import Action, actor_for, require

from . import services
from .models import HotlineCall

router = Router(tags=["hotline"])


class HotlineCallOut(Schema):
    id: int
    unit: int = Field(alias="unit_id")
    seat: int | None = Field(None, description="seat (window) number")
    caller_number: str = Field(description="masked, e.g. 138****5678")
    rang_at: dt.datetime
    answered_at: dt.datetime | None
    ended_at: dt.datetime | None
    ring_seconds: int | None = Field(description="until answered or abandoned; null while ringing")
    answered_in_time: bool = Field(description="answered within three rings (15 s)")
    state: str = Field(description="ringing, talking, ended or abandoned")
    repeat_of: int | None = Field(None, alias="repeat_of_id")
    taken_by: str | None = Field(None, description="badge number of the operator")
    kind: str
    outcome: str
    complete: bool | None = Field(description="report and help calls: all 七何 and a callback")
    missing: list[str]
    complaint: str | None = Field(None, description="code of the complaint registered")

    @staticmethod
    def resolve_seat(obj):
        return obj.seat.number if obj.seat_id else None

    @staticmethod
    def resolve_caller_number(obj):
        return obj.masked_caller

    @staticmethod
    def resolve_taken_by(obj):
        return obj.taken_by.badge_no if obj.taken_by_id else None

    @staticmethod
    def resolve_missing(obj):
        return [str(m) for m in obj.missing]

    @staticmethod
    def resolve_complaint(obj):
        return obj.complaint.code if obj.complaint_id else None


class RingIn(Schema):
    caller_number: Text(HotlineCall, "caller_number") = ""
    seat_id: DbId | None = Field(None, description="the seat it rings at; decides the unit")
    unit_id: DbId | None = Field(None, description="without a seat; default the token's unit")
    at: dt.datetime | None = Field(None, description="when it began ringing; default now")


class AnswerIn(Schema):
    at: dt.datetime | None = Field(None, description="when it was answered; default now")
    seat_id: DbId | None = None
    badge_no: Text(Staff, "badge_no") | None = Field(
        None, description="the operator who answered; default the token's staff member"
    )


class EndIn(Schema):
    at: dt.datetime | None = Field(None, description="when it ended; default now")


def _actor(request):
    return actor_for(request.auth if request.auth is not None else request.user)


def _call(call_id):
    return get_object_or_404(
        HotlineCall.objects.select_related("unit", "seat", "taken_by", "complaint"), pk=call_id
    )


def _seat(seat_id):
    return get_object_or_404(Window.objects.select_related("unit"), pk=seat_id) if seat_id else None


@router.post("/hotline/calls", response={201: HotlineCallOut})
def ring(request, payload: RingIn):
    """A call starts ringing; a call from the same number within 24 h is linked as a repeat."""
    actor = _actor(request)
    seat = _seat(payload.seat_id)
    if seat is not None:
        unit = seat.unit
    elif payload.unit_id:
        unit = get_object_or_404(Unit, pk=payload.unit_id)
    elif actor.staff is not None and actor.staff.unit_id:
        unit = actor.staff.unit
    else:
        raise InvalidInput({"unit_id": [_("Name the unit or the seat the call rings at.")]})
    call = services.ring(
        actor=actor, unit=unit, caller_number=payload.caller_number, seat=seat, at=payload.at
    )
    return Status(201, call)


@router.post("/hotline/calls/{call_id}/answer", response=HotlineCallOut)
def answer(request, call_id: int, payload: AnswerIn | None = None):
    """The call is answered (by the operator named, or the token's staff member)."""
    payload = payload or AnswerIn()
    actor, call = _actor(request), _call(call_id)
    require(actor, Action.TAKE_HOTLINE_CALL, unit=call.unit)
    operator = None
    if payload.badge_no:
        operator = Staff.objects.filter(unit=call.unit, badge_no=payload.badge_no).first()
        if operator is None:
            raise InvalidInput({"badge_no": [_("No one at this unit has this badge number.")]})
    return services.answer(
        actor=actor, call=call, at=payload.at, seat=_seat(payload.seat_id), taken_by=operator
    )


@router.post("/hotline/calls/{call_id}/end", response=HotlineCallOut)
def end(request, call_id: int, payload: EndIn | None = None):
    """The call ends; unanswered, it is recorded as abandoned (the caller hung up)."""
    payload = payload or EndIn()
    return services.hang_up(actor=_actor(request), call=_call(call_id), at=payload.at)


@router.get("/hotline/calls/{call_id}", response=HotlineCallOut)
def call_detail(request, call_id: int):
    call = _call(call_id)
    require(_actor(request), Action.TAKE_HOTLINE_CALL, unit=call.unit)
    return call


@router.get("/hotline/figures", response=dict)
def figures(request, first: dt.date | None = None, last: dt.date | None = None):
    """The token's unit's figures for days first … last (default today): calls, answered,
    connection rate, answered within 15 s, completeness of report and help calls, repeats,
    complaint calls."""
    actor = _actor(request)
    unit = actor.staff.unit if actor.staff is not None and actor.staff.unit_id else None
    if unit is None:
        raise InvalidInput({"unit": [_("Figures are for the staff of a unit.")]})
    require(actor, Action.TAKE_HOTLINE_CALL, unit=unit)
    first = first or timezone.localdate()
    return services.figures(unit, first, last or first)
