"""Hotline calls (R-FB-5, R-LAW-3, R-TIME-4): ring, answer, record, close, and the figures.

A CTI system posts `ring` and `answer` (and `hang_up`) so the times are exact; the seat's
operator does the same with two buttons that stamp the server's time. `record` and `close`
take what was said: the greeting checklist, the kind of call, the seven elements (七何), the
callback number and the outcome. A complaint call registers a complaint with the hotline as its
channel in the same transaction, which starts its three-working-day answer clock (R-TIME-4).

Every step is one transaction; a refused step changes nothing.
"""

import datetime as dt
import re

from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from servicehall.core import figures as figures_
from servicehall.core.errors import InvalidInput, ServiceError
from servicehall.org.choices import WindowKind
from servicehall.org.permissions import MATRIX, Action, Actor, require

from .models import (
    ANSWER_WITHIN,
    CHECKLIST,
    CONNECTION_RATE_TARGET,
    NEEDS_ELEMENTS,
    REPEAT_WINDOW,
    REQUIRED_FIELDS,
    HotlineCall,
    Kind,
    Outcome,
    missing_labels,
    missing_of,
)

# A CTI system's clock may run a little ahead of ours; beyond this a time "in the future" is
# a mistake.
CLOCK_SKEW = dt.timedelta(seconds=30)
_PHONE = re.compile(r"^\+?\d{3,20}$")
_DEPT_PHONE = re.compile(r"^\+?[\d\- ]{3,30}$")

# What `record` takes (all optional but `kind`) and how long each may be.
TEXT_FIELDS = {
    "when": 200,
    "where": 200,
    "what": 500,
    "who": 200,
    "why": 200,
    "items": 200,
    "consequence": 200,
    "callback_number": 20,
    "referred_to": 100,
    "referred_phone": 30,
    "note": 2000,
    "missing_reason": 300,
}
CHECK_FIELDS = [name for name, _label in CHECKLIST]
# For a complaint call: what R-FB-3 asks of the complainant ("请留下你的姓名、住址、工作单位及
# 联系电话") and what happened; stored on the complaint, not on the call.
COMPLAINT_FIELDS = {
    "complainant_name": 50,
    "complainant_address": 200,
    "complainant_workplace": 100,
    "complainant_phone": 20,
    "complaint_text": 4000,
    "complaint_category": 12,
    # whom it is about: a hotline takes complaints about every unit of the city
    "complaint_unit": 40,
    "complaint_window": 4,
    "complaint_badge": 20,
}

# The operator's script (110窗口优质服务操作规范): what to say, beside the field concerned.
# Spoken Chinese, quoted from the norm; shown as it is in either language of the screen.
SCRIPT_CALM = "请别紧张，慢慢讲清楚"
ELEMENT_PROMPTS = {
    "when": "请问什么时间发生的？",
    "where": "请说出具体的位置。",
    "what": "请说清楚发生了什么事情。",
    "who": "请描述清楚有什么特征。",
    "why": "请问是什么原因引起的？",
    "items": "请描述清楚有什么特征。",
    "consequence": "现在情况怎么样？有没有人受伤？",
    "callback_number": "你现在的具体位置在哪里，如何再次联系你？",
}


def kind_scripts(kind) -> list[str]:
    """The norm's phrases for a kind of call, the promised answer time as the policy says."""
    from servicehall.complaints.services import answer_policy

    lines = KIND_SCRIPTS[kind]
    if not any("{answer}" in line for line in lines):
        return lines
    answer = answer_policy().length.replace(" ", "")
    return [line.replace("{answer}", answer) for line in lines]


KIND_SCRIPTS = {
    Kind.REPORT: ["请别紧张，慢慢讲清楚。"],
    Kind.HELP: ["请不要着急，我们马上派民警来。", "我们马上通知有关部门来处理。"],
    Kind.CONSULTATION: ["热情、简明地答复或引导；不属于公安业务的，告知有关部门的地址和电话。"],
    Kind.COMPLAINT: [
        "请别激动，把事情说清楚。",
        "请留下你的姓名、住址、工作单位及联系电话。",
        "谢谢你对公安工作的监督。",
        "我们一定会在{answer}内给你一个答复。",  # the complaint answer policy's limit
    ],
    Kind.URGING: ["我们已经通知民警来了，我们再催一下。"],
    Kind.HARASSMENT: [
        "语言粗鲁的：请注意语言文明。",
        "故意骚扰的：这里工作繁忙，请不要妨碍我们工作。（激不发怒，然后挂机，切忌纠缠）",
    ],
    Kind.OTHER: [],
}


