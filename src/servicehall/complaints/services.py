"""Complaints and suggestions (R-FB-2, R-FB-3, R-TIME-4): filed by a citizen or registered by
staff, answered within three working days, a substantiated complaint scored as a violation.

Every step is one transaction; a refused step changes nothing.
"""

import re
import secrets

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from servicehall.core.errors import InvalidInput, ServiceError
from servicehall.notices.models import Notification
from servicehall.notices.services import notify, who_must_hear
from servicehall.org.permissions import Action, Actor, require
from servicehall.violations import services as ledger
from servicehall.violations.models import SourceKind

from .models import DEFAULT_POINTS, Category, Channel, Complaint, Opening

# What a citizen files themselves; the rest is registered by staff of the unit.
PUBLIC_CHANNELS = {Channel.WEB, Channel.OPEN311}
# What reaches the unit in writing, acknowledged within its own limit before the answer
WRITTEN_CHANNELS = {Channel.WEB, Channel.OPEN311, Channel.MAILBOX}
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U: read out over the phone
_PHONE = re.compile(r"^\+?[\d\- ]{5,20}$")
_SPLIT = re.compile(r"[,，、;；\s]+")


def new_code() -> str:
    """A lookup code like TS-7K3Q-X9MD: unguessable, easy to read out."""
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"TS-{body[:4]}-{body[4:]}"


def normalize_code(code: str) -> str:
    body = re.sub(r"[^0-9A-Z]", "", (code or "").upper())
    body = body.removeprefix("TS")
    return f"TS-{body[:4]}-{body[4:]}" if len(body) == 8 else ""


def answer_policy():
    """R-FB-3 R-TIME-4: the answer's time limit (3 working days) as edited in the admin."""
    from servicehall.worktime import services as worktime

    return worktime.policy("complaint-answer")


def due(received_at, unit):
    """When a complaint received then is to be answered (answer_policy). A Due: its
    `estimated` is true when the count reaches into a year whose holidays are not published
    (R-LAW-4), and the pages say so."""
    from servicehall.worktime import services as worktime

    return worktime.deadline(start=received_at, limit=answer_policy(), unit=unit)


def acknowledgement_policy():
    """The acknowledgement's time limit for written channels (24 hours) as edited in the
    admin."""
    from servicehall.worktime import services as worktime

    return worktime.policy("hotline-written-reply")


def ack_due(received_at, unit, channel):
    """When a complaint received by `channel` then is to be acknowledged; None when it came
    by a channel that is not written (the phone, the box, the hotline)."""
    from servicehall.worktime import services as worktime

    if channel not in WRITTEN_CHANNELS:
        return None
    # R-LAW-3: written channels answered (here: acknowledged) within 24 hours
    return worktime.deadline(start=received_at, limit=acknowledgement_policy(), unit=unit).at


def _tell_leaders(complaint, kind, text):
    notify(
        recipients=who_must_hear(complaint.unit),
        kind=kind,
        text=text,
        link=reverse("complaint", args=[complaint.code]),
    )


def _clean(value, limit):
    return (value or "").strip()[:limit]


def _validated(*, kind, channel, unit, window, staff, category, description, phone, email):
    errors = {}
    if kind not in Complaint.Kind.values:
        errors["kind"] = [_("Choose complaint or suggestion.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Choose how it reached us.")]
    if unit is None:
        errors["unit"] = [_("Choose the unit it concerns.")]
    if kind == Complaint.Kind.COMPLAINT and category not in Category.values:
        errors["category"] = [_("Choose what the complaint is about.")]
    if len((description or "").strip()) < 4:
        errors["description"] = [_("Describe what happened in a few words at least.")]
    if phone and not _PHONE.match(phone):
        errors["phone"] = [_("Enter a phone number of digits only, such as 13812345678.")]
    if email and "@" not in email:
        errors["email"] = [_("Enter an email address such as name@example.com.")]
    if unit is not None and window is not None and window.unit_id != unit.pk:
        errors["window"] = [_("This window is not at the unit chosen.")]
    if unit is not None and staff is not None and staff.unit_id != unit.pk:
        errors["staff"] = [_("This staff member does not work at the unit chosen.")]
    if errors:
        raise InvalidInput(errors)


