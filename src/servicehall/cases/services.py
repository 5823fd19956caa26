"""The rules of case handling. Every function checks the actor, changes the case in one
transaction, and writes a CaseEvent for each transition (R-CASE-1 … R-CASE-5)."""

import datetime as dt
import hmac
import re
from typing import NamedTuple

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servicehall.catalog.models import CERTIFICATE_POLICY, LICENCE_POLICIES
from servicehall.core.errors import Forbidden, InvalidInput, ServiceError
from servicehall.core.idnumbers import id_problem, phone_problem
from servicehall.notices.models import Notification
from servicehall.notices.services import notify, who_must_hear
from servicehall.org.choices import Role
from servicehall.org.models import Staff, Unit, Window
from servicehall.org.permissions import Action, Actor, require, require_certified
from servicehall.workcal import ClockState, ClockStatus, SlaClock, TimeLimit, binding
from servicehall.worktime import services as worktime

from . import fees
from .models import (
    CHECK_CODE_ALPHABET,
    CHECK_CODE_LENGTH,
    CONCLUDED,
    Case,
    CaseEvent,
    CaseStep,
    DueState,
    IdType,
    MaterialCheck,
    Notice,
    Outcome,
    Referral,
    Sequence,
    Status,
    Visit,
)

# R-LAW-1 (行政许可法 art. 32): what is missing is told within the policy's limit of receipt.
NOTICE_POLICY = "licence-correction-notice"
# Who may perform a step set for a role: that role or one above it in the unit.
RANK = {Role.AUXILIARY: 0, Role.OFFICER: 1, Role.DUTY_LEAD: 2, Role.UNIT_LEADER: 3}
PREFIX = {
    Sequence.Kind.CASE: "C",
    Sequence.Kind.NOTICE: "N",
    Sequence.Kind.REFUSAL: "R",
    Sequence.Kind.SLIP: "S",
    Sequence.Kind.HANDOFF: "H",
}
DUE_KIND = {
    DueState.WARNING: Notification.Kind.DUE_WARNING,
    DueState.OVERDUE: Notification.Kind.DUE_OVERDUE,
}
DUE_EVENT = {
    DueState.WARNING: CaseEvent.Kind.DUE_WARNING,
    DueState.OVERDUE: CaseEvent.Kind.DUE_OVERDUE,
}


def _staff(actor: Actor) -> Staff:
    if actor.staff is None:
        raise Forbidden(_("Only staff members handle cases."), rule="R-ORG-4")
    return actor.staff


def next_number(unit: Unit, kind: str, now) -> str:
    """C2026-0004-000123: per unit, kind and year, taken under a row lock."""
    year = timezone.localtime(now).year
    Sequence.objects.get_or_create(unit=unit, kind=kind, year=year)
    seq = Sequence.objects.select_for_update().get(unit=unit, kind=kind, year=year)
    seq.last = F("last") + 1
    seq.save(update_fields=["last"])
    seq.refresh_from_db(fields=["last"])
    return f"{PREFIX[kind]}{year}-{unit.pk:04d}-{seq.last:06d}"


def event(case, actor_staff, kind, text, now, **data):
    return CaseEvent.objects.create(
        case=case, actor=actor_staff, kind=kind, text=text, at=now, data=data
    )


# ---- intake -------------------------------------------------------------------------


def _check_applicant(applicant: dict) -> dict:
    errors = {}
    if (applicant.get("id_type") or "resident_id") not in IdType.values:
        raise InvalidInput({"id_type": [_("Choose the type of ID document.")]})
    name = (applicant.get("name") or "").strip()
    if not name:
        errors["applicant_name"] = [_("Enter the applicant's name.")]
    problem = id_problem(applicant.get("id_type") or "resident_id", applicant.get("id_number"))
    if problem:
        errors["id_number"] = [problem]
    problem = phone_problem(applicant.get("phone"))
    if problem:
        errors["phone"] = [problem]
    if errors:
        raise InvalidInput(errors)
    return {
        "applicant_name": name,
        "id_type": applicant.get("id_type") or "resident_id",
        "id_number": applicant["id_number"].strip().upper(),
        "phone": (applicant.get("phone") or "").strip(),
    }


def _check_materials(matter, checks: dict):
    """checks: {material id: (state, note)}. Returns (rows, problems) or raises with every gap."""
    rows, problems, missing_answers = [], [], []
    for material in matter.materials.all():
        state, note = checks.get(material.pk, (None, ""))
        if not state:
            missing_answers.append(material.name)
            continue
        if state not in MaterialCheck.State.values:
            raise InvalidInput(
                {
                    "materials": [
                        _("“%(m)s”: mark it presented, missing, defective or not applicable.")
                        % {"m": material.name}
                    ]
                }
            )
        if state == MaterialCheck.State.NOT_APPLICABLE and material.required:
            raise InvalidInput(
                {"materials": [_("“%(m)s” is always required.") % {"m": material.name}]}
            )
        if state == MaterialCheck.State.DEFECTIVE and not (note or "").strip():
            raise InvalidInput(
                {"materials": [_("Say what is wrong with “%(m)s”.") % {"m": material.name}]}
            )
        problem = state in (MaterialCheck.State.MISSING, MaterialCheck.State.DEFECTIVE)
        rows.append((material, state, (note or "").strip() if problem else ""))
        if problem:
            problems.append(
                {
                    "material": material.name,
                    "state": state,
                    "note": (note or "").strip(),
                    "form": material.get_form_display(),
                    "count": material.count,
                }
            )
    if missing_answers:
        raise InvalidInput(
            {
                "materials": [
                    _("Tick every material: %(list)s.") % {"list": "、".join(missing_answers)}
                ]
            }
        )
    return rows, problems


