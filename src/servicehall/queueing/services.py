"""Taking tickets, calling them to windows, and who is at which window (R-Q-1 … R-Q-4).

Calling is correct under concurrency: on PostgreSQL each window locks its own round
(WindowState) and takes the oldest waiting ticket with SELECT … FOR UPDATE SKIP LOCKED, so no
ticket is called twice and none is skipped; on SQLite every write transaction is serialised
(BEGIN IMMEDIATE), which gives the same guarantee one call at a time.
"""

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicehall.core.errors import Forbidden, InvalidInput, NotFound, ServiceError
from servicehall.org.choices import Role, UnitKind
from servicehall.org.models import Window
from servicehall.org.permissions import Action, Actor, require, require_certified
from servicehall.worktime import services as worktime

from .models import (
    BoardEvent,
    CallRule,
    Queue,
    QueueDay,
    Ticket,
    WindowPause,
    WindowSession,
    WindowState,
    WindowStatus,
)

ACTIVE = (Ticket.State.CALLED, Ticket.State.SERVING, Ticket.State.PARKED)


def take_ticket(
    *, queue: Queue, matter=None, source="kiosk", green_channel=False, scheduled_at=None, now=None
) -> Ticket:
    """A citizen takes a number (kiosk, reception or appointment check-in)."""
    now = now or timezone.now()
    if not queue.active:
        raise ServiceError(_("This queue is closed today."))
    if matter is not None and not queue.matters.filter(pk=matter.pk).exists():
        raise InvalidInput({"matter": [_("This matter is not served in this queue.")]})
    day = timezone.localdate(now)
    with transaction.atomic():
        QueueDay.objects.get_or_create(queue=queue, day=day)
        counter = QueueDay.objects.select_for_update().get(queue=queue, day=day)
        counter.last = F("last") + 1
        counter.save(update_fields=["last"])
        counter.refresh_from_db(fields=["last"])
        return Ticket.objects.create(
            queue=queue,
            day=day,
            number=counter.last,
            label=f"{queue.letter}{counter.last:03d}",
            source=source,
            matter=matter,
            green_channel=green_channel or queue.green_channel,
            scheduled_at=scheduled_at,
            arrived_at=now,
        )


GREEN_FROM_RECEPTION = gettext_lazy(
    "Green-channel numbers are issued by the reception staff only: please ask at the reception "
    "desk."
)


SLIP_DAYS = 2  # a slip's page opens for the day it was taken and the next


def slip_token(ticket) -> str:
    """The unguessable part of a slip's address (R-FB-1): signed, so nobody reaches another
    citizen's slip, nor its rating link, by counting ticket numbers."""
    from django.core import signing

    return signing.dumps(ticket.pk, salt="servicehall.kiosk-slip")


def ticket_for_slip(token: str) -> int | None:
    from django.core import signing

    try:
        pk = signing.loads(token, salt="servicehall.kiosk-slip", max_age=SLIP_DAYS * 86400)
    except signing.BadSignature:
        return None
    return pk if isinstance(pk, int) and not isinstance(pk, bool) else None


def issue_at_kiosk(*, queue: Queue, now=None) -> Ticket:
    """A citizen takes a number at the kiosk: never in the green channel, and only while the
    unit is open."""
    if queue.green_channel:  # R-CASE-4: reception staff decide who goes in the green channel
        raise ServiceError(GREEN_FROM_RECEPTION, rule="R-CASE-4")
    require_open(queue.unit, now)
    return take_ticket(queue=queue, source=Ticket.Source.KIOSK, now=now)


def issue_at_reception(
    *, actor: Actor, queue: Queue, matter=None, green_channel=False, now=None
) -> Ticket:
    """Reception (导办台) hands a citizen a number; only the unit's staff may put one in the
    green channel, a kiosk never does (R-CASE-4)."""
    require(actor, Action.CALL_TICKET, unit=queue.unit)
    require_open(queue.unit, now)
    return take_ticket(
        queue=queue,
        matter=matter,
        source=Ticket.Source.RECEPTION,
        green_channel=green_channel,
        now=now,
    )


# ---- opening hours (R-TIME-5) -----------------------------------------------------------


def round_the_clock(unit) -> bool:
    """A unit open 24 hours: a hotline centre (the 110 centre), or one whose published hours
    say 24 hours (a hospital's emergency department: 24小时)."""
    hours = (unit.hours or "").replace(" ", "").lower()
    return unit.kind == UnitKind.HOTLINE or hours.startswith(("24小时", "24h", "24hours"))


def _day_span(unit, day):
    """(first start, last end) of the unit's sessions that day, aware, or None when the day
    has none: a holiday is closed unless an extended-service session is set for it."""
    sessions = worktime.hours_for(unit, day).day_sessions(
        day, worktime.calendar().is_working_day(day)
    )
    if not sessions:
        return None
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(day, sessions[0][0], tzinfo=tz),
        dt.datetime.combine(day, sessions[-1][1], tzinfo=tz),
    )


