"""Complaints and suggestions (R-FB-2, R-FB-3, R-TIME-4): from the box, the opinion book, the
phone, the web form, the hotline, the mailbox or an Open311 client; each answered within three
working days; a substantiated complaint gives violation points (违规计分) to the person and the
unit concerned.

The points themselves are the violations ledger's (servicehall.violations): a complaint gives
them once, under its code.

A complaint is public only through its code: the status page shows where it stands and the
answer, never who filed it.
"""

import hashlib
import secrets

from auditlog.registry import auditlog
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    BOX = "box", _("complaint box")
    BOOK = "book", _("opinion book")
    PHONE = "phone", _("supervision phone")
    WEB = "web", _("web form")
    HOTLINE = "hotline", _("hotline")
    MAILBOX = "mailbox", _("mailbox")
    OPEN311 = "open311", _("Open311 client")


class Category(models.TextChoices):
    """What went wrong, as the norms name it (服务态度恶劣、工作作风拖拉、办事不公正 …)."""

    ATTITUDE = "attitude", _("bad attitude")
    DELAY = "delay", _("delay or shirking")
    UNFAIR = "unfair", _("unfair handling")
    FEES = "fees", _("fees or charges")
    DISCIPLINE = "discipline", _("discipline or integrity")
    FACILITIES = "facilities", _("facilities and environment")
    OTHER = "other", _("other")


# Violation points a substantiated complaint gives by default; the handler may change them.
DEFAULT_POINTS = {
    Category.ATTITUDE: 2,
    Category.DELAY: 2,
    Category.UNFAIR: 3,
    Category.FEES: 3,
    Category.DISCIPLINE: 5,
    Category.FACILITIES: 1,
    Category.OTHER: 1,
}


class Opening(models.Model):
    """The opening of a complaint box or an opinion book (开启记录): who opened it, when, who
    witnessed it and how many items were found; each item is registered as a complaint."""

    class Container(models.TextChoices):
        BOX = "box", _("complaint box")
        BOOK = "book", _("opinion book")

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    container = models.CharField(_("box or book"), max_length=10, choices=Container.choices)
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(
        "org.Staff", verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    witnesses = models.CharField(_("witnesses"), max_length=200)
    items_found = models.PositiveSmallIntegerField(_("items found"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("box or book opening")
        verbose_name_plural = _("box and book openings")

    def __str__(self):
        return f"{self.get_container_display()} · {timezone.localtime(self.opened_at):%Y-%m-%d}"


class Complaint(models.Model):
    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("complaint")
        SUGGESTION = "suggestion", _("suggestion")

    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("complaint", "received")
        INVESTIGATING = "investigating", _("being investigated")
        ANSWERED = "answered", _("answered")

    code = models.CharField(_("code"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    channel = models.CharField(
        pgettext_lazy("complaint", "channel"), max_length=10, choices=Channel.choices
    )
    opening = models.ForeignKey(
        Opening,
        verbose_name=_("opening"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="complaints"
    )
    window = models.ForeignKey(
        "org.Window",
        verbose_name=_("window"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    staff = models.ForeignKey(
        "org.Staff",
        verbose_name=_("staff member concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    description = models.TextField(_("what happened"))
    # R-FB-3 "请留下你的姓名、住址、工作单位及联系电话": kept for the answer, masked in lists
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    workplace = models.CharField(_("work unit"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    received_at = models.DateTimeField(pgettext_lazy("complaint", "received at"))
    received_by = models.ForeignKey(
        "org.Staff",
        verbose_name=pgettext_lazy("complaint", "received by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_at = models.DateTimeField(_("answer due"))
    due_estimated = models.BooleanField(_("due date estimated"), default=False)
    # what came in writing is acknowledged to the citizen first, on a clock of its own
    ack_due_at = models.DateTimeField(_("acknowledgement due"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(
        pgettext_lazy("complaint", "acknowledged"), null=True, blank=True
    )
    acknowledged_by = models.ForeignKey(
        "org.Staff",
        verbose_name=_("acknowledged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ack_overdue_notified = models.BooleanField(
        _("late acknowledgement notified"), default=False, editable=False
    )
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.RECEIVED
    )
    overdue_notified = models.BooleanField(default=False, editable=False)
    investigated_at = models.DateTimeField(_("investigated"), null=True, blank=True)
    investigated_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    substantiated = models.BooleanField(_("substantiated"), null=True, blank=True)
    finding = models.TextField(_("what the investigation found"), blank=True)
    answer = models.TextField(_("answer to the citizen"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Open311 clients follow requests by id; a lookup code is what a citizen keeps
    api_client = models.ForeignKey(
        "ApiClient",
        verbose_name=_("Open311 client"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="requests",
    )
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    address_string = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("complaint or suggestion")
        verbose_name_plural = _("complaints and suggestions")
        indexes = [
            models.Index(fields=["unit", "status"], name="complaint_unit_status"),
            models.Index(
                fields=["due_at"], condition=~Q(status="answered"), name="complaint_open_due"
            ),
            models.Index(
                fields=["ack_due_at"],
                condition=Q(acknowledged_at__isnull=True, ack_due_at__isnull=False),
                name="complaint_unacknowledged",
            ),
        ]

    def __str__(self):
        return f"{self.code} · {self.get_kind_display()}"

    @property
    def is_open(self):
        return self.status != self.Status.ANSWERED

    @property
    def awaits_acknowledgement(self):
        return self.ack_due_at is not None and self.acknowledged_at is None

    @property
    def ack_state(self) -> str:
        """ "overdue" (not acknowledged and past its due time), "late" (acknowledged after it)
        or "" (in time, not due yet, or nothing to acknowledge)."""
        if self.ack_due_at is None:
            return ""
        if self.acknowledged_at is None:
            return "overdue" if self.is_open and timezone.now() > self.ack_due_at else ""
        return "late" if self.acknowledged_at > self.ack_due_at else ""


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiClient(models.Model):
    """An Open311 client allowed to file requests (POST requests.json). Only the SHA-256 digest
    of its key is kept; the key is shown once, by `servicehall open311_key`."""

    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("key prefix"), max_length=12, editable=False)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "-created_at"]
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, name: str):
        """Create a client and return (client, key); the key is never stored."""
        key = "o311_" + secrets.token_urlsafe(32)
        client = cls.objects.create(name=name[:80], prefix=key[:10], key_digest=key_digest(key))
        return client, key


# Who was given a key and when it was switched off belongs in the audit trail; the digest not.
auditlog.register(ApiClient, exclude_fields=["key_digest"])
# Who registered, investigated and answered what, in the audit trail; the complainant masked.
auditlog.register(
    Complaint, mask_fields=["name", "phone", "email", "address", "workplace", "description"]
)
auditlog.register(Opening)
