"""Kiosk, display board and window console (R-Q-1, R-Q-2, R-Q-3). Thin: services decide."""

import json

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from servicehall.core.errors import Forbidden, InvalidInput, NotFound, ServiceError
from servicehall.core.http import events_csp, events_url
from servicehall.core.ratelimits import limit
from servicehall.core.views import add_service_errors, message_refusal
from servicehall.org.decorators import staff_view
from servicehall.org.models import Unit, Window
from servicehall.org.permissions import Action, require

from . import selectors, services
from .models import BoardEvent, Queue, Ticket
from .selectors import last_event_id


def _unit(code):
    return get_object_or_404(Unit, code=code)


def kiosk(request, code):
    """A touch screen in the hall: one big button per queue."""
    unit = _unit(code)
    if request.method == "POST":
        limit(request, "ticket")
        queue = Queue.objects.filter(
            pk=_int(request.POST.get("queue")) or 0, unit=unit, active=True
        ).first()
        try:
            if queue is None:
                raise ServiceError(_("Choose one of the queues shown on this kiosk."))
            ticket = services.issue_at_kiosk(queue=queue)
        except ServiceError as exc:
            return _kiosk_page(request, unit, error=str(exc), status=exc.status)
        return redirect("kiosk_ticket", code=unit.code, token=services.slip_token(ticket))
    return _kiosk_page(request, unit)


def _kiosk_page(request, unit, *, error="", check_in_error="", status=200):
    """The kiosk: the public queues (never the green channel, R-CASE-4), or when the unit is
    closed, when it opens next (R-TIME-5)."""
    closed = "" if services.is_open(unit) else services.closed_message(unit)
    queues = list(unit.queues.filter(active=True, green_channel=False).prefetch_related("matters"))
    return render(
        request,
        "queueing/kiosk.html",
        {
            "unit": unit,
            "queues": [] if closed else queues,
            "closed": closed,
            "error": error,
            "check_in_error": check_in_error,
        },
        status=status,
    )


def _int(value):
    """A positive whole number from a query or form value, else None (never a 500)."""
    from servicehall.core.params import as_int

    return as_int(value)


@events_csp
def board(request, code):
    """The hall's display: recent calls and every window's state, live (SSE)."""
    unit = _unit(code)
    today = timezone.localdate()
    events = list(
        BoardEvent.objects.filter(
            unit=unit, kind__in=[BoardEvent.Kind.CALL, BoardEvent.Kind.RECALL], at__date=today
        ).order_by("-pk")[:8]
    )
    windows = [
        {"window": w, "state": services.window_status(w)} for w in unit.windows.filter(active=True)
    ]
    return render(
        request,
        "queueing/board.html",
        {
            "unit": unit,
            "calls": events,
            "windows": windows,
            "last_event": last_event_id(unit),
            "events_url": events_url(request),
        },
    )


def _devices_at(window):
    # the window's paired rating devices, through the relation feedback's RatingDevice gives
    # the window: queueing sits below feedback and does not import it (decision 0019)
    return list(window.rating_devices.filter(revoked_at=None, paired_at__isnull=False))


def _console_window(request, actor, unit, window_id=None):
    if unit is None:
        raise Forbidden(_("The console is for the staff of a unit."))
    wid = window_id or actor.staff.window_id
    if "window" in request.GET:
        wid = _int(request.GET["window"])
        if wid is None:
            raise InvalidInput({"window": [_("Choose a window of your unit from the list.")]})
    if not wid:
        raise InvalidInput({"window": [_("You have no window: choose one of your unit's.")]})
    window = Window.objects.filter(pk=wid, unit=unit).select_related("unit").first()
    if window is None:  # a NotFound, so that the console's actions answer it as JSON
        raise NotFound(_("There is no such window at your unit."))
    require(actor, Action.CALL_TICKET, unit=window.unit)
    return window


@staff_view
def console(request, actor, unit):
    try:
        window = _console_window(request, actor, unit)
    except InvalidInput as exc:  # the window asked for: back to one's own console
        return bad_request(request, exc)
    return render(
        request,
        "queueing/console.html",
        {
            "window": window,
            "state": json.dumps(services.console_state(window), ensure_ascii=False),
            "windows": window.unit.windows.filter(active=True).order_by("number"),
            "rating_devices": _devices_at(window),
            "queues": window.unit.queues.filter(active=True),
            "long_pause": services.long_pause_minutes(),
        },
    )