def _check_outcome(matter, outcome, problems, rejection_basis, rejection_reason):
    """R-CASE-1: exactly one outcome, and the one the materials allow."""
    if outcome not in Outcome.values:
        raise InvalidInput({"outcome": [_("Choose how the intake ends.")]})
    if outcome == Outcome.NOTICE and not problems:
        raise InvalidInput(
            {"outcome": [_("Every material is in order: accept the case or do it on the spot.")]}
        )
    if outcome in (Outcome.ACCEPTED, Outcome.ON_THE_SPOT) and problems:
        names = "、".join(p["material"] for p in problems)
        raise InvalidInput(
            {
                "outcome": [
                    _(
                        "Materials missing or defective (%(list)s): give a one-time notice "
                        "listing them all."
                    )
                    % {"list": names}
                ]
            },
            rule="R-CASE-1",
        )
    has_steps = matter.steps.exists()
    if outcome == Outcome.ACCEPTED and not has_steps:
        raise InvalidInput({"outcome": [_("This matter is done on the spot.")]})
    if outcome == Outcome.ON_THE_SPOT and has_steps:
        # R-CASE-3: a matter with steps goes through each of them.
        raise InvalidInput(
            {"outcome": [_("This matter goes through its steps: accept it.")]}, rule="R-CASE-3"
        )
    if outcome == Outcome.REJECTED:
        errors = {}
        if not (rejection_basis or "").strip():
            errors["rejection_basis"] = [_("A refusal must state its legal basis.")]
        if not (rejection_reason or "").strip():
            errors["rejection_reason"] = [_("Say why the application is refused.")]
        if errors:
            raise InvalidInput(errors, rule="R-CASE-1")


