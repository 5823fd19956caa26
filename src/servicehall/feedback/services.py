"""Ratings (R-FB-1, R-LAW-2): one per finished visit or case, never by staff, never changed,
and provably so.

`rate` writes a signed row and returns after commit, so a citizen's device is told "saved" only
for what is in the database; a retry with the same idempotency key gets the same rating back.
`seal` links committed rows into a hash chain in batches; `verify` recomputes everything.
"""

import datetime as dt
import hashlib
import secrets
from contextlib import nullcontext

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicehall.core import chain
from servicehall.core.db import fetch_prepared
from servicehall.core.errors import Forbidden, InvalidInput, ServiceError
from servicehall.org.permissions import Action, Actor, require

from .models import SIGNED_FIELDS, BadReviewFollowUp, Rating, RatingDevice

GENESIS = chain.GENESIS
RATING_SALT = "servicehall.feedback.rating"
# the salts keep their first names: the signatures stored under them still verify
FOLLOW_UP_SALT = "servicehall.feedback.follow_up"
CHECKPOINTS = chain.Checkpoints("RATING_CHECKPOINTS", "servicehall.feedback.checkpoint")


def bad_review_level() -> int:
    """R-LAW-2: at or below this overall level a rating is a bad review: it asks the citizen
    why (and for a call-back), and its seal opens a follow-up. One setting
    (SERVICEHALL_BAD_REVIEW_LEVEL) for the service, the sealer, the figures and the device."""
    return settings.SERVICEHALL["BAD_REVIEW_LEVEL"]


SEAL_LOCK = 7302  # advisory-lock namespace of the sealer on PostgreSQL


def canonical(rating: Rating) -> str:
    """The signed content of a rating, as one string (sealing columns excluded)."""
    return _canonical([getattr(rating, f) for f in SIGNED_FIELDS])


_canonical = chain.canonical  # of the SIGNED_FIELDS' values, in their order


def sign(rating: Rating) -> str:
    return _mac(canonical(rating))


def _mac(text: str) -> str:
    return chain.mac(RATING_SALT, text)


def sign_follow_up(rect) -> str:
    """The signature of a follow-up's whole content (all but its id and signature). The salt
    keeps the model's first name: the signatures stored under it still verify."""
    values = [
        getattr(rect, f.attname) for f in rect._meta.concrete_fields if f.name not in ("id", "mac")
    ]
    return chain.mac(FOLLOW_UP_SALT, _canonical(values))


def link(prev_hash: str, seq: int, rating: Rating) -> str:
    return _link(prev_hash, seq, rating.pk, rating.mac)


_link = chain.link


def _level(name, value, required=False):
    if value in (None, "") and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        raise InvalidInput({name: [_("Choose one of the five levels, 1 to 5.")]})
    return value


def rate(
    *,
    actor: Actor,
    ticket=None,
    case=None,
    overall,
    efficiency=None,
    competence=None,
    attitude=None,
    tags=(),
    comment="",
    reason="",
    channel=Rating.Channel.DEVICE,
    device="",
    idempotency_key: str,
    now=None,
) -> tuple[Rating, bool]:
    """Record a citizen's rating of a finished visit or case: (rating, created). A retry with
    the same key returns the stored rating with created False."""
    # R-LAW-2: staff must not rate, nor force or interfere with a rating
    if actor.staff is not None or not actor.allows(Action.RATE_SERVICE):
        raise Forbidden(_("Staff accounts cannot rate a service."), rule="R-LAW-2")
    require(actor, Action.RATE_SERVICE)
    key = (idempotency_key or "").strip()
    if not 8 <= len(key) <= 64:
        raise InvalidInput({"idempotency_key": [_("Send a key of 8 to 64 characters.")]})
    given = _given(
        {
            "overall": overall,
            "efficiency": efficiency,
            "competence": competence,
            "attitude": attitude,
            "tags": tags,
            "comment": comment,
            "reason": reason,
        },
        key,
        channel=channel,
        device=device,
        now=now,
    )
    earlier = Rating.objects.filter(idempotency_key=key).first()
    if earlier is not None:
        if (earlier.ticket_id, earlier.case_id) != (
            ticket.pk if ticket else None,
            case.pk if case else None,
        ):
            raise InvalidInput({"idempotency_key": [_("This key was used for another rating.")]})
        return earlier, False
    rating = _new_rating(_rated_thing(ticket, case), given)
    try:
        _insert(rating)
    except IntegrityError:
        # a retry raced the first attempt, or the visit was rated meanwhile
        same = Rating.objects.filter(idempotency_key=key).first()
        if same is not None:
            return same, False
        raise ServiceError(_already_rated(case), rule="R-LAW-2") from None
    return rating, True


def _new_rating(target: dict, given: dict) -> Rating:
    """The signed, unsaved rating, once its levels, reason and texts pass (part of `rate`)."""
    overall = _level("overall", given["overall"], required=True)
    levels = {
        "efficiency": _level("efficiency", given["efficiency"]),
        "competence": _level("competence", given["competence"]),
        "attitude": _level("attitude", given["attitude"]),
    }
    reason = (given["reason"] or "").strip()
    if overall <= bad_review_level() and not reason:
        raise InvalidInput({"reason": [_("Please tell us what went wrong.")]})
    tags = [str(t).strip()[:30] for t in (given["tags"] or []) if str(t).strip()][:10]
    rating = _model(
        {
            **target,
            "overall": overall,
            **levels,
            "tags": tags,
            "comment": (given["comment"] or "").strip()[:500],
            "reason": reason[:500],
            "channel": given["channel"],
            "device": (given["device"] or "")[:80],
            "idempotency_key": given["key"],
            "created_at": given["now"] or timezone.now(),
        }
    )
    rating.mac = sign(rating)
    return rating