@require_POST
@staff_view
def console_action(request, actor, unit, window_id, action):
    """One console action; answers the window's new state as JSON (no page reload)."""
    try:
        window = _console_window(request, actor, unit, window_id)
        current = services.current_ticket(window)
        ticket = current
        if request.POST.get("ticket"):
            ticket = Ticket.objects.filter(
                pk=_int(request.POST["ticket"]) or 0, queue__unit=window.unit
            ).first()
            if ticket is None:
                raise NotFound(_("There is no such ticket at this unit."))
        calls = {
            "sign_in": lambda: services.sign_in(actor=actor, window=window),
            "sign_out": lambda: services.sign_out(actor=actor, window=window),
            "call_next": lambda: services.call_next(actor=actor, window=window),
            "call_number": lambda: services.call_number(
                actor=actor, window=window, label=request.POST.get("label", "")
            ),
            "recall": lambda: services.recall(actor=actor, ticket=_need(ticket)),
            "start": lambda: services.start(actor=actor, ticket=_need(ticket)),
            "finish": lambda: services.finish(actor=actor, ticket=_need(ticket)),
            "no_show": lambda: services.no_show(actor=actor, ticket=_need(ticket)),
            "park": lambda: services.park(actor=actor, ticket=_need(ticket)),
            "resume_parked": lambda: services.resume_parked(actor=actor, ticket=_need(ticket)),
            "pause": lambda: services.pause(
                actor=actor,
                window=window,
                reason=request.POST.get("reason", ""),
                minutes=_minutes(request.POST.get("minutes")),
            ),
            "resume": lambda: services.resume_service(actor=actor, window=window),
            "transfer": lambda: services.transfer(
                actor=actor,
                ticket=_need(ticket),
                to_window=Window.objects.filter(
                    pk=_int(request.POST.get("to_window")) or 0, unit=window.unit
                ).first(),
                to_queue=Queue.objects.filter(
                    pk=_int(request.POST.get("to_queue")) or 0, unit=window.unit
                ).first(),
            ),
        }
        if action not in calls:
            raise Http404(action)
        result = calls[action]()
        message = ""
        if action in ("call_next",) and result is None:
            message = _("Nobody is waiting.")
        return JsonResponse(
            {"ok": True, "message": message, "state": services.console_state(window)}
        )
    except (ServiceError, ValueError) as exc:
        status = getattr(exc, "status", 400)
        return JsonResponse(
            {"ok": False, "message": str(exc), "rule": getattr(exc, "rule", None)}, status=status
        )


def bad_request(request, exc):
    """A page that says what was wrong with the address and changes nothing (400)."""
    from django.urls import reverse

    from servicehall.core.params import bad_request as page

    return page(request, exc, back=reverse("console"), back_label=_("Back to the console"))


def _minutes(value):
    value = (value or "5").strip()
    if not value.isdigit():
        from servicehall.core.errors import InvalidInput

        raise InvalidInput({"minutes": [_("Give the expected length in minutes (1–240).")]})
    return int(value)


def _need(ticket):
    if ticket is None:
        raise ServiceError(_("There is no ticket at this window."))
    return ticket


@staff_view(unit=_lazy("Reception is kept by the staff of a unit."))
def reception(request, actor, unit):
    """导办台: staff hand out numbers, the green channel included (R-Q-1, R-CASE-4)."""
    from .forms import ReceptionForm

    form = ReceptionForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.issue_at_reception(actor=actor, **form.cleaned_data)
            return redirect(f"{request.path}?issued={ticket.pk}")
        except ServiceError as exc:
            add_service_errors(form, exc)
    issued = None
    if _int(request.GET.get("issued")):
        issued = Ticket.objects.filter(
            pk=_int(request.GET["issued"]), queue__unit=unit, source=Ticket.Source.RECEPTION
        ).first()
    today = Ticket.objects.filter(
        queue__unit=unit, day=timezone.localdate(), source=Ticket.Source.RECEPTION
    ).select_related("queue", "matter", "window")
    return render(
        request,
        "queueing/reception.html",
        {"unit": unit, "form": form, "issued": issued, "today": today.order_by("-pk")[:30]},
    )


@staff_view(
    unit=_lazy("Appointment requests are taken by the staff of a unit."),
    action=Action.ANSWER_QUESTIONS,
)
def appointment_requests(request, actor, unit):
    """An appointment request taken by phone or at reception: on a holiday it becomes a
    contact task the hall answers within the policy's limit, as a web booking does. The POST
    redirects to the page, which says what became of it."""
    from django.contrib import messages

    from . import appointments
    from .forms import RequestForm

    form = RequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                task = appointments.record_request(actor=actor, unit=unit, **form.cleaned_data)
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                if task is None:
                    messages.info(
                        request,
                        _(
                            "Today is a working day: no call-back task is needed. Book the "
                            "citizen a time now, or hand them a number."
                        ),
                    )
                else:
                    messages.success(
                        request,
                        _("Recorded: the hall calls %(name)s back by %(due)s.")
                        % {
                            "name": task.name,
                            "due": timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M"),
                        },
                    )
                return redirect("appointment_requests")
        status = 400
    return render(
        request,
        "queueing/requests.html",
        {
            "unit": unit,
            "form": form,
            "tasks": selectors.contact_tasks(unit),
            "contact_limit": appointments.contact_policy().length,
        },
        status=status,
    )