@transaction.atomic
def intake(
    *,
    actor: Actor,
    matter,
    applicant: dict,
    checks: dict,
    outcome: str,
    window: Window | None = None,
    green_channel: bool = False,
    green_reason: str = "",
    rejection_basis: str = "",
    rejection_reason: str = "",
    token: str | None = None,
    fee: dict | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Receive a citizen's application at a window (R-CASE-1, R-LAW-1). `token` makes a
    repeated submission (a double click, a retry) return the case it already created. `fee`
    ({channel, amount_fen, waiver_basis}) is the fee taken on acceptance (cases.fees)."""
    now = now or timezone.now()
    unit = matter.unit
    require(actor, Action.ACCEPT_CASE, unit=unit)  # R-ORG-4: never an auxiliary
    staff = _staff(actor)
    if token:
        existing = Case.objects.filter(intake_token=token).first()
        if existing is not None:
            return existing
    require_certified(staff)
    if window is not None and window.unit_id != unit.pk:
        raise InvalidInput({"window": [_("The window must belong to the matter's unit.")]})
    if not matter.active:
        raise InvalidInput({"matter": [_("This matter is no longer offered.")]})
    person = _check_applicant(applicant)
    if green_channel and not matter.green_channel:
        raise InvalidInput({"green_channel": [_("This matter has no green channel.")]})
    if green_channel and not green_reason.strip():
        raise InvalidInput(
            {"green_reason": [_("Say why the green channel applies.")]}, rule="R-CASE-4"
        )
    rows, problems = _check_materials(matter, checks)
    _check_outcome(matter, outcome, problems, rejection_basis, rejection_reason)
    case = Case.objects.create(
        number=next_number(unit, Sequence.Kind.CASE, now),
        unit=unit,
        window=window,
        matter=matter,
        received_by=staff,
        owner=staff,
        outcome=outcome,
        status=Status.AWAITING_MATERIALS,
        green_channel=green_channel,
        green_reason=green_reason.strip(),
        received_at=now,
        intake_token=token or None,
        **person,
    )
    MaterialCheck.objects.bulk_create(
        [MaterialCheck(case=case, material=m, state=s, note=n) for m, s, n in rows]
    )
    Visit.objects.create(case=case, at=now, staff=staff, window=window)
    event(
        case,
        staff,
        CaseEvent.Kind.RECEIVED,
        _("Received at the window by %(name)s") % {"name": staff.name},
        now,
    )
    if green_channel:
        event(
            case,
            staff,
            CaseEvent.Kind.GREEN_CHANNEL,
            _("Green channel: %(r)s") % {"r": case.green_reason},
            now,
        )
    _conclude(case, staff, outcome, problems, rejection_basis, rejection_reason, now)
    fees.record_at_intake(actor, case, outcome, fee, now)
    return case


@transaction.atomic
def resume(
    *,
    actor: Actor,
    case: Case,
    checks: dict,
    outcome: str,
    window: Window | None = None,
    rejection_basis: str = "",
    rejection_reason: str = "",
    token: str | None = None,
    fee: dict | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """The citizen comes back with the notice: the same case, one more visit (R-TIME-3).
    `token` makes a repeated submission of the same visit change nothing; `fee` as intake's."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    require(actor, Action.ACCEPT_CASE, unit=case.unit)
    staff = _staff(actor)
    require_certified(staff)
    if token and Visit.objects.filter(token=token).exists():
        return case
    if case.status != Status.AWAITING_MATERIALS:
        raise ServiceError(_("This case is not waiting for materials."))
    rows, problems = _check_materials(case.matter, checks)
    _check_outcome(case.matter, outcome, problems, rejection_basis, rejection_reason)
    for material, state, note in rows:
        MaterialCheck.objects.update_or_create(
            case=case, material=material, defaults={"state": state, "note": note}
        )
    _count_visit(case, staff, window, now, token=token)
    case.outcome = outcome
    case.save()
    _conclude(case, staff, outcome, problems, rejection_basis, rejection_reason, now)
    fees.record_at_intake(actor, case, outcome, fee, now)
    return case


def _count_visit(case, staff, window, now, *, token=None, purpose=""):
    """One more visit; more than the matter allows is flagged and the leaders told (R-TIME-3)."""
    case.visits += 1
    Visit.objects.create(
        case=case, at=now, staff=staff, window=window, token=token or None, purpose=purpose
    )
    event(
        case,
        staff,
        CaseEvent.Kind.VISIT,
        _("Visit %(n)s, received by %(name)s") % {"n": case.visits, "name": staff.name}
        + (f"（{purpose}）" if purpose else ""),
        now,
    )
    if case.visits > case.matter.max_visits and not case.over_visits:
        case.over_visits = True
        event(
            case,
            staff,
            CaseEvent.Kind.OVER_VISITS,
            _("%(n)s visits: more than the %(max)s this matter allows")  # R-TIME-3
            % {"n": case.visits, "max": case.matter.max_visits},
            now,
        )
        notify(
            recipients=who_must_hear(case.unit),
            kind=Notification.Kind.OVER_VISITS,
            text=_("Case %(c)s needed more visits than allowed") % {"c": case.number},
            link=case.get_absolute_url(),
            case=case,
        )
    case.save()


@transaction.atomic
def record_visit(*, actor: Actor, case: Case, purpose: str, window=None, now=None) -> Case:
    """A visit that is not a materials visit (collecting the certificate, asking about
    progress): it counts towards the matter's most visits all the same (R-TIME-3)."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    require(actor, Action.VIEW_REGISTRY, unit=case.unit)
    staff = _staff(actor)
    if staff.unit_id != case.unit_id:
        raise Forbidden(_("Only staff of %(u)s record its visits.") % {"u": case.unit.name})
    require_certified(staff)
    if not (purpose or "").strip():
        raise InvalidInput({"purpose": [_("Say why the citizen came.")]})
    _count_visit(case, staff, window, now, purpose=purpose.strip())
    return case


def _conclude(case, staff, outcome, problems, rejection_basis, rejection_reason, now):
    if outcome != Outcome.NOTICE:
        case.concluded_by = staff  # who accepted or refused: signs the receipt or refusal
    if outcome == Outcome.NOTICE:
        _give_notice(case, staff, problems, now)
    elif outcome == Outcome.REJECTED:
        case.status = Status.REJECTED
        case.finished_at = now
        case.rejection_basis = rejection_basis.strip()
        case.rejection_reason = rejection_reason.strip()
        case.rejection_number = next_number(case.unit, Sequence.Kind.REFUSAL, now)
        case.save()
        event(
            case,
            staff,
            CaseEvent.Kind.REJECTED,
            _("Refused: %(r)s") % {"r": case.rejection_reason},
            now,
            basis=case.rejection_basis,
            number=case.rejection_number,
        )
    elif outcome == Outcome.ON_THE_SPOT:
        require(
            Actor(user=staff.user, staff=staff, role=staff.role),
            Action.ISSUE_CERTIFICATE,
            unit=case.unit,
        )
        case.status = Status.COMPLETED
        case.accepted_at = case.finished_at = now
        case.on_time = True
        case.save()
        event(case, staff, CaseEvent.Kind.DONE_ON_THE_SPOT, _("Done on the spot"), now)
    else:
        _accept(case, staff, now)


def _give_notice(case, staff, problems, now):
    limit = worktime.policy(NOTICE_POLICY).time_limit
    law_deadline = worktime.calendar().deadline(case.received_at, limit).at
    earlier = list(case.notices.all())
    first_items = {i["material"] for n in earlier[:1] for i in n.items}
    adds = bool(earlier) and any(p["material"] not in first_items for p in problems)
    notice = Notice.objects.create(
        case=case,
        number=next_number(case.unit, Sequence.Kind.NOTICE, now),
        issued_at=now,
        issued_by=staff,
        items=problems,
        law_deadline=law_deadline,
        within_law=now <= law_deadline,
        adds_items=adds,
    )
    case.status = Status.AWAITING_MATERIALS
    case.notices_given += 1
    deemed = not notice.within_law and case.deemed_accepted_at is None
    if deemed:
        # R-LAW-1 (art. 32): a notice later than its limit makes the application count as
        # accepted from the day the materials were received; the law's clock starts there
        case.deemed_accepted_at = case.received_at
    case.save()
    event(
        case,
        staff,
        CaseEvent.Kind.NOTICE,
        _("One-time notice %(n)s: %(count)s materials to bring")
        % {"n": notice.number, "count": len(problems)},
        now,
        notice=notice.number,
    )
    if deemed:
        event(
            case,
            staff,
            CaseEvent.Kind.DEEMED_ACCEPTED,
            _(
                "The one-time notice came after its limit (%(d)s): the application counts as "
                "accepted from receipt"
            )
            % {"d": timezone.localtime(law_deadline).strftime("%Y-%m-%d %H:%M")},
            now,
            notice=notice.number,
        )
    if adds:
        event(
            case,
            staff,
            CaseEvent.Kind.NOTICE_NOT_ONE_TIME,
            _("The notice asks for materials the first notice did not name"),
            now,
        )
        notify(
            recipients=who_must_hear(case.unit),
            kind=Notification.Kind.NOTICE_NOT_ONE_TIME,
            text=_("Case %(c)s: a later notice named new materials") % {"c": case.number},
            link=case.get_absolute_url(),
            case=case,
        )
    return notice


def _accept(case, staff, now):
    cal = worktime.calendar()
    hours = worktime.hours_for(case.unit, now.date())
    matter = case.matter
    clock = SlaClock(cal, matter.promised_limit, hours=hours).start(now)
    case.status = Status.IN_PROGRESS
    case.accepted_at = now
    law = matter.law_limit()
    # the law as it stood at acceptance runs with the promise, whatever the catalogue says later
    law_start = case.deemed_accepted_at or now
    case.clock = {
        **clock.to_dict(),
        "law": [law.n, law.unit] if law else None,
        "law_start": law_start.isoformat(),
        "licensing": matter.licensing,
    }
    due = _set_due(case, now)
    case.save()
    steps = [CaseStep(case=case, step=s, order=s.order) for s in matter.steps.order_by("order")]
    CaseStep.objects.bulk_create(steps)
    event(
        case,
        staff,
        CaseEvent.Kind.ACCEPTED,
        _("Accepted; due %(d)s") % {"d": timezone.localtime(due.at).strftime("%Y-%m-%d %H:%M")},
        now,
    )
    first = case.steps.order_by("order").first()
    if first:
        _start_step(first, now)


def _store_clock(case, clock):
    """Keep the case's clock, and the law's limit, start, extension, decision and certificate
    clock stored beside it."""
    kept = {k: case.clock[k] for k in LAW_KEYS if k in case.clock}
    case.clock = {**clock.to_dict(), **kept}


LAW_KEYS = ("law", "law_start", "licensing", "extension", "decided_at", "certificate")


class CaseClocks(NamedTuple):
    promise: SlaClock
    law: SlaClock | None  # stopped at the decision; an extension continues it
    certificate: SlaClock | None  # a licence's: from the decision to the certificate


class CaseStatuses(NamedTuple):
    binding: ClockStatus
    promise: ClockStatus
    law: ClockStatus | None
    certificate: ClockStatus | None


def case_clocks(case, now=None) -> CaseClocks:
    """The promise's clock and the law's: one start, one stop, the same pauses (R-TIME-2:
    waiting is not counted against either); for a licence, the certificate's from the
    decision. A case stored before the law's limit was kept beside its clock runs the
    matter's statutory limit. An extended law's clock is read as of `now` (a pause still open
    keeps moving where the extension starts)."""
    promise = worktime.load_clock(case.clock, unit=case.unit)
    certificate = None
    if case.clock.get("certificate"):
        certificate = worktime.load_clock(case.clock["certificate"], unit=case.unit)
    if "law" in case.clock:
        limit = TimeLimit(*case.clock["law"]) if case.clock["law"] else None
    else:
        limit = case.matter.law_limit()
    extension = case.clock.get("extension")
    if limit is None:
        return CaseClocks(promise, None, certificate)
    # the law's own warning: the default for its unit, not the promise's
    same = {**promise.to_dict(), "limit": [limit.n, limit.unit], "warn_before": None}
    law = SlaClock.from_dict({**same, "warn_ratio": None}, promise.calendar, promise.hours)
    if case.clock.get("law_start"):  # earlier than acceptance when counted from receipt
        law.started_at = law.calendar.localize(dt.datetime.fromisoformat(case.clock["law_start"]))
    if case.clock.get("decided_at"):  # the decision ends the law's clock (art. 42)
        decided = law.calendar.localize(dt.datetime.fromisoformat(case.clock["decided_at"]))
        law.stopped_at = decided
        law.pauses = [p for p in law.pauses if p.start < decided]
    if extension:  # the head's approval moves the promise with the law (art. 42)
        now = now or timezone.now()
        promise = promise.extended(TimeLimit(*extension), now)
        law = law.extended(TimeLimit(*extension), now)
    return CaseClocks(promise, law, certificate)


def case_statuses(case, now) -> CaseStatuses:
    """What decides at `now`, and each clock's own status."""
    # R-LAW-1: the promise, the law (and a licence's certificate) all run, and the law always
    # wins: the worst of them decides, and between equals the one due first
    clocks = case_clocks(case, now)
    promise = clocks.promise.status(now)
    law = clocks.law.status(now) if clocks.law is not None else None
    cert = clocks.certificate.status(now) if clocks.certificate is not None else None
    return CaseStatuses(binding([s for s in (promise, law, cert) if s]), promise, law, cert)


def case_status(case, now) -> ClockStatus:
    """Where the case stands at `now`: overdue, due soon, finished in time, by every limit."""
    return case_statuses(case, now).binding


def _set_due(case, now):
    """The case's due time: the earliest of the clocks still running (a promise cannot outlast
    the law, whatever the calendar did: R-CAT-1), the law's kept; returns the one that
    decides."""
    clocks = case_clocks(case, now)
    due = clocks.promise.due(now)
    if clocks.law is not None:
        law_due = clocks.law.due(now)
        case.statutory_due_at = law_due.at
        if clocks.law.stopped_at is None:
            due = min(due, law_due, key=lambda d: d.at)
    if clocks.certificate is not None and clocks.certificate.stopped_at is None:
        due = min(due, clocks.certificate.due(now), key=lambda d: d.at)
    case.due_at, case.due_estimated = due.at, due.estimated
    return due


# ---- steps --------------------------------------------------------------------------


def _step_clock(case_step):
    return worktime.load_clock(case_step.clock, unit=case_step.case.unit)


def _start_step(case_step, now):
    cal = worktime.calendar()
    clock = SlaClock(
        cal, case_step.step.time_limit, hours=worktime.hours_for(case_step.case.unit, now.date())
    ).start(now)
    case_step.state = CaseStep.State.RUNNING
    case_step.started_at = now
    case_step.clock = clock.to_dict()
    case_step.due_at = clock.due(now).at
    case_step.save()
    event(
        case_step.case,
        None,
        CaseEvent.Kind.STEP_STARTED,
        _("Step %(n)s started: %(name)s") % {"n": case_step.order, "name": case_step.step.name},
        now,
    )


def current_step(case):
    return case.steps.exclude(state=CaseStep.State.DONE).order_by("order").first()


def _check_handler(actor, staff, case, case_step):
    """Whoever works on a step (complete, pause, resume): staff of the case's unit whose role
    is the step's or above it; an auxiliary only on an auxiliary's step (R-ORG-4)."""
    require(actor, Action.VIEW_REGISTRY, unit=case.unit)
    role = case_step.step.role
    if staff.unit_id != case.unit_id:
        raise Forbidden(
            _("Only staff of %(u)s work on its steps.") % {"u": case.unit.name}, rule="R-ORG-4"
        )
    if role in RANK and staff.role in RANK:
        if RANK[staff.role] < RANK[role]:
            raise Forbidden(
                _("This step is for a %(role)s.") % {"role": Role(role).label}, rule="R-ORG-4"
            )
    elif staff.role != role:
        raise Forbidden(_("This step is for a %(role)s.") % {"role": Role(role).label})


def _check_performer(actor, staff, case, case_step):
    _check_handler(actor, staff, case, case_step)
    if not case.matter.separation_of_duties:
        return
    # R-CASE-3: nobody performs two steps of one case; accepting it counts as the first step.
    done_by = case.steps.filter(performer=staff).exclude(pk=case_step.pk).first()
    if done_by is None and case.concluded_by_id == staff.pk and case_step.order > 1:
        done_by = case.steps.filter(order=1).first()
    if done_by is not None:
        raise Forbidden(
            _(
                "%(name)s already performed step %(n)s of this case; another colleague must "
                "perform this one."
            )
            % {"name": staff.name, "n": done_by.order},
            rule="R-CASE-3",
        )


@transaction.atomic
def complete_step(*, actor: Actor, case_step: CaseStep, note: str = "", now=None) -> CaseStep:
    """Finish the current step; the next starts, or the case completes (R-CASE-3: in order)."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case_step.case_id)
    case_step = CaseStep.objects.select_related("step").get(pk=case_step.pk)
    staff = _staff(actor)
    require_certified(staff)
    if case.status != Status.IN_PROGRESS:
        raise ServiceError(_("This case is not in progress."))
    current = current_step(case)
    if current is None or current.pk != case_step.pk:
        raise ServiceError(
            _("Steps go in order: finish step %(n)s first.")
            % {"n": current.order if current else "—"},
            rule="R-CASE-3",
        )
    if case_step.state == CaseStep.State.PAUSED:
        raise ServiceError(_("The step is paused: resume it first."))
    _check_performer(actor, staff, case, case_step)
    last = not case.steps.filter(order__gt=case_step.order).exists()
    if last:  # the last step issues the certificate or result (R-ORG-4)
        require(actor, Action.ISSUE_CERTIFICATE, unit=case.unit)
        if case.referrals.filter(completed_at__isnull=True).exists():
            raise ServiceError(
                _("A hand-off of this case is still open: it is completed first."), rule="R-CASE-2"
            )
        fees.require_settled(case)
    clock = _step_clock(case_step).stop(now)
    case_step.clock = clock.to_dict()
    case_step.state = CaseStep.State.DONE
    case_step.performer = staff
    case_step.finished_at = now
    case_step.note = note.strip()[:200]
    status = clock.status(now)
    case_step.due_state = DueState.OVERDUE if status.state == ClockState.BREACHED else DueState.OK
    case_step.save()
    event(
        case,
        staff,
        CaseEvent.Kind.STEP_DONE,
        _("Step %(n)s done by %(name)s: %(step)s")
        % {"n": case_step.order, "name": staff.name, "step": case_step.step.name},
        now,
        on_time=status.state == ClockState.MET,
    )
    if licensing_of(case) and "decided_at" not in case.clock and (case_step.step.decides or last):
        _decide(case, staff, now, certificate_follows=not last)
    nxt = current_step(case)
    if nxt is not None:
        _start_step(nxt, now)
        return case_step
    _store_clock(case, worktime.load_clock(case.clock, unit=case.unit).stop(now))
    if case.clock.get("certificate"):
        certificate = worktime.load_clock(case.clock["certificate"], unit=case.unit)
        case.clock["certificate"] = certificate.stop(now).to_dict()
    case.status = Status.COMPLETED
    case.finished_at = now
    case.on_time = case_status(case, now).state == ClockState.MET
    case.due_state = DueState.OK if case.on_time else DueState.OVERDUE
    case.save()
    event(
        case,
        staff,
        CaseEvent.Kind.COMPLETED,
        _("Completed in time") if case.on_time else _("Completed late"),
        now,
    )
    return case_step


def licensing_of(case) -> str:
    """The case's licence kind as it stood at acceptance ("" for no licence)."""
    return case.clock.get("licensing", case.matter.licensing)


def _decide(case, staff, now, *, certificate_follows):
    """A licence's decision: the law's decision clock stops; the certificate's own clock
    starts (R-LAW-1: 行政许可法 第四十四条, issued within 10 working days of the decision)."""
    case.clock["decided_at"] = now.isoformat()
    text = _("Decision made")
    if certificate_follows:
        limit = worktime.policy(CERTIFICATE_POLICY)
        certificate = SlaClock(
            worktime.calendar(),
            limit.time_limit,
            hours=worktime.hours_for(case.unit, now.date()),
            **limit.clock_options(),
        ).start(now)
        case.clock["certificate"] = certificate.to_dict()
        due = certificate.due(now)
        text = _("Decision made; the certificate is issued by %(d)s") % {
            "d": timezone.localtime(due.at).strftime("%Y-%m-%d %H:%M")
        }
    _set_due(case, now)
    case.save()
    event(case, staff, CaseEvent.Kind.DECIDED, text, now)


def extension_policy(kind):
    """The one extension of a licence's decision limit (行政许可法 第四十二条)."""
    return worktime.policy(LICENCE_POLICIES[kind][1])


@transaction.atomic
def extend_decision(*, actor: Actor, case: Case, reason: str, now=None) -> Case:
    """The head of the office extends a licence's decision limit, once, before it ends, and
    the applicant is told why (R-LAW-1: 行政许可法 第四十二条, 20 + 10 working days; handled
    jointly 45 + 15). The promise moves by as much: the applicant is told one new date, and
    the case and the ledger say it was extended."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().select_related("unit", "matter").get(pk=case.pk)
    staff = _staff(actor)
    require(actor, Action.APPROVE_EXTENSION, unit=case.unit)
    kind = licensing_of(case)
    if case.status != Status.IN_PROGRESS:
        raise ServiceError(_("Only a case in progress can have its limit extended."))
    if not kind or not case.clock.get("law"):
        raise ServiceError(
            _("Only an administrative licence's decision limit can be extended."),
            rule="R-LAW-1",
        )
    if "decided_at" in case.clock:
        raise ServiceError(
            _("The decision is made: its limit can no longer be extended."), rule="R-LAW-1"
        )
    if "extension" in case.clock:
        raise ServiceError(
            _("The decision limit was extended once already: the law allows one extension."),
            rule="R-LAW-1",
        )
    law_due = case_clocks(case, now).law.due(now)
    if now > law_due.at:
        raise ServiceError(
            _("The decision limit ended on %(d)s: an extension is approved before it ends.")
            % {"d": timezone.localtime(law_due.at).strftime("%Y-%m-%d %H:%M")},
            rule="R-LAW-1",
        )
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            {"reason": [_("Write the reason the applicant will be told.")]}, rule="R-LAW-1"
        )
    if len(reason) > 200:
        raise InvalidInput({"reason": [_("Keep the reason under 200 characters.")]})
    extension = extension_policy(kind)
    case.clock["extension"] = [extension.n, extension.unit]
    before = law_due.at
    _set_due(case, now)
    case.save()
    event(
        case,
        staff,
        CaseEvent.Kind.EXTENDED,
        _(
            "%(name)s approved extending the decision limit by %(len)s, from %(old)s to "
            "%(new)s: %(reason)s"
        )
        % {
            "name": staff.name,
            "len": extension.length,
            "old": timezone.localtime(before).strftime("%Y-%m-%d %H:%M"),
            "new": timezone.localtime(case.statutory_due_at).strftime("%Y-%m-%d %H:%M"),
            "reason": reason,
        },
        now,
        reason=reason,
        old=before.isoformat(),
        new=case.statutory_due_at.isoformat(),
        approved_by=staff.pk,
    )
    if case.owner_id and case.owner_id != staff.pk:
        notify(
            recipients=[case.owner.user],
            kind=Notification.Kind.LIMIT_EXTENDED,
            text=_("Case %(c)s: the decision limit is extended to %(d)s")
            % {
                "c": case.number,
                "d": timezone.localtime(case.statutory_due_at).strftime("%Y-%m-%d"),
            },
            link=case.get_absolute_url(),
            case=case,
        )
    return case


@transaction.atomic
def pause_step(*, actor: Actor, case_step: CaseStep, reason: str, now=None):
    """Stop the clock with a reason, e.g. waiting for an out-of-county letter (R-TIME-2)."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case_step.case_id)
    case_step = CaseStep.objects.select_related("step").get(pk=case_step.pk)
    staff = _staff(actor)
    _check_handler(actor, staff, case, case_step)
    if not case_step.step.pausable:
        raise ServiceError(_("This step's time limit cannot be paused."), rule="R-TIME-2")
    if case_step.state != CaseStep.State.RUNNING:
        raise ServiceError(_("Only a running step can be paused."))
    if not (reason or "").strip():
        raise InvalidInput({"reason": [_("Say why the clock stops.")]}, rule="R-TIME-2")
    clock = _step_clock(case_step).pause(now, reason)
    case_step.clock, case_step.state = clock.to_dict(), CaseStep.State.PAUSED
    case_step.save()
    _store_clock(case, worktime.load_clock(case.clock, unit=case.unit).pause(now, reason))
    case.save()
    event(case, staff, CaseEvent.Kind.PAUSED, _("Clock paused: %(r)s") % {"r": reason.strip()}, now)


@transaction.atomic
def resume_step(*, actor: Actor, case_step: CaseStep, now=None):
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case_step.case_id)
    case_step = CaseStep.objects.select_related("step").get(pk=case_step.pk)
    staff = _staff(actor)
    _check_handler(actor, staff, case, case_step)
    if case_step.state != CaseStep.State.PAUSED:
        raise ServiceError(_("The step is not paused."))
    clock = _step_clock(case_step).resume(now)
    case_step.clock, case_step.state = clock.to_dict(), CaseStep.State.RUNNING
    case_step.due_at = clock.due(now).at
    case_step.save()
    _store_clock(case, worktime.load_clock(case.clock, unit=case.unit).resume(now))
    due = _set_due(case, now)
    case.save()
    event(
        case,
        staff,
        CaseEvent.Kind.RESUMED,
        _("Clock resumed; the case is now due %(d)s")
        % {"d": timezone.localtime(due.at).strftime("%Y-%m-%d %H:%M")},
        now,
    )


