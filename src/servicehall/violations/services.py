"""The violation-points ledger (R-FB-3, R-SUP-3): `record` gives points for one source,
`cancel` takes a row back by a row of its own, `verify` names every row faked, changed or
deleted behind the application's back, `points_by_unit` is what scores read.

Each write is one transaction that signs the row, links it into the chain under one lock, and,
once committed, anchors the chain's head in the checkpoint file (decision 0025).
"""

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from servicehall.core import chain
from servicehall.core.errors import InvalidInput, ServiceError
from servicehall.org.permissions import Action, Actor, require

from .models import SIGNED_FIELDS, SourceKind, Violation

SALT = "servicehall.violations.violation"
CHECKPOINTS = chain.Checkpoints("VIOLATION_CHECKPOINTS", "servicehall.violations.checkpoint")
CHAIN_LOCK = 7303  # advisory-lock namespace of the ledger's chain on PostgreSQL
MIN_POINTS, MAX_POINTS = 1, 20


def canonical(row: Violation) -> str:
    """The signed content of a row, as one string (the chain's columns excluded)."""
    return chain.canonical([getattr(row, f) for f in SIGNED_FIELDS])


def sign(row: Violation) -> str:
    return chain.mac(SALT, canonical(row))


def _points(points) -> int:
    # R-SUP-3: the norms give 1 to 20 points for one violation
    if isinstance(points, bool) or not isinstance(points, int):
        raise InvalidInput({"points": [_("Give 1 to 20 violation points.")]}, rule="R-SUP-3")
    if not MIN_POINTS <= points <= MAX_POINTS:
        raise InvalidInput({"points": [_("Give 1 to 20 violation points.")]}, rule="R-SUP-3")
    return points


def _standing(source_kind, source_id):
    """The source's points that stand: recorded and not cancelled."""
    return Violation.objects.filter(
        source_kind=source_kind,
        source_id=source_id,
        cancels__isnull=True,
        cancelled_by__isnull=True,
    )


def standing(source_kind, source_id) -> Violation | None:
    """The points a source gives that stand, or None (a complaint's page shows them)."""
    return _standing(source_kind, source_id).select_related("staff").first()


def record(
    *,
    actor: Actor,
    unit,
    staff=None,
    points,
    reason,
    source_kind,
    source_id,
    now=None,
) -> Violation:
    """Give violation points to a unit and, where named, one of its people, for one source
    (a complaint by its code, an inspection, a supervision notice …). A source gives points
    once; recorded again only after its points were cancelled."""
    # who gives points: as for a substantiated complaint, the unit's leaders and the office
    require(actor, Action.HANDLE_COMPLAINT, unit=unit)
    errors = {}
    if source_kind not in SourceKind.values:
        errors["source_kind"] = [_("Choose where the violation points come from.")]
    source_id = str(source_id or "").strip()
    if not source_id or len(source_id) > 40:
        errors["source_id"] = [_("Name the source by its id or code (up to 40 characters).")]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Say what the violation points are for.")]
    if staff is not None and staff.unit_id != unit.pk:
        errors["staff"] = [_("This staff member does not work at the unit concerned.")]
    if errors:
        raise InvalidInput(errors)
    points = _points(points)
    with transaction.atomic():
        _lock_chain()
        if _standing(source_kind, source_id).exists():
            raise ServiceError(_("This source has given its violation points already."))
        revision = Violation.objects.filter(
            source_kind=source_kind, source_id=source_id, cancels__isnull=True
        ).count()
        row = Violation(
            unit=unit,
            staff=staff,
            points=points,
            reason=reason[:300],
            source_kind=source_kind,
            source_id=source_id,
            revision=revision,
            recorded_at=now or timezone.now(),
            recorded_by=actor.staff,
        )
        _append(row)
    return row


def cancel(*, actor: Actor, violation: Violation, reason, now=None) -> Violation:
    """Take back points recorded in error: a row of its own that names the row it cancels and
    why; the cancelled points leave every figure, from the day they were recorded. The
    organizing office decides, never the unit that was given them."""
    require(actor, Action.CANCEL_VIOLATION, unit=violation.unit)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": [_("Say why the violation points are cancelled.")]})
    with transaction.atomic():
        _lock_chain()
        target = Violation.objects.get(pk=violation.pk)
        if target.cancels_id is not None:
            raise ServiceError(_("A cancellation cannot be cancelled: record the points anew."))
        if Violation.objects.filter(cancels=target).exists():
            raise ServiceError(_("These violation points have been cancelled already."))
        row = Violation(
            unit_id=target.unit_id,
            staff_id=target.staff_id,
            points=target.points,
            reason=reason[:300],
            source_kind=target.source_kind,
            source_id=target.source_id,
            revision=target.revision,
            cancels=target,
            recorded_at=now or timezone.now(),
            recorded_by=actor.staff,
        )
        _append(row)
    return row


def _lock_chain():
    """One writer of the chain at a time (inside the caller's transaction)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def _append(row: Violation) -> None:
    """Sign, insert and link the row into the chain (under _lock_chain); anchor the head once
    committed. A unique key that refuses it means its source gave points meanwhile."""
    row.mac = sign(row)
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        raise ServiceError(_("This source has given its violation points already.")) from None
    last = (
        Violation.objects.filter(seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", "chain_hash")
        .first()
    )
    seq, prev = (last[0] + 1, last[1]) if last else (1, chain.GENESIS)
    row.seq, row.prev_hash = seq, prev
    row.chain_hash = chain.link(prev, seq, row.pk, row.mac)
    Violation.objects.all()._link(row.pk, seq, prev, row.chain_hash)
    transaction.on_commit(lambda: CHECKPOINTS.write(seq, row.chain_hash))


# ---- the check ------------------------------------------------------------------------------


class Finding(chain.Finding):
    @property
    def violation_id(self):
        return self.row_id


def verify() -> list[Finding]:
    """Recompute every row's signature and the whole chain, and check it against the
    checkpoints; name every row that does not fit. A row outside the chain was never written
    by `record` or `cancel` (they link it in the same transaction)."""
    findings = []
    walk = chain.Walk()
    for row in Violation.objects.order_by("seq", "pk").iterator(chunk_size=2000):
        signed = constant_time_compare(row.mac, sign(row))
        if row.seq is None:
            findings.append(Finding(row.pk, None, "broken" if signed else "inserted"))
            continue
        found = walk.step(
            pk=row.pk,
            seq=row.seq,
            row_mac=row.mac,
            prev_hash=row.prev_hash,
            chain_hash=row.chain_hash,
            signed=signed,
        )
        findings += [Finding(*f) for f in found]
    findings += [Finding(None, seq, problem) for seq, problem in CHECKPOINTS.problems(walk.heads)]
    return Finding.ordered(findings)


# ---- the figures ----------------------------------------------------------------------------


def points_by_unit(units, first: dt.date, last: dt.date) -> dict:
    """Violation points that stand per unit over local days `first` … `last`:
    {unit_id: points}."""
    from .figures import violation_rows

    return {r["unit_id"]: r["points"] for r in violation_rows(("unit_id",), first, last, units)}
