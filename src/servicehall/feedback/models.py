"""What citizens say of each window (R-FB-1, R-LAW-2): ratings that cannot be faked.

A rating is append-only. The application signs each row when it writes it (`mac`, an HMAC over
the row's content with the server's secret), and a sealer links committed rows into a hash
chain in batches (`seq`, `prev_hash`, `chain_hash`), as transparency logs do. `verify-ratings`
recomputes both and names every row changed, deleted or inserted behind the application's back.
"""

from auditlog.registry import auditlog
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField


class Level(models.IntegerChoices):
    """GB/T 39734-2020's five levels."""

    VERY_SATISFIED = 5, _("very satisfied")
    SATISFIED = 4, _("satisfied")
    NEUTRAL = 3, _("neutral")
    DISSATISFIED = 2, _("dissatisfied")
    VERY_DISSATISFIED = 1, _("very dissatisfied")


# Tags a citizen may tick on the device (free text goes in the comment).
TAGS = (
    _("quick"),
    _("friendly"),
    _("clear explanations"),
    _("done in one visit"),
    _("long wait"),
    _("unfriendly"),
    _("unclear requirements"),
)
DIMENSIONS = (
    ("efficiency", _("efficiency")),
    ("competence", _("competence")),
    ("attitude", _("attitude")),
)


class Rated(models.TextChoices):
    """What a rating is of, as the published figures label it (R-LAW-2, GB/T 39734-2020): a
    visit rated on site, once per transaction (一次一评), or a case, once per matter (一事一评)."""

    VISIT = "visit", _("Per visit (一次一评, on site)")
    CASE = "case", _("Per matter (一事一评, cases)")


class AppendOnly(Exception):
    """A rating, once written, is never changed or deleted (R-LAW-2)."""


# The content a rating's signature covers, in this order (sealing columns excluded).
SIGNED_FIELDS = (
    "ticket_id",
    "case_id",
    "unit_id",
    "window_id",
    "staff_id",
    "overall",
    "efficiency",
    "competence",
    "attitude",
    "tags",
    "comment",
    "reason",
    "channel",
    "device",
    "idempotency_key",
    "created_at",
)
SEAL_FIELDS = ("seq", "prev_hash", "chain_hash", "sealed_at")


