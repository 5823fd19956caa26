"""Supervision notices, rectification and criticism bulletins (R-SUP-3).

A published visit with deductions gets one supervision notice (督办通知): what the unit must
fix and by when, a working-day policy ("supervision-rectify") counted on the hall's calendar.
The unit's leader answers it with the measures taken and, if they like, a photo or PDF; an
inspector of the office verifies the answer, accepting it or sending it back to be answered
again. A notice still waiting for the unit past its deadline goes up, once, to the unit's
sector authority and the organizing office. A criticism bulletin (通报批评) freezes the
violation points that stand in a period, per unit and per person, with what they were for.

This module imports services.py (publishing), never the reverse.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from servicehall.core.errors import InvalidInput, ServiceError
from servicehall.core.figures import day_bounds
from servicehall.notices import services as notices
from servicehall.notices.models import Notification
from servicehall.org.choices import Role
from servicehall.org.models import Staff
from servicehall.org.permissions import Action, Actor, require
from servicehall.violations.figures import standing_points, violation_rows
from servicehall.worktime import services as worktime

from . import services
from .models import (
    AWAITING_UNIT,
    Answer,
    Bulletin,
    BulletinEntry,
    Inspection,
    Notice,
    NoticeStatus,
    Status,
)

RECTIFY_POLICY = "supervision-rectify"
EVIDENCE_TYPES = ("image/jpeg", "image/png", "application/pdf")


def due(start: dt.datetime, unit):
    """When a notice issued at `start` to `unit` must be rectified by (a workcal Due)."""
    return worktime.deadline(start=start, limit=worktime.policy(RECTIFY_POLICY), unit=unit)


def requirements_from(inspection: Inspection) -> str:
    """The requirements a notice starts from: one line per deduction, its norm and note."""
    lines = []
    for n, f in enumerate(services.deductions(inspection), start=1):
        line = f"{n}. {f.item.code} {f.item.title}（{f.item.source}）"
        if f.note:
            line += f"：{f.note}"
        lines.append(line + "，" + _("rectify and report the measures taken."))
    return "\n".join(lines)


def _link(notice: Notice) -> str:
    return reverse("supervision:notice", args=[notice.number])


def issue(*, actor: Actor, inspection: Inspection, requirements, now=None) -> Notice:
    """Issue the supervision notice of a published visit with deductions: one per visit, due
    after the policy's working days from now; the unit's leaders are told."""
    require(actor, Action.PUBLISH_INSPECTION, unit=inspection.unit)
    now = now or timezone.now()
    requirements = (requirements or "").strip()
    with transaction.atomic():
        inspection = (
            Inspection.objects.select_for_update(of=("self",))
            .select_related("unit")
            .get(pk=inspection.pk)
        )
        # R-SUP-3: a notice follows a published visit with deductions, and only one
        if inspection.status != Status.PUBLISHED:
            raise ServiceError(
                _("Publish the inspection first: a notice follows a published visit."),
                rule="R-SUP-3",
            )
        if Notice.objects.filter(inspection=inspection).exists():
            raise ServiceError(_("This inspection has its notice already."), rule="R-SUP-3")
        if not services.deductions(inspection).exists():
            raise ServiceError(
                _("This inspection has no deductions: there is nothing to rectify."),
                rule="R-SUP-3",
            )
        if not requirements:
            raise InvalidInput(
                {"requirements": [_("Write what the unit must rectify.")]}, rule="R-SUP-3"
            )
        found = due(now, inspection.unit)
        notice = services.create_numbered(
            Notice,
            "DB",
            now,
            refusal=_("The notice could not be numbered: try again."),
            inspection=inspection,
            unit=inspection.unit,
            requirements=requirements[:5000],
            issued_at=now,
            issued_by=actor.staff,
            due_at=found.at,
            due_estimated=found.estimated,
        )
    notices.notify(
        recipients=notices.who_must_hear(inspection.unit),
        kind=Notification.Kind.SUPERVISION_NOTICE,
        text=_("Supervision notice %(number)s: %(unit)s must rectify by %(day)s.")
        % {
            "number": notice.number,
            "unit": inspection.unit.name,
            "day": f"{timezone.localtime(notice.due_at):%Y-%m-%d}",
        },
        link=_link(notice),
    )
    return notice


def publish_with_notice(*, actor: Actor, inspection: Inspection, requirements=None, now=None):
    """Publish a visit and, when it has deductions and `requirements` are given, issue its
    notice in the same act: a refused notice leaves the visit unpublished.
    Returns (inspection, notice or None)."""
    now = now or timezone.now()
    with transaction.atomic():
        inspection = services.publish(actor=actor, inspection=inspection, now=now)
        notice = None
        if requirements is not None and services.deductions(inspection).exists():
            notice = issue(actor=actor, inspection=inspection, requirements=requirements, now=now)
    return inspection, notice


def _evidence_problem(upload) -> str | None:
    return services.upload_problem(
        upload,
        limit=settings.SERVICEHALL["NOTICE_EVIDENCE_MAX_BYTES"],
        types=EVIDENCE_TYPES,
        too_big=_("The evidence file may be at most %(mb)s MB."),
        wrong_type=_("The evidence must be a JPEG or PNG photo or a PDF."),
    )


def _inspectors(inspection: Inspection) -> list:
    return [
        s.user_id
        for s in (inspection.inspector, inspection.second_inspector)
        if s is not None and s.user_id
    ]


def answer(*, actor: Actor, notice: Notice, measures, evidence=None, now=None) -> Answer:
    """The unit answers its notice with the measures taken (and evidence, if any); the
    visit's inspectors are told there is a rectification to verify."""
    require(actor, Action.ANSWER_NOTICE, unit=notice.unit)
    now = now or timezone.now()
    errors = {}
    measures = (measures or "").strip()
    if not measures:
        errors["measures"] = [_("Say what was done to rectify each item.")]
    if evidence is not None:
        problem = _evidence_problem(evidence)
        if problem:
            errors["evidence"] = [problem]
    if errors:
        raise InvalidInput(errors, rule="R-SUP-3")
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update(of=("self",))
            .select_related("inspection__inspector", "inspection__second_inspector", "unit")
            .get(pk=notice.pk)
        )
        # R-SUP-3: the unit answers a notice that waits for it (issued or sent back)
        if notice.status not in AWAITING_UNIT:
            raise ServiceError(
                _("This notice is not waiting for an answer (it is %(status)s).")
                % {"status": notice.get_status_display()},
                rule="R-SUP-3",
            )
        row = Answer(
            notice=notice, measures=measures[:5000], answered_at=now, answered_by=actor.staff
        )
        if evidence is not None:
            # stored under the extension of the type its first bytes proved, not the sender's
            evidence.name = "evidence." + services.EXTENSION[services.content_type(evidence)]
            row.evidence = evidence
        row.save()
        notice.status = NoticeStatus.ANSWERED
        notice.save(update_fields=["status"])
    notices.notify(
        recipients=_inspectors(notice.inspection),
        kind=Notification.Kind.NOTICE_ANSWERED,
        text=_("%(unit)s answered supervision notice %(number)s: verify the rectification.")
        % {"unit": notice.unit.name, "number": notice.number},
        link=_link(notice),
    )
    return row


