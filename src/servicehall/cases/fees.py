"""Fees and fines of cases (R-CASE-6, R-ORG-4; decision 0027).

A fee is charged only as the catalogue sets it: the matter's fee, with its legal basis, or a
waiver with its own legal basis; a free matter charges nothing. Whoever records taking the
fee must be allowed to hold fee money, which no auxiliary is. A case of a fee-charging matter
finishes only with its fee recorded (`require_settled`, called where a case finishes).

Fines are decided at the window and paid at the bank (罚缴分离): the decision names where it
is paid, and nothing here lets a window record receiving the money. A fine is paid when the
bank's confirmation, with its reference, is entered by the office (the API's bank feed).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicehall.core.errors import Forbidden, InvalidInput, NotFound, ServiceError
from servicehall.core.money import yuan
from servicehall.org.choices import UNIT_ROLES, UnitKind
from servicehall.org.permissions import Action, Actor, require, require_certified
from servicehall.worktime import services as worktime

from .models import Case, CaseEvent, CaseFee, FeeChannel, FineAgency, FineDecision, Outcome, Status

# R-CASE-6: the time a fine is to be paid at the bank by, from the decision
FINE_PAYMENT_POLICY = "fine-payment"
# A hospital or the hotline centre is no administrative organ: it decides no penalties.
NO_PENALTIES = frozenset({UnitKind.HOSPITAL, UnitKind.HOTLINE})


def _staff(actor: Actor):
    if actor.staff is None:
        raise Forbidden(_("Only staff members handle cases."), rule="R-ORG-4")
    return actor.staff


def _event(case, staff, kind, text, now, **data):
    return CaseEvent.objects.create(case=case, actor=staff, kind=kind, text=text, at=now, data=data)


def catalogue_fee(matter) -> str:
    """“120.00 元（发改价格〔2017〕1186号）” or “免费”: the catalogue's fee as people read it."""
    if not matter.fee_fen:
        return _("free")
    return _("%(fee)s yuan (%(basis)s)") % {"fee": yuan(matter.fee_fen), "basis": matter.fee_basis}


# ---- fees -------------------------------------------------------------------------------


def check_fee(matter, *, channel, amount_fen=None, waiver_basis="") -> dict:
    """The fee as it may be recorded for a case of `matter`, or InvalidInput naming the field
    to fix and the catalogue's fee (R-CASE-6: charged only per statute, as published)."""
    channel = (channel or "").strip()
    waiver_basis = (waiver_basis or "").strip()
    if not matter.fee_fen:
        if channel or amount_fen or waiver_basis:
            raise InvalidInput(
                {
                    "fee_amount": [
                        _("“%(m)s” is free in the catalogue: no fee may be charged.")
                        % {"m": matter.name}
                    ]
                },
                rule="R-CASE-6",
            )
        raise InvalidInput({"fee_amount": [_("This matter is free: there is no fee to record.")]})
    if channel not in FeeChannel.values:
        raise InvalidInput(
            {
                "fee_channel": [
                    _("Choose how the fee of %(fee)s was paid, or waive it with its legal basis.")
                    % {"fee": catalogue_fee(matter)}
                ]
            }
        )
    if channel == FeeChannel.WAIVED:
        if amount_fen:
            raise InvalidInput(
                {"fee_amount": [_("A waived fee takes no money: leave the amount empty.")]},
                rule="R-CASE-6",
            )
        if not waiver_basis:
            raise InvalidInput(
                {
                    "fee_waiver_basis": [
                        _("A waiver of the fee of %(fee)s needs its legal basis.")
                        % {"fee": catalogue_fee(matter)}
                    ]
                },
                rule="R-CASE-6",
            )
        amount_fen = 0
    elif amount_fen != matter.fee_fen:
        raise InvalidInput(
            {
                "fee_amount": [
                    _(
                        "The catalogue fee of “%(m)s” is %(fee)s: charge exactly that, or waive "
                        "it with its legal basis."
                    )
                    % {"m": matter.name, "fee": catalogue_fee(matter)}
                ]
            },
            rule="R-CASE-6",
        )
    elif waiver_basis:
        raise InvalidInput(
            {"fee_waiver_basis": [_("Only a waived fee has a waiver basis.")]}, rule="R-CASE-6"
        )
    return {"channel": channel, "amount_fen": amount_fen, "waiver_basis": waiver_basis}