def next_opening(unit, now=None) -> dt.datetime | None:
    """When the unit opens next after `now` (within a month), or None."""
    local = timezone.localtime(now or timezone.now())
    for i in range(32):
        span = _day_span(unit, local.date() + dt.timedelta(days=i))
        if span is not None and span[0] > local:
            return span[0]
    return None


def _when(moment) -> str:
    local = timezone.localtime(moment)
    if (translation.get_language() or "").startswith("zh"):
        return f"{local.month}月{local.day}日 {local:%H:%M}"
    return formats.date_format(local, "j M H:i")


def is_open(unit, now=None, *, early_minutes=0) -> bool:
    """Is the unit open at `now` (from `early_minutes` before its first session to the end of
    its last; a number taken over lunch waits for the afternoon)?"""
    if round_the_clock(unit) or not settings.SERVICEHALL["OPENING_HOURS_ENFORCED"]:
        return True
    local = timezone.localtime(now or timezone.now())
    span = _day_span(unit, local.date())
    return span is not None and span[0] - dt.timedelta(minutes=early_minutes) <= local < span[1]


def closed_message(unit, now=None) -> str:
    """本单位已下班，下次办公时间：12月2日 08:30"""
    opening = next_opening(unit, now)
    if opening is None:
        return str(_("The unit is closed now."))
    return _("The unit is closed now; it opens next at %(when)s.") % {"when": _when(opening)}


def require_open(unit, now=None):
    """Tickets are issued while the unit is open (R-TIME-5), unless it is a 24-hour unit."""
    if not is_open(unit, now):
        raise ServiceError(closed_message(unit, now), rule="R-TIME-5")


def sign_in_early_minutes() -> int:
    """R-Q-3: staff arrive this many minutes early and sign in (SIGN_IN_EARLY_MINUTES)."""
    return settings.SERVICEHALL["SIGN_IN_EARLY_MINUTES"]


def long_pause_minutes() -> int:
    """R-Q-3: away longer than this is reported to the No. 1 window (LONG_PAUSE_MINUTES)."""
    return settings.SERVICEHALL["LONG_PAUSE_MINUTES"]


# ---- the window's staff ----------------------------------------------------------------


def _session(window, *, lock=False):
    qs = WindowSession.objects.filter(window=window, signed_out_at__isnull=True)
    if lock:
        qs = qs.select_for_update()
    return qs.select_related("staff").first()


def active_session(window):
    """Who is signed in at the window now (their WindowSession), or None."""
    return _session(window)


def _open_pause(session):
    return session.pauses.filter(ended_at__isnull=True).first() if session else None


def _own(actor: Actor, window: Window, session, message=None):
    """The session, if the actor is the staff member signed in at this window (R-Q-3)."""
    if session is None or actor.staff is None or session.staff_id != actor.staff.pk:
        if message:
            raise Forbidden(message % {"n": window.number})
        raise Forbidden(_("Sign in at window %(n)s first.") % {"n": window.number}, rule="R-Q-3")
    return session


NOT_SIGNED_IN = gettext_lazy("You are not signed in at window %(n)s.")


def _at_window(actor: Actor, window: Window):
    """The actor must be signed in at this window and not paused (one query)."""
    require(actor, Action.CALL_TICKET, unit=window.unit)
    session = _own(
        actor,
        window,
        WindowSession.objects.filter(window=window, signed_out_at__isnull=True)
        .annotate(
            paused=Exists(WindowPause.objects.filter(session=OuterRef("pk"), ended_at__isnull=True))
        )
        .first(),
    )
    if session.paused:
        raise ServiceError(_("The window is paused: resume service first."), rule="R-Q-3")
    return session


def current_ticket(window):
    """The ticket called to or being served at the window (a parked one waits aside)."""
    return (
        Ticket.objects.filter(window=window, state__in=[Ticket.State.CALLED, Ticket.State.SERVING])
        .order_by("-called_at")
        .first()
    )


# ---- calling ---------------------------------------------------------------------------


def green_every() -> int:
    """R-CASE-4: a waiting green-channel ticket gets at least one of every this many calls of a
    window (GREEN_EVERY; 1, the default: every call, 0: none beyond the queues' weights)."""
    return max(0, settings.SERVICEHALL["GREEN_EVERY"])


def appointment_grace() -> tuple[dt.timedelta, dt.timedelta]:
    """R-Q-1: a checked-in appointment goes before walk-ins from this long before its slot,
    if it checked in no later than this long after it (APPOINTMENT_EARLY/LATE_MINUTES)."""
    return (
        dt.timedelta(minutes=settings.SERVICEHALL["APPOINTMENT_EARLY_MINUTES"]),
        dt.timedelta(minutes=settings.SERVICEHALL["APPOINTMENT_LATE_MINUTES"]),
    )


