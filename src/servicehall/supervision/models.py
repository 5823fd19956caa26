"""Supervision (R-SUP-1..4): the written norms windows are held to, the open and undercover
visits that check them, the supervision notices and rectification that follow, the inspection
plan of a campaign, and a unit's self-inspection.

A checklist's items live in versions: an edit makes a new version, and a visit, a plan and a
self-inspection pin the version they used, so an old finding always shows the text it was
judged by. A visit's findings are written once, when the phone's draft is synced, and sealed
(an HMAC over the visit and every verdict); an undercover visit is seen by nobody at the unit
until the organizer publishes it, which is one recorded act.
"""

import datetime as dt
import os
import uuid

from auditlog.registry import auditlog
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from servicehall.org.choices import UnitKind, WindowKind


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Evidence of an undercover visit is never under /media/: it is kept in PRIVATE_MEDIA and
    served by a view that asks who is looking (supervision.views.photo)."""

    def __init__(self):
        super().__init__()

    @property
    def base_location(self):
        return settings.SERVICEHALL["PRIVATE_MEDIA"]

    @property
    def location(self):
        return os.path.abspath(self.base_location)


private_storage = PrivateStorage()


class Category(models.TextChoices):
    """What a norm is about, as the norms group them (交巡警窗口规范 第二–九章)."""

    DRESS = "dress", pgettext_lazy("norm category", "dress")
    APPEARANCE = "appearance", pgettext_lazy("norm category", "appearance")
    LANGUAGE = "language", pgettext_lazy("norm category", "civil language")
    MANNER = "manner", pgettext_lazy("norm category", "manner")
    RECEPTION = "reception", pgettext_lazy("norm category", "reception")
    HOURS = "hours", pgettext_lazy("norm category", "working hours")
    ENVIRONMENT = "environment", pgettext_lazy("norm category", "environment")
    SECURITY = "security", pgettext_lazy("norm category", "security")
    DISCIPLINE = "discipline", pgettext_lazy("norm category", "discipline")


class FocusArea(models.TextChoices):
    """The four focus areas of a self-inspection (R-SUP-4, the tax hall's 自查自纠)."""

    ATTITUDE = "attitude", _("service attitude")
    SKILL = "skill", _("professional skill")
    ENVIRONMENT = "environment", _("environment")
    RULES = "rules", _("rules and discipline")


# Where a norm's category falls among the focus areas when a unit checks itself.
FOCUS_OF = {
    Category.DRESS: FocusArea.ENVIRONMENT,
    Category.APPEARANCE: FocusArea.ENVIRONMENT,
    Category.LANGUAGE: FocusArea.ATTITUDE,
    Category.MANNER: FocusArea.ATTITUDE,
    Category.RECEPTION: FocusArea.SKILL,
    Category.HOURS: FocusArea.RULES,
    Category.ENVIRONMENT: FocusArea.ENVIRONMENT,
    Category.SECURITY: FocusArea.RULES,
    Category.DISCIPLINE: FocusArea.RULES,
}


class Evidence(models.TextChoices):
    """What a deduction on this norm must carry."""

    PHOTO = "photo", _("photo")
    NOTE = "note", _("note")
    NONE = "none", _("none")


class Checklist(models.Model):
    """A norm library for a sector and window type (R-SUP-1): its items live in versions."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    sector = models.ForeignKey(
        "org.Sector",
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checklists",
        help_text=_("Empty: the norms of every sector."),
    )
    unit_kind = models.CharField(
        _("unit kind"), max_length=20, choices=UnitKind.choices, blank=True
    )
    window_kind = models.CharField(
        _("window kind"), max_length=20, choices=WindowKind.choices, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("norm checklist")
        verbose_name_plural = _("norm checklists")

    def __str__(self):
        return self.name


class ChecklistVersion(models.Model):
    """One version of a checklist's items; never changed once written (an edit is a new
    version)."""

    checklist = models.ForeignKey(
        Checklist, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        "org.Staff", verbose_name=_("by"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["checklist", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "number"], name="sup_version_once")
        ]
        verbose_name = _("checklist version")
        verbose_name_plural = _("checklist versions")

    def __str__(self):
        return f"{self.checklist.name} v{self.number}"


class NormItem(models.Model):
    """One norm of a version: its text, its source in the written norms, the points a
    deduction costs, whether it fails the visit, and the evidence a deduction needs."""

    version = models.ForeignKey(
        ChecklistVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.CharField(
        _("code"), max_length=20, help_text=_("Stays the same across versions, e.g. JXJ-16.")
    )
    title = models.CharField(_("title"), max_length=60)
    text = models.TextField(_("norm text"))
    source = models.CharField(
        _("source"),
        max_length=120,
        help_text=_("Document and article, e.g. 交巡警窗口规范 第十六条"),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    points = models.PositiveSmallIntegerField(
        _("deduction points"), validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    critical = models.BooleanField(
        _("critical"), default=False, help_text=_("A deduction on it fails the visit.")
    )
    evidence = models.CharField(
        _("evidence needed"), max_length=10, choices=Evidence.choices, default=Evidence.NOTE
    )

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="sup_item_code_once"),
            models.UniqueConstraint(fields=["version", "position"], name="sup_item_position_once"),
        ]
        verbose_name = _("norm")
        verbose_name_plural = _("norms")

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def focus_area(self):
        return FOCUS_OF[self.category]


class Kind(models.TextChoices):
    OPEN = "open", _("open inspection (明察)")
    UNDERCOVER = "undercover", _("undercover visit (暗访)")


class Verdict(models.TextChoices):
    PASS = "pass", _("pass")
    DEDUCT = "deduct", _("deduct")
    NA = "na", _("not applicable")


class InspectionPlan(models.Model):
    """A campaign's inspection plan (R-SUP-2): which units and windows are visited when,
    drawn at random, stratified by sector, every participant visited at least `min_visits`
    times; the draw repeats from its recorded seed and is never shown to units."""

    name = models.CharField(_("name"), max_length=100)
    campaign = models.CharField(
        _("campaign"), max_length=100, help_text=_("The competition this plan belongs to.")
    )
    version = models.ForeignKey(
        ChecklistVersion, verbose_name=_("norms used"), on_delete=models.PROTECT
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    units = models.ManyToManyField(
        "org.Unit", verbose_name=_("participating units"), related_name="inspection_plans"
    )
    min_visits = models.PositiveSmallIntegerField(
        _("visits per unit at least"), default=1, validators=[MinValueValidator(1)]
    )
    undercover_share = models.PositiveSmallIntegerField(
        _("undercover share (%)"), default=100, validators=[MaxValueValidator(100)]
    )
    bars_award = models.BooleanField(
        _("an undercover deduction bars the unit from awards"),
        default=True,
        help_text=_("交巡警窗口规范 第三十三条; the campaign may switch it off."),
    )
    seed = models.BigIntegerField(_("draw seed"), null=True, blank=True)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    drawn_by = models.ForeignKey(
        "org.Staff",
        verbose_name=_("drawn by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")

    def __str__(self):
        return self.name


class PlannedVisit(models.Model):
    """One visit the plan's draw chose: a unit (and a window) on a day."""

    plan = models.ForeignKey(
        InspectionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="visits"
    )
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT)
    window = models.ForeignKey(
        "org.Window", verbose_name=_("window"), on_delete=models.PROTECT, null=True, blank=True
    )
    on = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)

    class Meta:
        ordering = ["plan", "on", "unit"]
        verbose_name = _("planned visit")
        verbose_name_plural = _("planned visits")

    def __str__(self):
        return f"{self.on} {self.unit_id}"


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    PUBLISHED = "published", _("published")


