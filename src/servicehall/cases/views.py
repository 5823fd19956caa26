"""Staff pages for cases (intake, the case, steps, referral, ledger), printed
documents, and the public status lookup. Thin: every change is a service call."""

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from servicehall.catalog.models import Licensing, Matter
from servicehall.core.errors import Forbidden, InvalidInput, NotFound, ServiceError
from servicehall.core.params import BadParameter, int_param, page_param, text_param
from servicehall.core.public import public_url, qr_svg
from servicehall.core.ratelimits import limit
from servicehall.core.views import message_refusal
from servicehall.org.decorators import staff_view
from servicehall.org.models import Unit, Window
from servicehall.org.permissions import Action, require
from servicehall.worktime import services as worktime

from . import excel, fees, selectors, services
from .forms import (
    ApplicantForm,
    FeeForm,
    FineForm,
    LedgerFilter,
    OutcomeForm,
    ReferralForm,
    checks_from,
    material_fields,
)
from .models import Case, CaseEvent, CaseStep, DueState, Referral, Status


def _errors_into(forms_, exc: InvalidInput):
    """Put a service's field errors next to the fields; the rest on top."""
    general = []
    for field, msgs in exc.errors.items():
        placed = False
        for form in forms_:
            if field in form.fields:
                for m in msgs:
                    form.add_error(field, m)
                placed = True
                break
        if not placed:
            general += msgs
    return general


# who the case pages are for, when someone without a unit opens one
UNIT_STAFF = gettext_lazy("Cases are handled by the staff of a unit.")


@staff_view(unit=UNIT_STAFF, action=Action.VIEW_REGISTRY)
def index(request, actor, unit):
    """My open cases, referrals waiting for me, and the unit's cases due soon or overdue."""
    staff = actor.staff
    open_statuses = [Status.AWAITING_MATERIALS, Status.IN_PROGRESS]
    open_cases = Case.objects.filter(unit=unit, status__in=open_statuses)
    # what I own, wherever it came from (a hand-off from another unit included)
    mine = Case.objects.filter(owner=staff, status__in=open_statuses).select_related("matter")[:50]
    late = open_cases.exclude(due_state=DueState.OK).select_related("matter", "owner")[:50]
    referrals = (
        Referral.objects.filter(completed_at__isnull=True)
        .filter(
            Q(to_staff=staff)
            | Q(to_window=staff.window_id, to_window__isnull=False)
            | Q(to_unit=unit)
        )
        .select_related("case", "case__matter")[:50]
    )
    matters = unit.matters.filter(active=True).order_by("order")
    return render(
        request,
        "cases/index.html",
        {
            "unit": unit,
            "mine": mine,
            "late": late,
            "referrals": referrals,
            "matters": matters,
            "may_accept": actor.allows(Action.ACCEPT_CASE),
        },
    )


@staff_view(unit=UNIT_STAFF, action=Action.ACCEPT_CASE)
def new(request, actor, unit):
    """Intake at a window: the matter, the citizen, the materials, the outcome (R-CASE-1)."""
    if not (request.GET.get("matter") or request.POST.get("matter")):
        return redirect("cases:index")  # the matter is chosen there
    matter_id = int_param(request.GET, "matter") or int_param(request.POST, "matter")
    if matter_id is None:
        raise BadParameter("matter", _("choose the matter from the list of your unit's matters."))
    matter = get_object_or_404(Matter, pk=matter_id, unit=unit)
    applicant = ApplicantForm(request.POST or None)
    outcome = OutcomeForm(request.POST or None)
    fee = FeeForm(request.POST or None, matter=matter, later=not matter.on_the_spot)
    general = []
    valid = request.method == "POST" and all([applicant.is_valid(), outcome.is_valid()])
    if valid and fee.is_valid():
        data = applicant.cleaned_data
        try:
            case = services.intake(
                actor=actor,
                matter=matter,
                window=actor.staff.window,
                applicant={
                    "name": data["applicant_name"],
                    "id_type": data["id_type"],
                    "id_number": data["id_number"],
                    "phone": data["phone"],
                },
                checks=checks_from(matter, request.POST),
                outcome=outcome.cleaned_data["outcome"],
                green_channel=data["green_channel"],
                green_reason=data["green_reason"],
                rejection_basis=outcome.cleaned_data["rejection_basis"],
                rejection_reason=outcome.cleaned_data["rejection_reason"],
                token=request.POST.get("token") or None,
                fee=fee.fee(),
            )
            messages.success(request, _("Case %(n)s saved.") % {"n": case.number})
            return redirect(case.get_absolute_url())
        except InvalidInput as exc:
            general = _errors_into([applicant, outcome, fee], exc)
    return render(
        request,
        "cases/intake.html",
        {
            "token": request.POST.get("token") or uuid.uuid4().hex,
            "matter": matter,
            "applicant": applicant,
            "outcome": outcome,
            "fee_form": fee,
            "general": general,
            "materials": material_fields(
                matter, request.POST if request.method == "POST" else None
            ),
            "mirror_url": _mirror_url(actor),
        },
    )