# ---- referral -----------------------------------------------------------------------


@transaction.atomic
def refer(
    *, actor: Actor, case: Case, task: str, to_staff=None, to_window=None, to_unit=None, now=None
):
    """Hand a case to a colleague, window or unit: two receipts, open until acknowledged and
    completed; the first-contact owner keeps it until then (R-CASE-2)."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    staff = _staff(actor)
    leader_here = staff.role == Role.UNIT_LEADER and staff.unit_id == case.unit_id
    if staff.pk != case.owner_id and not leader_here:
        raise Forbidden(
            _("Only the case's owner (or the unit leader) hands it over."), rule="R-CASE-2"
        )
    targets = [t for t in (to_staff, to_window, to_unit) if t is not None]
    if len(targets) != 1:
        raise InvalidInput({"to": [_("Hand it to one person, one window or one unit.")]})
    if to_staff is not None and to_staff.pk == staff.pk:
        raise InvalidInput({"to": [_("Hand it to someone else.")]})
    if to_staff is not None and not _may_receive(to_staff):
        raise InvalidInput(
            {
                "to": [
                    _("%(name)s cannot take over a case (an auxiliary or not in service).")
                    % {"name": to_staff.name}
                ]
            },
            rule="R-ORG-4",
        )
    if not (task or "").strip():
        raise InvalidInput({"task": [_("Say what the receiver is to do.")]})
    if not case.open:
        raise ServiceError(_("A finished case is not handed over."))
    receivers = _receivers(Referral(to_staff=to_staff, to_window=to_window, to_unit=to_unit))
    if not receivers:  # R-CASE-2: a hand-off nobody can acknowledge would stay open for ever
        where = to_window or to_unit
        raise InvalidInput(
            {
                "to": [
                    _(
                        "Nobody at %(to)s can receive a hand-off (no certified staff member in "
                        "service there): choose a person, or another window or unit."
                    )
                    % {"to": where.name if to_unit is not None else str(where)}
                ]
            },
            rule="R-CASE-2",
        )
    referral = Referral.objects.create(
        case=case,
        slip_number=next_number(case.unit, Sequence.Kind.SLIP, now),
        handoff_number=next_number(case.unit, Sequence.Kind.HANDOFF, now),
        from_staff=staff,
        to_staff=to_staff,
        to_window=to_window,
        to_unit=to_unit,
        task=task.strip(),
        created_at=now,
    )
    event(
        case,
        staff,
        CaseEvent.Kind.REFERRED,
        _("Handed to %(to)s: %(task)s") % {"to": referral.receiver_label, "task": referral.task},
        now,
        slip=referral.slip_number,
        handoff=referral.handoff_number,
    )
    notify(
        recipients=[s.user for s in receivers],
        kind=Notification.Kind.REFERRED,
        text=_("Case %(c)s is handed to you: %(task)s") % {"c": case.number, "task": referral.task},
        link=case.get_absolute_url(),
        case=case,
    )
    return referral


def _may_receive(staff):
    """Who may take a case over: an active, certified member of staff who is not an auxiliary
    (R-ORG-4: an auxiliary may not accept a registration)."""
    return staff.active and staff.role != Role.AUXILIARY and staff.certified


def _receivers(referral):
    if referral.to_staff is not None:
        candidates = [referral.to_staff]
    elif referral.to_window is not None:
        candidates = list(referral.to_window.staff.filter(active=True))
    else:
        candidates = list(
            referral.to_unit.staff.filter(active=True, role__in=[Role.UNIT_LEADER, Role.DUTY_LEAD])
        )
    return [s for s in candidates if _may_receive(s)]


def _is_receiver(staff, referral):
    if not _may_receive(staff):
        return False
    if referral.to_staff_id is not None:
        return staff.pk == referral.to_staff_id
    if referral.to_window_id is not None:
        return staff.window_id == referral.to_window_id
    return staff.unit_id == referral.to_unit_id and staff.role in (Role.UNIT_LEADER, Role.DUTY_LEAD)


def can_read_case(actor: Actor, case: Case) -> bool:
    """Staff in the case's scope, its owner, and whoever a hand-off of it is addressed to."""
    if actor.can(Action.VIEW_REGISTRY, unit=case.unit):
        return True
    staff = actor.staff
    if staff is None:
        return False
    if case.owner_id == staff.pk:
        return True
    return any(_is_receiver(staff, r) for r in case.referrals.all())