def verify(*, actor: Actor, notice: Notice, accepted: bool, note="", now=None) -> Notice:
    """An inspector verifies the unit's last answer: accepted closes the notice; sent back
    (with a note of what is still wrong) waits for the unit again. The leaders are told."""
    require(actor, Action.VERIFY_RECTIFICATION, unit=notice.unit)
    now = now or timezone.now()
    note = (note or "").strip()
    if not accepted and not note:
        raise InvalidInput(
            {"note": [_("Say what is still to be rectified when sending the answer back.")]},
            rule="R-SUP-3",
        )
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update(of=("self",)).select_related("unit").get(pk=notice.pk)
        )
        # R-SUP-3: only an answer is verified
        if notice.status != NoticeStatus.ANSWERED:
            raise ServiceError(_("There is no answer to verify on this notice."), rule="R-SUP-3")
        last = notice.answers.order_by("-answered_at", "-pk").first()
        last.accepted = bool(accepted)
        last.verdict_note = note[:500]
        last.verified_at = now
        last.verified_by = actor.staff
        last.save(update_fields=["accepted", "verdict_note", "verified_at", "verified_by"])
        if accepted:
            notice.status, notice.closed_at = NoticeStatus.ACCEPTED, now
        else:
            notice.status = NoticeStatus.RETURNED
        notice.save(update_fields=["status", "closed_at"])
    text = (
        _("Supervision notice %(number)s: the rectification is accepted.")
        if accepted
        else _("Supervision notice %(number)s was sent back: %(note)s")
    ) % {"number": notice.number, "note": note}
    notices.notify(
        recipients=notices.who_must_hear(notice.unit),
        kind=Notification.Kind.NOTICE_VERIFIED,
        text=text,
        link=_link(notice),
    )
    return notice


def escalate_overdue(now=None) -> int:
    """Every notice still waiting for the unit past its deadline goes up once: its sector
    authority's reviewers and the organizing office are told (run by the jobs). An answer
    waiting for verification is the office's to move, not the unit's, and is not escalated."""
    now = now or timezone.now()
    office = list(
        Staff.objects.filter(
            role=Role.ORGANIZER_ADMIN, active=True, user__isnull=False
        ).values_list("user_id", flat=True)
    )
    count = 0
    late = Notice.objects.filter(
        status__in=AWAITING_UNIT, due_at__lt=now, escalated_at__isnull=True
    ).select_related("unit")
    for notice in late:
        with transaction.atomic():
            # R-SUP-3: past its deadline a notice goes up to the sector authority, once
            if not Notice.objects.filter(pk=notice.pk, escalated_at__isnull=True).update(
                escalated_at=now
            ):
                continue
            authority = notices.who_must_hear(notice.unit, leaders=False, authority=True)
            notices.notify(
                recipients=[*authority, *office],
                kind=Notification.Kind.NOTICE_OVERDUE,
                text=_("Supervision notice %(number)s of %(unit)s is past its deadline unanswered.")
                % {"number": notice.number, "unit": notice.unit.name},
                link=_link(notice),
            )
            count += 1
    return count