def _mirror_url(actor):
    """Where the intake form shows itself to the citizen (一机双屏), if the staff member is
    signed in at a window."""
    from django.urls import reverse

    from servicehall.queueing.models import WindowSession

    session = WindowSession.objects.filter(staff=actor.staff, signed_out_at__isnull=True).first()
    return reverse("cases:intake_mirror", args=[session.window_id]) if session else ""


@require_POST
@staff_view
def intake_mirror(request, actor, own, window_id):
    """The intake form, as typed, on the citizen screen of the staff member's window (JSON)."""
    window = Window.objects.filter(pk=window_id).select_related("unit").first()
    try:
        if window is None:
            raise NotFound(_("There is no such window at your unit."))
        services.mirror_intake(actor=actor, window=window, form=request.POST)
    except ServiceError as exc:
        return JsonResponse({"ok": False, "message": str(exc), "rule": exc.rule}, status=exc.status)
    return JsonResponse({"ok": True})


def _case_for(actor, pk):
    case = get_object_or_404(
        Case.objects.select_related(
            "unit",
            "matter",
            "owner",
            "window",
            "received_by",
            "fee__recorded_by",
            "fine__decided_by",
        ),
        pk=pk,
    )
    if not services.can_read_case(actor, case):
        raise Forbidden(_("This case belongs to another unit."), rule="R-ORG-4")
    return case


@staff_view
def case_page(request, actor, own, pk):
    case = _case_for(actor, pk)
    now = timezone.now()
    steps = []
    for s in case.steps.select_related("step", "performer").order_by("order"):
        text = None
        if s.clock:
            text = worktime.describe(services._step_clock(s).status(now), now)
        steps.append({"step": s, "text": text})
    case_text, law_binds, promise, licence = None, False, None, None
    if case.clock:
        statuses = services.case_statuses(case, now)
        promise, binds = statuses.promise, statuses.binding
        law_binds = binds is statuses.law
        case_text = worktime.describe(binds, now)
        licence = _licence_card(actor, case, statuses, now)
    current = services.current_step(case) if case.status == Status.IN_PROGRESS else None
    referral_form = ReferralForm(case=case)
    fee, fine = _fee_of(case), _fine_of(case)
    return render(
        request,
        "cases/case.html",
        {
            "case": case,
            "steps": steps,
            "case_text": case_text,
            "law_binds": law_binds,
            "promised_due": promise.due.at if promise else None,
            "licence": licence,
            "current": current,
            "checks": case.checks.select_related("material").order_by("material__order"),
            "notices": case.notices.select_related("issued_by"),
            "referrals": case.referrals.select_related(
                "from_staff", "to_staff", "to_window", "to_unit", "acknowledged_by"
            ),
            "events": case.events.select_related("actor"),
            "visits": case.visit_log.select_related("staff", "window"),
            "referral_form": referral_form,
            "staff": actor.staff,
            "may_accept": actor.can(Action.ACCEPT_CASE, unit=case.unit),
            "fee": fee,
            "fine": fine,
            "catalogue_fee": fees.catalogue_fee(case.matter),
            # R-CASE-6, R-ORG-4: the fee form for one who may hold fee money, the fine form for
            # one who may decide fines; nobody at a window is offered a way to take fine money
            "fee_form": FeeForm(matter=case.matter)
            if fee is None
            and case.matter.fee_fen
            and case.status == Status.IN_PROGRESS
            and actor.can(Action.HOLD_FEE_MONEY, unit=case.unit)
            else None,
            "fine_form": FineForm()
            if fine is None
            and case.status in (Status.IN_PROGRESS, Status.COMPLETED)
            and fees.may_decide_fines(case.unit)
            and actor.can(Action.DECIDE_FINE, unit=case.unit)
            else None,
        },
    )