def greeting(unit) -> str:
    """The greeting a hotline answers with: "你好，开封110" (R-FB-5 "你好，XX110").

    The city comes from the unit's sector authority (开封市公安局 → 开封), the number from the
    unit's service phone when it is a short public number (110, 12345 …); a unit without one
    greets with its name."""
    number = (unit.phone or "").strip()
    if not (number.isdigit() and len(number) <= 6):
        return f"你好，{unit.name}"
    source = unit.authority.name if unit.authority_id else unit.name
    city = re.match(r"^(.{2,4}?)[市县区]", source)
    return f"你好，{city.group(1) if city else ''}{number}"


def normalize_number(value) -> str:
    return re.sub(r"[\s\-()（）]", "", str(value or ""))[:20]


def _moment(at, now, field, errors, *, not_before=None, before_label=""):
    """A time from a CTI or the server: aware, not in the future, not before `not_before`."""
    if at is None:
        at = now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + CLOCK_SKEW:
        errors[field] = [_("The time cannot be in the future.")]
    elif not_before is not None and at < not_before:
        errors[field] = [before_label]
    return at


def _check_seat(seat, unit, errors):
    if seat is None:
        return
    if seat.unit_id != unit.pk:
        errors["seat"] = [_("This seat is not at the unit chosen.")]
    elif seat.kind != WindowKind.HOTLINE:
        errors["seat"] = [_("Choose a hotline seat.")]


def _earlier_call(unit_id, number, rang_at, exclude_pk=None):
    """R-FB-5: the latest call from the same number in the 24 hours before this one."""
    if not number:
        return None
    qs = HotlineCall.objects.filter(
        unit_id=unit_id,
        caller_number=number,
        rang_at__gte=rang_at - REPEAT_WINDOW,
        rang_at__lte=rang_at,
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk).filter(Q(rang_at__lt=rang_at) | Q(pk__lt=exclude_pk))
    return qs.order_by("-rang_at", "-pk").first()


@transaction.atomic
def ring(*, actor: Actor, unit, caller_number="", seat=None, at=None) -> HotlineCall:
    """A call starts ringing at a unit (and seat). An earlier call from the same number within
    24 hours makes it a repeat of that call."""
    require(actor, Action.TAKE_HOTLINE_CALL, unit=unit)
    errors = {}
    number = normalize_number(caller_number)
    if number and not _PHONE.match(number):
        errors["caller_number"] = [_("Enter the caller's number in digits, such as 13812345678.")]
    _check_seat(seat, unit, errors)
    at = _moment(at, timezone.now(), "rang_at", errors)
    if errors:
        raise InvalidInput(errors)
    return HotlineCall.objects.create(
        unit=unit,
        seat=seat,
        caller_number=number,
        rang_at=at,
        repeat_of=_earlier_call(unit.pk, number, at),
    )


def _locked(actor, call):
    require(actor, Action.TAKE_HOTLINE_CALL, unit=call.unit)
    return (
        HotlineCall.objects.select_for_update(of=("self",))
        .select_related("unit", "seat", "taken_by", "complaint")
        .get(pk=call.pk)
    )


def _operator(staff, unit, errors):
    if staff is None:
        errors["taken_by"] = [_("Name the operator who answered the call.")]
    elif staff.unit_id != unit.pk or not staff.active:
        errors["taken_by"] = [_("This operator does not work at the unit of the call.")]
    elif Action.TAKE_HOTLINE_CALL not in MATRIX[staff.role]:
        errors["taken_by"] = [_("This operator's role may not take hotline calls.")]


