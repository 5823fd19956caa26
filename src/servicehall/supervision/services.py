"""Supervision's rules (R-SUP-1, R-SUP-2): norm versions, a visit synced once from the
inspector's phone, its score and seal, and publishing it as one recorded act that gives the
ledger its points and bars a unit named by an undercover visit from the campaign's awards.

Notices and rectification are in `notices.py`, the plan's draw in `plans.py`, a unit's
self-inspection in `selfcheck.py`, the inspectors' agreement in `agreement.py`.
"""

import datetime as dt
import hashlib
import re
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from servicehall.core import chain
from servicehall.core.errors import Forbidden, InvalidInput, ServiceError
from servicehall.notices import services as notices
from servicehall.notices.models import Notification
from servicehall.org.choices import Role
from servicehall.org.models import Staff, Unit, Window
from servicehall.org.permissions import Action, Actor, require
from servicehall.violations import services as ledger
from servicehall.violations.models import SourceKind

from .models import (
    AwardBar,
    Category,
    Checklist,
    ChecklistVersion,
    Evidence,
    Finding,
    Inspection,
    InspectionPlan,
    Kind,
    NormItem,
    Photo,
    Status,
    Verdict,
)

SEAL_SALT = "servicehall.supervision.inspection"
# How a file's first bytes prove the type its upload claims (photos and evidence alike).
MAGIC = {
    "image/jpeg": lambda head: head.startswith(b"\xff\xd8\xff"),
    "image/png": lambda head: head.startswith(b"\x89PNG"),
    "image/webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
    "application/pdf": lambda head: head.startswith(b"%PDF-"),
}
EXTENSION = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
TYPE_OF_EXTENSION = {ext: kind for kind, ext in EXTENSION.items()}
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
ITEM_FIELDS = ("code", "title", "text", "source", "category", "points", "critical", "evidence")


# ---- norms (R-SUP-1) ------------------------------------------------------------------------


def current(checklist: Checklist) -> ChecklistVersion | None:
    return checklist.versions.order_by("-number").first()


def current_versions():
    """The newest version of every checklist, with its checklist and its number of norms, in
    one query (the norms a new visit or plan uses)."""
    latest = ChecklistVersion.objects.filter(checklist=OuterRef("checklist")).order_by("-number")
    return (
        ChecklistVersion.objects.filter(pk=Subquery(latest.values("pk")[:1]))
        .select_related("checklist", "created_by")
        .annotate(n_items=Count("items"))
        .order_by("checklist__code")
    )


def checklist_for(unit: Unit, window: Window | None = None, checklists=None) -> Checklist | None:
    """The norms a unit (and window) is judged by: the most particular checklist that fits —
    its window kind, then its unit kind, then its sector, then every sector's. `checklists`:
    the ones to choose from, read once by a caller choosing for many units (else all)."""
    best, rank = None, -1
    for c in Checklist.objects.all() if checklists is None else checklists:
        if c.sector_id and c.sector_id != unit.sector_id:
            continue
        if c.unit_kind and c.unit_kind != unit.kind:
            continue
        if c.window_kind and (window is None or c.window_kind != window.kind):
            continue
        r = (4 if c.window_kind else 0) + (2 if c.unit_kind else 0) + (1 if c.sector_id else 0)
        if r > rank:
            best, rank = c, r
    return best


def item_problems(row: dict) -> dict:
    """What is wrong with one norm's fields, as {field: [message]} (empty when it is fine)."""
    errors = {}
    code = str(row.get("code") or "").strip()
    if not code or len(code) > 20:
        errors["code"] = [_("Give the norm a code of up to 20 characters, e.g. JXJ-16.")]
    for field, size, message in (
        ("title", 60, _("Give the norm a short title (up to 60 characters).")),
        ("source", 120, _("Name the norm's source: document and article (up to 120).")),
    ):
        value = str(row.get(field) or "").strip()
        if not value or len(value) > size:
            errors[field] = [message]
    if not str(row.get("text") or "").strip():
        errors["text"] = [_("Write the norm's text as the document words it.")]
    if row.get("category") not in Category.values:
        errors["category"] = [_("Choose the norm's category.")]
    points = row.get("points")
    if isinstance(points, bool) or not isinstance(points, int) or not 1 <= points <= 20:
        errors["points"] = [_("A deduction costs 1 to 20 points.")]
    if row.get("evidence", Evidence.NOTE) not in Evidence.values:
        errors["evidence"] = [_("Choose the evidence a deduction needs: photo, note or none.")]
    return errors


