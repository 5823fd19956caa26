"""The seat's call log (R-FB-5, R-LAW-3, R-TIME-4): Ringing and Answer stamp the server's time,
the form takes what was said, the day's calls and figures below. Thin: services decide."""

import datetime as dt

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from servicehall.complaints.services import answer_policy
from servicehall.core.errors import InvalidInput, ServiceError
from servicehall.core.params import int_param
from servicehall.core.views import message_refusal
from servicehall.org.choices import WindowKind
from servicehall.org.decorators import staff_view
from servicehall.org.models import Unit, Window
from servicehall.org.permissions import Action, require

from . import services
from .models import (
    ANSWER_WITHIN_SECONDS,
    CHECKLIST,
    ELEMENTS,
    HotlineCall,
    Kind,
    Outcome,
    missing_of,
)

# How long an answered call the operator has not recorded yet stays open in the form: a shift.
OPEN_CALL_FOR = dt.timedelta(hours=12)


# the log's pages: a unit's staff member whose role takes hotline calls there
SEAT = {
    "unit": _lazy("The hotline log is kept by the staff of a unit."),
    "action": Action.TAKE_HOTLINE_CALL,
}


def _call(actor, pk):
    call = get_object_or_404(
        HotlineCall.objects.select_related("unit__authority", "seat", "taken_by", "complaint"),
        pk=pk,
    )
    require(actor, Action.TAKE_HOTLINE_CALL, unit=call.unit)
    return call


def _pct(rate):
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _details(post):
    details = {k: post.get(k, "") for k in services.TEXT_FIELDS if k in post}
    details.update({k: post.get(k, "") for k in services.COMPLAINT_FIELDS if k in post})
    details.update({k: bool(post.get(k)) for k in services.CHECK_FIELDS})
    for k in ("kind", "outcome", "caller_number"):
        details[k] = post.get(k, "")
    if "version" in post:
        details["version"] = post["version"]
    return details


def _form(call, posted=None, errors=None):
    """What the details form shows: posted values after a refused save, else the call's."""
    errors = errors or {}

    def value(name):
        if posted is not None:
            return posted.get(name, "")
        return getattr(call, name, "") or ""

    missing = set(call.missing_fields) if posted is None and call.recorded_at else set()
    if posted is not None and "missing_reason" in errors:  # refused for them: show which
        missing = set(missing_of(posted.get))
    kind = value("kind") or (Kind.URGING if call.repeat_of_id and not call.recorded_at else "")
    return {
        "elements": [
            {
                "name": name,
                "label": label,
                "value": value(name),
                "prompt": services.ELEMENT_PROMPTS.get(name, ""),
                "missing": name in missing,
                "errors": errors.get(name, []),
            }
            for name, label in ELEMENTS
        ],
        "checklist": [
            {
                "name": name,
                "label": label,
                "checked": bool(posted.get(name)) if posted is not None else getattr(call, name),
            }
            for name, label in CHECKLIST
        ],
        "kind": kind,
        "outcome": value("outcome"),
        "callback_number": value("callback_number"),
        "callback_missing": "callback_number" in missing,
        "callback_prompt": services.ELEMENT_PROMPTS["callback_number"],
        "referred_to": value("referred_to"),
        "referred_phone": value("referred_phone"),
        "note": value("note"),
        "missing_reason": value("missing_reason"),
        "complaint": {k: (posted or {}).get(k, "") for k in services.COMPLAINT_FIELDS},
        "errors": errors,
        "general": errors.get("__all__", []),
    }