@transaction.atomic
def answer(*, actor: Actor, call, at=None, seat=None, taken_by=None) -> HotlineCall:
    """The call is answered, by `taken_by` (a CTI names the seat's operator) or the actor."""
    c = _locked(actor, call)
    if c.answered_at is not None:
        raise ServiceError(_("This call has been answered already."))
    if c.ended_at is not None:
        raise ServiceError(_("The caller hung up before the call was answered."))
    errors = {}
    staff = taken_by or actor.staff
    _operator(staff, c.unit, errors)
    _check_seat(seat, c.unit, errors)
    at = _moment(
        at,
        timezone.now(),
        "answered_at",
        errors,
        not_before=c.rang_at,
        before_label=_("A call is answered after it rang."),
    )
    if errors:
        raise InvalidInput(errors)
    posted = staff.window if staff.window_id else None
    if seat is None and c.seat is None and posted is not None:
        # the operator's posted seat, when it is a hotline seat of this unit
        seat = posted if posted.unit_id == c.unit_id and posted.kind == WindowKind.HOTLINE else None
    c.answered_at, c.taken_by = at, staff
    c.seat = seat or c.seat
    c.save()
    return c


@transaction.atomic
def hang_up(*, actor: Actor, call, at=None) -> HotlineCall:
    """The call ends. Unanswered, it is recorded as abandoned: the caller hung up."""
    c = _locked(actor, call)
    if c.ended_at is not None:
        raise ServiceError(_("This call has ended already."))
    errors = {}
    at = _moment(
        at,
        timezone.now(),
        "ended_at",
        errors,
        not_before=c.answered_at or c.rang_at,
        before_label=_("A call ends after it rang and was answered."),
    )
    if errors:
        raise InvalidInput(errors)
    c.ended_at = at
    if c.answered_at is None:
        c.outcome = Outcome.HUNG_UP
    c.save()
    return c


def _text(details, name, limit):
    return str(details.get(name) or "").strip()[:limit]


def _validate(c, d, *, end) -> dict:
    errors = {}
    kind, outcome = d["kind"], d["outcome"]
    if kind not in Kind.values:
        errors["kind"] = [_("Choose the kind of call.")]
    elif c.complaint_id and kind != Kind.COMPLAINT:
        errors["kind"] = [
            _("A complaint was registered from this call: it stays a complaint call.")
        ]
    unknown = outcome and outcome not in Outcome.values
    if unknown or (end and not outcome and kind != Kind.COMPLAINT):
        errors["outcome"] = [_("Choose how the call ended.")]
    elif outcome == Outcome.COMPLAINT and kind in Kind.values and kind != Kind.COMPLAINT:
        errors["outcome"] = [_("Only a complaint call ends with a complaint registered.")]
    elif kind == Kind.COMPLAINT and outcome not in ("", Outcome.COMPLAINT):
        errors["outcome"] = [_("A complaint call ends with the complaint registered.")]
    if outcome == Outcome.REFERRED:
        if not d["referred_to"]:
            errors["referred_to"] = [_("Name the department the caller was referred to.")]
        if not _DEPT_PHONE.match(d["referred_phone"]):
            errors["referred_phone"] = [_("Give the department's phone number told to the caller.")]
    if end and kind in NEEDS_ELEMENTS and not d["missing_reason"]:
        # 七何 complete, or the operator says why not: a report or help call is not closed
        # with what is missing left unexplained
        missing = missing_of(d.get)
        if missing:
            errors["missing_reason"] = [
                _(
                    "Still missing: %(fields)s. Ask the caller, or say here why they cannot be "
                    "had (the caller refused, hung up …)."
                )
                % {"fields": "、".join(str(label) for label in missing_labels(missing))}
            ]
    if d["callback_number"] and not _PHONE.match(d["callback_number"]):
        errors["callback_number"] = [_("Enter the callback number in digits, such as 13812345678.")]
    if d.get("caller_number") and not _PHONE.match(d["caller_number"]):
        errors["caller_number"] = [_("Enter the caller's number in digits, such as 13812345678.")]
    if kind == Kind.COMPLAINT and not c.complaint_id:
        from servicehall.complaints.models import Category

        if len(d["complaint_text"]) < 5:
            errors["complaint_text"] = [_("Write down what the complaint is about.")]
        if not _PHONE.match(d["complainant_phone"]):
            errors["complainant_phone"] = [
                _("Take the complainant's phone number: the answer is due in 3 working days.")
            ]
        if d["complaint_category"] and d["complaint_category"] not in Category.values:
            errors["complaint_category"] = [_("Choose what the complaint is about.")]
    return errors


