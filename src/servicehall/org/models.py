"""The organization registry: sectors → authorities → units → windows → staff (R-ORG-1)."""

import datetime as dt
import hashlib
import secrets

from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .choices import (
    ORGANIZATION_ROLES,
    UNIT_ROLES,
    CustodyItem,
    LeadershipPosition,
    OrganizationKind,
    Role,
    UnitKind,
    WindowKind,
)
from .validators import validate_name, validate_phone


class Sector(models.Model):
    """One of the sector kinds of the city plan (卫生, 公安, 税务 …), loaded as data."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=80)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class Organization(models.Model):
    """The organizing office (文明办) or a sector authority (主管部门)."""

    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    name = models.CharField(_("name"), max_length=100, unique=True, validators=[validate_name])
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="authorities",
        help_text=_("The sector a sector authority organizes; empty for the organizing office."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind == OrganizationKind.AUTHORITY and not self.sector_id:
            raise ValidationError({"sector": _("A sector authority must name its sector.")})
        if self.kind == OrganizationKind.ORGANIZER and self.sector_id:
            raise ValidationError({"sector": _("The organizing office spans all sectors.")})


class Unit(models.Model):
    """A window unit: a hospital, a police station, a tax hall, a service centre."""

    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Short code used in imports and URLs.")
    )
    name = models.CharField(_("name"), max_length=100, unique=True, validators=[validate_name])
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="units"
    )
    authority = models.ForeignKey(
        Organization,
        verbose_name=_("sector authority"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        limit_choices_to={"kind": OrganizationKind.AUTHORITY},
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("service phone"), max_length=30, blank=True)
    supervision_phone = models.CharField(
        _("supervision phone"),
        max_length=30,
        blank=True,
        help_text=_("Published on the window wall so citizens can report problems."),  # R-CAT-3
    )
    hours = models.CharField(
        _("opening hours"), max_length=100, blank=True, default="9:00–12:00 13:30–17:30"
    )
    registered_population = models.PositiveIntegerField(
        _("registered population"),
        null=True,
        blank=True,
        help_text=_("Registered residents of a police station's area; decides auxiliaries."),
    )

    class Meta:
        ordering = ["sector__order", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:unit", args=[self.pk])

    def clean(self):
        if self.authority_id and self.sector_id and self.authority.sector_id != self.sector_id:
            raise ValidationError(
                {"authority": _("The sector authority must belong to the unit's sector.")}
            )

    def get_additional_data(self):
        return {"unit_id": self.pk}


class Window(models.Model):
    """One numbered counter of a unit. No. 1 is the duty-lead window (R-Q-4)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="windows"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    function = models.CharField(_("function"), max_length=100, validators=[validate_name])
    kind = models.CharField(
        _("kind"), max_length=20, choices=WindowKind.choices, default=WindowKind.GENERAL
    )
    is_duty_lead = models.BooleanField(
        _("No. 1 (duty lead) window"),
        default=False,
        help_text=_("The window where the day's duty lead sits and pauses are reported."),
    )
    active = models.BooleanField(_("in service"), default=True)

    class Meta:
        ordering = ["unit", "number"]
        verbose_name = _("window")
        verbose_name_plural = _("windows")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "number"],
                name="window_number_unique_in_unit",
                violation_error_message=_("This unit already has a window with this number."),
            ),
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(is_duty_lead=True),
                name="one_duty_lead_window_per_unit",
                violation_error_message=_("A unit has only one No. 1 (duty lead) window."),
            ),
        ]

    def __str__(self):
        return _("Window %(number)s · %(function)s") % {
            "number": self.number,
            "function": self.function,
        }

    def get_additional_data(self):
        return {"unit_id": self.unit_id}


def staff_photo_path(instance, filename):
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"staff/{instance.unit_id or 'org'}/{secrets.token_hex(8)}.{ext}"