def due_appointment(now) -> Q:
    """R-Q-1: a checked-in appointment whose slot has come at `now` (from the early minutes
    before it) and that checked in on time (by the late minutes after it)."""
    early, late = appointment_grace()
    return Q(
        source=Ticket.Source.APPOINTMENT,
        scheduled_at__lte=now + early,
        arrived_at__lte=F("scheduled_at") + late,
    )


def is_due(ticket, now) -> bool:
    """due_appointment for one ticket in hand."""
    early, late = appointment_grace()
    return (
        ticket.source == Ticket.Source.APPOINTMENT
        and ticket.scheduled_at is not None
        and ticket.scheduled_at <= now + early
        and ticket.arrived_at <= ticket.scheduled_at + late
    )


def _round(window, *, every):
    """The window's queues, and its calling round: each queue repeated by its weight, in
    order; while green tickets have precedence the green queues are left out of the round
    (all their tickets are green, and precedence calls them)."""
    queues, cycle = [], []
    for queue_id, weight, green in (
        CallRule.objects.filter(window=window, queue__active=True)
        .order_by("order", "pk")
        .values_list("queue_id", "weight", "queue__green_channel")
    ):
        if weight:
            queues.append(queue_id)
        if not (every and green):
            cycle += [queue_id] * weight
    return queues, cycle


def _oldest(filters, order=("arrived_at", "pk"), where=None):
    # The partial indexes answer these with one row: ticket_waiting (queue, arrived_at),
    # ticket_green_waiting and ticket_booked_waiting (decision 0026).
    return (
        Ticket.objects.select_for_update(skip_locked=True)
        .filter(where or Q(), state=Ticket.State.WAITING, **filters)
        .order_by(*order)
        .first()
    )


def _pick(window, state, day, now, every):
    """The next ticket by the window's rule, locked (decisions 0009, 0026); moves the round's
    cursor when the round gave it. The SQL function of migration 0011 is the same rule."""
    ticket = _oldest({"target_window": window, "day": day})  # transfers: only here
    if ticket is not None:
        return ticket
    queues, cycle = _round(window, every=every)
    mine = {"queue_id__in": queues, "target_window__isnull": True, "day": day}
    before = min(state.calls_before_green, max(every - 1, 0))
    if every and before == 0:
        steps = ["green", "booked", "round"]
    else:  # a green ticket still goes when nobody else waits
        steps = ["booked", "round", "green"] if every else ["booked", "round"]
    for step in steps:
        if step == "green":  # R-CASE-4: in whatever queue it stands, the oldest first
            ticket = _oldest({**mine, "green_channel": True})
        elif step == "booked":  # R-Q-1: an appointment whose slot has come, if on time
            ticket = _oldest(
                mine, order=("scheduled_at", "arrived_at", "pk"), where=due_appointment(now)
            )
        else:
            for i in range(len(cycle)):
                ticket = _oldest(
                    {
                        "queue_id": cycle[(state.cursor + i) % len(cycle)],
                        "target_window__isnull": True,
                        "day": day,
                        **({"green_channel": False} if every else {}),
                    }
                )
                if ticket is not None:
                    state.cursor = (state.cursor + i + 1) % len(cycle)
                    break
        if ticket is not None:
            return ticket
    return None