@transaction.atomic
def acknowledge(*, actor: Actor, referral: Referral, now=None):
    now = now or timezone.now()
    referral = Referral.objects.select_for_update().select_related("case").get(pk=referral.pk)
    staff = _staff(actor)
    if not _is_receiver(staff, referral):
        raise Forbidden(_("Only the receiver acknowledges a hand-off."), rule="R-CASE-2")
    if referral.acknowledged_at:
        raise ServiceError(_("Already acknowledged."))
    if referral.completed_at or not referral.case.open:
        raise ServiceError(_("The case is finished; there is nothing to take over."))
    referral.acknowledged_at, referral.acknowledged_by = now, staff
    referral.save()
    case = referral.case
    case.owner = staff  # the hand-off is complete: the receiver owns the case now
    case.save(update_fields=["owner"])
    event(
        case,
        staff,
        CaseEvent.Kind.ACKNOWLEDGED,
        _("%(name)s acknowledged the hand-off %(n)s")
        % {"name": staff.name, "n": referral.handoff_number},
        now,
    )
    return referral


@transaction.atomic
def complete_referral(*, actor: Actor, referral: Referral, note: str = "", now=None):
    now = now or timezone.now()
    referral = Referral.objects.select_for_update().select_related("case").get(pk=referral.pk)
    staff = _staff(actor)
    if not referral.acknowledged_at:
        raise ServiceError(_("Acknowledge the hand-off before completing it."), rule="R-CASE-2")
    if staff.pk != referral.acknowledged_by_id:
        raise Forbidden(_("Only the colleague who acknowledged it completes it."), rule="R-CASE-2")
    if referral.completed_at:
        raise ServiceError(_("Already completed."))
    referral.completed_at = now
    referral.save()
    event(
        referral.case,
        staff,
        CaseEvent.Kind.REFERRAL_DONE,
        _("Hand-off %(n)s completed %(note)s")
        % {"n": referral.handoff_number, "note": note.strip()},
        now,
    )
    notify(
        recipients=[referral.from_staff.user],
        kind=Notification.Kind.REFERRAL_DONE,
        text=_("Your hand-off %(n)s is completed") % {"n": referral.handoff_number},
        link=referral.case.get_absolute_url(),
        case=referral.case,
    )
    return referral


