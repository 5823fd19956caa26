"""The service catalogue: matters with materials, steps, limits, fees and legal bases (R-CAT-1)."""

import datetime as dt

from auditlog.registry import auditlog
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from servicehall.core.money import yuan
from servicehall.org.choices import Role
from servicehall.workcal import TimeLimit
from servicehall.worktime.models import LimitUnit


class Channel(models.TextChoices):
    WINDOW = "window", _("At the window")
    ONLINE = "online", _("Online")
    PHONE = "phone", _("By phone")
    MAIL = "mail", _("By post")
    APPOINTMENT = "appointment", _("By appointment")


class Licensing(models.TextChoices):
    """Whether a matter is an administrative licence, and handled by one office or jointly:
    the Administrative Licensing Law's limits then apply (R-LAW-1)."""

    NONE = "", _("not an administrative licence")
    SINGLE = "single", _("administrative licence")
    JOINT = "joint", _("administrative licence handled jointly (统一、联合、集中办理)")


# The time-limit policies of a licence (worktime.DEFAULT_POLICIES): the decision, its one
# extension with the head's approval (行政许可法 第四十二条), and the certificate (第四十四条).
LICENCE_POLICIES = {
    Licensing.SINGLE: ("licence-decision", "licence-decision-extension"),
    Licensing.JOINT: ("licence-joint-decision", "licence-joint-extension"),
}
CERTIFICATE_POLICY = "licence-certificate"


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("original")
    COPY = "copy", _("copy")
    BOTH = "both", _("original and copy")
    ON_SITE = "on_site", _("taken on site")


class Matter(models.Model):
    """A service a unit provides (事项)."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="matters"
    )
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    statutory_n = models.PositiveIntegerField(_("statutory limit"), null=True, blank=True)
    statutory_unit = models.CharField(
        _("statutory limit counted in"),
        max_length=20,
        choices=LimitUnit.choices,
        default="working_days",
    )
    promised_n = models.PositiveIntegerField(
        _("promised limit"),
        default=0,
        help_text=_("0: done on the spot when materials are complete."),
    )
    promised_unit = models.CharField(
        _("promised limit counted in"),
        max_length=20,
        choices=LimitUnit.choices,
        default="working_days",
    )
    licensing = models.CharField(
        _("administrative licence"),
        max_length=10,
        choices=Licensing.choices,
        default=Licensing.NONE,
        blank=True,
        help_text=_(
            "A licence's decision limit, its extension and the certificate's limit are the "
            "time limit policies; a statutory limit above replaces the decision limit."
        ),
    )
    fee_fen = models.PositiveIntegerField(_("fee (fen)"), default=0, help_text=_("0 means free."))
    fee_basis = models.CharField(_("legal basis of the fee"), max_length=200, blank=True)
    refusal_basis = models.TextField(_("legal basis for refusal"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    handler = models.CharField(_("handled by"), max_length=100, blank=True)
    contact_phone = models.CharField(_("enquiry phone"), max_length=30, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    max_visits = models.PositiveSmallIntegerField(
        _("most visits"),
        default=2,
        help_text=_("The most times a citizen may need to come."),  # R-TIME-3
    )
    green_channel = models.BooleanField(_("green channel eligible"), default=False)
    separation_of_duties = models.BooleanField(
        _("separation of duties"),
        default=False,
        help_text=_("Nobody performs two steps of one case."),  # R-CASE-3
    )
    active = models.BooleanField(_("offered"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["unit", "order", "code"]
        verbose_name = _("matter")
        verbose_name_plural = _("matters")

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("guide_matter", args=[self.code])

    @property
    def display_name(self):
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    @property
    def promised_limit(self) -> TimeLimit:
        return TimeLimit(self.promised_n, self.promised_unit)

    @property
    def statutory_limit(self) -> TimeLimit | None:
        return (
            TimeLimit(self.statutory_n, self.statutory_unit)
            if self.statutory_n is not None
            else None
        )

    def law_limit(self) -> TimeLimit | None:
        """The law's limit a case runs: the statutory limit in the catalogue, or for a licence
        with none the Administrative Licensing Law's decision limit (a policy)."""
        if self.statutory_limit is not None or not self.licensing:
            return self.statutory_limit
        from servicehall.worktime.services import policy

        return policy(LICENCE_POLICIES[self.licensing][0]).time_limit

    @property
    def on_the_spot(self) -> bool:
        return self.promised_n == 0

    @property
    def fee_yuan(self):
        return yuan(self.fee_fen)

    def clean(self):
        if self.fee_fen and not self.fee_basis:
            raise ValidationError({"fee_basis": _("A fee needs its legal basis.")})  # R-CASE-6
        # R-CAT-1: a promise may be better than the law, never worse.
        statutory = self.law_limit()
        if statutory is None:
            return
        from servicehall.worktime.services import calendar

        cal = calendar()
        first = timezone.localdate()
        # Whatever day a case is accepted in the coming year (9:00), the promise must end no
        # later than the law: check every start date, not just today's.
        for offset in range(366):
            start = dt.datetime.combine(
                first + dt.timedelta(days=offset), dt.time(9), tzinfo=cal.tz
            )
            if cal.deadline(start, self.promised_limit).at > cal.deadline(start, statutory).at:
                raise ValidationError(
                    {
                        "promised_n": _(
                            "The promised limit (%(p)s %(pu)s) ends after the statutory limit "
                            "(%(s)s %(su)s) for cases accepted on %(day)s; promise at most the "
                            "statutory limit."
                        )
                        % {
                            "p": self.promised_n,
                            "pu": self.get_promised_unit_display(),
                            "s": statutory.n,
                            "su": LimitUnit(statutory.unit).label,
                            "day": start.date().isoformat(),
                        }
                    }
                )

    def get_additional_data(self):
        return {"unit_id": self.unit_id}