# complaints.services.file names its fields its own way; the call's form names them so.
_COMPLAINT_ERROR_FIELDS = {
    "description": "complaint_text",
    "phone": "complainant_phone",
    "name": "complainant_name",
    "category": "complaint_category",
    "kind": "kind",
    "unit": "complaint_unit",
    "window_number": "complaint_window",
    "badge_no": "complaint_badge",
}


def _file_complaint(actor, c, d):
    from servicehall.complaints import services as complaints
    from servicehall.complaints.models import Category, Channel, Complaint
    from servicehall.org.models import Unit

    try:
        unit = c.unit
        if d["complaint_unit"]:
            unit = Unit.objects.filter(code=d["complaint_unit"]).first()
            if unit is None:
                raise InvalidInput({"unit": [_("Choose the unit the complaint is about.")]})
        number = d["complaint_window"]
        window, staff = complaints.people(
            unit, int(number) if number.isdigit() else None, d["complaint_badge"]
        )
        return complaints.file(
            actor=actor,
            kind=Complaint.Kind.COMPLAINT,
            channel=Channel.HOTLINE,
            unit=unit,
            window=window,
            staff=staff,
            description=d["complaint_text"],
            category=d["complaint_category"] or Category.OTHER,
            name=d["complainant_name"],
            address=d["complainant_address"],
            workplace=d["complainant_workplace"],
            phone=d["complainant_phone"],
            now=c.answered_at,  # received on the phone: the 3-working-day clock starts then
        )
    except InvalidInput as exc:
        raise InvalidInput(
            {_COMPLAINT_ERROR_FIELDS.get(k, "__all__"): v for k, v in exc.errors.items()},
            rule="R-FB-3",
        ) from None


@transaction.atomic
def record(*, actor: Actor, call, details: dict, end=False, now=None) -> HotlineCall:
    """Save what was said on an answered call. Missing elements of a report or help call do not
    refuse the save: the log shows them (`call.missing`), and the completeness rate counts them.

    `details` holds the model's fields by name (kind, outcome, the seven elements, the greeting
    checklist, callback_number, caller_number to correct a mistyped one, referred_to,
    referred_phone, note) and, for a complaint call, complainant_name, complainant_address,
    complainant_workplace, complainant_phone, complaint_text, complaint_category. A text field
    left out is kept as it was. With `version` (the recorded_at the form was shown with), a
    save over someone else's later save is refused, so that it is not lost unseen."""
    c = _locked(actor, call)
    if c.answered_at is None:
        raise ServiceError(_("This call was not answered: there is nothing to record."))
    shown = details.get("version")
    if shown is not None and shown != (c.recorded_at.isoformat() if c.recorded_at else ""):
        who = c.recorded_by.name if c.recorded_by else "—"
        raise InvalidInput(
            {
                "__all__": [
                    _(
                        "%(who)s saved this call at %(at)s while you were writing: check what "
                        "changed, then save again."
                    )
                    % {"who": who, "at": timezone.localtime(c.recorded_at).strftime("%H:%M:%S")}
                ]
            }
        )
    now = now or timezone.now()
    d = {name: _text(details, name, limit) for name, limit in TEXT_FIELDS.items()}
    for name in TEXT_FIELDS:
        if name not in details:
            d[name] = getattr(c, name)
    d["callback_number"] = normalize_number(d["callback_number"])
    for name in ("kind", "outcome"):
        value = details.get(name) if name in details else getattr(c, name)
        d[name] = str(value or "").strip()
    d["caller_number"] = normalize_number(details.get("caller_number"))
    for name, limit in COMPLAINT_FIELDS.items():
        d[name] = _text(details, name, limit)
    d["complainant_phone"] = normalize_number(d["complainant_phone"])
    errors = _validate(c, d, end=end)
    if errors:
        raise InvalidInput(errors, rule="R-FB-5")
    for name in TEXT_FIELDS:
        setattr(c, name, d[name])
    for name in CHECK_FIELDS:
        if name in details:
            setattr(c, name, bool(details[name]))
    c.kind = d["kind"]
    c.outcome = d["outcome"]
    if d["caller_number"] and d["caller_number"] != c.caller_number:
        c.caller_number = d["caller_number"]
        c.repeat_of = _earlier_call(c.unit_id, c.caller_number, c.rang_at, exclude_pk=c.pk)
    if c.kind == Kind.COMPLAINT:
        if c.complaint_id is None:
            c.complaint = _file_complaint(actor, c, d)
        c.outcome = Outcome.COMPLAINT
    if end and c.ended_at is None:
        c.ended_at = max(now, c.answered_at)
    c.recorded_at, c.recorded_by = now, actor.staff
    c.save()
    return c