class Staff(models.Model):
    """A person who works for a unit or an organization, with badge and role (R-ORG-1)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
    )
    name = models.CharField(
        pgettext_lazy("person", "name"), max_length=50, validators=[validate_name]
    )
    badge_no = models.CharField(_("badge number"), max_length=20)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    window = models.ForeignKey(
        Window,
        verbose_name=_("posted window"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
    )
    title = models.CharField(_("title"), max_length=50, blank=True, validators=[validate_name])
    party_member = models.BooleanField(_("party member"), default=False)
    photo = models.ImageField(_("photo"), upload_to=staff_photo_path, blank=True)
    certified_on = models.DateField(
        _("training certified on"),
        null=True,
        blank=True,
        help_text=_("Date of the training certificate; nobody serves before it."),  # R-ORG-3
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    on_duty = models.BooleanField(
        _("on duty"), default=False, help_text=_("Serving at the posted window today.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["unit", "window__number", "badge_no"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "badge_no"],
                name="badge_unique_in_unit",
                violation_error_message=_("This unit already has a staff member with this badge."),
            ),
            models.UniqueConstraint(
                fields=["organization", "badge_no"],
                name="badge_unique_in_organization",
                violation_error_message=_(
                    "This organization already has a staff member with this badge."
                ),
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | Q(organization__isnull=False),
                name="staff_belongs_somewhere",
                violation_error_message=_("A staff member belongs to a unit or an organization."),
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.badge_no}）"

    @staticmethod
    def unit_role_values():
        return [r.value for r in UNIT_ROLES | {Role.INSPECTOR}]

    @property
    def certified(self):
        return self.certified_on is not None and self.certified_on <= timezone.localdate()

    def clean(self):
        errors = {}
        if self.role == Role.CITIZEN:
            errors["role"] = _("Citizens are not staff; they use the public pages.")
        if self.role in UNIT_ROLES and not self.unit_id:
            errors["unit"] = _("This role works in a unit: choose the unit.")
        if self.role in ORGANIZATION_ROLES:
            if not self.organization_id:
                errors["organization"] = _("This role works in an organization: choose it.")
            if self.unit_id:
                errors["unit"] = _("This role works in an organization, not a unit.")
        org = self.organization if self.organization_id else None
        if self.role == Role.ORGANIZER_ADMIN and org and org.kind != OrganizationKind.ORGANIZER:
            errors["organization"] = _("An organizer administrator sits in the office.")
        if self.role == Role.SECTOR_REVIEWER and org and org.kind != OrganizationKind.AUTHORITY:
            errors["organization"] = _("A sector reviewer sits in a sector authority.")
        if self.unit_id and self.organization_id:
            errors["organization"] = _("Choose either a unit or an organization, not both.")
        if self.window_id and self.window.unit_id != self.unit_id:
            errors["window"] = _("The posted window must belong to the staff member's unit.")
        if errors:
            raise ValidationError(errors)

    def get_additional_data(self):
        return {"unit_id": self.unit_id}


class LeadershipGroup(models.Model):
    """A leading group (领导小组) of a unit or organization (R-ORG-2)."""

    name = models.CharField(_("name"), max_length=100, validators=[validate_name])
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="leadership_groups",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="leadership_groups",
    )
    office = models.CharField(
        _("office"), max_length=100, blank=True, help_text=_("Where the group's office sits.")
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("leadership group")
        verbose_name_plural = _("leadership groups")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | Q(organization__isnull=False),
                name="group_belongs_somewhere",
                violation_error_message=_("A leadership group belongs to a unit or organization."),
            )
        ]

    def __str__(self):
        return self.name

    def get_additional_data(self):
        return {"unit_id": self.unit_id}


class LeadershipMember(models.Model):
    group = models.ForeignKey(
        LeadershipGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="members"
    )
    position = models.CharField(_("position"), max_length=20, choices=LeadershipPosition.choices)
    name = models.CharField(
        pgettext_lazy("person", "name"), max_length=50, validators=[validate_name]
    )
    title = models.CharField(_("title"), max_length=80, blank=True)
    phone = models.CharField(
        _("contact phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    staff = models.ForeignKey(
        Staff, verbose_name=_("staff member"), on_delete=models.SET_NULL, null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["group", "order", "pk"]
        verbose_name = _("leadership group member")
        verbose_name_plural = _("leadership group members")

    def __str__(self):
        return f"{self.get_position_display()} {self.name}"

    def get_additional_data(self):
        return {"unit_id": self.group.unit_id}


class Custody(models.Model):
    """Who keeps the seal, the blank certificates and the fee money of a unit (R-ORG-4)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="custodies"
    )
    item = models.CharField(_("item"), max_length=30, choices=CustodyItem.choices)
    holder = models.ForeignKey(
        Staff, verbose_name=_("keeper"), on_delete=models.PROTECT, related_name="custodies"
    )
    since = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        ordering = ["unit", "item"]
        verbose_name = _("custody")
        verbose_name_plural = _("custodies")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "item"],
                name="one_keeper_per_item",
                violation_error_message=_("This item already has a keeper in this unit."),
            )
        ]

    def __str__(self):
        return f"{self.get_item_display()}: {self.holder}"

    def get_additional_data(self):
        return {"unit_id": self.unit_id}


def _hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


LAST_USED_PRECISION = dt.timedelta(minutes=1)


class ApiTokenQuerySet(models.QuerySet):
    def authenticate(self, key: str):
        token = (
            self.select_related("user__staff")  # the staff record decides the role: same query
            .filter(key_hash=_hash_token(key), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        now = timezone.now()
        if token is not None and (
            token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION
        ):
            # One cheap UPDATE a minute at most, not a save(): last use is not an audited
            # change, and a busy window console must not write on every call.
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token


class ApiToken(models.Model):
    """A bearer token a machine uses on the API; it acts as its user. Only the hash is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, user, name):
        """Create a token and return (token, key); the key is shown once and never stored."""
        key = "sh_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[:10], key_hash=_hash_token(key))
        return token, key


class ImportJob(models.Model):
    """A registry import too large to answer within one request (decision 0015): the upload
    is kept here until a background thread, or failing that the periodic worker, has run it.
    The import itself stays all-or-nothing; this row says how far it got and what came out."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to start")
        RUNNING = "running", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("nothing imported")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    filename = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(editable=False)  # emptied once the job has finished
    language = models.CharField(max_length=16, default="zh-hans")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    summary = models.TextField(_("result"), blank=True)
    errors = models.JSONField(default=list, blank=True)  # the first problems, as listed
    error_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("org:import_job", args=[self.pk])

    @property
    def finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)


# Audit trail: every create, change and delete of these models writes one event.
# Phones are masked in the trail like everywhere else.
auditlog.register(Sector)
auditlog.register(Organization)
auditlog.register(Unit)
auditlog.register(Window)
auditlog.register(Staff, mask_fields=["phone"])
auditlog.register(LeadershipGroup)
auditlog.register(LeadershipMember, mask_fields=["phone"])
auditlog.register(Custody)
auditlog.register(ApiToken, exclude_fields=["key_hash", "last_used_at"])
