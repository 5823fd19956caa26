"""Complaints and suggestions: the public form and status lookup, and the unit's pages for
registering, investigating and answering them and for box and book openings (R-FB-2, R-FB-3)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext

from servicehall.core import once
from servicehall.core.errors import Forbidden, ServiceError
from servicehall.core.params import page_param, text_param
from servicehall.core.ratelimits import limit
from servicehall.core.views import add_service_errors
from servicehall.org import services as org
from servicehall.org.decorators import staff_view
from servicehall.org.permissions import CITIZEN, Action

from . import selectors, services
from .forms import (
    AnswerForm,
    ComplaintForm,
    InvestigateForm,
    ItemFormSet,
    OpeningForm,
    RegisterForm,
)
from .models import Complaint, Opening

ONCE_FORM = "complaint"


def _file_from(form, actor, channel):
    d = form.cleaned_data
    window, staff = services.people(d["unit"], d.get("window_number"), d.get("badge_no"))
    return services.file(
        actor=actor,
        kind=d["kind"],
        channel=channel,
        unit=d["unit"],
        window=window,
        staff=staff,
        category=d.get("category") or "",
        description=d["description"],
        name=d.get("name", ""),
        phone=d.get("phone", ""),
        email=d.get("email", ""),
        address=d.get("address", ""),
        workplace=d.get("workplace", ""),
    )


def new(request):
    """The public web form: a complaint or suggestion, and a code to follow it by. The POST
    redirects to the confirmation (a GET that can be reloaded), and the form's one-time key
    makes a second POST of the same form find the first complaint instead of filing again."""
    filed = request.GET.get("filed")
    if request.method == "GET" and filed:
        complaint = Complaint.objects.filter(pk=once.stored(ONCE_FORM, filed)).first()
        if complaint is not None:
            return render(
                request,
                "complaints/filed.html",
                {"complaint": complaint, "answer_limit": services.answer_policy().length},
            )
    form = ComplaintForm(request.POST or None, initial={"unit": request.GET.get("unit")})
    key = request.POST.get("once") if once.valid(request.POST.get("once")) else once.new_key()
    if request.method == "POST":
        limit(request, "complaint")
        if once.stored(ONCE_FORM, key):  # sent twice: the first one stands, whatever this says
            return redirect(f"{request.path}?filed={key}")
        if form.is_valid():
            if form.cleaned_data["website"]:  # a robot: pretend nothing happened
                return redirect("complaint_new")
            try:
                # the public form files as a citizen, also on a hall PC where staff are logged in
                once.submit_once(
                    ONCE_FORM, key, lambda: _file_from(form, CITIZEN, services.Channel.WEB)
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                return redirect(f"{request.path}?filed={key}")
    # a refused form comes back with what to fix, as a 400: nothing was filed
    status = 400 if request.method == "POST" else 200
    return render(request, "complaints/new.html", {"form": form, "once": key}, status=status)


def status(request):
    """Look up by code: where it stands and the answer, never who filed it."""
    code = text_param(request.GET, "code")
    if code:
        limit(request, "lookup")
    complaint = services.by_code(code) if code else None
    return render(
        request,
        "complaints/status.html",
        {"code": code, "complaint": complaint, "searched": bool(code), "now": timezone.now()},
    )


# who the staff pages are for
HANDLERS = _lazy("Complaints are handled by the staff of a unit and the organizing office.")
REGISTRARS = _lazy("Paper and phone complaints are registered by the staff of a unit.")


@staff_view(allows=[Action.REGISTER_COMPLAINT, Action.HANDLE_COMPLAINT], refusal=HANDLERS)
def index(request, actor, own):
    """The complaints of the units in one's scope, the most urgent first."""
    now = timezone.now()
    qs, show = selectors.complaints_for(actor, request.GET.get("show", "open"), now)
    page = Paginator(qs, 50).get_page(page_param(request.GET))
    return render(
        request,
        "complaints/index.html",
        {
            "page": page,
            "show": show,
            "now": now,
            "actor": actor,
            "tabs": [
                ("open", pgettext("complaints", "open")),
                ("overdue", _("overdue")),
                ("answered", _("answered")),
                ("all", _("all")),
            ],
        },
    )