def new_key():
    return uuid.uuid4()


class Inspection(models.Model):
    """One open or undercover visit (R-SUP-2) to a unit, a window or a staff member, judged by
    one pinned version of the norms; written once from the inspector's draft (its `client_key`
    makes a second sync find the first), then published by the organizer."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    client_key = models.UUIDField(_("draft key"), unique=True, default=new_key)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="inspections"
    )
    window = models.ForeignKey(
        "org.Window", verbose_name=_("window"), on_delete=models.PROTECT, null=True, blank=True
    )
    staff = models.ForeignKey(
        "org.Staff",
        verbose_name=_("staff member inspected"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
    )
    version = models.ForeignKey(
        ChecklistVersion, verbose_name=_("norms used"), on_delete=models.PROTECT
    )
    planned = models.OneToOneField(
        PlannedVisit,
        verbose_name=_("planned visit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspection",
    )
    place = models.CharField(_("place"), max_length=120, blank=True)
    visited_at = models.DateTimeField(_("visited at"))
    inspector = models.ForeignKey(
        "org.Staff", verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="+"
    )
    second_inspector = models.ForeignKey(
        "org.Staff",
        verbose_name=_("second inspector"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    points_kept = models.PositiveIntegerField(_("points kept"), default=0)
    points_applicable = models.PositiveIntegerField(_("points applicable"), default=0)
    critical = models.BooleanField(_("critical finding"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("synced at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        "org.Staff",
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    mac = models.CharField(_("seal"), max_length=64, editable=False)

    class Meta:
        ordering = ["-visited_at"]
        indexes = [models.Index(fields=["unit", "status", "-visited_at"])]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self):
        return self.number

    @property
    def score(self):
        """Points kept over points applicable, in per cent (None when nothing applied)."""
        if not self.points_applicable:
            return None
        return round(100 * self.points_kept / self.points_applicable, 1)

    @property
    def published(self):
        return self.status == Status.PUBLISHED


class Finding(models.Model):
    """One inspector's verdict on one norm of a visit. The lead inspector's verdicts make the
    visit's score; a second inspector's are kept to measure agreement."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="findings"
    )
    item = models.ForeignKey(NormItem, verbose_name=_("norm"), on_delete=models.PROTECT)
    inspector = models.ForeignKey(
        "org.Staff", verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="+"
    )
    verdict = models.CharField(_("verdict"), max_length=8, choices=Verdict.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    staff = models.ForeignKey(
        "org.Staff",
        verbose_name=_("staff member named"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
    )

    class Meta:
        ordering = ["inspection", "item__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "item", "inspector"], name="sup_finding_once"
            )
        ]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self):
        return f"{self.inspection_id}/{self.item_id} {self.verdict}"