_FIELDS = None  # the rating's concrete fields, in order, once per process


def _model(values: dict) -> Rating:
    """Rating(**values), every field given in order: Django's quick path for a new instance
    (keyword arguments cost the device's path more than its signature did)."""
    global _FIELDS
    if _FIELDS is None:
        _FIELDS = Rating._meta.concrete_fields
    return Rating(*[values[f.attname] if f.attname in values else f.get_default() for f in _FIELDS])


def _insert(rating: Rating) -> None:
    """Write the rating, committed when this returns (part of `rate`): one INSERT, in
    autocommit a transaction of its own (no BEGIN and COMMIT round trips), or a savepoint
    inside a caller's transaction. A bad review's follow-up is opened when the rating is
    sealed (`seal`). IntegrityError when a unique key refuses it: nothing was written."""
    with _savepoint_inside():
        rating.pk = fetch_prepared(_sql("values"), _values(rating))[0]
    rating._state.adding, rating._state.db = False, connection.alias


def _savepoint_inside():
    """A savepoint when a caller's transaction is open, so that a refused INSERT does not
    break it; nothing in autocommit, where the statement is a transaction of its own."""
    return transaction.atomic() if connection.in_atomic_block else nullcontext()


_WRITTEN = None  # (column, attname, field or None) of what an insert writes, once per process
_SQL: dict[str, str] = {}  # the two INSERTs, written once per process


def _written():
    """An insert writes the signed content and its signature; the seal's columns stay NULL or
    '' for the sealer. Only the JSON tags and the time need their field's conversion."""
    global _WRITTEN
    if _WRITTEN is None:
        convert = ("JSONField", "DateTimeField")
        _WRITTEN = [
            (f.column, f.attname, f if f.get_internal_type() in convert else None)
            for f in (Rating._meta.get_field(name) for name in (*SIGNED_FIELDS, "mac"))
        ]
    return _WRITTEN


def _values(rating: Rating) -> list:
    """The written columns' values, as the database takes them."""
    return [
        field.get_db_prep_save(getattr(rating, attname), connection)
        if field
        else getattr(rating, attname)
        for _column, attname, field in _written()
    ]


def _sql(kind: str) -> str:
    """The INSERT of `rate` ("values"), or the device's INSERT … SELECT ("device"): stored
    only if the visit is finished at the rating's window, after a given time, by its staff
    member, at its unit, and the device is paired there with this secret and not revoked.
    The ORM compiling the same INSERT for every rating cost more than the database did."""
    if kind not in _SQL:
        from servicehall.org.models import Window
        from servicehall.queueing.models import Ticket

        q = connection.ops.quote_name
        columns = [q(column) for column, _a, _f in _written()] + [q("prev_hash"), q("chain_hash")]
        head = f"INSERT INTO {q(Rating._meta.db_table)} ({', '.join(columns)})"
        row = ", ".join(["%s"] * len(_written())) + ", '', ''"
        returning = f"RETURNING {q(Rating._meta.pk.column)}"
        same = "IS NOT DISTINCT FROM" if connection.vendor == "postgresql" else "IS"
        _SQL["values"] = f"{head} VALUES ({row}) {returning}"
        _SQL["device"] = (
            f"{head} SELECT {row} "
            f"FROM {q(Ticket._meta.db_table)} t JOIN {q(Window._meta.db_table)} w "
            f"ON w.id = t.window_id JOIN {q(RatingDevice._meta.db_table)} d "
            "ON d.window_id = t.window_id "
            "WHERE t.id = %s AND t.window_id = %s AND t.state = %s AND t.ended_at >= %s "
            f"AND w.unit_id = %s AND t.staff_id {same} %s "
            "AND d.id = %s AND d.secret_hash = %s AND d.paired_at IS NOT NULL "
            f"AND d.revoked_at IS NULL {returning}"
        )
    return _SQL[kind]


def _already_rated(case) -> str:
    if case is not None:
        return _("This case has already been rated.")
    return _("This visit has already been rated.")


def _rated_thing(ticket, case) -> dict:
    """What a rating is of: a finished visit or a finished case, not yet rated."""
    from servicehall.cases.services import concluded
    from servicehall.queueing.models import Ticket

    if (ticket is None) == (case is None):
        raise InvalidInput({"visit": [_("A rating is of one visit or one case.")]})
    if ticket is not None:
        if ticket.state != Ticket.State.DONE or ticket.window_id is None:
            raise ServiceError(_("Only a finished visit can be rated."), rule="R-LAW-2")
        if Rating.objects.filter(ticket=ticket).exists():
            raise ServiceError(_already_rated(None), rule="R-LAW-2")
        return {
            "ticket_id": ticket.pk,
            "unit_id": ticket.window.unit_id,
            "window_id": ticket.window_id,
            "staff_id": ticket.staff_id,
        }
    if not concluded(case):  # done or refused: every concluded matter, once (一事一评)
        raise ServiceError(_("Only a finished case can be rated."), rule="R-LAW-2")
    if Rating.objects.filter(case=case).exists():
        raise ServiceError(_already_rated(case), rule="R-LAW-2")
    return {
        "case_id": case.pk,
        "unit_id": case.unit_id,
        "window_id": case.window_id,
        "staff_id": case.received_by_id,
    }