def redate(*, years, now=None) -> int:
    """The calendar of `years` changed: an open notice's deadline is counted again from when
    it was issued (the audit trail keeps the old and new time). Returns how many moved."""
    since = worktime.moved_since(years)
    moved = 0
    open_ = Notice.objects.exclude(status=NoticeStatus.ACCEPTED).filter(due_at__gte=since)
    for notice in open_.select_related("unit"):
        found = due(notice.issued_at, notice.unit)
        if (notice.due_at, notice.due_estimated) != (found.at, found.estimated):
            notice.due_at, notice.due_estimated = found.at, found.estimated
            notice.save(update_fields=["due_at", "due_estimated"])  # auditlog: old and new
            moved += 1
    return moved


# ---- criticism bulletins (通报批评) ----------------------------------------------------------


def ledger_entries(first_day: dt.date, last_day: dt.date) -> list[dict]:
    """The points that stand in the period, per unit (staff None) and per person named, with
    the reasons they were given for: [{unit_id, staff_id, points, reasons}], most first."""
    start, end = day_bounds(first_day, last_day)
    reasons = {}
    rows = (
        standing_points()
        .filter(recorded_at__gte=start, recorded_at__lt=end)
        .order_by("recorded_at", "pk")
        .values_list("unit_id", "staff_id", "points", "reason")
    )
    for unit_id, staff_id, points, reason in rows:
        line = f"{reason}（{points}分）"
        reasons.setdefault((unit_id, None), []).append(line)
        if staff_id is not None:
            reasons.setdefault((unit_id, staff_id), []).append(line)
    out = [
        {"unit_id": r["unit_id"], "staff_id": None, "points": r["points"]}
        for r in violation_rows(("unit_id",), first_day, last_day)
    ] + [
        {"unit_id": r["unit_id"], "staff_id": r["staff_id"], "points": r["points"]}
        for r in violation_rows(("unit_id", "staff_id"), first_day, last_day)
        if r["staff_id"] is not None
    ]
    for row in out:
        row["reasons"] = "\n".join(reasons.get((row["unit_id"], row["staff_id"]), []))
    return sorted(out, key=lambda r: (-r["points"], r["unit_id"], r["staff_id"] or 0))


def draft_bulletin(*, actor: Actor, first_day, last_day, title, intro="", now=None) -> Bulletin:
    """A draft criticism bulletin of a period: the ledger's standing points per unit and per
    person, each with its reasons, frozen into its entries now (a later cancellation does not
    change a bulletin drafted before it)."""
    require(actor, Action.PUBLISH_BULLETIN)
    now = now or timezone.now()
    errors = {}
    title = (title or "").strip()
    if not title or len(title) > 120:
        errors["title"] = [_("Give the bulletin a title (up to 120 characters).")]
    if not isinstance(first_day, dt.date) or not isinstance(last_day, dt.date):
        errors["first_day"] = [_("Give the period's first and last day.")]
    elif last_day < first_day:
        errors["last_day"] = [_("The last day comes on or after the first day.")]
    elif last_day > timezone.localdate(now):
        errors["last_day"] = [_("A bulletin covers days that have passed.")]
    if errors:
        raise InvalidInput(errors, rule="R-SUP-3")
    entries = ledger_entries(first_day, last_day)
    if not entries:
        raise InvalidInput(
            {
                "first_day": [
                    _("No violation points stand in this period: there is no one to name.")
                ]
            },
            rule="R-SUP-3",
        )
    with transaction.atomic():
        bulletin = services.create_numbered(
            Bulletin,
            "TB",
            now,
            refusal=_("The bulletin could not be numbered: try again."),
            width=3,
            title=title,
            first_day=first_day,
            last_day=last_day,
            intro=(intro or "").strip()[:5000],
            created_at=now,
            created_by=actor.staff,
        )
        BulletinEntry.objects.bulk_create(
            BulletinEntry(
                bulletin=bulletin,
                unit_id=e["unit_id"],
                staff_id=e["staff_id"],
                points=e["points"],
                reasons=e["reasons"],
            )
            for e in entries
        )
    return bulletin


def publish_bulletin(*, actor: Actor, bulletin: Bulletin, now=None) -> Bulletin:
    """Publish a drafted bulletin, once: every staff login may then read it."""
    require(actor, Action.PUBLISH_BULLETIN)
    now = now or timezone.now()
    with transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        # R-SUP-3: a bulletin is published once, as it was frozen
        if bulletin.published_at is not None:
            raise ServiceError(_("This bulletin has been published already."), rule="R-SUP-3")
        bulletin.published_at, bulletin.published_by = now, actor.staff
        bulletin.save(update_fields=["published_at", "published_by"])
    return bulletin
