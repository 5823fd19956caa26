"""The one ledger of violation points (违规计分, R-FB-3, R-SUP-3): given to a unit and, where
named, one of its people, by a substantiated complaint, an inspection, a supervision notice or
another decision; they feed the year-end and campaign scores.

The ledger knows its sources by kind and id only, never their models: each source gives points
once. A row is append-only and provably so, as ratings are (decisions 0010, 0025): signed when
written (`mac`), linked into a hash chain (`seq`, `prev_hash`, `chain_hash`) in the same
transaction, the chain's head anchored in a checkpoint file. Points given in error are never
changed or deleted: a cancellation is a row of its own that names the row it cancels and why.
"""

from auditlog.registry import auditlog
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    COMPLAINT = "complaint", _("complaint")
    INSPECTION = "inspection", _("inspection")
    SUPERVISION_NOTICE = "supervision_notice", _("supervision notice")
    OTHER = "other", _("other")


class AppendOnly(Exception):
    """Violation points, once recorded, are never changed or deleted: a cancellation is a new
    row."""


# The content a row's signature covers, in this order (the chain's columns excluded).
SIGNED_FIELDS = (
    "unit_id",
    "staff_id",
    "points",
    "reason",
    "source_kind",
    "source_id",
    "revision",
    "cancels_id",
    "recorded_at",
    "recorded_by_id",
)
CHAIN_FIELDS = ("seq", "prev_hash", "chain_hash")


class LedgerQuerySet(models.QuerySet):
    """No update or delete through the ORM, nor a bulk insert past the signature: rows come in
    one by one through violations.services."""

    def update(self, **kwargs):
        raise AppendOnly(_("Violation points cannot be changed: record a cancellation."))

    def delete(self):
        raise AppendOnly(_("Violation points cannot be deleted: record a cancellation."))

    def bulk_create(self, *args, **kwargs):
        raise AppendOnly(_("Violation points are recorded one by one."))

    def bulk_update(self, *args, **kwargs):
        raise AppendOnly(_("Violation points cannot be changed: record a cancellation."))

    def update_or_create(self, *args, **kwargs):
        raise AppendOnly(_("Violation points cannot be changed: record a cancellation."))

    def _link(self, pk, seq, prev_hash, chain_hash) -> int:
        """Fill a new row's chain columns, once (violations.services; the PostgreSQL trigger
        lets nothing else through)."""
        row = self.filter(pk=pk, seq__isnull=True)
        return models.QuerySet.update(row, seq=seq, prev_hash=prev_hash, chain_hash=chain_hash)


class Violation(models.Model):
    """Violation points given to a unit and, where named, one of its people, for one source;
    or the cancellation of such a row (`cancels`), which copies what it cancels."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="violations"
    )
    staff = models.ForeignKey(
        "org.Staff",
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="violations",
    )
    points = models.PositiveSmallIntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=300)
    source_kind = models.CharField(_("source"), max_length=20, choices=SourceKind.choices)
    # the source's own id or code (a complaint's TS-… code): the ledger imports no source
    source_id = models.CharField(_("source id"), max_length=40)
    # the source's points recorded anew after a cancellation: 0, then 1 …
    revision = models.PositiveSmallIntegerField(_("revision"), default=0)
    cancels = models.OneToOneField(
        "self",
        verbose_name=_("cancels"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cancelled_by",
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    mac = models.CharField(max_length=64, editable=False)
    seq = models.PositiveBigIntegerField(null=True, blank=True, unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    chain_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        db_table = "complaints_violation"  # moved from complaints (issue 13); the table stays
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("violation points")
        verbose_name_plural = _("violation points")
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gte=1, points__lte=20), name="violation_points_1_to_20"
            ),
            # a source gives points once: a second record needs the first one cancelled
            models.UniqueConstraint(
                fields=["source_kind", "source_id", "revision"],
                condition=Q(cancels__isnull=True),
                name="violation_once_per_source",
            ),
        ]
        indexes = [models.Index(fields=["unit", "recorded_at"], name="violation_unit_time")]

    def __str__(self):
        if self.cancels_id:
            return f"−{self.points} · {self.reason}"
        return f"{self.points} · {self.reason}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnly(_("Violation points cannot be changed: record a cancellation."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly(_("Violation points cannot be deleted: record a cancellation."))


auditlog.register(Violation, exclude_fields=["mac", "seq", "prev_hash", "chain_hash"])