# ---- the rating device's own path ------------------------------------------------------------

# window id → (unit id, staff id) of the visit last rated there: who serves at a window changes
# a few times a day, and the INSERT below checks it against the visit anyway
_AT_WINDOW: dict[int, tuple[int, int | None]] = {}


def rate_at_device(*, actor: Actor, credential: str, ticket_id, idempotency_key: str, **given):
    """A rating from a paired rating device (R-FB-1): (rating, created).

    The common case is one statement: the rating is signed for the unit and staff member
    last seen at the device's window and inserted only if the device is paired and not
    revoked, and the visit is finished at that window, lately, by that staff member
    (INSERT … SELECT). Anything else (another staff member, a retry, a second rating, a visit
    too old or elsewhere, a device revoked) goes the full way, `visit_for_device` then `rate`,
    and gets its answer."""
    key = (idempotency_key or "").strip()
    device_id, secret = _credential_parts(credential)
    window_id = _device_window(device_id) if device_id else None
    if (
        window_id is not None
        and actor.staff is None
        and actor.allows(Action.RATE_SERVICE)
        and isinstance(ticket_id, int)
        and not isinstance(ticket_id, bool)
        and 8 <= len(key) <= 64
    ):
        known = _AT_WINDOW.get(window_id) or _at_window(window_id, ticket_id)
    else:
        known = None
    if known is not None:
        try:
            rating = _new_rating(
                {
                    "ticket_id": ticket_id,
                    "unit_id": known[0],
                    "window_id": window_id,
                    "staff_id": known[1],
                },
                _given(given, key, channel=Rating.Channel.DEVICE, device=f"device:{device_id}"),
            )
        except ServiceError:
            rating = None  # the full way names what is wrong
        if rating is not None and _insert_at_device(rating, device_id, _digest(secret)):
            return rating, True
    device = device_for(credential)
    if device is None:
        raise Forbidden(_("This rating device is not paired: ask the unit leader to pair it."))
    ticket = visit_for_device(device, ticket_id)
    rating, created = rate(
        actor=actor,
        ticket=ticket,
        channel=Rating.Channel.DEVICE,
        device=f"device:{device.pk}",
        idempotency_key=key,
        **given,
    )
    _AT_WINDOW[ticket.window_id] = (ticket.window.unit_id, ticket.staff_id)
    return rating, created


def _at_window(window_id: int, ticket_id: int):
    """Who served the visit at the window, as _AT_WINDOW keeps it (None: not a visit there),
    for a window this process has not seen rated yet."""
    from servicehall.queueing.models import Ticket

    found = (
        Ticket.objects.filter(pk=ticket_id, window_id=window_id)
        .values_list("window__unit_id", "staff_id")
        .first()
    )
    if found is not None:
        _AT_WINDOW[window_id] = found
    return found


def _given(given, key, *, channel, device, now=None):
    """What `_new_rating` takes: the citizen's choices, the key, where it came from."""
    return {
        "overall": given.get("overall"),
        "efficiency": given.get("efficiency"),
        "competence": given.get("competence"),
        "attitude": given.get("attitude"),
        "tags": given.get("tags") or (),
        "comment": given.get("comment") or "",
        "reason": given.get("reason") or "",
        "channel": channel,
        "device": device,
        "key": key,
        "now": now,
    }


def _insert_at_device(rating: Rating, device_id: int, secret_hash: str) -> bool:
    """The device's INSERT … SELECT: stored (True) only if the visit is finished at the
    rating's window, within the device minutes, by its staff member, at its unit, not rated
    yet, and the device is paired at that window and not revoked."""
    from servicehall.queueing.models import Ticket

    params = _values(rating) + [
        rating.ticket_id,
        rating.window_id,
        Ticket.State.DONE.value,
        rating.created_at - dt.timedelta(minutes=settings.SERVICEHALL["RATING_DEVICE_MINUTES"]),
        rating.unit_id,
        rating.staff_id,
        device_id,
        secret_hash,
    ]
    try:
        with _savepoint_inside():
            row = fetch_prepared(_sql("device"), params)
    except IntegrityError:  # a retry, or the visit rated already: the full way answers
        return False
    if row is None:
        return False
    rating.pk = row[0]
    rating._state.adding, rating._state.db = False, connection.alias
    return True


# ---- who may rate which visit -----------------------------------------------------------------


def visit_for_device(device: RatingDevice, ticket_id, now=None):
    """The visit a paired rating device asks about: finished at its very window, lately."""
    from servicehall.queueing.models import Ticket

    ticket = (
        Ticket.objects.select_related("window")
        .order_by()
        .filter(pk=ticket_id or 0, window_id=device.window_id)
        .first()
    )
    if ticket is None:
        raise InvalidInput({"ticket_id": [_("No visit with this number at this window.")]})
    now = now or timezone.now()
    minutes = settings.SERVICEHALL["RATING_DEVICE_MINUTES"]
    if ticket.ended_at and ticket.ended_at < now - dt.timedelta(minutes=minutes):
        raise ServiceError(
            _("Too late to rate on the device: use the link on your slip."), rule="R-FB-1"
        )
    return ticket


# ---- rating devices: enrolled by a unit leader, paired once, revocable (R-FB-1) ----------

# the pairing code's letters: no 0/O, 1/I/L to misread on a leader's screen
PAIRING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PAIRING_LENGTH = 10  # 31**10 ≈ 2**49: not guessed in the minutes it is valid
DEVICE_COOKIE = "servicehall_device"