def _licence_card(actor, case, statuses, now):
    """A licence's two clocks of the law (R-LAW-1): the decision's, with its extension, and
    the certificate's after the decision; and whether this person may extend it now."""
    kind = services.licensing_of(case)
    if not kind:
        return None
    extension = case.events.filter(kind=CaseEvent.Kind.EXTENDED).first()
    return {
        "kind": Licensing(kind).label,
        "decision": worktime.describe(statuses.law, now) if statuses.law else None,
        "decided_at": case.clock.get("decided_at") and parse_datetime(case.clock["decided_at"]),
        "certificate": (
            worktime.describe(statuses.certificate, now) if statuses.certificate else None
        ),
        "extension": extension,
        "may_extend": case.status == Status.IN_PROGRESS
        and extension is None
        and "decided_at" not in case.clock
        and actor.can(Action.APPROVE_EXTENSION, unit=case.unit),
        "extension_length": services.extension_policy(kind).length,
    }


@require_POST
@staff_view
def extend(request, actor, own, pk):
    """The head of the office extends a licence's decision limit (R-LAW-1)."""
    case = _case_for(actor, pk)
    return _act(
        request,
        case,
        lambda: services.extend_decision(
            actor=actor, case=case, reason=request.POST.get("reason", "")
        ),
    )


def _fee_of(case):
    try:
        return case.fee
    except ObjectDoesNotExist:
        return None


def _fine_of(case):
    try:
        return case.fine
    except ObjectDoesNotExist:
        return None


@staff_view
def resume(request, actor, own, pk):
    """The citizen's next visit, from the notice number (R-TIME-3)."""
    case = _case_for(actor, pk)
    require(actor, Action.ACCEPT_CASE, unit=case.unit)
    outcome = OutcomeForm(request.POST or None)
    fee = FeeForm(request.POST or None, matter=case.matter, later=not case.matter.on_the_spot)
    general = []
    previous = {c.material_id: (c.state, c.note) for c in case.checks.all()}
    if request.method == "POST" and outcome.is_valid() and fee.is_valid():
        try:
            services.resume(
                actor=actor,
                case=case,
                window=actor.staff.window,
                checks=checks_from(case.matter, request.POST),
                outcome=outcome.cleaned_data["outcome"],
                rejection_basis=outcome.cleaned_data["rejection_basis"],
                rejection_reason=outcome.cleaned_data["rejection_reason"],
                token=request.POST.get("token") or None,
                fee=fee.fee(),
            )
            messages.success(request, _("Visit recorded."))
            return redirect(case.get_absolute_url())
        except InvalidInput as exc:
            general = _errors_into([outcome, fee], exc)
        except ServiceError as exc:
            general = [str(exc)]
    return render(
        request,
        "cases/resume.html",
        {
            "token": request.POST.get("token") or uuid.uuid4().hex,
            "case": case,
            "matter": case.matter,
            "outcome": outcome,
            "fee_form": fee,
            "general": general,
            "materials": material_fields(
                case.matter, request.POST if request.method == "POST" else None, previous
            ),
        },
    )


def _act(request, case, fn):
    try:
        fn()
        messages.success(request, _("Done."))
    except ServiceError as exc:
        message_refusal(request, exc)
    return redirect(case.get_absolute_url())


@require_POST
@staff_view
def step_action(request, actor, own, pk, step_pk, action):
    case = _case_for(actor, pk)
    case_step = get_object_or_404(CaseStep, pk=step_pk, case=case)
    calls = {
        "complete": lambda: services.complete_step(
            actor=actor, case_step=case_step, note=request.POST.get("note", "")
        ),
        "pause": lambda: services.pause_step(
            actor=actor, case_step=case_step, reason=request.POST.get("reason", "")
        ),
        "resume": lambda: services.resume_step(actor=actor, case_step=case_step),
    }
    if action not in calls:
        raise Http404(action)
    return _act(request, case, calls[action])


@require_POST
@staff_view
def visit(request, actor, own, pk):
    """A visit that is not a materials visit (collecting the certificate, a question)."""
    case = _case_for(actor, pk)
    return _act(
        request,
        case,
        lambda: services.record_visit(
            actor=actor,
            case=case,
            purpose=request.POST.get("purpose", ""),
            window=actor.staff.window,
        ),
    )


def _form_refusal(request, form):
    """A form that cannot be read: its first error above the case page, nothing changed."""
    first = next(iter(form.errors.values()))[0]
    messages.error(request, first)


def _act_on_form(request, case, form, call):
    """A case action from a small form: an unreadable form refused above the page, else the
    service called with what it read."""
    if not form.is_valid():
        _form_refusal(request, form)
        return redirect(case.get_absolute_url())
    return _act(request, case, lambda: call(form.cleaned_data))


