"""Case endpoints. Thin: each one calls a service, which checks the actor (R-ORG-4) and the
rules (R-CASE-*); errors come back as {detail, errors, rule}."""

import datetime as dt
from typing import Annotated

from django.core.exceptions import ObjectDoesNotExist
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.pagination import paginate

from servicehall.catalog.models import Matter
from servicehall.core.errors import Forbidden, InvalidInput, NotFound
from servicehall.core.pagination import Pagination
from servicehall.core.schemas import MAX_DB_INT, DbId, RateLimitedOut, Short, SmallNumber, Text
from servicehall.org.models import Staff, Unit, Window
from servicehall.org.permissions import Action, actor_for

from . import fees, selectors, services
from .models import Case, CaseFee, CaseStep, FineDecision, MaterialCheck, Referral

router = Router(tags=["cases"])

LONG_TEXT = 2000  # a text column (the grounds of a refusal): long, but bounded
# an amount of money in fen, as an integer column holds it
Fen = Annotated[int, Field(ge=0, le=MAX_DB_INT)]


class FeeIn(Schema):
    """The fee of a case (R-CASE-6): the catalogue's amount and how it was paid, or a waiver
    with its legal basis."""

    channel: Text(CaseFee, "channel") = Field(description="cash, card, mobile or waived")
    amount_fen: Fen | None = Field(None, description="the fee charged, in fen")
    waiver_basis: Text(CaseFee, "waiver_basis") = ""


class CheckIn(Schema):
    material_id: DbId
    state: Text(MaterialCheck, "state") = Field(
        description="presented, missing, defective or not_applicable"
    )
    note: Text(MaterialCheck, "note") = ""


class IntakeIn(Schema):
    matter: Text(Matter, "code") = Field(description="matter code")
    window_number: SmallNumber | None = None
    applicant_name: Text(Case, "applicant_name")
    id_type: Text(Case, "id_type") = "resident_id"
    id_number: Text(Case, "id_number")
    phone: Text(Case, "phone") = ""
    checks: list[CheckIn] = Field(max_length=200)
    outcome: Text(Case, "outcome") = Field(description="on_the_spot, accepted, notice or rejected")
    green_channel: bool = False
    green_reason: Text(Case, "green_reason") = ""
    rejection_basis: Short(LONG_TEXT) = ""
    rejection_reason: Short(LONG_TEXT) = ""
    idempotency_key: Short(64) | None = Field(
        None, description="a retry with the same key returns the same case"
    )
    fee: FeeIn | None = Field(None, description="the fee taken on acceptance (R-CASE-6)")


class VisitIn(Schema):
    window_number: SmallNumber | None = None
    checks: list[CheckIn] = Field(max_length=200)
    outcome: Text(Case, "outcome")
    rejection_basis: Short(LONG_TEXT) = ""
    rejection_reason: Short(LONG_TEXT) = ""
    idempotency_key: Short(64) | None = None
    fee: FeeIn | None = None


class FineIn(Schema):
    """A penalty decision, paid at the bank or platform it names (罚缴分离)."""

    number: Text(FineDecision, "number") = Field(description="the decision's number")
    amount_fen: Fen
    basis: Text(FineDecision, "basis")
    agency: Text(FineDecision, "agency") = Field(description="icbc, ccb, abc, psbc or online")


class FinePaymentIn(Schema):
    """The bank's confirmation of a fine paid: entered by the office's bank feed only."""

    decision_number: Text(FineDecision, "number")
    amount_fen: Fen
    agency: Text(FineDecision, "paid_via") = Field(description="where it was paid")
    bank_reference: Text(FineDecision, "bank_reference")
    paid_at: dt.datetime | None = Field(None, description="when the bank took it (default: now)")


class FeeOut(Schema):
    amount_fen: int
    catalogue_fen: int
    basis: str
    channel: str
    waiver_basis: str
    recorded_at: dt.datetime
    recorded_by: str

    @staticmethod
    def resolve_recorded_by(obj):
        return obj.recorded_by.name