@staff_view(unit=_lazy("The rota is kept by the staff of a unit."))
def rota_page(request, actor, unit):
    """The unit's duty rota for four weeks, with what the norms still require (R-Q-4, R-TIME-5)."""
    from django.contrib import messages

    from . import rota
    from .forms import DutyForm

    form = DutyForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            rota.assign(actor=actor, unit=unit, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("rota")
        except ServiceError as exc:
            add_service_errors(form, exc)
    days, count = selectors.rota_days(unit, timezone.localdate())
    return render(
        request,
        "queueing/rota.html",
        {
            "unit": unit,
            "days": days,
            "form": form,
            "count": count,
            "may_manage": actor.can(Action.MANAGE_DUTY_ROTA, unit=unit),
        },
    )


@staff_view(unit=_lazy("The hall view is for the staff of a unit."), action=Action.VIEW_REGISTRY)
@events_csp
def hall(request, actor, unit):
    """The No. 1 window's view (R-Q-3, R-Q-4): every window live, pauses to approve, today's
    waiting and service figures."""
    from . import appointments, figures

    return render(
        request,
        "queueing/hall.html",
        {
            "tasks": selectors.contact_tasks(unit),
            "now": timezone.now(),
            "unit": unit,
            "windows": selectors.hall_windows(unit),
            "pauses": selectors.open_pauses(unit),
            "figures": figures.day_figures(unit),
            "overdue": {p.pk for p in services.overdue_pauses(unit)},
            "may_approve": actor.can(Action.APPROVE_PAUSE, unit=unit),
            "events_url": events_url(request),
            "last_event": last_event_id(unit),
            # the norms' numbers the page states, from their one source each
            "early_minutes": services.sign_in_early_minutes(),
            "long_pause": services.long_pause_minutes(),
            "contact_limit": appointments.contact_policy().length,
        },
    )


@require_POST
@staff_view
def approve(request, actor, own, pk):
    from django.contrib import messages

    from .models import WindowPause

    pause = get_object_or_404(WindowPause.objects.select_related("session__window"), pk=pk)
    try:
        services.approve_pause(actor=actor, window_pause=pause)
        messages.success(request, _("Approved."))
    except ServiceError as exc:
        message_refusal(request, exc)
    return redirect("hall")


def book(request, code):
    """Public booking: choose a matter and a time with places left (R-Q-1)."""
    from . import appointments

    unit = _unit(code)
    matters = [
        (m, appointments.open_slots(m)[:12])
        for m in unit.matters.filter(active=True, slots__isnull=False).distinct()
    ]
    return render(request, "queueing/book.html", {"unit": unit, "matters": matters})


def book_slot(request, code, slot_id):
    """Book one time: the POST redirects to the check-in code (a GET that reloads), and the
    form's one-time key makes a second POST find the first booking."""
    from servicehall.core import once

    from .appointments import book as book_service
    from .models import Appointment, AppointmentSlot

    unit = _unit(code)
    slot = get_object_or_404(
        AppointmentSlot.objects.select_related("matter"), pk=slot_id, unit=unit
    )
    booked = request.GET.get("booked")
    if request.method == "GET" and booked:
        appointment = Appointment.objects.filter(
            pk=once.stored("booking", booked), slot=slot
        ).first()
        if appointment is not None:
            return render(
                request, "queueing/booked.html", {"unit": unit, "appointment": appointment}
            )
    errors, data = {}, request.POST
    key = data.get("once") if once.valid(data.get("once")) else once.new_key()
    if request.method == "POST":
        limit(request, "booking")
        try:
            once.submit_once(
                "booking",
                key,
                lambda: book_service(
                    slot=slot,
                    name=data.get("name", ""),
                    id_type="resident_id",
                    id_number=data.get("id_number", ""),
                    phone=data.get("phone", ""),
                ),
            )
            return redirect(f"{request.path}?booked={key}")
        except ServiceError as exc:
            errors = getattr(exc, "errors", None) or {"__all__": [str(exc)]}
    return render(
        request,
        "queueing/book_slot.html",
        {"unit": unit, "slot": slot, "errors": errors, "data": data, "once": key},
    )


@require_POST
def kiosk_check_in(request, code):
    from .appointments import check_in

    unit = _unit(code)
    limit(request, "ticket")
    try:
        ticket = check_in(code=request.POST.get("code", ""), unit=unit)
    except ServiceError as exc:
        return _kiosk_page(request, unit, check_in_error=str(exc), status=exc.status)
    return redirect("kiosk_ticket", code=unit.code, token=services.slip_token(ticket))


@require_POST
@staff_view
def contacted(request, actor, own, pk):

    from .appointments import contacted as contacted_service
    from .models import ContactTask

    task = get_object_or_404(ContactTask, pk=pk)
    try:
        contacted_service(actor=actor, task=task)
    except ServiceError as exc:
        message_refusal(request, exc)
    return redirect("hall")