def _record(actor, case, fee: dict, now) -> CaseFee:
    """Record the fee of a case being accepted or in progress (the caller holds its lock)."""
    # R-ORG-4: taking fee money is for one who may hold it, never an auxiliary
    require(actor, Action.HOLD_FEE_MONEY, unit=case.unit)
    staff = _staff(actor)
    require_certified(staff)
    if CaseFee.objects.filter(case=case).exists():
        raise ServiceError(_("The fee of this case is already recorded."), rule="R-CASE-6")
    checked = check_fee(case.matter, **fee)
    matter = case.matter
    record = CaseFee.objects.create(
        case=case,
        catalogue_fen=matter.fee_fen,
        basis=matter.fee_basis,
        recorded_at=now,
        recorded_by=staff,
        **checked,
    )
    if record.waived:
        _event(
            case,
            staff,
            CaseEvent.Kind.FEE_WAIVED,
            _("Fee of %(fee)s yuan waived: %(basis)s")
            % {"fee": yuan(matter.fee_fen), "basis": record.waiver_basis},
            now,
            catalogue_fen=matter.fee_fen,
            waiver_basis=record.waiver_basis,
        )
    else:
        _event(
            case,
            staff,
            CaseEvent.Kind.FEE_RECORDED,
            _("Fee of %(fee)s yuan taken (%(channel)s), by %(name)s")
            % {
                "fee": record.amount_yuan,
                "channel": record.get_channel_display(),
                "name": staff.name,
            },
            now,
            amount_fen=record.amount_fen,
            channel=record.channel,
            basis=record.basis,
        )
    return record


def record_at_intake(actor, case, outcome, fee: dict | None, now) -> CaseFee | None:
    """The fee given with an intake or a later visit, after its outcome is concluded (in the
    same transaction): charged when the application is accepted or done on the spot, never
    on a notice or a refusal (decision 0027). A case done on the spot has just finished, so
    its fee must be recorded by now, or the whole intake is refused."""
    record = None
    if fee and any(fee.values()):
        if outcome not in (Outcome.ACCEPTED, Outcome.ON_THE_SPOT):
            raise InvalidInput(
                {
                    "fee_channel": [
                        _(
                            "A fee is charged only when the application is accepted or done on "
                            "the spot, not with a one-time notice or a refusal."
                        )
                    ]
                },
                rule="R-CASE-6",
            )
        record = _record(actor, case, fee, now)
    if case.status == Status.COMPLETED:
        require_settled(case)
    return record


@transaction.atomic
def record_fee(
    *,
    actor: Actor,
    case: Case,
    channel: str,
    amount_fen: int | None = None,
    waiver_basis: str = "",
    now: dt.datetime | None = None,
) -> CaseFee:
    """Record the fee of an accepted case not finished yet (paid when the certificate is
    collected, say): the matter's fee as the catalogue sets it, or a waiver with its basis."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().select_related("matter", "unit").get(pk=case.pk)
    require(actor, Action.HOLD_FEE_MONEY, unit=case.unit)  # R-ORG-4
    if case.status != Status.IN_PROGRESS:
        raise ServiceError(
            _("A fee is recorded on an accepted case before it is finished."), rule="R-CASE-6"
        )
    return _record(
        actor,
        case,
        {"channel": channel, "amount_fen": amount_fen, "waiver_basis": waiver_basis},
        now,
    )


def require_settled(case) -> None:
    """R-CASE-6: a case of a fee-charging matter finishes only with its fee recorded, paid or
    waived with its legal basis. Called where a case finishes (on the spot, the last step)."""
    matter = case.matter
    if matter.fee_fen and not CaseFee.objects.filter(case=case).exists():
        raise InvalidInput(
            {
                "fee_channel": [
                    _(
                        "“%(m)s” charges %(fee)s: record the fee paid, or its waiver with the "
                        "legal basis, before the case is finished."
                    )
                    % {"m": matter.name, "fee": catalogue_fee(matter)}
                ]
            },
            rule="R-CASE-6",
        )


# ---- fines (罚缴分离) ---------------------------------------------------------------------


def may_decide_fines(unit) -> bool:
    return unit.kind not in NO_PENALTIES


@transaction.atomic
def decide_fine(
    *,
    actor: Actor,
    case: Case,
    number: str,
    amount_fen: int | None,
    basis: str,
    agency: str,
    now: dt.datetime | None = None,
) -> FineDecision:
    """Record a penalty decision on a case: its number, the amount, its legal basis and the
    bank or platform where it is paid (R-CASE-6: decision and collection are separate, so the
    window that decides names where the money goes and takes none of it)."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().select_related("unit").get(pk=case.pk)
    require(actor, Action.DECIDE_FINE, unit=case.unit)  # R-ORG-4: never an auxiliary
    staff = _staff(actor)
    require_certified(staff)
    if not may_decide_fines(case.unit):
        raise ServiceError(
            _("%(u)s makes no penalty decisions.") % {"u": case.unit.name}, rule="R-CASE-6"
        )
    if case.status not in (Status.IN_PROGRESS, Status.COMPLETED):
        raise ServiceError(_("A fine is decided on an accepted or finished case."))
    if FineDecision.objects.filter(case=case).exists():
        raise ServiceError(_("This case already has a fine decision."))
    number = (number or "").strip()
    basis = (basis or "").strip()
    errors = {}
    if not number:
        errors["fine_number"] = [_("Enter the number of the penalty decision.")]
    elif FineDecision.objects.filter(number=number).exists():
        errors["fine_number"] = [_("Decision %(n)s is already recorded.") % {"n": number}]
    if not amount_fen or amount_fen <= 0:
        errors["fine_amount"] = [_("Enter the fine in yuan, such as 200.")]
    if not basis:
        errors["fine_basis"] = [_("A fine needs its legal basis.")]
    if agency not in FineAgency.values:
        errors["fine_agency"] = [
            _(
                "Choose the bank or platform where the fine is paid: the window never takes "
                "fine money."
            )
        ]
    if errors:
        raise InvalidInput(errors, rule="R-CASE-6")
    pay_by = worktime.deadline(start=now, limit=worktime.policy(FINE_PAYMENT_POLICY)).at
    fine = FineDecision.objects.create(
        case=case,
        number=number,
        amount_fen=amount_fen,
        basis=basis,
        agency=agency,
        decided_at=now,
        decided_by=staff,
        pay_by=pay_by,
    )
    _event(
        case,
        staff,
        CaseEvent.Kind.FINE_DECIDED,
        _("Fine decision %(n)s: %(fee)s yuan, to be paid at %(agency)s by %(d)s")
        % {
            "n": fine.number,
            "fee": fine.amount_yuan,
            "agency": fine.get_agency_display(),
            "d": timezone.localtime(pay_by).strftime("%Y-%m-%d"),
        },
        now,
        number=fine.number,
        amount_fen=fine.amount_fen,
        agency=fine.agency,
    )
    return fine