# device id → its window: a device never moves (a new window means a new device)
_DEVICE_WINDOW: dict[int, int] = {}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _credential_parts(credential) -> tuple[int | None, str]:
    """A device credential is "<device id>.<secret>"; (None, "") when it is not one."""
    head, _dot, secret = str(credential or "").partition(".")
    if not head.isdigit() or len(head) > 12 or len(secret) < 32 or len(secret) > 100:
        return None, ""
    return int(head), secret


def _device_window(device_id: int) -> int | None:
    window_id = _DEVICE_WINDOW.get(device_id)
    if window_id is None:
        window_id = (
            RatingDevice.objects.filter(pk=device_id).values_list("window_id", flat=True).first()
        )
        if window_id is not None:
            _DEVICE_WINDOW[device_id] = window_id
    return window_id


def device_for(credential) -> RatingDevice | None:
    """The paired, unrevoked device a credential belongs to, or None."""
    device_id, secret = _credential_parts(credential)
    if device_id is None:
        return None
    device = (
        RatingDevice.objects.select_related("window__unit")
        .filter(pk=device_id, paired_at__isnull=False, revoked_at__isnull=True)
        .first()
    )
    if device is None or not constant_time_compare(device.secret_hash, _digest(secret)):
        return None
    return device


def _new_pairing_code(device: RatingDevice, now) -> str:
    code = "".join(secrets.choice(PAIRING_ALPHABET) for _i in range(PAIRING_LENGTH))
    device.pairing_hash = _digest(code)
    minutes = settings.SERVICEHALL["DEVICE_PAIRING_MINUTES"]
    device.pairing_expires_at = now + dt.timedelta(minutes=minutes)
    return f"{code[:5]}-{code[5:]}"


def enroll_device(*, actor: Actor, window, name: str = "", now=None):
    """A unit leader enrols a rating device at one of the unit's windows: (device, the
    one-time pairing code to type into it). The code is shown once and kept only hashed."""
    require(actor, Action.PAIR_RATING_DEVICE, unit=window.unit)
    name = " ".join((name or "").split())[:50] or _("Rating device")
    now = now or timezone.now()
    device = RatingDevice(window=window, name=name, enrolled_by=actor.staff, enrolled_at=now)
    code = _new_pairing_code(device, now)
    device.save()
    return device, code


def pair_again(*, actor: Actor, device: RatingDevice, now=None) -> str:
    """A new pairing code for a device (to rotate its credential, or to replace the tablet):
    once the code is typed in, the old credential stops working."""
    require(actor, Action.PAIR_RATING_DEVICE, unit=device.window.unit)
    if device.revoked_at:
        raise ServiceError(_("This rating device is revoked: enrol a new one."))
    code = _new_pairing_code(device, now or timezone.now())
    device.save(update_fields=["pairing_hash", "pairing_expires_at"])
    return code


def revoke_device(*, actor: Actor, device: RatingDevice, now=None) -> RatingDevice:
    """Revoke a device at once: its credential rates nothing from now on."""
    require(actor, Action.PAIR_RATING_DEVICE, unit=device.window.unit)
    if device.revoked_at is None:
        device.revoked_at, device.revoked_by = now or timezone.now(), actor.staff
        device.pairing_hash, device.pairing_expires_at = "", None
        device.save(
            update_fields=["revoked_at", "revoked_by", "pairing_hash", "pairing_expires_at"]
        )
        # a screen already open on the device hears it and shows the pairing form again
        # (its stream token is refused from now on, but an open stream would stay open)
        from servicehall.queueing.models import BoardEvent

        BoardEvent.objects.create(
            unit_id=device.window.unit_id,
            kind=BoardEvent.Kind.UNPAIRED,
            data={"window_id": device.window_id},
        )
    return device


def pair_device(code: str, now=None) -> tuple[RatingDevice, str]:
    """At the device: the pairing code becomes the device's credential (returned once, for
    the device's browser to keep). A code works once, within its minutes."""
    cleaned = "".join(ch for ch in str(code or "").upper() if ch.isalnum())[:PAIRING_LENGTH]
    now = now or timezone.now()
    with transaction.atomic():
        device = (
            RatingDevice.objects.select_for_update()
            .select_related("window__unit")
            .filter(pairing_hash=_digest(cleaned), revoked_at__isnull=True)
            .first()
            if len(cleaned) == PAIRING_LENGTH
            else None
        )
        if device is None or device.pairing_expires_at is None or device.pairing_expires_at < now:
            raise InvalidInput(
                {"code": [_("This pairing code is wrong or has expired: ask the unit leader.")]}
            )
        secret = secrets.token_urlsafe(32)
        device.secret_hash = _digest(secret)
        device.paired_at = now
        device.pairing_hash, device.pairing_expires_at = "", None
        device.save(
            update_fields=["secret_hash", "paired_at", "pairing_hash", "pairing_expires_at"]
        )
    return device, f"{device.pk}.{secret}"


def link_for(ticket) -> str:
    """The one-time rating link's token for a visit (on the slip, as a QR code)."""
    from django.core import signing

    return signing.dumps(ticket.pk, salt="servicehall.rating-link", compress=True)