def call_next(
    *, actor: Actor, window: Window | int, now=None, finish_current=False
) -> Ticket | None:
    """Call the next ticket by the window's rule (decision 0026): tickets transferred to this
    window first; then the oldest green-channel ticket in any queue the window calls, in at
    least one of every GREEN_EVERY calls; then a checked-in appointment whose slot has come;
    then the queues in turn by weight (R-Q-1); and a green ticket when nobody else waits.
    None when nobody waits.

    With finish_current the ticket at the window is finished first, in the same transaction
    (the console's "finish and call next" key); one never started counts as served from its
    call. `window` may be its id (the API's fast path). On PostgreSQL the whole call is one
    database function, one round trip (decision 0009); the Python below is the same rule for
    SQLite, and the same tests run on both.
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    if connection.vendor == "postgresql":
        return _call_next_pg(actor, window, day, now, finish_current)
    if isinstance(window, int):
        window = Window.objects.select_related("unit").filter(pk=window).first()
        if window is None:
            raise NotFound(_("There is no such window."))
    with transaction.atomic():
        state = _lock_window(window)  # a double click waits here, then finds the first call
        session = _at_window(actor, window)
        finished = _finish_current(window, now) if finish_current else None
        if finished is None and current_ticket(window) is not None:
            raise ServiceError(BUSY)
        every = green_every()
        cursor, before = state.cursor, state.calls_before_green
        ticket = _pick(window, state, day, now, every)
        if ticket is None:
            if finished:
                announce_window(window, now, status="open", finished=finished)
            return None
        # every call counts toward the next green precedence; a green one starts again
        if every <= 1:
            state.calls_before_green = 0
        elif ticket.green_channel:
            state.calls_before_green = every - 1
        else:
            state.calls_before_green = max(min(before, every - 1) - 1, 0)
        if (state.cursor, state.calls_before_green) != (cursor, before):
            state.save(update_fields=["cursor", "calls_before_green"])
        return _mark_called(ticket, window, session.staff_id, now, finished)


BUSY = gettext_lazy("Finish, park or mark the current ticket first.")


def _call_next_pg(actor, window, day, now, finish_current):
    # R-ORG-4: the role may call; the scope is the session the function checks (only the
    # staff member signed in at the window calls, and sign_in admits only the unit's staff).
    require(actor, Action.CALL_TICKET)
    window_id = window if isinstance(window, int) else window.pk
    if not 0 < window_id < 2**31:  # beyond an integer column: no such window, not a 500
        raise NotFound(_("There is no such window."))
    with connection.cursor() as cur:  # autocommit: the function is one transaction
        early, late = appointment_grace()
        cur.execute(
            "SELECT * FROM queueing_call_next(%s, %s, %s, %s, %s, %s, %s, %s)",
            [
                window_id,
                actor.staff.pk if actor.staff else 0,
                day,
                now,
                finish_current,
                green_every(),
                early,
                late,
            ],
        )
        row = cur.fetchone()
    outcome, number, unit_id, ticket_id, label, queue_id, letter, green, arrived_at, calls = row
    if number is None:
        raise NotFound(_("There is no such window."))
    if outcome == "called":
        at = Window(pk=window_id, number=number, unit_id=unit_id)
        return Ticket(
            pk=ticket_id,
            label=label,
            queue=Queue(pk=queue_id, letter=letter, unit_id=unit_id),
            day=day,
            state=Ticket.State.CALLED,
            green_channel=green,
            window=at,
            staff=actor.staff,
            arrived_at=arrived_at,
            called_at=now,
            calls=calls,
        )
    if outcome == "not_signed_in":
        raise Forbidden(_("Sign in at window %(n)s first.") % {"n": number}, rule="R-Q-3")
    if outcome == "paused":
        raise ServiceError(_("The window is paused: resume service first."), rule="R-Q-3")
    if outcome == "busy":
        raise ServiceError(BUSY)
    return None


def _finish_current(window, now):
    """Finish the ticket called to or served at the window; returns it, or None."""
    current = current_ticket(window)
    if current is not None:
        Ticket.objects.filter(pk=current.pk).update(
            state=Ticket.State.DONE,
            ended_at=now,
            started_at=Coalesce("started_at", "called_at"),
        )
    return current


WINDOW_LOCK_SPACE = 7301  # advisory-lock namespace, shared with queueing_call_next


def _lock_window(window):
    """Lock the window's calling state: one window calls one ticket at a time. On PostgreSQL
    an advisory lock (it writes nothing), the same one the call function takes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [WINDOW_LOCK_SPACE, window.pk])
        state, _created = WindowState.objects.get_or_create(window=window)
        return state
    state, _created = WindowState.objects.select_for_update().get_or_create(window=window)
    return state


def _mark_called(ticket, window, staff_id, now, finished=None):
    ticket.state = Ticket.State.CALLED
    ticket.window, ticket.staff_id = window, staff_id
    ticket.called_at = now
    ticket.calls += 1
    ticket.target_window = None
    ticket.save(update_fields=["state", "window", "staff", "called_at", "calls", "target_window"])
    # the call says the window serves
    event = _call_event(ticket, BoardEvent.Kind.CALL, state=WindowStatus.SERVING)
    if finished is not None:  # and which visit it finished, for the rating device
        event.data["finished"] = {"id": finished.pk, "ticket": finished.label}
    event.save()
    return ticket


def _call_event(ticket, kind, state=None):
    data = {
        "ticket": ticket.label,
        "window": ticket.window.number,
        "window_id": ticket.window_id,
        "green": ticket.green_channel,
    }
    if state:
        data["state"] = state
    return BoardEvent(unit_id=ticket.window.unit_id, kind=kind, data=data)


def _window_event(window, status):
    return BoardEvent(
        unit_id=window.unit_id,
        kind=BoardEvent.Kind.WINDOW,
        data={"window": window.number, "window_id": window.pk, "state": status},
    )


def announce_call(ticket, kind):
    """请 A023 号到 5 号窗口 — on every board of the unit (R-Q-2)."""
    _call_event(ticket, kind).save()


def staff_card(staff) -> dict | None:
    """Who serves at a window, as the wall and the citizen screen show them (R-CAT-3)."""
    if staff is None:
        return None
    return {
        "name": staff.name,
        "badge": staff.badge_no,
        "photo": staff.photo.url if staff.photo else "",
        "party": staff.party_member,
    }


def announce_window(window, now=None, status=None, finished=None):
    """The window's new state and who is signed in there (the citizen screen follows sign-in
    and sign-out live, R-Q-2); `finished` names the visit just finished, so the rating
    device at the window can ask the citizen about it (R-FB-1)."""
    event = _window_event(window, status or window_status(window, now))
    session = _session(window)
    event.data["staff"] = staff_card(session.staff if session else None)
    if finished is not None:
        event.data["finished"] = {"id": finished.pk, "ticket": finished.label}
    event.save()