def find_case(number: str, *, every_query=False):
    """The case behind a case, notice, refusal or receipt number (case-insensitive). With
    every_query, all three look-ups run whatever the first finds, so that the time of an
    answer tells nobody whether the number exists (the public look-up)."""
    number = (number or "").strip().upper()
    if not number:
        return None
    case = Case.objects.filter(Q(number=number) | Q(rejection_number=number)).first()
    if case is None or every_query:
        notice = Notice.objects.filter(number=number).select_related("case").first()
        case = case or (notice.case if notice else None)
    if case is None or every_query:
        referral = (
            Referral.objects.filter(Q(slip_number=number) | Q(handoff_number=number))
            .select_related("case")
            .first()
        )
        case = case or (referral.case if referral else None)
    return case


def normalize_secret(secret: str) -> str:
    """What a citizen typed as the check code or the ID number's last four: letters and digits
    only, upper case (a lower-case x is the X of a resident ID)."""
    return re.sub(r"[^0-9A-Z]", "", (secret or "").upper())[:40]


_NO_CASE_CODE = CHECK_CODE_ALPHABET[:CHECK_CODE_LENGTH]  # compared against when no case is found


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def find_case_for_applicant(number: str, secret: str):
    """The case behind a number, for the public status page and API, only if `secret` is its
    check code or the last four characters of the applicant's ID number; otherwise None,
    whether the number exists or not, so that a wrong pair tells nothing about the number
    (issue 12: numbers run in order, anyone can guess one). Constant-time comparisons."""
    given = normalize_secret(secret)
    case = find_case(number, every_query=True) if given else None
    code = case.check_code if case else _NO_CASE_CODE
    tail = normalize_secret(case.id_number)[-4:] if case else _NO_CASE_CODE[:4]
    by_code = _same(given, code)
    by_id = _same(given, tail) and len(given) == 4 and len(tail) == 4
    return case if case is not None and (by_code or by_id) else None