def visit_for_link(token: str):
    """The visit a rating link names, while the link is valid (the unrated-after setting)."""
    from django.conf import settings
    from django.core import signing

    from servicehall.queueing.models import Ticket

    days = settings.SERVICEHALL["RATING_LINK_DAYS"]
    try:
        pk = signing.loads(token or "", salt="servicehall.rating-link", max_age=days * 86400)
    except signing.SignatureExpired:
        raise ServiceError(
            _("This link has expired: visits are rated within %(n)s days.") % {"n": days}
        ) from None
    except signing.BadSignature:
        raise Forbidden(_("This rating link is not valid.")) from None
    ticket = Ticket.objects.select_related("window", "staff", "queue").filter(pk=pk).first()
    if ticket is None:
        raise Forbidden(_("This rating link is not valid."))
    return ticket


def case_for_link(token: str, now=None):
    """The case a case's rating link names (一事一评, decision 0028): the token is the cases
    app's, printed on the receipt and the refusal notice; the link is valid for the
    unrated-after setting's days from the case's conclusion. A case not concluded yet is
    returned as well: its page says it may be rated once it is."""
    from servicehall.cases import services as cases

    case = cases.case_for_rating(token)
    if case is None:
        raise Forbidden(_("This rating link is not valid."))
    days = settings.SERVICEHALL["RATING_LINK_DAYS"]
    now = now or timezone.now()
    if cases.concluded(case) and case.finished_at < now - dt.timedelta(days=days):
        raise ServiceError(
            _("This link has expired: cases are rated within %(n)s days of their conclusion.")
            % {"n": days}
        )
    return case


# ---- bad reviews (R-LAW-2) ------------------------------------------------------------------


def _due(stage, start, unit):
    """When the step ends; `unit` is a Unit or its id."""
    from servicehall.worktime import services as worktime

    return worktime.deadline(
        start=start, limit=worktime.policy(BadReviewFollowUp.POLICY[stage]), unit=unit
    ).at


def open_follow_ups(bad: list[dict]) -> list[BadReviewFollowUp]:
    """R-LAW-2: every bad review is worked off. Opens the follow-up of each bad review
    given (pk, unit_id, window_id, created_at), due by policy bad-review-verify, and tells
    the unit's leaders; a rating that has one already is left alone. Called by `seal` in the
    transaction that links the ratings into the chain, so each gets exactly one."""
    from django.urls import reverse

    from servicehall.cases.models import Case
    from servicehall.notices.models import Notification
    from servicehall.notices.services import notify, who_must_hear
    from servicehall.org.models import Unit, Window
    from servicehall.worktime import services as worktime

    opened = set(
        BadReviewFollowUp.objects.filter(rating_id__in=[b["pk"] for b in bad]).values_list(
            "rating_id", flat=True
        )
    )
    bad = [b for b in bad if b["pk"] not in opened]
    if not bad:
        return []
    verify = worktime.policy(BadReviewFollowUp.POLICY["verify"])
    due = worktime.deadlines(
        limit=verify,
        starts=[(b["created_at"], b["unit_id"]) for b in bad],
    )
    new = [
        BadReviewFollowUp(
            rating_id=b["pk"],
            unit_id=b["unit_id"],
            stage=BadReviewFollowUp.Stage.VERIFY,
            opened_at=b["created_at"],
            step_started_at=b["created_at"],
            due_at=d.at,
        )
        for b, d in zip(bad, due, strict=True)
    ]
    for rect in new:  # bulk_create does not call save(): signed here
        rect.mac = sign_follow_up(rect)
    rects = BadReviewFollowUp.objects.bulk_create(new)
    numbers = dict(
        Window.objects.filter(pk__in={b["window_id"] for b in bad}).values_list("pk", "number")
    )
    cases = dict(
        Case.objects.filter(pk__in={b.get("case_id") for b in bad} - {None}).values_list(
            "pk", "number"
        )
    )
    units = Unit.objects.in_bulk({b["unit_id"] for b in bad})
    leaders = {pk: who_must_hear(unit) for pk, unit in units.items()}
    with translation.override(settings.LANGUAGE_CODE):  # the sealer has no request language
        for b, rect in zip(bad, rects, strict=True):
            if b.get("case_id"):  # 一事一评: a case's bad review names the case
                text = _("A bad review of case %(case)s: verify it within %(limit)s.") % {
                    "case": cases.get(b["case_id"], "—"),
                    "limit": verify.length,
                }
            else:
                text = _("A bad review of window %(n)s: verify it within %(limit)s.") % {
                    "n": numbers.get(b["window_id"], "—"),
                    "limit": verify.length,
                }
            notify(
                recipients=leaders[b["unit_id"]],
                kind=Notification.Kind.BAD_REVIEW,
                text=text,
                link=f"{reverse('reviews')}#review-{rect.pk}",  # its card on the list
            )
    return rects


def step_limits() -> dict[str, str]:
    """Each step's limit as the page explains it (1 个工作日 …), from the policies."""
    from servicehall.worktime import services as worktime

    return {stage: worktime.policy(code).length for stage, code in BadReviewFollowUp.POLICY.items()}


def due_text(rect: BadReviewFollowUp, now=None, *, policies=None, hours=None, cal=None):
    """剩余 … / 超期 … for the step under way, as everywhere else. A page of many passes the
    step policies, the unit's hours and the calendar, read once (selectors.open_reviews)."""
    from servicehall.worktime import services as worktime

    if rect.stage == BadReviewFollowUp.Stage.CLOSED:
        return None
    code = BadReviewFollowUp.POLICY[rect.stage]
    return worktime.calculate(
        start=rect.step_started_at,
        limit=policies[code] if policies else worktime.policy(code),
        unit=rect.unit,
        now=now,
        hours=hours,
        cal=cal,
    )[1]