@staff_view(allows=[Action.REGISTER_COMPLAINT, Action.HANDLE_COMPLAINT], refusal=HANDLERS)
def detail(request, actor, own, code):
    complaint = get_object_or_404(
        Complaint.objects.select_related("unit", "window", "staff", "opening"), code=code
    )
    if not actor.covers_unit(complaint.unit):
        raise Forbidden(_("This complaint is outside your unit or sector."), rule="R-ORG-4")
    handler = actor.allows(Action.HANDLE_COMPLAINT)
    investigate_form = InvestigateForm(
        request.POST if request.POST.get("step") == "investigate" else None,
        initial={"badge_no": complaint.staff.badge_no if complaint.staff else ""},
    )
    answer_form = AnswerForm(request.POST if request.POST.get("step") == "answer" else None)
    status = 200
    if request.method == "POST" and request.POST.get("step") == "acknowledge":
        try:
            services.acknowledge(actor=actor, complaint=complaint)
        except ServiceError as exc:
            messages.error(request, str(exc))
            status = exc.status  # the page again, with why
        else:
            messages.success(request, _("Acknowledged."))
            return redirect("complaint", code=code)
    elif request.method == "POST":
        try:
            if investigate_form.is_bound and investigate_form.is_valid():
                d = investigate_form.cleaned_data
                _w, staff = services.people(complaint.unit, None, d.get("badge_no"))
                services.investigate(
                    actor=actor,
                    complaint=complaint,
                    finding=d["finding"],
                    substantiated=d["substantiated"],
                    points=d.get("points"),
                    staff=staff,
                )
                messages.success(request, _("Saved."))
                return redirect("complaint", code=code)
            if answer_form.is_bound and answer_form.is_valid():
                services.answer(
                    actor=actor, complaint=complaint, text=answer_form.cleaned_data["answer"]
                )
                messages.success(request, _("Answered."))
                return redirect("complaint", code=code)
        except ServiceError as exc:
            add_service_errors(investigate_form if investigate_form.is_bound else answer_form, exc)
    return render(
        request,
        "complaints/detail.html",
        {
            "c": complaint,
            "handler": handler,
            "can_acknowledge": actor.allows(Action.REGISTER_COMPLAINT),
            "ack_limit": services.acknowledgement_policy().length,
            "investigate_form": investigate_form,
            "answer_form": answer_form,
            "violation": services.violation_of(complaint) if complaint.substantiated else None,
            "now": timezone.now(),
        },
        status=status,
    )


@staff_view(allows=[Action.REGISTER_COMPLAINT], refusal=HANDLERS, unit=REGISTRARS)
def register(request, actor, unit):
    """Staff register a complaint that came by phone, mail, hotline or on paper."""
    form = RegisterForm(request.POST or None, initial={"unit": unit.pk})
    form.fields["unit"].queryset = org.units_for(actor)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = _file_from(form, actor, form.cleaned_data["channel"])
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Registered as %(code)s.") % {"code": complaint.code})
            return redirect("complaint", code=complaint.code)
    status = 400 if request.method == "POST" else 200
    return render(request, "complaints/register.html", {"form": form}, status=status)


@staff_view(allows=[Action.REGISTER_COMPLAINT], refusal=HANDLERS, unit=REGISTRARS)
def openings(request, actor, unit):
    """Box and book openings of the unit, and the record of a new one with its items."""
    now = timezone.localtime()
    form = OpeningForm(
        request.POST or None,
        initial={"opened_at": now.strftime("%Y-%m-%dT%H:%M"), "container": "box"},
    )
    items = ItemFormSet(request.POST or None, prefix="item")
    if request.method == "POST" and form.is_valid() and items.is_valid():
        found = [
            {k: v for k, v in f.cleaned_data.items() if v not in (None, "")}
            for f in items
            if f.has_changed() and f.cleaned_data
        ]
        try:
            services.record_opening(
                actor=actor,
                unit=unit,
                container=form.cleaned_data["container"],
                opened_at=form.cleaned_data["opened_at"],
                witnesses=form.cleaned_data["witnesses"],
                note=form.cleaned_data["note"],
                items=found,
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Opening recorded with %(n)s items registered.") % {"n": len(found)},
            )
            return redirect("complaint_openings")
    history = (
        Opening.objects.filter(unit=unit).select_related("opened_by").prefetch_related("items")[:30]
    )
    return render(
        request,
        "complaints/openings.html",
        {"form": form, "items": items, "history": history, "unit": unit},
    )