# ---- the rating link of a concluded case (一事一评, decision 0028) --------------------------

RATING_LINK_SALT = "servicehall.case-rating-link"


def concluded(case: Case) -> bool:
    """Whether the matter is over for the citizen (models.CONCLUDED): a concluded case may be
    rated once; an open one not yet."""
    return case.status in CONCLUDED


def rating_token(case: Case) -> str:
    """The unguessable part of a case's rating link, printed with its QR code on the receipt
    and the refusal notice: signed, so nobody reaches another citizen's rating by counting
    case ids. The same token on every reprint; the feedback app reads it (case_for_rating)
    and decides whether the case may still be rated."""
    from django.core import signing

    return signing.Signer(salt=RATING_LINK_SALT).sign_object(case.pk)


def case_for_rating(token: str) -> Case | None:
    """The case a rating token names, or None when the token is not one of ours."""
    from django.core import signing

    try:
        pk = signing.Signer(salt=RATING_LINK_SALT).unsign_object(token or "")
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(pk, int) or isinstance(pk, bool):
        return None
    return (
        Case.objects.select_related("unit", "matter", "window", "received_by").filter(pk=pk).first()
    )


# ---- deadlines (background job) -----------------------------------------------------


def check_deadlines(now=None) -> dict:
    """Mark open cases and their running steps due soon or overdue; tell the owner and the unit
    leaders once per change. Run every few minutes (servicehall check_deadlines)."""
    now = now or timezone.now()
    counts = {DueState.WARNING: 0, DueState.OVERDUE: 0}
    open_ids = list(Case.objects.filter(status=Status.IN_PROGRESS).values_list("pk", flat=True))
    for pk in open_ids:
        with transaction.atomic():
            # Locked and re-read: a case finished a moment ago is left alone.
            case = (
                Case.objects.select_for_update(of=("self",))
                .select_related("unit", "owner__user")
                .filter(pk=pk, status=Status.IN_PROGRESS)
                .first()
            )
            if case is None:
                continue
            state = _due_state(case_status(case, now).state)
            changed = state != case.due_state
            steps_changed = []
            running = [CaseStep.State.RUNNING, CaseStep.State.PAUSED]
            for step in case.steps.filter(state__in=running).select_related("step"):
                s_state = _due_state(_step_clock(step).status(now).state)
                if s_state != step.due_state:
                    step.due_state = s_state
                    step.save(update_fields=["due_state"])
                    steps_changed.append((step, s_state))
            if changed:
                case.due_state = state
                case.save(update_fields=["due_state"])
            for item, item_state in ([(None, state)] if changed else []) + steps_changed:
                if item_state == DueState.OK:
                    continue
                counts[item_state] += 1
                what = (
                    case.number
                    if item is None
                    else _("step %(n)s of %(c)s") % {"n": item.order, "c": case.number}
                )
                text = (
                    _("%(what)s is due soon")
                    if item_state == DueState.WARNING
                    else _("%(what)s is overdue")
                ) % {"what": what}
                event(case, None, DUE_EVENT[item_state], text, now)
                notify(
                    recipients=[case.owner.user, *who_must_hear(case.unit)],
                    kind=DUE_KIND[item_state],
                    text=text,
                    link=case.get_absolute_url(),
                    case=case,
                )
    return counts