def _step(actor, rect, stage, text, field):
    require(actor, Action.HANDLE_BAD_REVIEW, unit=rect.unit)
    rect = BadReviewFollowUp.objects.select_for_update().get(pk=rect.pk)
    if rect.stage != stage:
        raise ServiceError(
            _("This review is %(stage)s, not at this step.") % {"stage": rect.get_stage_display()}
        )
    text = (text or "").strip()
    if not text:
        raise InvalidInput({field: [_("Write down what was done.")]})
    return rect, text[:2000]


@transaction.atomic
def verify_review(*, actor: Actor, follow_up: BadReviewFollowUp, finding: str, now=None):
    now = now or timezone.now()
    rect, finding = _step(actor, follow_up, BadReviewFollowUp.Stage.VERIFY, finding, "finding")
    rect.finding, rect.verified_at, rect.verified_by = finding, now, actor.staff
    _advance(rect, BadReviewFollowUp.Stage.RECTIFY, now)
    return rect


@transaction.atomic
def rectify_review(*, actor: Actor, follow_up: BadReviewFollowUp, measures: str, now=None):
    now = now or timezone.now()
    rect, measures = _step(actor, follow_up, BadReviewFollowUp.Stage.RECTIFY, measures, "measures")
    rect.measures, rect.rectified_at, rect.rectified_by = measures, now, actor.staff
    _advance(rect, BadReviewFollowUp.Stage.CALLBACK, now)
    return rect


@transaction.atomic
def call_back(
    *, actor: Actor, follow_up: BadReviewFollowUp, satisfaction, note: str, now=None
) -> BadReviewFollowUp:
    """The citizen was called back; their satisfaction with the fix closes the review."""
    now = now or timezone.now()
    rect, note = _step(actor, follow_up, BadReviewFollowUp.Stage.CALLBACK, note, "callback_note")
    rect.satisfaction = _level("satisfaction", satisfaction, required=True)
    rect.callback_note, rect.called_back_at, rect.called_back_by = note, now, actor.staff
    rect.stage = BadReviewFollowUp.Stage.CLOSED
    rect.save()
    return rect


@transaction.atomic
def appeal(*, actor: Actor, follow_up: BadReviewFollowUp, reason: str, now=None):
    """The unit asks the organizer to set aside a mistaken or malicious rating (R-LAW-2)."""
    require(actor, Action.HANDLE_BAD_REVIEW, unit=follow_up.unit)
    rect = BadReviewFollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if rect.appealed_at is not None:
        raise ServiceError(_("This rating has been appealed already."))
    if rect.stage == BadReviewFollowUp.Stage.CLOSED:
        raise ServiceError(_("This review is closed."))
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise InvalidInput({"appeal_reason": [_("Say why the rating is mistaken or malicious.")]})
    rect.appeal_reason, rect.appealed_at, rect.appealed_by = (
        reason[:2000],
        now or timezone.now(),
        actor.staff,
    )
    rect.save()
    return rect


@transaction.atomic
def decide_appeal(*, actor: Actor, follow_up: BadReviewFollowUp, upheld: bool, now=None):
    """The organizer's decision. Upheld: the rating is set aside — kept, not counted — and
    the review closes. Rejected: the review goes on where it was."""
    require(actor, Action.DECIDE_APPEAL, unit=follow_up.unit)
    rect = BadReviewFollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if not rect.appeal_pending:
        raise ServiceError(_("There is no appeal to decide."))
    rect.appeal_upheld = bool(upheld)
    rect.appeal_decided_at, rect.appeal_decided_by = now or timezone.now(), actor.staff
    if upheld:
        rect.stage = BadReviewFollowUp.Stage.CLOSED
    rect.save()
    return rect


def _advance(rect, stage, now):
    rect.stage, rect.step_started_at = stage, now
    rect.due_at = _due(stage, now, rect.unit)
    rect.save()


# ---- the chain ------------------------------------------------------------------------------


def seal(batch=1000, now=None) -> int:
    """Link unsealed rows, oldest first, into the chain; a row whose signature does not match
    is left out (verify names it), and the rows after it are sealed all the same. The bad
    reviews among them get their follow-ups in the same transaction. Returns how many
    were sealed."""
    now = now or timezone.now()
    named = ("overall", "unit_id", "window_id", "case_id", "created_at")
    at = {f: SIGNED_FIELDS.index(f) for f in named}
    worst = bad_review_level()
    with transaction.atomic():
        if connection.vendor == "postgresql":  # one sealer at a time
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK])
        last = Rating.objects.filter(seq__isnull=False).order_by("-seq").only("seq", "chain_hash")
        last = last.first()
        seq, prev = (last.seq, last.chain_hash) if last else (0, GENESIS)
        links, bad, after = [], [], 0
        while len(links) < batch:
            # the values, not model instances: the sealer keeps up with every device at once
            page = list(
                Rating.objects.filter(seq__isnull=True, pk__gt=after)
                .order_by("pk")
                .values_list("pk", "mac", *SIGNED_FIELDS)[:batch]
            )
            if not page:
                break
            for pk, mac, *signed in page[: batch - len(links)]:
                if not constant_time_compare(mac, _mac(_canonical(signed))):
                    continue
                seq += 1
                chain = _link(prev, seq, pk, mac)
                links.append((pk, seq, prev, chain))
                prev = chain
                if signed[at["overall"]] <= worst:
                    bad.append({"pk": pk, **{f: signed[i] for f, i in at.items()}})
            after = page[-1][0]
        _write_links(links, now)
        open_follow_ups(bad)
        if links:  # the head is anchored outside the database once the links are committed
            transaction.on_commit(lambda: write_checkpoint(seq, prev, now))
    return len(links)