@transaction.atomic
def call_number(*, actor: Actor, window: Window, label: str, now=None) -> Ticket:
    """Call a particular waiting number (e.g. a citizen who stepped out and came back)."""
    now = now or timezone.now()
    _lock_window(window)
    session = _at_window(actor, window)
    if current_ticket(window) is not None:
        raise ServiceError(BUSY)
    queues = CallRule.objects.filter(window=window).values("queue_id")
    ticket = (
        Ticket.objects.select_for_update()
        .filter(
            Q(queue__in=queues, target_window__isnull=True) | Q(target_window=window),
            label=label.strip().upper(),
            day=timezone.localdate(now),
            state=Ticket.State.WAITING,
        )
        .first()
    )
    if ticket is None:
        raise InvalidInput(
            {"label": [_("No waiting ticket %(t)s for this window.") % {"t": label}]}
        )
    return _mark_called(ticket, window, session.staff_id, now)


def _mine(actor, ticket, states):
    ticket = (
        Ticket.objects.select_for_update(of=("self",)).select_related("window").get(pk=ticket.pk)
    )
    if ticket.window is None:
        raise ServiceError(_("This ticket is not at a window."))
    _at_window(actor, ticket.window)
    if ticket.state not in states:
        said = _("Ticket %(t)s is %(s)s.") % {"t": ticket.label, "s": ticket.get_state_display()}
        if ticket.state == Ticket.State.CALLED and Ticket.State.SERVING in states:
            said += _("Press Start first, when the citizen is at the window.")
        raise ServiceError(said)
    return ticket


@transaction.atomic
def recall(*, actor: Actor, ticket: Ticket, now=None) -> Ticket:
    ticket = _mine(actor, ticket, [Ticket.State.CALLED])
    ticket.calls += 1
    ticket.save(update_fields=["calls"])
    announce_call(ticket, BoardEvent.Kind.RECALL)
    return ticket


@transaction.atomic
def no_show(*, actor: Actor, ticket: Ticket, now=None) -> Ticket:
    ticket = _mine(actor, ticket, [Ticket.State.CALLED])
    ticket.state, ticket.ended_at = Ticket.State.NO_SHOW, now or timezone.now()
    ticket.save(update_fields=["state", "ended_at"])
    announce_window(ticket.window)
    return ticket


@transaction.atomic
def start(*, actor: Actor, ticket: Ticket, now=None) -> Ticket:
    ticket = _mine(actor, ticket, [Ticket.State.CALLED])
    ticket.state, ticket.started_at = Ticket.State.SERVING, now or timezone.now()
    ticket.save(update_fields=["state", "started_at"])
    return ticket


@transaction.atomic
def finish(*, actor: Actor, ticket: Ticket, now=None) -> Ticket:
    ticket = _mine(actor, ticket, [Ticket.State.SERVING])
    ticket.state, ticket.ended_at = Ticket.State.DONE, now or timezone.now()
    ticket.save(update_fields=["state", "ended_at"])
    announce_window(ticket.window, finished=ticket)
    return ticket


@transaction.atomic
def park(*, actor: Actor, ticket: Ticket, now=None) -> Ticket:
    """The citizen steps away (a missing copy): the window may serve others meanwhile."""
    ticket = _mine(actor, ticket, [Ticket.State.SERVING])
    ticket.state = Ticket.State.PARKED
    ticket.save(update_fields=["state"])
    return ticket


@transaction.atomic
def resume_parked(*, actor: Actor, ticket: Ticket, now=None) -> Ticket:
    ticket = _mine(actor, ticket, [Ticket.State.PARKED])
    if Ticket.objects.filter(
        window=ticket.window, state__in=[Ticket.State.CALLED, Ticket.State.SERVING]
    ).exists():
        raise ServiceError(_("Finish the current ticket first."))
    ticket.state = Ticket.State.SERVING
    ticket.save(update_fields=["state"])
    return ticket


@transaction.atomic
def transfer(
    *,
    actor: Actor,
    ticket: Ticket,
    to_queue: Queue | None = None,
    to_window: Window | None = None,
    now=None,
) -> Ticket:
    """Send a ticket on to another queue or a particular window; it keeps its place in line
    (its arrival time), so the citizen does not start again."""
    now = now or timezone.now()
    ticket = _mine(actor, ticket, [Ticket.State.CALLED, Ticket.State.SERVING, Ticket.State.PARKED])
    if (to_queue is None) == (to_window is None):
        raise InvalidInput({"to": [_("Transfer to one queue or one window.")]})
    target_unit = (to_queue or to_window).unit_id
    if target_unit != ticket.queue.unit_id:
        raise InvalidInput({"to": [_("Transfers stay within the unit.")]})
    if to_window is not None:
        if to_window.pk == ticket.window_id:
            raise InvalidInput({"to": [_("Choose another window.")]})
        ticket.state, ticket.target_window = Ticket.State.WAITING, to_window
        ticket.window = ticket.staff = None
        ticket.save()
        return ticket
    ticket.state, ticket.ended_at = Ticket.State.TRANSFERRED, now
    ticket.save(update_fields=["state", "ended_at"])
    moved = take_ticket(
        queue=to_queue,
        matter=None,
        source=ticket.source,
        green_channel=ticket.green_channel,
        scheduled_at=ticket.scheduled_at,
        now=now,
    )
    moved.arrived_at = ticket.arrived_at  # keeps its place in line
    moved.label = ticket.label  # and the number on the citizen's slip
    moved.transferred_from = ticket
    moved.save(update_fields=["arrived_at", "label", "transferred_from"])
    return moved