def _page(request, actor, unit, call=None, form=None, status=200):
    from servicehall.complaints.models import Category

    today = timezone.localdate()
    start, end = services.day_bounds(today)
    calls = list(
        HotlineCall.objects.filter(unit=unit, rang_at__gte=start, rang_at__lt=end)
        .select_related("seat", "taken_by", "repeat_of", "complaint")
        .order_by("-rang_at", "-pk")[:300]
    )
    ringing = HotlineCall.objects.filter(
        unit=unit, answered_at__isnull=True, ended_at__isnull=True, rang_at__gte=start
    ).select_related("seat", "repeat_of")
    seats = list(unit.windows.filter(kind=WindowKind.HOTLINE, active=True).order_by("number"))
    staff = actor.staff
    my_seat = staff.window_id if any(s.pk == staff.window_id for s in seats) else None
    f = services.figures(unit, today)
    if call is not None and form is None:
        form = _form(call)
    return render(
        request,
        "hotline/log.html",
        {
            "unit": unit,
            "call": call,
            "form": form,
            "calls": calls,
            "ringing": ringing.order_by("rang_at"),
            "seats": seats,
            "my_seat": int_param(request.GET, "seat") or my_seat,
            "figures": f,
            "answer_limit": answer_policy().length,  # the complaint a call registers
            "rates": {
                "connection": _pct(f["connection_rate"]),
                "in_time": _pct(f["in_time_rate"]),
                "completeness": _pct(f["completeness_rate"]),
                "checklist": _pct(f["checklist_rate"]),
            },
            "greeting": services.greeting(unit),
            "calm": services.SCRIPT_CALM,
            "kinds": Kind.choices,
            "outcomes": Outcome.choices,
            "kind_scripts": [(k, label, services.kind_scripts(k)) for k, label in Kind.choices],
            "categories": Category.choices,
            "complaint_units": Unit.objects.order_by("sector__order", "name").only("code", "name"),
            "within": ANSWER_WITHIN_SECONDS,
        },
        status=status,
    )


@staff_view(**SEAT)
def index(request, actor, unit):
    """The log; the call this operator answered lately and has not recorded yet is open in the
    form (a CTI may have posted its end already)."""
    open_call = (
        HotlineCall.objects.filter(
            unit=unit,
            taken_by=actor.staff,
            recorded_at__isnull=True,
            answered_at__gte=timezone.now() - OPEN_CALL_FOR,
        )
        .select_related("unit__authority", "seat", "taken_by", "complaint", "repeat_of")
        .order_by("-answered_at")
        .first()
    )
    return _page(request, actor, unit, open_call)


@staff_view(**SEAT)
def call_page(request, actor, unit, pk):
    """One call in the form: GET shows it, POST saves it (and ends it, if still open)."""
    call = _call(actor, pk)
    if request.method == "POST":
        details = _details(request.POST)
        try:
            call = services.close(actor=actor, call=call, details=details)
        except InvalidInput as exc:
            messages.error(request, _("Not saved: %(reason)s") % {"reason": exc.message})
            form = _form(call, posted=request.POST, errors=exc.errors)
            return _page(request, actor, unit, call, form, status=400)
        except ServiceError as exc:
            message_refusal(request, exc)
            return redirect("hotline:call", pk=call.pk)
        if call.missing:
            messages.warning(
                request,
                _("Saved. Still missing: %(fields)s.")
                % {"fields": "、".join(str(m) for m in call.missing)},
            )
            return redirect("hotline:call", pk=call.pk)
        if call.complaint_id:
            messages.success(
                request,
                _("Saved. Complaint %(code)s registered: answer due %(due)s.")
                % {
                    "code": call.complaint.code,
                    "due": timezone.localtime(call.complaint.due_at).strftime("%Y-%m-%d %H:%M"),
                },
            )
        else:
            messages.success(request, _("Saved."))
        return redirect("hotline:index")
    return _page(request, actor, unit, call)


@require_POST
@staff_view(**SEAT)
def ring(request, actor, unit):
    """来电: the phone rings now (server time)."""
    try:
        seat_id = int_param(request.POST, "seat")
        seat = Window.objects.filter(pk=seat_id, unit=unit).first() if seat_id else None
        if seat_id and seat is None:
            raise ServiceError(_("Choose one of your unit's hotline seats."))
        services.ring(
            actor=actor, unit=unit, caller_number=request.POST.get("caller_number", ""), seat=seat
        )
    except ServiceError as exc:
        message_refusal(request, exc)
    return redirect("hotline:index")


@require_POST
@staff_view
def answer(request, actor, own, pk):
    """接听: answered now (server time), by this operator; the form opens."""
    call = _call(actor, pk)
    try:
        services.answer(actor=actor, call=call)
    except ServiceError as exc:
        message_refusal(request, exc)
        return redirect("hotline:index")
    return redirect("hotline:call", pk=pk)


@require_POST
@staff_view
def hang_up(request, actor, own, pk):
    """The caller hung up: before an answer the call is recorded as abandoned."""
    call = _call(actor, pk)
    try:
        services.hang_up(actor=actor, call=call)
    except ServiceError as exc:
        message_refusal(request, exc)
    return redirect("hotline:index")