class Rating(models.Model):
    class Channel(models.TextChoices):
        DEVICE = "device", _("rating device at the window")
        LINK = "link", _("link or QR code on the receipt")

    ticket = models.OneToOneField(
        "queueing.Ticket",
        verbose_name=_("visit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rating",
    )
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rating",
    )
    # Few indexes: every one is paid on each of the many inserts. Ratings are read by unit and
    # time (rating_unit_time) or through their visit; a window or staff member is retired,
    # not deleted, so PROTECT's look-up by them is rare.
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="ratings",
        db_index=False,
    )
    window = models.ForeignKey(
        "org.Window",
        verbose_name=_("window"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ratings",
        db_index=False,
    )
    staff = models.ForeignKey(
        "org.Staff",
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ratings",
        db_index=False,
    )
    overall = models.PositiveSmallIntegerField(_("overall"), choices=Level.choices)
    efficiency = models.PositiveSmallIntegerField(
        _("efficiency"), choices=Level.choices, null=True, blank=True
    )
    competence = models.PositiveSmallIntegerField(
        _("competence"), choices=Level.choices, null=True, blank=True
    )
    attitude = models.PositiveSmallIntegerField(
        _("attitude"), choices=Level.choices, null=True, blank=True
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    reason = models.CharField(_("reason for a low rating"), max_length=500, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    device = models.CharField(_("device"), max_length=80, blank=True)
    idempotency_key = models.CharField(max_length=64)  # unique: see Meta
    created_at = models.DateTimeField(_("rated at"))
    mac = models.CharField(max_length=64, editable=False)
    # the chain, written once by the sealer
    seq = models.PositiveBigIntegerField(null=True, blank=True, unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    chain_hash = models.CharField(max_length=64, blank=True, editable=False)
    sealed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            # R-LAW-2 一次一评: one rating per finished visit or case, and it names exactly one
            models.CheckConstraint(
                condition=Q(ticket__isnull=False, case__isnull=True)
                | Q(ticket__isnull=True, case__isnull=False),
                name="rating_of_one_visit_or_case",
            ),
            models.CheckConstraint(
                condition=Q(overall__gte=1, overall__lte=5), name="rating_level_1_to_5"
            ),
            # a constraint rather than unique=True: no second, pattern index on PostgreSQL
            models.UniqueConstraint(fields=["idempotency_key"], name="rating_idempotency_key"),
        ]
        indexes = [
            models.Index(fields=["unit", "created_at"], name="rating_unit_time"),
            models.Index(fields=["id"], condition=Q(seq__isnull=True), name="rating_unsealed"),
        ]

    def __str__(self):
        return f"{self.get_overall_display()} · {self.unit_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnly(_("A rating cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly(_("A rating cannot be deleted."))


class BadReviewFollowUp(models.Model):
    """A bad review worked off (R-LAW-2, 差评核实整改回访): verified, put right (整改), the
    citizen called back and their satisfaction with the fix recorded, each step on its own
    clock (worktime policies bad-review-*, decision 0022); or set aside on appeal. The rating
    itself is never touched. Not supervision's rectification of an inspection finding."""

    class Stage(models.TextChoices):
        VERIFY = "verify", _("to verify")
        RECTIFY = "rectify", _("to rectify")
        CALLBACK = "callback", _("to call back")
        CLOSED = "closed", _("closed")

    POLICY = {
        "verify": "bad-review-verify",
        "rectify": "bad-review-rectify",
        "callback": "bad-review-callback",
    }

    rating = models.OneToOneField(
        Rating, verbose_name=_("rating"), on_delete=models.PROTECT, related_name="follow_up"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    opened_at = models.DateTimeField(_("opened"))
    step_started_at = models.DateTimeField(_("step started"))
    due_at = models.DateTimeField(_("due"))
    finding = models.TextField(_("what the verification found"), blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    measures = models.TextField(_("what was put right"), blank=True)
    rectified_at = models.DateTimeField(_("rectified"), null=True, blank=True)
    rectified_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    callback_note = models.TextField(_("call-back note"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction with the fix"), choices=Level.choices, null=True, blank=True
    )
    called_back_at = models.DateTimeField(_("called back"), null=True, blank=True)
    called_back_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # an appeal to set aside a mistaken or malicious rating: the organizer decides; the
    # rating stays as given, a set-aside one no longer counts in the figures
    appeal_reason = models.TextField(_("appeal"), blank=True)
    appealed_at = models.DateTimeField(_("appealed"), null=True, blank=True)
    appealed_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appeal_upheld = models.BooleanField(_("appeal upheld"), null=True, blank=True)
    appeal_decided_at = models.DateTimeField(_("appeal decided"), null=True, blank=True)
    appeal_decided_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # signed like a rating: the figures published from it (replied, rectified, satisfaction,
    # set aside on appeal) cannot be moved by an UPDATE behind the application's back
    mac = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("bad-review follow-up")
        verbose_name_plural = _("bad-review follow-ups")
        indexes = [models.Index(fields=["unit", "stage"], name="follow_up_unit_stage")]

    def __str__(self):
        return f"{self.rating} · {self.get_stage_display()}"

    def save(self, *args, **kwargs):
        from .services import sign_follow_up

        self.mac = sign_follow_up(self)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = [*kwargs["update_fields"], "mac"]
        super().save(*args, **kwargs)

    @property
    def appeal_pending(self):
        return self.appealed_at is not None and self.appeal_upheld is None

    @property
    def set_aside(self):
        return self.appeal_upheld is True

    def get_additional_data(self):
        return {"unit_id": self.unit_id}


class CallbackContact(models.Model):
    """The phone a citizen left on a low rating so that the unit can call back (R-LAW-2 回访).
    Kept apart from the rating: not in its signed content, never in the published figures,
    masked on the unit's pages; shown in full only to whoever makes the call-back, by an
    explicit action that the audit trail records."""

    rating = models.OneToOneField(
        Rating, verbose_name=_("rating"), on_delete=models.PROTECT, related_name="contact"
    )
    # encrypted at rest (Fernet, key derived from SECRET_KEY): a database dump does not show it
    phone = EncryptedCharField(_("phone for the call-back"), max_length=20)
    consented_at = models.DateTimeField(_("consent given"))

    class Meta:
        verbose_name = _("call-back contact")
        verbose_name_plural = _("call-back contacts")

    def __str__(self):
        from servicehall.core.masking import mask_phone

        return mask_phone(self.phone)

    def get_additional_data(self):
        return {"unit_id": self.rating.unit_id}


class RatingDevice(models.Model):
    """A rating device (评价器) enrolled at one window (R-FB-1 不得弄虚作假). A unit leader
    enrols it and gets a one-time pairing code; typed into the device, the code becomes the
    device's own credential, kept in its browser where the window's staff never see it. Only
    a paired device that is not revoked rates a visit, and only one finished at its window.
    Pairing again rotates the credential; the old one stops working at once."""

    window = models.ForeignKey(
        "org.Window",
        verbose_name=_("window"),
        on_delete=models.PROTECT,
        related_name="rating_devices",
    )
    name = models.CharField(_("device name"), max_length=50)
    # sha256 of the one-time pairing code and of the credential's secret: both are random and
    # long, so a fast hash is enough, and the database never holds either in clear
    pairing_hash = models.CharField(max_length=64, blank=True, db_index=True)
    pairing_expires_at = models.DateTimeField(_("pairing code valid until"), null=True, blank=True)
    secret_hash = models.CharField(max_length=64, blank=True)
    enrolled_by = models.ForeignKey(
        "org.Staff", verbose_name=_("enrolled by"), on_delete=models.PROTECT, related_name="+"
    )
    enrolled_at = models.DateTimeField(_("enrolled at"))
    paired_at = models.DateTimeField(_("paired at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        "org.Staff",
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("rating device")
        verbose_name_plural = _("rating devices")
        ordering = ["window__number", "pk"]

    def __str__(self):
        return f"{self.window} · {self.name}"

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        return "paired" if self.paired_at else "waiting"

    def get_additional_data(self):
        return {"unit_id": self.window.unit_id}


auditlog.register(RatingDevice, exclude_fields=["pairing_hash", "secret_hash"])
# A due time moved by a republished calendar (or a step) keeps its old value in the trail.
auditlog.register(BadReviewFollowUp, include_fields=["due_at", "stage"])