# ---- presence (R-Q-3, R-Q-4, R-TIME-5) --------------------------------------------------


def _minutes_from_start(window, now):
    """Minutes after the start of the session under way or next today (negative: before it);
    None when no session is left today."""
    local = timezone.localtime(now)
    cal = worktime.calendar()
    hours = worktime.hours_for(window.unit, local.date())
    # the regular sessions, not merged by lunch duty: an afternoon shift starts at 13:30
    working = cal.is_working_day(local.date())
    sessions = hours.sessions if working else hours.day_sessions(local.date(), False)
    for start, end in sessions:
        start_at = dt.datetime.combine(local.date(), start, tzinfo=local.tzinfo)
        end_at = dt.datetime.combine(local.date(), end, tzinfo=local.tzinfo)
        if local < end_at:
            return int((local - start_at).total_seconds() / 60)
    return None


def _minutes_late(window, now):
    return max(0, _minutes_from_start(window, now) or 0)


@transaction.atomic
def sign_in(*, actor: Actor, window: Window, now=None) -> WindowSession:
    """Sign in at a window: the norm's minutes before the session; lateness is recorded."""
    now = now or timezone.now()
    require(actor, Action.CALL_TICKET, unit=window.unit)
    staff = actor.staff
    if staff is None or staff.unit_id != window.unit_id:
        raise Forbidden(_("Only staff of %(u)s sign in at its windows.") % {"u": window.unit.name})
    require_certified(staff)
    if _session(window, lock=True) is not None:
        raise ServiceError(
            _("Someone is already signed in at window %(n)s.") % {"n": window.number}
        )
    elsewhere = WindowSession.objects.filter(staff=staff, signed_out_at__isnull=True).first()
    if elsewhere is not None:  # closing that window has rules of its own (R-TIME-5)
        raise ServiceError(
            _("You are signed in at window %(n)s: sign out there first.")
            % {"n": elsewhere.window.number},
            rule="R-TIME-5",
        )
    # R-Q-3: sign-in opens the norm's minutes before the unit does; lateness is recorded
    early = sign_in_early_minutes()
    if not is_open(window.unit, now, early_minutes=early):
        opening = next_opening(window.unit, now)
        if opening is None:
            raise ServiceError(closed_message(window.unit, now), rule="R-Q-3")
        raise ServiceError(
            _("The unit is closed now: sign-in opens at %(when)s, %(n)s minutes before it opens.")
            % {"when": _when(opening - dt.timedelta(minutes=early)), "n": early},
            rule="R-Q-3",
        )
    offset = _minutes_from_start(window, now)
    session = WindowSession.objects.create(
        window=window,
        staff=staff,
        signed_in_at=now,
        minutes_late=max(0, offset or 0),
        minutes_early=None if offset is None else max(0, -offset),
    )
    announce_window(window, now)
    return session


def waiting_only_here(window, now=None):
    """Tickets nobody else can serve if this window closes (窗口有群众不下班, R-TIME-5)."""
    day = timezone.localdate(now or timezone.now())
    mine = Ticket.objects.filter(day=day, state=Ticket.State.WAITING, target_window=window)
    # a paused window serves nobody: it does not cover a queue
    paused = WindowPause.objects.filter(ended_at__isnull=True).values("session_id")
    open_windows = (
        WindowSession.objects.filter(signed_out_at__isnull=True)
        .exclude(window=window)
        .exclude(pk__in=paused)
        .values("window_id")
    )
    covered = CallRule.objects.filter(window_id__in=open_windows).values("queue_id")
    uncovered = (
        CallRule.objects.filter(window=window).exclude(queue_id__in=covered).values("queue_id")
    )
    rest = Ticket.objects.filter(
        day=day, state=Ticket.State.WAITING, target_window__isnull=True, queue_id__in=uncovered
    )
    return list(mine) + list(rest)