class FineOut(Schema):
    number: str
    case_number: str = Field(alias="case.number")
    amount_fen: int
    basis: str
    agency: str
    decided_at: dt.datetime
    pay_by: dt.datetime
    paid: bool
    paid_at: dt.datetime | None
    paid_via: str
    bank_reference: str | None


class NoticeOut(Schema):
    number: str
    issued_at: dt.datetime
    items: list[dict]
    within_law: bool
    adds_items: bool


class CaseStepOut(Schema):
    order: int
    name: str = Field(alias="step.name")
    state: str
    performer: str | None = None
    due_at: dt.datetime | None
    due_state: str

    @staticmethod
    def resolve_performer(obj):
        return obj.performer.name if obj.performer_id else None


class ReferralOut(Schema):
    id: int
    slip_number: str
    handoff_number: str
    task: str
    to: str
    state: str

    @staticmethod
    def resolve_to(obj):
        return obj.receiver_label


class CaseOut(Schema):
    id: int
    number: str
    matter: str = Field(alias="matter.code")
    unit: str = Field(alias="unit.code")
    status: str
    outcome: str
    applicant_name: str
    id_number: str = Field(description="masked")
    phone: str = Field(description="masked")
    green_channel: bool
    visits: int
    over_visits: bool
    received_at: dt.datetime
    accepted_at: dt.datetime | None
    due_at: dt.datetime | None
    due_estimated: bool
    statutory_due_at: dt.datetime | None
    due_state: str
    finished_at: dt.datetime | None
    on_time: bool | None
    owner: str
    notices: list[NoticeOut]
    steps: list[CaseStepOut]
    referrals: list[ReferralOut]
    fee: FeeOut | None = None
    fine: FineOut | None = None

    @staticmethod
    def resolve_fee(obj):
        return CaseFee.objects.select_related("recorded_by").filter(case=obj).first()

    @staticmethod
    def resolve_fine(obj):
        return FineDecision.objects.select_related("case").filter(case=obj).first()

    @staticmethod
    def resolve_applicant_name(obj, context):
        actor = _actor(context["request"])
        if actor.can(Action.ACCEPT_CASE, unit=obj.unit):
            return obj.applicant_name
        return obj.applicant_name[:1] + "*" * (len(obj.applicant_name) - 1)

    @staticmethod
    def resolve_id_number(obj):
        return obj.masked_id

    @staticmethod
    def resolve_phone(obj):
        return obj.masked_phone

    @staticmethod
    def resolve_owner(obj):
        return obj.owner.name

    @staticmethod
    def resolve_notices(obj):
        return list(obj.notices.all())

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.select_related("step", "performer"))

    @staticmethod
    def resolve_referrals(obj):
        return list(obj.referrals.select_related("to_staff", "to_window", "to_unit"))


class LedgerRow(Schema):
    id: int
    number: str
    received_at: dt.datetime
    matter: str = Field(alias="matter.name")
    window: int | None
    outcome: str
    status: str
    visits: int
    due_at: dt.datetime | None
    on_time: bool | None
    fee_fen: int | None = Field(None, description="the fee charged (0 when waived)")
    fine_fen: int | None = None

    @staticmethod
    def resolve_window(obj):
        return obj.window.number if obj.window_id else None

    @staticmethod
    def resolve_fee_fen(obj):
        fee = _joined(obj, "fee")
        return fee.amount_fen if fee else None

    @staticmethod
    def resolve_fine_fen(obj):
        fine = _joined(obj, "fine")
        return fine.amount_fen if fine else None


def _joined(case, name):
    """The case's fee or fine the ledger's query joined, or None."""
    try:
        return getattr(case, name)
    except ObjectDoesNotExist:
        return None


class PublicStatus(Schema):
    number: str
    matter: str
    unit: str
    status: str
    received_on: dt.date
    due_at: dt.datetime | None
    finished_on: dt.date | None
    steps: list[dict]


class StepIn(Schema):
    note: Text(CaseStep, "note") = ""
    reason: Short(200) = ""


class ReferIn(Schema):
    task: Text(Referral, "task")
    to_staff_id: DbId | None = None
    to_window_id: DbId | None = None
    to_unit_id: DbId | None = None