def file(
    *,
    actor: Actor,
    kind,
    channel,
    unit,
    description,
    category="",
    window=None,
    staff=None,
    name="",
    address="",
    workplace="",
    phone="",
    email="",
    opening=None,
    api_client=None,
    lat=None,
    long=None,
    address_string="",
    now=None,
) -> Complaint:
    """Record a complaint or suggestion and start its 3-working-day clock; the unit's leaders
    are told. Citizens file through the web form or Open311; staff register the rest."""
    if channel in PUBLIC_CHANNELS:
        require(actor, Action.FILE_COMPLAINT)
    elif channel == Channel.HOTLINE:
        # a hotline centre takes complaints about every unit of the city
        require(actor, Action.REGISTER_COMPLAINT)
    else:
        require(actor, Action.REGISTER_COMPLAINT, unit=unit)
    phone = re.sub(r"[\s\-]", "", _clean(phone, 20)) if phone else ""
    if kind == Complaint.Kind.SUGGESTION:
        category = category or Category.OTHER
    _validated(
        kind=kind,
        channel=channel,
        unit=unit,
        window=window,
        staff=staff,
        category=category,
        description=description,
        phone=_clean(phone, 20),
        email=_clean(email, 254),
    )
    now = now or timezone.now()
    answer_due = due(now, unit)
    with transaction.atomic():
        complaint = Complaint.objects.create(
            code=new_code(),
            kind=kind,
            channel=channel,
            opening=opening,
            unit=unit,
            window=window,
            staff=staff,
            category=category,
            description=_clean(description, 4000),
            name=_clean(name, 50),
            address=_clean(address, 200),
            workplace=_clean(workplace, 100),
            phone=phone,
            email=_clean(email, 254),
            received_at=now,
            received_by=actor.staff,
            due_at=answer_due.at,
            due_estimated=answer_due.estimated,
            ack_due_at=ack_due(now, unit, channel),
            api_client=api_client,
            lat=lat,
            long=long,
            address_string=_clean(address_string, 200),
        )
        _tell_leaders(
            complaint,
            Notification.Kind.COMPLAINT,
            _("New %(kind)s %(code)s: answer by %(due)s.")
            % {
                "kind": complaint.get_kind_display(),
                "code": complaint.code,
                "due": timezone.localtime(complaint.due_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
    return complaint


def people(unit, window_number=None, badge_no=""):
    """The window and staff member a citizen names by number and badge: (window, staff)."""
    from servicehall.org.models import Staff, Window

    errors, window, staff = {}, None, None
    if unit is not None and window_number:
        window = Window.objects.filter(unit=unit, number=window_number).first()
        if window is None:
            errors["window_number"] = [
                _("%(unit)s has no window %(n)s; leave it empty if unsure.")
                % {"unit": unit.name, "n": window_number}
            ]
    badge_no = (badge_no or "").strip()
    if unit is not None and badge_no:
        staff = Staff.objects.filter(unit=unit, badge_no=badge_no).first()
        if staff is None:
            errors["badge_no"] = [
                _("Nobody at %(unit)s wears badge %(badge)s; leave it empty if unsure.")
                % {"unit": unit.name, "badge": badge_no}
            ]
    if errors:
        raise InvalidInput(errors)
    return window, staff


def witnesses_of(text: str) -> list[str]:
    return [w for w in _SPLIT.split(text or "") if w]


@transaction.atomic
def record_opening(
    *, actor: Actor, unit, container, opened_at, witnesses: str, items: list[dict], note=""
) -> Opening:
    """R-FB-2: a box or book opened before a witness, and every item found registered.

    `items` are the keyword arguments of `file` for each item (kind, category, description,
    name, phone …); an opening with nothing found is recorded too."""
    require(actor, Action.REGISTER_COMPLAINT, unit=unit)
    errors = {}
    if container not in Opening.Container.values:
        errors["container"] = [_("Choose the complaint box or the opinion book.")]
    names = witnesses_of(witnesses)
    opener = actor.staff.name if actor.staff else ""
    if not [n for n in names if n != opener]:
        errors["witnesses"] = [_("Name at least one witness besides the person opening it.")]
    now = timezone.now()
    if opened_at is None or opened_at > now:
        errors["opened_at"] = [_("Enter when it was opened; it cannot be in the future.")]
    if errors:
        raise InvalidInput(errors, rule="R-FB-2" if "witnesses" in errors else None)
    opening = Opening.objects.create(
        unit=unit,
        container=container,
        opened_at=opened_at,
        opened_by=actor.staff,
        witnesses="、".join(names)[:200],
        items_found=len(items),
        note=_clean(note, 500),
    )
    for n, item in enumerate(items, 1):
        try:
            file(
                actor=actor,
                channel=container,  # box and book are channels of the same name
                unit=unit,
                opening=opening,
                now=opened_at,
                **item,
            )
        except InvalidInput as exc:
            # name the item, so the clerk knows which sheet to look at again
            raise InvalidInput(
                {
                    f"item{n}-{k}": [_("Item %(n)s: %(msg)s") % {"n": n, "msg": m} for m in v]
                    for k, v in exc.errors.items()
                }
            ) from None
    return opening


def _locked_open(actor, complaint):
    require(actor, Action.HANDLE_COMPLAINT, unit=complaint.unit)
    c = Complaint.objects.select_for_update().select_related("unit").get(pk=complaint.pk)
    if c.status == Complaint.Status.ANSWERED:
        raise ServiceError(_("This complaint has been answered already."))
    if c.staff_id is not None and actor.staff is not None and actor.staff.pk == c.staff_id:
        # nobody investigates or answers a complaint about themselves
        raise ServiceError(
            _("This complaint is about you: another leader or the organizing office handles it.")
        )
    return c


@transaction.atomic
def investigate(
    *,
    actor: Actor,
    complaint: Complaint,
    finding: str,
    substantiated=None,
    points=None,
    staff=None,
    now=None,
) -> Complaint:
    """Record what the investigation found. A substantiated complaint gives violation points
    to the unit and the person concerned, and the unit's leaders are told (通报)."""
    c = _locked_open(actor, complaint)
    if c.investigated_at is not None:
        # the finding and its violation points stand once recorded (two leaders, a double click)
        raise ServiceError(_("This complaint has been investigated already."))
    finding = _clean(finding, 4000)
    errors = {}
    if not finding:
        errors["finding"] = [_("Write down what the investigation found.")]
    if c.kind == Complaint.Kind.COMPLAINT and substantiated not in (True, False):
        errors["substantiated"] = [_("Say whether the complaint is substantiated.")]
    staff = staff or c.staff
    if staff is not None and staff.unit_id != c.unit_id:
        errors["staff"] = [_("This staff member does not work at the unit concerned.")]
    if errors:
        raise InvalidInput(errors)
    now = now or timezone.now()
    c.finding, c.investigated_at, c.investigated_by = finding, now, actor.staff
    c.substantiated = substantiated if c.kind == Complaint.Kind.COMPLAINT else None
    c.staff = staff
    c.status = Complaint.Status.INVESTIGATING
    c.save()
    if c.substantiated:
        # R-FB-3: a verified complaint leads to violation points and criticism; the ledger
        # checks the points (1 to 20) and that the complaint gives them once
        violation = ledger.record(
            actor=actor,
            unit=c.unit,
            staff=staff,
            points=DEFAULT_POINTS[c.category] if points is None else points,
            reason=_("Substantiated complaint %(code)s: %(category)s")
            % {"code": c.code, "category": c.get_category_display()},
            source_kind=SourceKind.COMPLAINT,
            source_id=c.code,
            now=now,
        )
        _tell_leaders(
            c,
            Notification.Kind.VIOLATION,
            _("Complaint %(code)s substantiated: %(points)s violation points%(who)s.")
            % {
                "code": c.code,
                "points": violation.points,
                "who": f"（{staff.name}）" if staff else "",
            },
        )
    return c


@transaction.atomic
def acknowledge(*, actor: Actor, complaint: Complaint, now=None) -> Complaint:
    """Record that the unit told the citizen it has their written complaint or suggestion:
    who and when; the status page says when."""
    require(actor, Action.REGISTER_COMPLAINT, unit=complaint.unit)
    c = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if c.ack_due_at is None:
        raise ServiceError(
            _("Only what came in writing (web form, Open311, mailbox) is acknowledged."),
            rule="R-LAW-3",
        )
    if c.acknowledged_at is not None:
        raise ServiceError(
            _("This was acknowledged already, on %(when)s.")
            % {"when": timezone.localtime(c.acknowledged_at).strftime("%Y-%m-%d %H:%M")}
        )
    c.acknowledged_at, c.acknowledged_by = now or timezone.now(), actor.staff
    c.save(update_fields=["acknowledged_at", "acknowledged_by", "updated_at"])
    return c


@transaction.atomic
def answer(*, actor: Actor, complaint: Complaint, text: str, now=None) -> Complaint:
    """The answer to the citizen closes the complaint; a complaint is investigated first.
    An answer to a written complaint not yet acknowledged acknowledges it too."""
    c = _locked_open(actor, complaint)
    text = _clean(text, 4000)
    if c.kind == Complaint.Kind.COMPLAINT and c.investigated_at is None:
        raise ServiceError(_("Record what the investigation found before answering."))
    if not text:
        raise InvalidInput({"answer": [_("Write the answer given to the citizen.")]})
    c.answer, c.answered_at, c.answered_by = text, now or timezone.now(), actor.staff
    if c.awaits_acknowledgement:
        c.acknowledged_at, c.acknowledged_by = c.answered_at, actor.staff
    c.status = Complaint.Status.ANSWERED
    c.save()
    return c


def overdue(now=None) -> int:
    """Tell the unit's leaders once of each complaint past its answer deadline
    (run by the jobs)."""
    now = now or timezone.now()
    count = 0
    late = Complaint.objects.filter(due_at__lt=now, overdue_notified=False).exclude(
        status=Complaint.Status.ANSWERED
    )
    for c in late.select_related("unit"):
        with transaction.atomic():
            if not Complaint.objects.filter(pk=c.pk, overdue_notified=False).update(
                overdue_notified=True
            ):
                continue
            _tell_leaders(
                c,
                Notification.Kind.COMPLAINT_OVERDUE,
                _("Complaint %(code)s is past its answer deadline.") % {"code": c.code},
            )
            count += 1
    return count


def unacknowledged(now=None) -> int:
    """Tell the unit's leaders once of each written complaint not acknowledged in time
    (run by the jobs)."""
    now = now or timezone.now()
    count = 0
    late = Complaint.objects.filter(
        ack_due_at__lt=now, acknowledged_at__isnull=True, ack_overdue_notified=False
    ).exclude(status=Complaint.Status.ANSWERED)
    for c in late.select_related("unit"):
        with transaction.atomic():
            if not Complaint.objects.filter(pk=c.pk, ack_overdue_notified=False).update(
                ack_overdue_notified=True
            ):
                continue
            _tell_leaders(
                c,
                Notification.Kind.COMPLAINT_OVERDUE,
                _("%(code)s came in writing and is past its acknowledgement deadline.")
                % {"code": c.code},
            )
            count += 1
    return count


def by_code(code: str):
    """The complaint a lookup code names, or None."""
    code = normalize_code(code)
    return Complaint.objects.select_related("unit").filter(code=code).first() if code else None


def violation_of(complaint: Complaint):
    """The violation points a substantiated complaint gave that stand, from the ledger."""
    return ledger.standing(SourceKind.COMPLAINT, complaint.code)


def redate(*, years, now) -> int:
    """R-LAW-4: the calendar of `years` changed: an open complaint's answer and
    acknowledgement due times are counted again from its receipt; the audit trail keeps the
    old and new time. Returns how many moved."""
    from servicehall.worktime import services as worktime

    since = worktime.moved_since(years)
    moved = 0
    open_ = Complaint.objects.exclude(status=Complaint.Status.ANSWERED).select_related("unit")
    for complaint in open_.filter(Q(due_at__gte=since) | Q(ack_due_at__gte=since)):
        found = due(complaint.received_at, complaint.unit)
        fields = {"due_at": found.at, "due_estimated": found.estimated}
        if complaint.acknowledged_at is None:
            fields["ack_due_at"] = ack_due(complaint.received_at, complaint.unit, complaint.channel)
        changed = [f for f, v in fields.items() if getattr(complaint, f) != v]
        if changed:
            for f in changed:
                setattr(complaint, f, fields[f])
            complaint.save(update_fields=changed)  # auditlog records old and new
            moved += 1
    return moved