def _refuse_windows(actor: Actor) -> None:
    """R-CASE-6 (罚缴分离): no window role ever records fine money received, whatever the
    matrix says; the bank's record does."""
    if actor.role in UNIT_ROLES:
        raise Forbidden(
            _(
                "Fines are paid at the bank, not at the window: no one at a unit records a fine "
                "as paid. The payment is entered from the bank's confirmation."
            ),
            rule="R-CASE-6",
        )


@transaction.atomic
def confirm_fine_payment(
    *,
    actor: Actor,
    number: str,
    amount_fen: int,
    agency: str,
    bank_reference: str,
    paid_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> FineDecision:
    """Enter the bank's confirmation that a fine was paid (R-CASE-6): the decision's number,
    the amount the bank took, where, and the bank's reference. The same confirmation sent
    again changes nothing; the office (its bank feed) is the only one who may enter it."""
    now = now or timezone.now()
    _refuse_windows(actor)
    if not actor.allows(Action.CONFIRM_FINE_PAYMENT):
        require(actor, Action.CONFIRM_FINE_PAYMENT)  # R-ORG-4, before anything is looked up
    number = (number or "").strip()
    reference = (bank_reference or "").strip()
    fine = (
        FineDecision.objects.select_for_update(of=("self",))
        .select_related("case__unit")
        .filter(number=number)
        .first()
    )
    if fine is None:
        raise NotFound(_("No fine decision with the number %(n)s.") % {"n": number})
    require(actor, Action.CONFIRM_FINE_PAYMENT, unit=fine.case.unit)
    if not reference:
        raise InvalidInput({"bank_reference": [_("Enter the bank's reference of the payment.")]})
    if fine.paid:
        if fine.bank_reference == reference:
            return fine  # the bank sent it again
        raise ServiceError(
            _("Decision %(n)s was already paid on %(d)s (bank reference %(r)s).")
            % {
                "n": fine.number,
                "d": timezone.localtime(fine.paid_at).strftime("%Y-%m-%d %H:%M"),
                "r": fine.bank_reference,
            },
            rule="R-CASE-6",
        )
    if FineDecision.objects.filter(bank_reference=reference).exists():
        raise InvalidInput(
            {"bank_reference": [_("The bank reference %(r)s is already used.") % {"r": reference}]}
        )
    if agency not in FineAgency.values:
        raise InvalidInput({"agency": [_("Name the bank or platform that took the payment.")]})
    if amount_fen != fine.amount_fen:
        raise InvalidInput(
            {
                "amount_fen": [
                    _("Decision %(n)s is for %(fee)s yuan; the bank reports %(paid)s yuan.")
                    % {"n": fine.number, "fee": fine.amount_yuan, "paid": yuan(amount_fen)}
                ]
            },
            rule="R-CASE-6",
        )
    paid_at = paid_at or now
    if paid_at < fine.decided_at or paid_at > now:
        raise InvalidInput(
            {"paid_at": [_("The payment time must lie between the decision and now.")]}
        )
    fine.paid_at, fine.paid_via, fine.bank_reference = paid_at, agency, reference
    fine.confirmed_at, fine.confirmed_by = now, actor.user
    fine.save()
    _event(
        fine.case,
        actor.staff,
        CaseEvent.Kind.FINE_PAID,
        _("Fine %(n)s paid at %(agency)s on %(d)s, bank reference %(r)s")
        % {
            "n": fine.number,
            "agency": fine.get_paid_via_display(),
            "d": timezone.localtime(paid_at).strftime("%Y-%m-%d %H:%M"),
            "r": reference,
        },
        now,
        number=fine.number,
        bank_reference=reference,
    )
    return fine