def _actor(request):
    return actor_for(request.auth if request.auth is not None else request.user)


def _fee(payload):
    return payload.dict() if payload is not None else None


def _checks(items):
    return {c.material_id: (c.state, c.note) for c in items}


def _window(unit, number):
    if number is None:
        return None
    window = Window.objects.filter(unit=unit, number=number).first()
    if window is None:
        raise InvalidInput({"window_number": [f"{unit.name}: no window {number}"]})
    return window


def _case(request, case_id):
    actor = _actor(request)
    case = get_object_or_404(Case.objects.select_related("unit", "matter", "owner"), pk=case_id)
    if not services.can_read_case(actor, case):
        raise Forbidden(_("This case belongs to another unit."), rule="R-ORG-4")
    return actor, case


@router.post("/cases", response={201: CaseOut})
def intake(request, payload: IntakeIn):
    """Receive an application: done on the spot, accepted, one-time notice or refusal."""
    matter = get_object_or_404(Matter.objects.select_related("unit"), code=payload.matter)
    case = services.intake(
        actor=_actor(request),
        matter=matter,
        window=_window(matter.unit, payload.window_number),
        applicant={
            "name": payload.applicant_name,
            "id_type": payload.id_type,
            "id_number": payload.id_number,
            "phone": payload.phone,
        },
        checks=_checks(payload.checks),
        outcome=payload.outcome,
        green_channel=payload.green_channel,
        green_reason=payload.green_reason,
        rejection_basis=payload.rejection_basis,
        rejection_reason=payload.rejection_reason,
        token=payload.idempotency_key,
        fee=_fee(payload.fee),
    )
    return Status(201, case)


@router.get("/cases/{case_id}", response=CaseOut)
def case(request, case_id: int):
    return _case(request, case_id)[1]


@router.post("/cases/{case_id}/visits", response=CaseOut)
def visit(request, case_id: int, payload: VisitIn):
    """The citizen's next visit on the same case (R-TIME-3)."""
    actor, c = _case(request, case_id)
    return services.resume(
        actor=actor,
        case=c,
        window=_window(c.unit, payload.window_number),
        checks=_checks(payload.checks),
        outcome=payload.outcome,
        rejection_basis=payload.rejection_basis,
        rejection_reason=payload.rejection_reason,
        token=payload.idempotency_key,
        fee=_fee(payload.fee),
    )


@router.post("/cases/{case_id}/fee", response=CaseOut)
def fee(request, case_id: int, payload: FeeIn):
    """Record the fee of an accepted case (R-CASE-6); never by an auxiliary (R-ORG-4)."""
    actor, c = _case(request, case_id)
    fees.record_fee(actor=actor, case=c, **payload.dict())
    c.refresh_from_db()
    return c


@router.post("/cases/{case_id}/fine", response={201: FineOut})
def fine(request, case_id: int, payload: FineIn):
    """Record a penalty decision on a case: paid at the bank it names, never at the window."""
    actor, c = _case(request, case_id)
    return Status(201, fees.decide_fine(actor=actor, case=c, **payload.dict()))


@router.post("/fines/payments", response=FineOut, tags=["fines"])
def fine_payment(request, payload: FinePaymentIn):
    """The bank's confirmation that a fine was paid, with its reference (罚缴分离): the only way
    a fine becomes paid. For the office's bank feed; every window role is refused. Sending the
    same confirmation again changes nothing."""
    return fees.confirm_fine_payment(
        actor=_actor(request),
        number=payload.decision_number,
        amount_fen=payload.amount_fen,
        agency=payload.agency,
        bank_reference=payload.bank_reference,
        paid_at=payload.paid_at,
    )


@router.post("/cases/{case_id}/steps/{order}/{action}", response=CaseOut)
def step(request, case_id: int, order: int, action: str, payload: StepIn):
    """complete, pause (with a reason) or resume the case's step number `order`."""
    actor, c = _case(request, case_id)
    case_step = get_object_or_404(CaseStep, case=c, order=order)
    if action == "complete":
        services.complete_step(actor=actor, case_step=case_step, note=payload.note)
    elif action == "pause":
        services.pause_step(actor=actor, case_step=case_step, reason=payload.reason)
    elif action == "resume":
        services.resume_step(actor=actor, case_step=case_step)
    else:
        raise InvalidInput({"action": ["complete, pause or resume"]})
    c.refresh_from_db()
    return c