def redate(*, years, now) -> int:
    """R-LAW-4: the calendar of `years` changed (a State Council notice loaded, an admin
    day): every open case and running step whose due time depends on those years is
    recomputed; a case whose due time moved or became exact says so in its timeline, old and
    new time in the event. Returns how many cases changed."""
    since = worktime.moved_since(years)
    running = [CaseStep.State.RUNNING, CaseStep.State.PAUSED]
    candidates = (
        Case.objects.filter(status=Status.IN_PROGRESS)
        .filter(Q(due_at__gte=since) | Q(statutory_due_at__gte=since))
        .values_list("pk", flat=True)
    )
    moved = 0
    for pk in list(candidates):
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(of=("self",))
                .select_related("unit", "matter")
                .filter(pk=pk, status=Status.IN_PROGRESS)
                .first()
            )
            if case is None:
                continue
            before = (case.due_at, case.statutory_due_at, case.due_estimated)
            _set_due(case, now)
            for step in case.steps.filter(state__in=running, due_at__gte=since):
                due = _step_clock(step).due(now).at
                if due != step.due_at:
                    step.due_at = due
                    step.save(update_fields=["due_at"])
            if (case.due_at, case.statutory_due_at, case.due_estimated) == before:
                continue
            case.save(update_fields=["due_at", "statutory_due_at", "due_estimated"])
            when = {
                "old": timezone.localtime(before[0]).strftime("%Y-%m-%d %H:%M"),
                "new": timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M"),
            }
            if case.due_at != before[0]:
                text = _("The holiday calendar changed: due %(new)s, no longer %(old)s") % when
            else:
                text = _("The holiday calendar is published: due %(new)s, no longer estimated")
                text %= when
            if case.due_estimated:
                text += _(" (still an estimate)")
            event(
                case,
                None,
                CaseEvent.Kind.DUE_MOVED,
                text,
                now,
                old=timezone.localtime(before[0]).isoformat(),
                new=timezone.localtime(case.due_at).isoformat(),
                estimated_before=before[2],
                estimated=case.due_estimated,
                years=sorted(years),
            )
            moved += 1
    return moved


def _due_state(clock_state):
    return {
        ClockState.WARNING: DueState.WARNING,
        ClockState.OVERDUE: DueState.OVERDUE,
        ClockState.BREACHED: DueState.OVERDUE,
    }.get(clock_state, DueState.OK)


def mirror_intake(*, actor: Actor, window, form: dict):
    """Show the citizen what the window is entering for them. Masked here, whatever the
    console sends: the screen faces the hall, where others wait."""
    from servicehall.catalog.models import Matter
    from servicehall.core.masking import mask_id, mask_name, mask_phone
    from servicehall.queueing import services as queueing

    queueing.require_serving(actor, window)
    matter_id = str(form.get("matter") or "")
    matter = (
        Matter.objects.filter(pk=matter_id, unit=window.unit).first()
        if matter_id.isdigit()
        else None
    )
    if matter is None:
        raise InvalidInput({"matter": [_("This matter is not served by this unit.")]})
    states = dict(MaterialCheck.State.choices)
    name = str(form.get("applicant_name") or "").strip()[:50]
    outcome = str(form.get("outcome") or "")
    data = {
        "matter": matter.name,
        "applicant": mask_name(name),
        "id_number": mask_id(str(form.get("id_number") or "")[:30]),
        "phone": mask_phone(str(form.get("phone") or "")[:20]),
        "materials": [
            {
                "name": m.name,
                "state": str(form.get(f"m{m.pk}") or ""),
                "label": str(states.get(form.get(f"m{m.pk}"), "")),
                "note": str(form.get(f"n{m.pk}") or "")[:200],
            }
            for m in matter.materials.all()
        ],
        "outcome": str(dict(Outcome.choices).get(outcome, "")),
    }
    return queueing.show_on_screen(actor=actor, window=window, data=data)