def version_problems(items: list[dict]) -> dict:
    """What is wrong with a version's items, as {"<row>.<field>": [message]} (row from 1)."""
    errors, seen = {}, set()
    for n, row in enumerate(items, start=1):
        for field, messages in item_problems(row).items():
            errors[f"{n}.{field}"] = messages
        code = str(row.get("code") or "").strip()
        if code and code in seen:
            errors[f"{n}.code"] = [_("The code %(code)s is used twice.") % {"code": code}]
        seen.add(code)
    if not items:
        errors["items"] = [_("A checklist needs at least one norm.")]
    return errors


def new_version(*, actor: Actor, checklist: Checklist, items: list[dict], note="", now=None):
    """Write the checklist's items as its next version (R-SUP-1): the versions before it stay
    as they were, with every finding judged by them. `items` are dicts of ITEM_FIELDS, in
    order. All or nothing: a problem in any item refuses the whole version, naming the row."""
    require(actor, Action.MANAGE_NORMS)
    return write_version(checklist=checklist, items=items, note=note, now=now, by=actor.staff)


def write_version(*, checklist: Checklist, items: list[dict], note="", now=None, by=None):
    """The one way a version is written, after whoever asked was allowed to (new_version, the
    norm library's seeder): the items checked, then the next number, all or nothing."""
    errors = version_problems(items)
    if errors:
        raise InvalidInput(errors, rule="R-SUP-1")
    with transaction.atomic():
        Checklist.objects.select_for_update().get(pk=checklist.pk)
        last = checklist.versions.aggregate(n=Max("number"))["n"] or 0
        version = ChecklistVersion.objects.create(
            checklist=checklist,
            number=last + 1,
            note=(note or "").strip()[:200],
            created_at=now or timezone.now(),
            created_by=by,
        )
        NormItem.objects.bulk_create(
            NormItem(
                version=version,
                position=n,
                code=str(row["code"]).strip(),
                title=str(row["title"]).strip(),
                text=str(row["text"]).strip(),
                source=str(row["source"]).strip(),
                category=row["category"],
                points=row["points"],
                critical=bool(row.get("critical")),
                evidence=row.get("evidence") or Evidence.NOTE,
            )
            for n, row in enumerate(items, start=1)
        )
    return version