@require_POST
@staff_view
def fee(request, actor, own, pk):
    """Record the fee of an accepted case (R-CASE-6), by one who may hold fee money (R-ORG-4)."""
    case = _case_for(actor, pk)
    return _act_on_form(
        request,
        case,
        FeeForm(request.POST, matter=case.matter),
        lambda data: fees.record_fee(
            actor=actor,
            case=case,
            channel=data["fee_channel"],
            amount_fen=data["fee_amount"],
            waiver_basis=data["fee_waiver_basis"],
        ),
    )


@require_POST
@staff_view
def fine(request, actor, own, pk):
    """Record a penalty decision, paid at the bank it names (罚缴分离, R-CASE-6)."""
    case = _case_for(actor, pk)
    return _act_on_form(
        request,
        case,
        FineForm(request.POST),
        lambda data: fees.decide_fine(
            actor=actor,
            case=case,
            number=data["fine_number"],
            amount_fen=data["fine_amount"],
            basis=data["fine_basis"],
            agency=data["fine_agency"],
        ),
    )


@require_POST
@staff_view
def refer(request, actor, own, pk):
    """Hand over; the officer then lands on the two receipts, ready to print."""
    case = _case_for(actor, pk)
    form = ReferralForm(request.POST, case=case)
    if not form.is_valid():
        messages.error(request, _("Say what the receiver is to do."))
        return redirect(case.get_absolute_url())
    data = form.cleaned_data
    try:
        referral = services.refer(
            actor=actor,
            case=case,
            task=data["task"],
            to_staff=data["to_staff"],
            to_window=data["to_window"],
            to_unit=data["to_unit"],
        )
    except ServiceError as exc:
        message_refusal(request, exc)
        return redirect(case.get_absolute_url())
    messages.success(request, _("Handed over. Print both receipts."))
    return redirect("cases:print_referral", referral.pk, "both")


@require_POST
@staff_view
def referral_action(request, actor, own, pk, action):
    referral = get_object_or_404(Referral.objects.select_related("case"), pk=pk)
    calls = {
        "acknowledge": lambda: services.acknowledge(actor=actor, referral=referral),
        "complete": lambda: services.complete_referral(
            actor=actor, referral=referral, note=request.POST.get("note", "")
        ),
    }
    if action not in calls:
        raise Http404(action)
    return _act(request, referral.case, calls[action])


@staff_view
def find(request, actor, own):
    """Staff type a case, notice or receipt number to open the case (e.g. on a second visit)."""
    case = services.find_case(text_param(request.GET, "number"))
    if case is None:
        messages.error(request, _("No case with that number."))
        return redirect("cases:index")
    require(actor, Action.VIEW_REGISTRY, unit=case.unit)
    return redirect(case.get_absolute_url())


# ---- printed documents ----------------------------------------------------------------


@staff_view
def print_notice(request, actor, own, pk, notice_pk):
    case = _case_for(actor, pk)
    notice = get_object_or_404(case.notices.select_related("issued_by"), pk=notice_pk)
    return render(request, "cases/print_notice.html", {"case": case, "notice": notice})


@staff_view
def print_refusal(request, actor, own, pk):
    case = _case_for(actor, pk)
    if case.status != Status.REJECTED:
        raise Http404("not refused")
    return render(
        request, "cases/print_refusal.html", {"case": case, **_rating_link(request, case)}
    )


def _status_link(request, number, case):
    """The public status page of a number with the case's check code, and its QR code, for a
    printed document: scanning the paper opens the case."""
    query = urlencode({"number": number, "code": case.check_code})
    url = public_url(request, reverse("case_status") + "?" + query)
    return {"status_url": url, "status_qr": qr_svg(url, scale=2)}


def _rating_link(request, case):
    """The case's one-time rating link and its QR code (一事一评, decision 0028), for the paper
    the citizen takes home: the page it opens is the feedback app's, which rates the case once
    it is concluded."""
    url = public_url(request, reverse("rate_case", args=[services.rating_token(case)]))
    days = settings.SERVICEHALL["RATING_LINK_DAYS"]
    return {"rate_url": url, "rate_qr": qr_svg(url, scale=2), "rate_days": days}