# ---- checkpoints: the chain's head, anchored where the database cannot rewrite it ----------


def write_checkpoint(seq: int, head: str, now=None) -> dict:
    """Append a signed checkpoint (how many rows the chain holds, and its head hash) to the
    checkpoint file, outside the database, as transparency logs do: deleting the newest
    ratings, or all of them, then no longer verifies clean. The file is append-only by use;
    the public 评价公示 page shows the latest, so outsiders can keep copies."""
    return CHECKPOINTS.write(seq, head, now)


def checkpoint_file():
    return CHECKPOINTS.file()


def checkpoints() -> list[dict]:
    """Every checkpoint in the file, oldest first; a line that is not one is kept as
    {"bad": line} so that verify names it."""
    return CHECKPOINTS.all()


def latest_checkpoint() -> dict | None:
    """The newest checkpoint, for the public page (read from the file's end)."""
    return CHECKPOINTS.latest()


def _verify_follow_ups(now, grace) -> list["Finding"]:
    """Every follow-up still carries its signature (an UPDATE of a stage, a satisfaction
    or an appeal's outcome behind the application's back moves the published figures), and
    every sealed bad review still has its follow-up."""
    findings = []
    for rect in BadReviewFollowUp.objects.order_by("pk").iterator(chunk_size=2000):
        if not constant_time_compare(rect.mac, sign_follow_up(rect)):
            findings.append(Finding(rect.rating_id, None, "follow_up"))
    worst = bad_review_level()
    orphans = Rating.objects.filter(
        overall__lte=worst, seq__isnull=False, follow_up__isnull=True
    ).values_list("pk", "seq")
    findings += [Finding(pk, seq, "no_follow_up") for pk, seq in orphans]
    return findings


def _verify_checkpoints(heads: dict[int, str]) -> list["Finding"]:
    """The table against every checkpoint: a row a checkpoint counted must still be there
    with the head hash it had; a checkpoint must carry the server's signature."""
    return [Finding(None, seq, problem) for seq, problem in CHECKPOINTS.problems(heads)]


def _write_links(links, now):
    """The chain columns of a batch: one UPDATE on PostgreSQL (the append-only trigger lets
    the sealer fill them once), row by row elsewhere."""
    if not links:
        return
    if connection.vendor != "postgresql":
        for pk, seq, prev, chain in links:
            Rating.objects.filter(pk=pk, seq__isnull=True).update(
                seq=seq, prev_hash=prev, chain_hash=chain, sealed_at=now
            )
        return
    table = Rating._meta.db_table
    values = ", ".join(["(%s::bigint, %s::bigint, %s, %s)"] * len(links))
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {table} AS r SET seq = v.seq, prev_hash = v.prev, chain_hash = v.chain, "
            f"sealed_at = %s FROM (VALUES {values}) AS v(id, seq, prev, chain) "
            "WHERE r.id = v.id AND r.seq IS NULL",
            [now, *(x for row in links for x in row)],
        )


class Finding(chain.Finding):
    MESSAGES = {
        **chain.Finding.MESSAGES,
        "follow_up": gettext_lazy("its follow-up was changed after it was written"),
        "no_follow_up": gettext_lazy("a bad review whose follow-up is gone"),
    }

    @property
    def rating_id(self):
        return self.row_id


def verify(unsealed_grace=dt.timedelta(minutes=5), now=None) -> list[Finding]:
    """Recompute every signature and the whole chain; name every row that does not fit."""
    now = now or timezone.now()
    findings = []
    walk = chain.Walk()
    for rating in Rating.objects.order_by("seq", "pk").iterator(chunk_size=2000):
        signed = constant_time_compare(rating.mac, sign(rating))
        if rating.seq is None:
            if not signed:
                findings.append(Finding(rating.pk, None, "inserted"))
            elif rating.created_at < now - unsealed_grace:
                findings.append(Finding(rating.pk, None, "broken"))  # the sealer skipped it
            continue
        found = walk.step(
            pk=rating.pk,
            seq=rating.seq,
            row_mac=rating.mac,
            prev_hash=rating.prev_hash,
            chain_hash=rating.chain_hash,
            signed=signed,
        )
        findings += [Finding(*f) for f in found]
    heads = walk.heads  # seq → chain hash, for the checkpoints
    findings += _verify_checkpoints(heads)
    findings += _verify_follow_ups(now, unsealed_grace)
    return Finding.ordered(findings)


# ---- the call-back contact of a bad review (R-LAW-2 回访) ------------------------------------


def check_contact(*, overall, phone: str, consent: bool) -> str:
    """The phone a citizen offers for a call-back, cleaned, or "": asked for on a low rating
    only, and kept only with the citizen's consent. InvalidInput names what is wrong."""
    from servicehall.core.idnumbers import phone_problem

    phone = "".join((phone or "").split())
    if not phone or not isinstance(overall, int) or overall > bad_review_level():
        return ""
    problem = phone_problem(phone)
    if problem:
        raise InvalidInput({"callback_phone": [problem]})
    if not consent:
        raise InvalidInput(
            {"callback_consent": [_("Tick the box to let the unit call you back on this number.")]}
        )
    return phone