def close(*, actor: Actor, call, details: dict, now=None) -> HotlineCall:
    """Record the call and end it: the outcome is required now."""
    return record(actor=actor, call=call, details=details, end=True, now=now)


def day_bounds(first: dt.date, last: dt.date | None = None):
    """[start, end) of local days `first` … `last` as aware datetimes."""
    return figures_.day_bounds(first, last)


def _rate(part, whole):
    return round(part / whole, 4) if whole else None


CALL_KEYS = {"unit_id": "unit_id", "staff_id": "taken_by_id", "day": TruncDate("rang_at")}


def call_counts() -> dict:
    """The hotline's counts as aggregates over calls: the one definition the figures page and
    the daily roll-ups share (decision 0023)."""
    complete = Q(kind__in=NEEDS_ELEMENTS)
    for name in REQUIRED_FIELDS:
        complete &= ~Q(**{name: ""})
    checklist = Q(**{name: True for name in CHECK_FIELDS})
    return {
        "calls": Count("pk"),
        "answered": Count("pk", filter=Q(answered_at__isnull=False)),
        "in_time": Count("pk", filter=Q(answered_at__lte=F("rang_at") + ANSWER_WITHIN)),
        "abandoned": Count("pk", filter=Q(answered_at__isnull=True, ended_at__isnull=False)),
        "needs_elements": Count("pk", filter=Q(kind__in=NEEDS_ELEMENTS)),
        "complete": Count("pk", filter=complete),
        "checklist": Count("pk", filter=Q(answered_at__isnull=False) & checklist),
        "repeats": Count("pk", filter=Q(repeat_of__isnull=False)),
        "complaints": Count("pk", filter=Q(kind=Kind.COMPLAINT)),
    }


def calls(first: dt.date, last: dt.date | None = None, units=None):
    """The calls that rang on local days `first` … `last`."""
    start, end = day_bounds(first, last)
    qs = HotlineCall.objects.filter(rang_at__gte=start, rang_at__lt=end)
    return qs if units is None else qs.filter(unit__in=units)


def call_rows(by, first, last=None, units=None) -> list[dict]:
    """call_counts grouped by `by` (servicehall.core.figures.KEYS; no window: a call is the
    unit's)."""
    return list(
        figures_.grouped(calls(first, last, units), by, CALL_KEYS).annotate(**call_counts())
    )


def figures(unit, first: dt.date, last: dt.date | None = None) -> dict:
    """A unit's hotline figures for local days `first` … `last`, in one query.

    connection_rate = answered / rung (接通率; unanswered calls count, R-LAW-3 asks ≥ 95 %);
    in_time_rate = answered within 15 s / answered (R-FB-5, R-LAW-3); completeness_rate =
    report and help calls with all seven elements and a callback number / such calls."""
    row = calls(first, last, units=[unit]).aggregate(**call_counts())
    row["unanswered"] = row["calls"] - row["answered"]
    row["connection_rate"] = _rate(row["answered"], row["calls"])
    row["in_time_rate"] = _rate(row["in_time"], row["answered"])
    row["completeness_rate"] = _rate(row["complete"], row["needs_elements"])
    row["checklist_rate"] = _rate(row["checklist"], row["answered"])
    row["connection_below_target"] = (
        row["connection_rate"] is not None and row["connection_rate"] < CONNECTION_RATE_TARGET
    )
    row["first"], row["last"] = first, last or first
    return row