@transaction.atomic
def sign_out(*, actor: Actor, window: Window, now=None) -> WindowSession:
    """Close the window — not while citizens still wait for it (R-TIME-5)."""
    now = now or timezone.now()
    _lock_window(window)  # not while a call is under way here
    # Lock every open window of the unit, in one order: two windows that cover the same
    # queues cannot both close at once, each counting on the other (R-TIME-5).
    list(
        WindowSession.objects.select_for_update()
        .filter(window__unit_id=window.unit_id, signed_out_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    session = _own(actor, window, _session(window, lock=True), NOT_SIGNED_IN)
    if Ticket.objects.filter(window=window, state__in=ACTIVE).exists():
        raise ServiceError(
            _("Finish the current and parked tickets before closing."), rule="R-TIME-5"
        )
    waiting = waiting_only_here(window, now)
    if waiting:
        raise ServiceError(
            _(
                "%(n)s citizens still wait for this window (%(list)s): serve them or transfer them "
                "before closing."
            )
            % {"n": len(waiting), "list": "、".join(t.label for t in waiting[:5])},
            rule="R-TIME-5",
        )
    session.pauses.filter(ended_at__isnull=True).update(ended_at=now)
    session.signed_out_at = now
    session.save(update_fields=["signed_out_at"])
    announce_window(window, now)
    return session


@transaction.atomic
def pause(*, actor: Actor, window: Window, reason: str, minutes: int = 5, now=None) -> WindowPause:
    """The window shows 暂停服务. A long pause needs the No. 1 window's duty lead (R-Q-3)."""
    now = now or timezone.now()
    _lock_window(window)  # not while a call is under way here
    session = _at_window(actor, window)
    if not (reason or "").strip():
        raise InvalidInput({"reason": [_("Say why the window pauses.")]})
    if len(reason.strip()) > 100:
        raise InvalidInput({"reason": [_("Keep the reason under 100 characters.")]})
    if not 1 <= minutes <= 240:
        raise InvalidInput({"minutes": [_("Give the expected length in minutes (1–240).")]})
    if current_ticket(window) is not None:
        raise ServiceError(_("Finish or park the current ticket before pausing."))
    p = WindowPause.objects.create(
        session=session, reason=reason.strip(), started_at=now, planned_minutes=minutes
    )
    announce_window(window, now)
    if p.needs_approval:
        from servicehall.notices.models import Notification
        from servicehall.notices.services import notify, who_must_hear

        notify(
            recipients=who_must_hear(
                window.unit, day=timezone.localdate(now), leaders=False, duty_lead=duty_leads
            ),
            kind=Notification.Kind.PAUSE_APPROVAL,
            text=_("Window %(n)s asks to pause %(m)s minutes: %(r)s")
            % {"n": window.number, "m": minutes, "r": p.reason},
            link=reverse("hall"),  # where the duty lead approves it
        )
    return p


def duty_leads(unit, day=None):
    """Who approves long pauses (R-Q-3, R-Q-4): the day's duty lead on the rota; with no rota
    entry, whoever is posted at the No. 1 window as duty lead, else the unit's leads."""
    from servicehall.org.models import Staff

    from .models import DutyAssignment

    day = day or timezone.localdate()
    on_rota = list(
        Staff.objects.filter(
            active=True,
            duty__unit=unit,
            duty__date=day,
            duty__kind=DutyAssignment.Kind.DUTY_LEAD,
        )
    )
    if on_rota:
        return on_rota
    leads = Staff.objects.filter(
        unit=unit,
        active=True,
        window__is_duty_lead=True,
        role__in=[Role.DUTY_LEAD, Role.UNIT_LEADER],
    )
    return list(leads) or list(
        Staff.objects.filter(unit=unit, active=True, role__in=[Role.DUTY_LEAD, Role.UNIT_LEADER])
    )


@transaction.atomic
def approve_pause(*, actor: Actor, window_pause: WindowPause, now=None) -> WindowPause:
    now = now or timezone.now()
    window = window_pause.session.window
    require(actor, Action.APPROVE_PAUSE, unit=window.unit)
    if window_pause.approved_at:
        raise ServiceError(_("Already approved."))
    if actor.staff is not None and actor.staff.pk == window_pause.session.staff_id:
        raise Forbidden(_("Nobody approves their own pause."), rule="R-Q-3")
    leads = duty_leads(window.unit, timezone.localdate(window_pause.started_at))
    if actor.role != Role.UNIT_LEADER and actor.staff not in leads:
        raise Forbidden(
            _("Today's duty lead approves pauses: %(names)s.")
            % {"names": "、".join(s.name for s in leads)},
            rule="R-Q-3",
        )
    window_pause.approved_by, window_pause.approved_at = actor.staff, now
    window_pause.save(update_fields=["approved_by", "approved_at"])
    return window_pause


@transaction.atomic
def resume_service(*, actor: Actor, window: Window, now=None) -> WindowPause:
    now = now or timezone.now()
    session = _own(actor, window, _session(window, lock=True), NOT_SIGNED_IN)
    p = _open_pause(session)
    if p is None:
        raise ServiceError(_("The window is not paused."))
    p.ended_at = now
    p.save(update_fields=["ended_at"])
    announce_window(window, now)
    return p


def pause_overruns(now=None) -> int:
    """R-Q-3: a pause past its planned minutes is reported to the staff member and the day's
    duty lead, once. Run with check_deadlines."""
    from servicehall.notices.models import Notification
    from servicehall.notices.services import notify, who_must_hear

    now = now or timezone.now()
    told = 0
    for p in WindowPause.objects.filter(
        ended_at__isnull=True, overrun_told_at__isnull=True
    ).select_related("session__window__unit", "session__staff__user"):
        if p.started_at + dt.timedelta(minutes=p.planned_minutes) > now:
            continue
        window = p.session.window
        text = _("Window %(n)s's pause (%(r)s) has run past its %(m)s minutes.") % {
            "n": window.number,
            "r": p.reason,
            "m": p.planned_minutes,
        }
        leads = who_must_hear(
            window.unit, day=timezone.localdate(now), leaders=False, duty_lead=duty_leads
        )
        notify(
            recipients=[p.session.staff.user, *leads],
            kind=Notification.Kind.PAUSE_OVERRUN,
            text=text,
            link=reverse("hall"),
        )
        p.overrun_told_at = now
        p.save(update_fields=["overrun_told_at"])
        told += 1
    return told


def status_of(*, signed_in: bool, paused: bool, serving: bool) -> WindowStatus:
    """closed, paused, serving or open, from what is known of the window."""
    if not signed_in:
        return WindowStatus.CLOSED
    if paused:
        return WindowStatus.PAUSED
    return WindowStatus.SERVING if serving else WindowStatus.OPEN


def window_status(window, now=None) -> WindowStatus:
    """closed, paused, serving or open — what the board shows for a window."""
    session = _session(window)
    if session is None:
        return WindowStatus.CLOSED
    paused = _open_pause(session) is not None
    # a paused window's ticket is not looked up: the pause is what shows
    serving = not paused and current_ticket(window) is not None
    return status_of(signed_in=True, paused=paused, serving=serving)


def overdue_pauses(unit, now=None):
    """Long pauses under way without the duty lead's approval, for the No. 1 window."""
    now = now or timezone.now()
    limit = now - dt.timedelta(minutes=long_pause_minutes())
    return list(
        WindowPause.objects.filter(
            session__window__unit=unit,
            ended_at__isnull=True,
            approved_at__isnull=True,
            started_at__lt=limit,
        ).select_related("session__window", "session__staff")
    )


# ---- what a console shows ---------------------------------------------------------------


def console_state(window) -> dict:
    """What the window console (and GET /api/v1/windows/{id}/console) shows."""
    session = _session(window)
    current = current_ticket(window)
    pause = _open_pause(session)
    status = (
        WindowStatus.CLOSED
        if session is None
        else WindowStatus.PAUSED
        if pause
        else WindowStatus.SERVING
        if current
        else WindowStatus.OPEN
    )
    today = timezone.localdate()
    counts = dict(
        Ticket.objects.filter(
            queue__call_rules__window=window,
            day=today,
            state=Ticket.State.WAITING,
            target_window__isnull=True,
        )
        .values_list("queue_id")
        .annotate(n=Count("pk"))
    )
    waiting = {
        letter: counts.get(queue_id, 0)
        for queue_id, letter in CallRule.objects.filter(window=window)
        .order_by("order")
        .values_list("queue_id", "queue__letter")
    }
    waiting["→"] = Ticket.objects.filter(
        target_window=window, day=today, state=Ticket.State.WAITING
    ).count()
    parked = Ticket.objects.filter(window=window, state=Ticket.State.PARKED)
    return {
        "window": window.number,
        "status": status,
        "status_label": str(status.label),
        "staff": session.staff.name if session else None,
        "minutes_late": session.minutes_late if session else 0,
        "minutes_early": session.minutes_early if session else None,
        "current": (
            {
                "id": current.pk,
                "label": current.label,
                "state": current.state,
                "state_label": current.get_state_display(),
                "calls": current.calls,
                "matter": current.matter_id,
            }
            if current
            else None
        ),
        "parked": [{"id": t.pk, "label": t.label} for t in parked],
        "pause": {
            "reason": pause.reason,
            "minutes": pause.planned_minutes,
            "approved": bool(pause.approved_at),
            "needs_approval": pause.needs_approval,
        }
        if pause
        else None,
        "waiting": waiting,
    }


def require_serving(actor: Actor, window: Window):
    """Refuse unless the actor is the staff member signed in at this window (R-Q-3)."""
    require(actor, Action.CALL_TICKET, unit=window.unit)
    return _own(actor, window, _session(window))


def show_on_screen(*, actor: Actor, window: Window, data: dict) -> BoardEvent:
    """Put `data` (already masked by the caller) on the citizen screen of the window the actor
    serves at (一机双屏, R-Q-2): an event of that window's private stream."""
    require_serving(actor, window)
    return BoardEvent.objects.create(
        unit_id=window.unit_id, kind=BoardEvent.Kind.SCREEN, data={**data, "window_id": window.pk}
    )