class Material(models.Model):
    matter = models.ForeignKey(
        Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="materials"
    )
    name = models.CharField(_("name"), max_length=150)
    form = models.CharField(
        _("form"), max_length=10, choices=MaterialForm.choices, default="original"
    )
    count = models.PositiveSmallIntegerField(_("copies"), default=1)
    required = models.BooleanField(_("required"), default=True)
    condition = models.CharField(
        _("needed when"), max_length=200, blank=True, help_text=_("For a conditional material.")
    )
    sample = models.FileField(_("sample or template"), upload_to="samples/", blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["matter", "order", "pk"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self):
        return self.name

    @property
    def conditional(self):
        return bool(self.condition)

    def clean(self):
        if not self.required and not self.condition:
            raise ValidationError({"condition": _("Say when an optional material is needed.")})

    def get_additional_data(self):
        return {"unit_id": self.matter.unit_id}


class Step(models.Model):
    """One step of a matter's procedure, performed by a role within a time limit."""

    matter = models.ForeignKey(
        Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(
        _("performed by"),
        max_length=20,
        choices=[(r.value, r.label) for r in Role if r != Role.CITIZEN],
        default=Role.OFFICER,
    )
    limit_n = models.PositiveIntegerField(_("limit"), default=1)
    limit_unit = models.CharField(
        _("counted in"), max_length=20, choices=LimitUnit.choices, default="working_days"
    )
    pausable = models.BooleanField(
        _("may be paused"), default=False, help_text=_("e.g. waiting for an out-of-county letter.")
    )
    decides = models.BooleanField(
        _("makes the decision"),
        default=False,
        help_text=_(
            "For a licence: the decision is made when this step is done; the certificate's "
            "own limit runs from then. Without such a step the last step decides."
        ),
    )

    class Meta:
        ordering = ["matter", "order"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "order"],
                name="step_order_unique",
                violation_error_message=_("This matter already has a step with this number."),
            )
        ]

    def __str__(self):
        return f"{self.order}. {self.name}"

    @property
    def time_limit(self) -> TimeLimit:
        return TimeLimit(self.limit_n, self.limit_unit)

    def get_additional_data(self):
        return {"unit_id": self.matter.unit_id}


auditlog.register(Matter)
auditlog.register(Material)
auditlog.register(Step)