def photo_path(instance, filename):
    ext = (filename.rsplit(".", 1)[-1] if "." in filename else "jpg").lower()[:5]
    return f"inspections/{instance.inspection_id}/{uuid.uuid4().hex}.{ext}"


class Photo(models.Model):
    """A photo taken on a visit, attached to one norm's finding (evidence of a deduction)."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="photos"
    )
    item = models.ForeignKey(NormItem, verbose_name=_("norm"), on_delete=models.PROTECT)
    image = models.FileField(_("photo"), storage=private_storage, upload_to=photo_path)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        ordering = ["inspection", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return f"{self.inspection_id}/{self.item_id} {self.sha256[:8]}"


class AwardBar(models.Model):
    """R-SUP-2 (交巡警窗口规范 第三十三条): a unit named for deductions in a published
    undercover visit loses award eligibility for the campaign of the plan, with the reason."""

    plan = models.ForeignKey(
        InspectionPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="bars"
    )
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT)
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.PROTECT
    )
    reason = models.CharField(_("reason"), max_length=300)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit", "inspection"], name="sup_bar_once")
        ]
        verbose_name = _("award bar")
        verbose_name_plural = _("award bars")

    def __str__(self):
        return self.reason


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", _("issued")
    ANSWERED = "answered", _("answered")
    RETURNED = "returned", _("sent back")
    ACCEPTED = "accepted", _("accepted")


# the notices still waiting for the unit: issued, or sent back to be answered again
AWAITING_UNIT = (NoticeStatus.ISSUED, NoticeStatus.RETURNED)


class Notice(models.Model):
    """A supervision notice (督办通知, R-SUP-3): a published visit's findings, what the unit
    must fix and by when (a working-day policy); answered by the unit, verified by the
    inspector; past its deadline it goes up to the sector authority."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    inspection = models.OneToOneField(
        Inspection, verbose_name=_("inspection"), on_delete=models.PROTECT, related_name="notice"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="sup_notices"
    )
    requirements = models.TextField(_("what must be fixed"))
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        "org.Staff", verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField(_("rectify by"))
    due_estimated = models.BooleanField(_("deadline estimated"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        indexes = [models.Index(fields=["status", "due_at"])]
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")

    def __str__(self):
        return self.number

    @property
    def open(self):
        return self.status != NoticeStatus.ACCEPTED

    def overdue(self, now: dt.datetime) -> bool:
        """Past its deadline and still waiting for the unit (an answer waiting to be verified
        is the inspector's to move, not the unit's)."""
        return self.status in AWAITING_UNIT and self.due_at < now


def answer_path(instance, filename):
    ext = (filename.rsplit(".", 1)[-1] if "." in filename else "bin").lower()[:5]
    return f"notices/{instance.notice_id}/{uuid.uuid4().hex}.{ext}"


class Answer(models.Model):
    """The unit's answer to a notice (整改措施 with evidence) and the inspector's verdict on
    it; a notice sent back is answered again."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="answers"
    )
    measures = models.TextField(_("measures taken"))
    evidence = models.FileField(
        _("evidence"), storage=private_storage, upload_to=answer_path, blank=True
    )
    answered_at = models.DateTimeField(_("answered at"))
    answered_by = models.ForeignKey(
        "org.Staff", verbose_name=_("answered by"), on_delete=models.PROTECT, related_name="+"
    )
    accepted = models.BooleanField(_("accepted"), null=True)
    verdict_note = models.CharField(_("verifier's note"), max_length=500, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        "org.Staff",
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["notice", "answered_at"]
        verbose_name = _("rectification answer")
        verbose_name_plural = _("rectification answers")

    def __str__(self):
        return f"{self.notice_id} {self.answered_at:%Y-%m-%d}"


class Bulletin(models.Model):
    """A criticism bulletin (通报批评, R-SUP-3) of a period: the units and people the ledger
    gave violation points, frozen when it is published."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=120)
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    intro = models.TextField(_("introduction"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        "org.Staff", verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        "org.Staff",
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-first_day"]
        verbose_name = _("criticism bulletin")
        verbose_name_plural = _("criticism bulletins")

    def __str__(self):
        return self.title


class BulletinEntry(models.Model):
    """One unit (or person) a bulletin names, with the points and what they were for."""

    bulletin = models.ForeignKey(
        Bulletin, verbose_name=_("bulletin"), on_delete=models.CASCADE, related_name="entries"
    )
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT)
    staff = models.ForeignKey(
        "org.Staff", verbose_name=_("staff"), on_delete=models.PROTECT, null=True, blank=True
    )
    points = models.PositiveIntegerField(_("violation points"))
    reasons = models.TextField(_("what for"))

    class Meta:
        ordering = ["bulletin", "-points"]
        verbose_name = _("bulletin entry")
        verbose_name_plural = _("bulletin entries")

    def __str__(self):
        return f"{self.bulletin_id} {self.unit_id} {self.points}"


class SelfInspection(models.Model):
    """A unit's check of itself against the norms (自查自纠, R-SUP-4), signed off by its
    leader when every finding is fixed or planned."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="self_checks"
    )
    version = models.ForeignKey(
        ChecklistVersion, verbose_name=_("norms used"), on_delete=models.PROTECT
    )
    held_on = models.DateField(_("held on"))
    by = models.ForeignKey(
        "org.Staff", verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        "org.Staff",
        verbose_name=_("signed off by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("self-inspection")
        verbose_name_plural = _("self-inspections")

    def __str__(self):
        return f"{self.unit_id} {self.held_on}"


class SelfFinding(models.Model):
    """A problem a unit found in itself: fixed at once, or planned with a measure, an owner
    and a deadline, and tracked to done."""

    check_run = models.ForeignKey(
        SelfInspection,
        verbose_name=_("self-inspection"),
        on_delete=models.CASCADE,
        related_name="findings",
    )
    item = models.ForeignKey(
        NormItem, verbose_name=_("norm"), on_delete=models.PROTECT, null=True, blank=True
    )
    focus_area = models.CharField(_("focus area"), max_length=12, choices=FocusArea.choices)
    problem = models.CharField(_("problem"), max_length=500)
    fixed_now = models.BooleanField(_("fixed at once"), default=False)
    measure = models.CharField(_("measure"), max_length=500, blank=True)
    owner = models.ForeignKey(
        "org.Staff",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_on = models.DateField(_("due by"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_note = models.CharField(_("how it was done"), max_length=500, blank=True)

    class Meta:
        ordering = ["check_run", "pk"]
        constraints = [
            # R-SUP-4: a finding is fixed at once, or planned with a measure, owner and deadline
            models.CheckConstraint(
                condition=Q(fixed_now=True)
                | (Q(owner__isnull=False) & Q(due_on__isnull=False) & ~Q(measure="")),
                name="sup_self_finding_fixed_or_planned",
            )
        ]
        verbose_name = _("self-inspection finding")
        verbose_name_plural = _("self-inspection findings")

    def __str__(self):
        return self.problem


for _model in (
    Checklist,
    ChecklistVersion,
    InspectionPlan,
    Inspection,
    AwardBar,
    Notice,
    Answer,
    Bulletin,
    SelfInspection,
    SelfFinding,
):
    auditlog.register(_model)