def new_checklist(*, actor: Actor, fields: dict, items: list[dict], note="", now=None):
    """A new checklist with its first version, or nothing (R-SUP-1): `fields` are code, name,
    sector (a Sector or None), unit_kind, window_kind."""
    require(actor, Action.MANAGE_NORMS)
    errors = {f"items.{k}": v for k, v in version_problems(items).items()}
    code = str(fields.get("code") or "").strip()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,39}", code):
        errors["code"] = [
            _("Give the checklist a code of lowercase letters, digits and hyphens, e.g. tax-hall.")
        ]
    elif Checklist.objects.filter(code=code).exists():
        errors["code"] = [_("A checklist with the code %(code)s exists already.") % {"code": code}]
    name = str(fields.get("name") or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [_("Name the checklist (up to 100 characters).")]
    if errors:
        raise InvalidInput(errors, rule="R-SUP-1")
    with transaction.atomic():
        checklist = Checklist.objects.create(
            code=code,
            name=name,
            sector=fields.get("sector"),
            unit_kind=fields.get("unit_kind") or "",
            window_kind=fields.get("window_kind") or "",
        )
        write_version(checklist=checklist, items=items, note=note, now=now, by=actor.staff)
    return checklist


def version_diff(older: ChecklistVersion | None, newer: ChecklistVersion) -> dict:
    """What a version changed against the one before, by norm code: the norms added, removed,
    and changed (with the fields that differ)."""
    before = {i.code: i for i in older.items.all()} if older else {}
    after = {i.code: i for i in newer.items.all()}
    changed = []
    for code, item in after.items():
        old = before.get(code)
        if old is None:
            continue
        fields = [f for f in ITEM_FIELDS if getattr(old, f) != getattr(item, f)]
        if fields:
            changed.append((old, item, fields))
    return {
        "added": [i for c, i in after.items() if c not in before],
        "removed": [i for c, i in before.items() if c not in after],
        "changed": changed,
    }


def item_dicts(version: ChecklistVersion) -> list[dict]:
    """A version's items as new_version takes them (to edit one and write the next)."""
    return [{f: getattr(i, f) for f in ITEM_FIELDS} for i in version.items.all()]


# ---- a visit synced from the phone (R-SUP-2) -----------------------------------------------


def create_numbered(model, code: str, now, *, refusal, width=5, **fields):
    """Create a row numbered <code>-<local year>-<n>, the year's next (visits JC, notices DB,
    bulletins TB). Two writers at one moment draw the same number: the unique number refuses
    the second, which takes the next. Any other refusal is the caller's."""
    prefix = f"{code}-{timezone.localtime(now).year}-"
    for _attempt in range(5):
        last = (
            model.objects.filter(number__startswith=prefix)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        )
        number = f"{prefix}{int(last[len(prefix) :]) + 1 if last else 1:0{width}d}"
        try:
            with transaction.atomic():
                return model.objects.create(number=number, **fields)
        except IntegrityError:
            if not model.objects.filter(number=number).exists():
                raise
    raise ServiceError(refusal)


def _parse_key(value):
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def _staff_of(value, errors, field, *, unit=None, role=None):
    if value in (None, ""):
        return None
    try:
        staff = Staff.objects.select_related("user").get(pk=int(value), active=True)
    except (TypeError, ValueError, Staff.DoesNotExist):
        errors[field] = [_("Choose a staff member from the list.")]
        return None
    if unit is not None and staff.unit_id != unit.pk:
        errors[field] = [_("This staff member does not work at the unit inspected.")]
        return None
    if role is not None and staff.role not in role:
        errors[field] = [_("The second inspector must be an inspector or of the office.")]
        return None
    return staff


def _verdicts(raw, items: dict, unit, errors, key):
    """{item_id: (verdict, note, staff)} from the draft's list for one inspector."""
    out = {}
    if not isinstance(raw, list):
        raw = []
    for n, row in enumerate(raw, start=1):
        if not isinstance(row, dict):
            errors[f"{key}.{n}"] = [_("Each verdict names a norm and pass, deduct or n/a.")]
            continue
        try:
            item = items[int(row.get("item"))]
        except (TypeError, ValueError, KeyError):
            errors[f"{key}.{n}"] = [_("This norm is not in the checklist the visit uses.")]
            continue
        verdict = row.get("verdict")
        if verdict not in Verdict.values:
            errors[f"{key}.{n}"] = [_("Judge %(code)s: pass, deduct or n/a.") % {"code": item.code}]
            continue
        note = str(row.get("note") or "").strip()[:500]
        named = _staff_of(row.get("staff"), errors, f"{key}.{n}.staff", unit=unit)
        out[item.pk] = (verdict, note, named)
    return out


def content_type(upload) -> str:
    return (upload.content_type or "").split(";")[0]


def upload_problem(upload, *, limit: int, types, too_big, wrong_type) -> str | None:
    """What is wrong with an uploaded file, or None: bigger than `limit` bytes (`too_big`, with
    %(mb)s), or not one of `types` by its first bytes, whatever it claims (`wrong_type`)."""
    if upload.size > limit:
        return too_big % {"mb": limit // (1024 * 1024)}
    head = upload.read(12)
    upload.seek(0)
    kind = content_type(upload)
    if kind not in types or not MAGIC[kind](head):
        return str(wrong_type)
    return None


def _photo_problem(upload) -> str | None:
    return upload_problem(
        upload,
        limit=settings.SERVICEHALL["INSPECTION_PHOTO_MAX_BYTES"],
        types=PHOTO_TYPES,
        too_big=_("A photo may be at most %(mb)s MB."),
        wrong_type=_("A photo must be a JPEG, PNG or WebP image."),
    )


def sync(*, actor: Actor, draft: dict, photos=None, now=None) -> tuple[Inspection, bool]:
    """Store a visit completed on the inspector's phone, once (R-SUP-2): the draft's key
    makes a second sync of it find the first and store nothing new. Returns (inspection,
    created).

    draft — key, kind, unit, window, staff, version, place, visited_at (ISO), note,
    second_inspector, verdicts: [{item, verdict, note, staff}], second_verdicts (the same, by
    the second inspector), photos: [{item, name}] naming uploads in `photos` {name: file}.
    """
    require(actor, Action.RECORD_INSPECTION)
    photos = photos or {}
    now = now or timezone.now()
    if not isinstance(draft, dict):
        raise InvalidInput({"draft": [_("The visit's draft could not be read.")]})
    key = _parse_key(draft.get("key"))
    if key is None:
        raise InvalidInput({"key": [_("The draft has no key: reload the form and sync again.")]})
    found = Inspection.objects.filter(client_key=key).first()
    if found is not None:
        if found.inspector_id != getattr(actor.staff, "pk", None):
            raise Forbidden(_("This visit was synced by another inspector."), rule="R-SUP-2")
        return found, False
    if actor.staff is None:
        raise Forbidden(_("Only a staff member can record a visit."), rule="R-SUP-2")

    errors = {}
    kind = draft.get("kind")
    if kind not in Kind.values:
        errors["kind"] = [_("Choose open inspection or undercover visit.")]
    unit = Unit.objects.filter(pk=_int(draft.get("unit"))).first()
    if unit is None:
        raise InvalidInput({"unit": [_("Choose the unit visited.")]})
    require(actor, Action.RECORD_INSPECTION, unit=unit)
    window = None
    if draft.get("window") not in (None, ""):
        window = Window.objects.filter(pk=_int(draft.get("window")), unit=unit).first()
        if window is None:
            errors["window"] = [_("Choose a window of the unit visited.")]
    staff = _staff_of(draft.get("staff"), errors, "staff", unit=unit)
    version = ChecklistVersion.objects.filter(pk=_int(draft.get("version"))).first()
    if version is None:
        raise InvalidInput({"version": [_("Choose the checklist the visit uses.")]})
    second = _staff_of(
        draft.get("second_inspector"),
        errors,
        "second_inspector",
        role={Role.INSPECTOR, Role.ORGANIZER_ADMIN},
    )
    if second is not None and second.pk == actor.staff.pk:
        errors["second_inspector"] = [_("The second inspector is another person.")]
    visited_at = _when(draft.get("visited_at"))
    if visited_at is None or visited_at > now + dt.timedelta(minutes=10):
        errors["visited_at"] = [_("Give the time of the visit (not in the future).")]
    items = {i.pk: i for i in version.items.all()}
    lead = _verdicts(draft.get("verdicts"), items, unit, errors, "verdicts")
    other = _verdicts(draft.get("second_verdicts"), items, unit, errors, "second_verdicts")
    missing = [i.code for i in items.values() if i.pk not in lead]
    if missing and "verdicts" not in errors:
        errors["verdicts"] = [
            _("Judge every norm (pass, deduct or n/a); still open: %(codes)s")
            % {"codes": ", ".join(missing[:10])}
        ]
    if other and second is None:
        errors["second_verdicts"] = [_("Name the second inspector whose verdicts these are.")]
    uploads = []
    listed = draft.get("photos") if isinstance(draft.get("photos"), list) else []
    per_item = {}
    for n, row in enumerate(listed, start=1):
        row = row if isinstance(row, dict) else {}
        item = items.get(_int(row.get("item")))
        upload = photos.get(str(row.get("name") or ""))
        if item is None or upload is None:
            errors[f"photos.{n}"] = [_("A photo was not received: sync again.")]
            continue
        problem = _photo_problem(upload)
        if problem:
            errors[f"photos.{n}"] = [problem]
            continue
        per_item[item.pk] = per_item.get(item.pk, 0) + 1
        if per_item[item.pk] > settings.SERVICEHALL["INSPECTION_PHOTOS_PER_ITEM"]:
            errors[f"photos.{n}"] = [_("Too many photos for %(code)s.") % {"code": item.code}]
            continue
        uploads.append((item, upload))
    for item_id, (verdict, note, _named) in lead.items():
        item = items[item_id]
        if verdict != Verdict.DEDUCT:
            continue
        if item.evidence == Evidence.PHOTO and not per_item.get(item_id):
            errors[f"item.{item.code}"] = [
                _("A deduction on %(code)s needs a photo.") % {"code": item.code}
            ]
        elif item.evidence == Evidence.NOTE and not note:
            errors[f"item.{item.code}"] = [
                _("A deduction on %(code)s needs a note of what was seen.") % {"code": item.code}
            ]
    if errors:
        raise InvalidInput(errors, rule="R-SUP-2")

    kept, applicable, critical = score(lead, items)
    try:
        with transaction.atomic():
            inspection = create_numbered(
                Inspection,
                "JC",
                now,
                refusal=_("The visit could not be numbered: sync again."),
                client_key=key,
                kind=kind,
                unit=unit,
                window=window,
                staff=staff,
                version=version,
                place=str(draft.get("place") or "").strip()[:120],
                visited_at=visited_at,
                inspector=actor.staff,
                second_inspector=second,
                note=str(draft.get("note") or "").strip()[:2000],
                points_kept=kept,
                points_applicable=applicable,
                critical=critical,
                submitted_at=now,
            )
            Finding.objects.bulk_create(
                Finding(
                    inspection=inspection,
                    item_id=item_id,
                    inspector=who,
                    verdict=v,
                    note=note,
                    staff=named,
                )
                for who, verdicts in ((actor.staff, lead), (second, other))
                if who is not None
                for item_id, (v, note, named) in verdicts.items()
            )
            for item, upload in uploads:
                digest = hashlib.sha256()
                for piece in upload.chunks():
                    digest.update(piece)
                upload.seek(0)
                upload.name = "photo." + EXTENSION[content_type(upload)]  # as its bytes proved
                Photo.objects.create(
                    inspection=inspection,
                    item=item,
                    image=upload,
                    sha256=digest.hexdigest(),
                    content_type=content_type(upload),
                    size=upload.size,
                )
            inspection.mac = seal(inspection)
            Inspection.objects.filter(pk=inspection.pk).update(mac=inspection.mac)
    except IntegrityError:
        found = Inspection.objects.filter(client_key=key).first()
        if found is None:
            raise
        return found, False  # the same draft, synced at the same moment by another tab
    return inspection, True


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _when(value):
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except (TypeError, ValueError):
            return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def score(verdicts: dict, items: dict) -> tuple[int, int, bool]:
    """(points kept, points applicable, critical) of one inspector's verdicts: a norm judged
    not applicable leaves the denominator (R-SUP-2)."""
    kept = applicable = 0
    critical = False
    for item_id, (verdict, *_rest) in verdicts.items():
        item = items[item_id]
        if verdict == Verdict.NA:
            continue
        applicable += item.points
        if verdict == Verdict.PASS:
            kept += item.points
        elif item.critical:
            critical = True
    return kept, applicable, critical


# ---- the seal ------------------------------------------------------------------------------

SEALED_FIELDS = (
    "number",
    "client_key",
    "kind",
    "unit_id",
    "window_id",
    "staff_id",
    "version_id",
    "visited_at",
    "inspector_id",
    "second_inspector_id",
    "points_kept",
    "points_applicable",
    "critical",
    "submitted_at",
)


def seal(inspection: Inspection) -> str:
    """An HMAC over the visit and every verdict and photo in it: a finding changed, added or
    removed behind the application's back no longer matches."""
    values = [str(_utc(getattr(inspection, f))) for f in SEALED_FIELDS]
    findings = Finding.objects.filter(inspection=inspection).order_by("item_id", "inspector_id")
    values += [
        f"{f.item_id}|{f.inspector_id}|{f.verdict}|{f.staff_id}|{f.note}"
        for f in findings.only("item_id", "inspector_id", "verdict", "staff_id", "note")
    ]
    values += sorted(Photo.objects.filter(inspection=inspection).values_list("sha256", flat=True))
    return chain.mac(SEAL_SALT, chain.canonical(values))


def _utc(value):
    """A time as the database gives it back (UTC), whatever zone the draft wrote it in."""
    return value.astimezone(dt.UTC) if isinstance(value, dt.datetime) else value


def sealed(inspection: Inspection) -> bool:
    return bool(inspection.mac) and constant_time_compare(inspection.mac, seal(inspection))


# ---- publishing ----------------------------------------------------------------------------


def deductions(inspection: Inspection):
    """The lead inspector's deductions, with their norms, in the checklist's order."""
    return (
        Finding.objects.filter(
            inspection=inspection, inspector_id=inspection.inspector_id, verdict=Verdict.DEDUCT
        )
        .select_related("item", "staff")
        .order_by("item__position")
    )


def publish(*, actor: Actor, inspection: Inspection, now=None) -> Inspection:
    """Publish a visit (R-SUP-2), one recorded act: the unit now sees it; each deduction gives
    its norm's points to the unit (and the person named) in the ledger; an undercover visit
    with deductions bars the unit from the awards of every plan that covers it and whose rule
    is on (交巡警窗口规范 第三十三条)."""
    require(actor, Action.PUBLISH_INSPECTION, unit=inspection.unit)
    now = now or timezone.now()
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if inspection.status == Status.PUBLISHED:
            raise ServiceError(_("This inspection has been published already."), rule="R-SUP-2")
        if not sealed(inspection):
            raise ServiceError(
                _(
                    "This inspection's findings were changed after it was synced; it cannot be "
                    "published."
                ),
                rule="R-SUP-2",
            )
        inspection.status = Status.PUBLISHED
        inspection.published_at = now
        inspection.published_by = actor.staff
        inspection.save(update_fields=["status", "published_at", "published_by"])
        found = list(deductions(inspection))
        for f in found:
            ledger.record(
                actor=actor,
                unit=inspection.unit,
                staff=f.staff or inspection.staff,
                points=f.item.points,
                reason=f"{inspection.get_kind_display()} {inspection.number}：{f.item.source} "
                f"{f.item.title}",
                source_kind=SourceKind.INSPECTION,
                source_id=f"{inspection.number}/{f.item.code}",
                now=now,
            )
        if found and inspection.kind == Kind.UNDERCOVER:
            bar_awards(inspection, found, now)
    notices.notify(
        recipients=notices.who_must_hear(inspection.unit),
        kind=Notification.Kind.INSPECTION_PUBLISHED,
        text=_("Inspection %(number)s of %(unit)s is published: %(n)s deductions.")
        % {"number": inspection.number, "unit": inspection.unit.name, "n": len(found)},
        link=reverse("supervision:inspection", args=[inspection.number]),
    )
    return inspection


def bar_awards(inspection: Inspection, found, now) -> list[AwardBar]:
    """R-SUP-2: the plans that cover this unit on the visit's day, with their rule on."""
    day = timezone.localdate(inspection.visited_at)
    plans = InspectionPlan.objects.filter(
        units=inspection.unit, starts_on__lte=day, ends_on__gte=day, bars_award=True
    )
    codes = "、".join(f.item.code for f in found[:8])
    reason = _("Named for deductions (%(codes)s) in undercover visit %(number)s.") % {
        "codes": codes,
        "number": inspection.number,
    }
    return [
        AwardBar.objects.get_or_create(
            plan=plan,
            unit=inspection.unit,
            inspection=inspection,
            defaults={"reason": reason[:300], "recorded_at": now},
        )[0]
        for plan in plans
    ]


def unsealed() -> tuple[list[str], int]:
    """(numbers of the visits whose seal fails, how many visits there are)."""
    bad, total = [], 0
    for inspection in Inspection.objects.order_by("pk").iterator(chunk_size=500):
        total += 1
        if not sealed(inspection):
            bad.append(inspection.number)
    return bad, total