@staff_view
def print_receipt(request, actor, own, pk):
    """Acceptance receipt (受理回执) with the due date, signatures, the status QR code and the
    rating QR code (一事一评: valid once the case is concluded)."""
    case = _case_for(actor, pk)
    if case.accepted_at is None:
        raise Http404("not accepted")
    return render(
        request,
        "cases/print_receipt.html",
        {
            "case": case,
            "fee": _fee_of(case),
            "fine": _fine_of(case),
            "catalogue_fee": fees.catalogue_fee(case.matter),
            **_status_link(request, case.number, case),
            **_rating_link(request, case),
        },
    )


@staff_view
def print_referral(request, actor, own, pk, kind):
    """The hand-off's two receipts: the slip for the applicant, the slip for the receiver,
    or both on one page (what the officer lands on after handing over)."""
    referral = get_object_or_404(Referral.objects.select_related("case"), pk=pk)
    _case_for(actor, referral.case_id)
    if kind not in ("slip", "handoff", "both"):
        raise Http404(kind)
    return render(
        request,
        "cases/print_referral.html",
        {
            "referral": referral,
            "case": referral.case,
            "kinds": ["slip", "handoff"] if kind == "both" else [kind],
            **_status_link(request, referral.slip_number, referral.case),
        },
    )


# ---- ledger ------------------------------------------------------------------------------


@staff_view
def ledger(request, actor, own):
    unit = _ledger_unit(request, own)
    form = LedgerFilter(request.GET or None, unit=unit)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.ledger(
        actor=actor, unit=unit, **{k: v for k, v in filters.items() if v not in (None, "")}
    )
    if request.GET.get("export") == "xlsx":
        require(actor, Action.EXPORT_REGISTRY, unit=unit)
        response = HttpResponse(content_type=excel.XLSX)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="ledger-{unit.code}-{stamp}.xlsx"'
        excel.ledger_workbook(qs, unit).save(response)
        return response
    page = Paginator(qs, 50).get_page(page_param(request.GET))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/ledger.html",
        {
            "unit": unit,
            "form": form,
            "page": page,
            "stats": selectors.statistics(qs),
            "query": query.urlencode(),
        },
    )


def _ledger_unit(request, own):
    """The unit asked for (?unit=, the office's and an authority's way in), else one's own;
    selectors.ledger decides whether the reader may see it."""
    unit_id = int_param(request.GET, "unit")
    if unit_id:
        return get_object_or_404(Unit, pk=unit_id)
    if own is None:
        raise Forbidden(UNIT_STAFF)
    return own


# ---- public ------------------------------------------------------------------------------


def lookup_status(request, number: str, code: str):
    """The page's and the API's look-up (the caller has counted it against the address). The
    last four of an ID number are ~11,000 values: wrong ones count against the number itself,
    from every address together. A check code is never held up by them, so that nobody can
    lock an applicant out of their own case by trying wrong last fours."""
    key = number.strip().upper()
    by_id_tail = len(services.normalize_secret(code)) == 4
    if by_id_tail:
        limit(request, "wrong_code", value=key, count=False)
    case = services.find_case_for_applicant(number, code)
    if case is None and by_id_tail:
        limit(request, "wrong_code", value=key)
    return case


@never_cache
def status(request):
    """Citizens look up a case by its number and its check code (or the last four characters of
    the applicant's ID number); no personal data is shown. A number alone shows nothing: the
    form asks for the code, and a wrong pair answers as an unknown number does."""
    number = text_param(request.GET, "number")
    code = text_param(request.GET, "code")
    if number:
        limit(request, "lookup")
    case = lookup_status(request, number, code) if number and code else None
    steps = list(case.steps.select_related("step").order_by("order")) if case else []
    if case or not (number or code):
        problem = None
    elif not code:
        problem = _(
            "Enter the check code printed on your receipt, or the last four characters of the "
            "applicant's ID number."
        )
    elif not number:
        problem = _("Enter the case, notice or receipt number printed on your receipt or notice.")
    else:
        problem = _(
            "No case matches this number and code. Check both against your receipt or notice, "
            "or enter the last four characters of the applicant's ID number instead of the code."
        )
    extension = case.events.filter(kind=CaseEvent.Kind.EXTENDED).first() if case else None
    # 一事一评: a concluded case's page offers its rating link, as the paper does
    rate_url = (
        reverse("rate_case", args=[services.rating_token(case)])
        if case and services.concluded(case)
        else ""
    )
    return render(
        request,
        "cases/status.html",
        {
            "number": number,
            "code": code,
            "case": case,
            "steps": steps,
            "problem": problem,
            "extension": extension,
            "rate_url": rate_url,
        },
    )