def leave_contact(rating: Rating, phone: str, now=None):
    """Keep the checked phone (check_contact) for the call-back of this low rating, once."""
    from .models import CallbackContact

    if not phone or rating.overall > bad_review_level():
        return None
    contact, _created = CallbackContact.objects.get_or_create(
        rating=rating, defaults={"phone": phone, "consented_at": now or timezone.now()}
    )
    return contact


def contact_phone(rect: BadReviewFollowUp, booked=None) -> str:
    """The number to call back: the one the citizen left with the rating, else the one of the
    visit's case or booking. Never published; masked on the unit's pages. `booked`: the
    bookings' phones by ticket id, read once for a page of many."""
    from .models import CallbackContact

    rating = rect.rating
    try:
        return rating.contact.phone  # select_related("rating__contact") makes this free
    except CallbackContact.DoesNotExist:
        pass
    if rating.case_id and rating.case.phone:
        return rating.case.phone
    if rating.ticket_id:
        if booked is not None:
            return booked.get(rating.ticket_id, "")
        from servicehall.queueing.models import Appointment

        phone = (
            Appointment.objects.filter(ticket_id=rating.ticket_id)
            .values_list("phone", flat=True)
            .first()
        )
        return phone or ""
    return ""


def may_see_contact(actor: Actor, rect: BadReviewFollowUp) -> bool:
    """Whoever makes the call-back may see the number in full: a handler of the unit's bad
    reviews, at the call-back step."""
    return (
        actor.can(Action.HANDLE_BAD_REVIEW, unit=rect.unit)
        and actor.staff is not None
        and rect.stage == BadReviewFollowUp.Stage.CALLBACK
    )


def reveal_contact(*, actor: Actor, follow_up: BadReviewFollowUp) -> str:
    """The number in full, for the call-back; the audit trail records who saw it, when."""
    from auditlog.models import LogEntry

    require(actor, Action.HANDLE_BAD_REVIEW, unit=follow_up.unit)
    if not may_see_contact(actor, follow_up):
        raise Forbidden(
            _("The number is shown in full only to whoever makes the call-back, at that step."),
            rule="R-LAW-2",
        )
    phone = contact_phone(follow_up)
    if not phone:
        raise ServiceError(_("The citizen left no number for a call-back."))
    LogEntry.objects.log_create(
        follow_up,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=actor.user,
        changes={"contact": ["", str(_("phone shown in full for the call-back"))]},
        additional_data={"unit_id": follow_up.unit_id, "shown": "callback_phone"},
    )
    return phone


def _late_text(f: BadReviewFollowUp) -> str:
    """What the leaders are told of a step past its deadline: the visit's window, or the
    case (一事一评)."""
    values = {
        "n": f.rating_id,
        "stage": f.get_stage_display(),
        "due": timezone.localtime(f.due_at).strftime("%Y-%m-%d %H:%M"),
    }
    if f.rating.case_id:
        return _(
            "Bad review #%(n)s (case %(case)s): the step “%(stage)s” was due %(due)s and is "
            "not done."
        ) % {**values, "case": f.rating.case.number}
    return _(
        "Bad review #%(n)s (window %(w)s): the step “%(stage)s” was due %(due)s and is not done."
    ) % {**values, "w": f.rating.window.number if f.rating.window else "—"}


def late_steps(now=None) -> int:
    """Tell the unit's leaders, once per step, of each bad-review follow-up whose step (verify,
    rectify, call back) is past its deadline (R-LAW-2; run by the jobs). What was told already
    is read in one query, each unit's leaders once."""
    from django.urls import reverse

    from servicehall.notices.models import Notification
    from servicehall.notices.services import notify, who_must_hear

    now = now or timezone.now()
    kind = Notification.Kind.BAD_REVIEW
    late = (
        BadReviewFollowUp.objects.filter(due_at__lt=now)
        .exclude(stage=BadReviewFollowUp.Stage.CLOSED)
        .select_related("unit", "rating__window", "rating__case")
    )
    texts = {f: _late_text(f) for f in late}
    told_already = set(
        Notification.objects.filter(kind=kind, text__in=set(texts.values())).values_list(
            "recipient_id", "text"
        )
    )
    leaders_of, told = {}, 0
    for f, text in texts.items():
        if f.unit_id not in leaders_of:
            leaders_of[f.unit_id] = who_must_hear(f.unit)
        leaders = [u for u in leaders_of[f.unit_id] if (u.pk, text) not in told_already]
        if leaders:
            told += notify(recipients=leaders, kind=kind, text=text, link=reverse("reviews"))
    return told


def redate(*, years, now) -> int:
    """R-LAW-4: the calendar of `years` changed: an open follow-up's step is due again by the
    new days, signed again (the change is the system's, in the audit trail with old and new
    time). Returns how many moved."""
    from servicehall.worktime import services as worktime

    since = worktime.moved_since(years)
    moved = 0
    open_ = BadReviewFollowUp.objects.exclude(stage=BadReviewFollowUp.Stage.CLOSED)
    for pk in list(open_.filter(due_at__gte=since).values_list("pk", flat=True)):
        with transaction.atomic():  # locked and re-read: a step taken a moment ago wins
            rect = open_.select_for_update().filter(pk=pk).first()
            due = rect and _due(rect.stage, rect.step_started_at, rect.unit_id)
            if rect is None or due == rect.due_at:
                continue
            rect.due_at = due
            rect.mac = sign_follow_up(rect)
            rect.save(update_fields=["due_at", "mac"])
        moved += 1
    return moved