@router.post("/cases/{case_id}/referrals", response={201: ReferralOut})
def refer(request, case_id: int, payload: ReferIn):
    actor, c = _case(request, case_id)
    referral = services.refer(
        actor=actor,
        case=c,
        task=payload.task,
        to_staff=get_object_or_404(Staff, pk=payload.to_staff_id) if payload.to_staff_id else None,
        to_window=get_object_or_404(Window, pk=payload.to_window_id)
        if payload.to_window_id
        else None,
        to_unit=get_object_or_404(Unit, pk=payload.to_unit_id) if payload.to_unit_id else None,
    )
    return Status(201, referral)


@router.post("/referrals/{referral_id}/{action}", response=ReferralOut)
def referral(request, referral_id: int, action: str):
    """acknowledge (the receiver takes the case over) or complete a hand-off."""
    actor = _actor(request)
    r = get_object_or_404(Referral, pk=referral_id)
    if action == "acknowledge":
        return services.acknowledge(actor=actor, referral=r)
    if action == "complete":
        return services.complete_referral(actor=actor, referral=r)
    raise InvalidInput({"action": ["acknowledge or complete"]})


@router.get("/units/{unit_id}/ledger", response=list[LedgerRow])
@paginate(Pagination)
def ledger(
    request,
    unit_id: int,
    window: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    matter: str = "",
    outcome: str = "",
    status: str = "",
):
    unit = get_object_or_404(Unit, pk=unit_id)
    return selectors.ledger(
        actor=_actor(request),
        unit=unit,
        window=_window(unit, window) if window else None,
        date_from=date_from,
        date_to=date_to,
        matter=_matter_filter(unit, matter),
        outcome=outcome or None,
        status=status or None,
    )


def _matter_filter(unit, code):
    if not code:
        return None
    matter = Matter.objects.filter(code=code, unit=unit).first()
    if matter is None:
        raise InvalidInput({"matter": [f"{unit.name}: no matter {code}"]})
    return matter


@router.get("/units/{unit_id}/ledger/statistics")
def ledger_statistics(
    request,
    unit_id: int,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    window: int | None = None,
):
    unit = get_object_or_404(Unit, pk=unit_id)
    qs = selectors.ledger(
        actor=_actor(request),
        unit=unit,
        window=_window(unit, window) if window else None,
        date_from=date_from,
        date_to=date_to,
    )
    return selectors.statistics(qs)


@router.get(
    "/status/{number}",
    response={200: PublicStatus, 429: RateLimitedOut},  # its 404 is every API's Error
    auth=None,
    tags=["public"],
)
@decorate_view(never_cache)  # an answer for one applicant: no shared cache keeps it
def public_status(
    request,
    number: Text(Case, "number"),
    code: str = Query(
        ...,
        max_length=40,
        description="the check code printed on the receipt or notice, or the last four "
        "characters of the applicant's ID number (case-insensitive)",
    ),
):
    """A case by its case, notice or receipt number and the applicant's check code, without
    personal data. A wrong code answers 404 exactly as an unknown number does."""
    from servicehall.core.ratelimits import limit

    from .views import lookup_status

    limit(request, "lookup")
    c = lookup_status(request, number, code)
    if c is None:
        raise NotFound(
            _(
                "No case matches this number and code. Check both against your receipt or "
                "notice, or enter the last four characters of the applicant's ID number instead "
                "of the code."
            )
        )
    return {
        "number": c.number,
        "matter": c.matter.name,
        "unit": c.unit.name,
        "status": c.status,
        "received_on": timezone.localdate(c.received_at),
        "due_at": c.due_at if c.open else None,
        "finished_on": timezone.localdate(c.finished_at) if c.finished_at else None,
        "steps": [
            {"order": s.order, "name": s.step.name, "state": s.state}
            for s in c.steps.select_related("step")
        ],
    }
