"""Cases (办件): intake, one-time notices, rejections, referrals with receipts, steps with SLA
clocks, and the event log every transition writes (R-CASE-1 … R-CASE-5)."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicehall.core.masking import mask_id, mask_phone
from servicehall.core.money import yuan

# no 0/O, 1/I/L or U (as complaint codes): read off paper and typed without a second look
CHECK_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_CODE_LENGTH = 6  # 30⁶ ≈ 7.3 × 10⁸ per case


def new_check_code() -> str:
    return "".join(secrets.choice(CHECK_CODE_ALPHABET) for _ in range(CHECK_CODE_LENGTH))


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO = "hk_macao", _("Mainland travel permit (Hong Kong/Macao)")
    TAIWAN = "taiwan", _("Mainland travel permit (Taiwan)")
    FOREIGN_PR = "foreign_pr", _("Foreign permanent resident ID")
    OTHER = "other", _("Other")


class Outcome(models.TextChoices):
    """R-CASE-1: intake ends in exactly one of these."""

    ON_THE_SPOT = "on_the_spot", _("Done on the spot")
    ACCEPTED = "accepted", _("Accepted")
    NOTICE = "notice", _("One-time notice")
    REJECTED = "rejected", _("Rejected")


class Status(models.TextChoices):
    AWAITING_MATERIALS = "awaiting", _("Awaiting materials")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")


# A case is concluded, over for the citizen, when done (on the spot or after its steps) or
# refused: what may be rated once (一事一评, decision 0028).
CONCLUDED = (Status.COMPLETED, Status.REJECTED)


class DueState(models.TextChoices):
    OK = "ok", _("on time")
    WARNING = "warning", _("due soon")
    OVERDUE = "overdue", _("overdue")


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=40, unique=True)
    # printed on what the applicant takes home; with the number it opens the public status
    # page (decision 0018). Kept in the clear: staff reprint it, and the row already holds the
    # full ID number it stands beside.
    check_code = models.CharField(_("check code"), max_length=8, editable=False)
    intake_token = models.CharField(
        max_length=40, null=True, blank=True, unique=True, editable=False
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="cases"
    )
    window = models.ForeignKey(
        "org.Window",
        verbose_name=_("window"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    matter = models.ForeignKey(
        "catalog.Matter", verbose_name=_("matter"), on_delete=models.PROTECT, related_name="cases"
    )
    applicant_name = models.CharField(_("applicant"), max_length=50)
    id_type = models.CharField(
        _("ID type"), max_length=20, choices=IdType.choices, default="resident_id"
    )
    id_number = models.CharField(_("ID number"), max_length=40)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    received_by = models.ForeignKey(
        "org.Staff", verbose_name=_("received by"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        "org.Staff",
        verbose_name=_("first-contact owner"),
        on_delete=models.PROTECT,
        related_name="owned_cases",
        help_text=_("Owns the case until a hand-off is acknowledged."),  # R-CASE-2
    )
    outcome = models.CharField(_("intake outcome"), max_length=20, choices=Outcome.choices)
    notices_given = models.PositiveSmallIntegerField(_("one-time notices given"), default=0)
    concluded_by = models.ForeignKey(
        "org.Staff",
        verbose_name=_("accepted or refused by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    green_channel = models.BooleanField(_("green channel"), default=False)
    green_reason = models.CharField(_("green-channel reason"), max_length=100, blank=True)
    visits = models.PositiveSmallIntegerField(_("visits"), default=1)
    over_visits = models.BooleanField(_("more visits than allowed"), default=False)
    received_at = models.DateTimeField(_("received at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    deemed_accepted_at = models.DateTimeField(
        _("counts as accepted from"),
        null=True,
        blank=True,
        help_text=_("A one-time notice given after its limit: the law counts from receipt."),
    )
    due_at = models.DateTimeField(_("promised due"), null=True, blank=True)
    statutory_due_at = models.DateTimeField(_("statutory due"), null=True, blank=True)
    due_estimated = models.BooleanField(_("due date estimated"), default=False)
    due_state = models.CharField(
        _("time"), max_length=10, choices=DueState.choices, default=DueState.OK
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    on_time = models.BooleanField(_("finished in time"), null=True, blank=True)
    clock = models.JSONField(_("clock"), default=dict, blank=True)
    rejection_basis = models.TextField(_("legal basis of the refusal"), blank=True)
    rejection_reason = models.TextField(_("reason for refusal"), blank=True)
    rejection_number = models.CharField(_("refusal notice number"), max_length=40, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["unit", "-received_at"], name="case_unit_received"),
            models.Index(fields=["window", "-received_at"], name="case_window_received"),
            models.Index(fields=["unit", "status", "due_state"], name="case_unit_status"),
        ]

    def __str__(self):
        return f"{self.number} {self.matter.name}"

    def save(self, *args, **kwargs):
        if not self.check_code:
            self.check_code = new_check_code()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("cases:case", args=[self.pk])

    @property
    def masked_id(self):
        return mask_id(self.id_number)

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    @property
    def open(self):
        return self.status in (Status.AWAITING_MATERIALS, Status.IN_PROGRESS)

    def get_additional_data(self):
        return {"unit_id": self.unit_id}


class MaterialCheck(models.Model):
    class State(models.TextChoices):
        PRESENTED = "presented", _("presented")
        MISSING = "missing", _("missing")
        DEFECTIVE = "defective", _("defective")
        NOT_APPLICABLE = "not_applicable", _("not applicable")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="checks")
    material = models.ForeignKey("catalog.Material", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    note = models.CharField(_("what is wrong"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "material"], name="one_check_per_material")
        ]

    def __str__(self):
        return f"{self.material} {self.get_state_display()}"


class Visit(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visit_log")
    at = models.DateTimeField(_("at"))
    purpose = models.CharField(_("purpose"), max_length=100, blank=True)
    token = models.CharField(max_length=40, null=True, blank=True, unique=True, editable=False)
    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+")
    window = models.ForeignKey("org.Window", on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.case_id} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"


class Notice(models.Model):
    """A one-time notice (一次性告知书) listing every missing or defective material."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    number = models.CharField(_("notice number"), max_length=40, unique=True)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+")
    items = models.JSONField(_("items"))  # [{"material": name, "state": …, "note": …}]
    law_deadline = models.DateTimeField(
        _("to be given by"),
        # R-LAW-1: the limit is the time limit policy's (licence-correction-notice)
        help_text=_("Within the time limit for the one-time notice, counted from receipt."),
    )
    within_law = models.BooleanField(_("given within the legal limit"), default=True)
    adds_items = models.BooleanField(
        _("names materials the first notice did not"),
        default=False,
        help_text=_("A later notice that asks for more is a breach of the one-time rule."),
    )

    class Meta:
        ordering = ["issued_at", "pk"]

    def __str__(self):
        return self.number


class Referral(models.Model):
    """A hand-off (交办) with its two receipts; open until acknowledged and completed (R-CASE-2)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    slip_number = models.CharField(_("intake slip number"), max_length=40, unique=True)
    handoff_number = models.CharField(_("hand-off slip number"), max_length=40, unique=True)
    from_staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+")
    to_staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals_in"
    )
    to_window = models.ForeignKey(
        "org.Window", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    task = models.CharField(_("what to do"), max_length=200)
    created_at = models.DateTimeField(_("referred at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.handoff_number

    @property
    def receiver_label(self):
        return str(self.to_staff or self.to_window or self.to_unit)

    @property
    def state(self):
        if self.completed_at:
            return "completed"
        return "acknowledged" if self.acknowledged_at else "open"

    def get_state_display(self):
        """The state as a person reads it (never the raw "open")."""
        return {
            "completed": _("completed"),
            "acknowledged": _("acknowledged"),
            "open": _("waiting for the receiver"),
        }[self.state]


class CaseStep(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        RUNNING = "running", _("running")
        PAUSED = "paused", _("paused")
        DONE = "done", _("done")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    step = models.ForeignKey("catalog.Step", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    performer = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    due_state = models.CharField(max_length=10, choices=DueState.choices, default=DueState.OK)
    clock = models.JSONField(default=dict, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["case", "order"]
        constraints = [models.UniqueConstraint(fields=["case", "order"], name="case_step_order")]

    def __str__(self):
        return f"{self.case_id}#{self.order}"


class CaseEvent(models.Model):
    """One transition of a case: who, when, what (never edited)."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("received")
        GREEN_CHANNEL = "green_channel", _("green channel")
        VISIT = "visit", _("visit of the applicant")
        OVER_VISITS = "over_visits", _("more visits than allowed")
        DONE_ON_THE_SPOT = "done_on_the_spot", _("done on the spot")
        NOTICE = "notice", _("one-time notice")
        NOTICE_NOT_ONE_TIME = "notice_not_one_time", _("notice not one-time")
        REJECTED = "rejected", _("refused")
        ACCEPTED = "accepted", _("accepted")
        DEEMED_ACCEPTED = "deemed_accepted", _("counts as accepted from receipt")
        STEP_STARTED = "step_started", _("step started")
        STEP_DONE = "step_done", _("step done")
        PAUSED = "paused", _("clock paused")
        RESUMED = "resumed", _("clock resumed")
        REFERRED = "referred", _("handed off")
        ACKNOWLEDGED = "acknowledged", _("hand-off acknowledged")
        REFERRAL_DONE = "referral_done", _("hand-off completed")
        DECIDED = "decided", _("decision made")
        EXTENDED = "extended", _("decision limit extended")
        DUE_MOVED = "due_moved", _("due time moved by the calendar")
        COMPLETED = "completed", _("completed")
        DUE_WARNING = "due_warning", _("due soon")
        DUE_OVERDUE = "due_overdue", _("overdue")
        FEE_RECORDED = "fee_recorded", _("fee recorded")
        FEE_WAIVED = "fee_waived", _("fee waived")
        FINE_DECIDED = "fine_decided", _("fine decided")
        FINE_PAID = "fine_paid", _("fine paid at the bank")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("event"), max_length=40, choices=Kind.choices)
    text = models.CharField(_("what happened"), max_length=300)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return self.text


class Sequence(models.Model):
    """Document numbers per unit, kind and year, handed out under a row lock."""

    class Kind(models.TextChoices):
        CASE = "case", _("case")
        NOTICE = "notice", _("one-time notice")
        REFUSAL = "refusal", _("refusal notice")
        SLIP = "slip", _("intake slip")
        HANDOFF = "handoff", _("hand-off slip")

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "year"], name="one_sequence")
        ]

    def __str__(self):
        return f"{self.kind} {self.year} {self.last}"


class FeeChannel(models.TextChoices):
    """How the fee of a case was paid, or that it was waived (R-CASE-6)."""

    CASH = "cash", _("cash at the window")
    CARD = "card", _("bank card")
    MOBILE = "mobile", _("mobile payment")
    WAIVED = "waived", _("waived")


class CaseFee(models.Model):
    """The fee charged on a case, as the catalogue set it when it was charged (R-CASE-6):
    the amount, the catalogue's fee and basis at that moment, how it was paid (or the legal
    basis of a waiver), who recorded it and when. Written once by cases.fees, never edited."""

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="fee"
    )
    amount_fen = models.PositiveIntegerField(_("fee charged (fen)"))
    catalogue_fen = models.PositiveIntegerField(_("catalogue fee (fen)"))
    basis = models.CharField(_("legal basis of the fee"), max_length=200)
    channel = models.CharField(_("paid by"), max_length=10, choices=FeeChannel.choices)
    waiver_basis = models.CharField(_("legal basis of the waiver"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        "org.Staff", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("case fee")
        verbose_name_plural = _("case fees")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(channel="waived") | models.Q(amount_fen=0),
                name="waived_fee_takes_nothing",
                violation_error_message=_("A waived fee takes no money."),
            )
        ]

    def __str__(self):
        return f"{self.case_id} {self.amount_yuan}"

    @property
    def amount_yuan(self):
        return yuan(self.amount_fen)

    @property
    def waived(self):
        return self.channel == FeeChannel.WAIVED


class FineAgency(models.TextChoices):
    """Where a fine is paid (罚缴分离, R-CASE-6): a bank or the online payment platform the
    finance bureau designates, never the window that decided it."""

    ICBC = "icbc", _("Industrial and Commercial Bank of China (collection counter)")
    CCB = "ccb", _("China Construction Bank (collection counter)")
    ABC = "abc", _("Agricultural Bank of China (collection counter)")
    PSBC = "psbc", _("Postal Savings Bank of China (collection counter)")
    ONLINE = "online", _("Online payment platform for non-tax revenue")


class FineDecision(models.Model):
    """A penalty decision (处罚决定) on a case: its number, amount, legal basis and where it is
    paid. Paid only when the bank's confirmation comes in, with its reference (R-CASE-6)."""

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="fine"
    )
    number = models.CharField(_("decision number"), max_length=60, unique=True)
    amount_fen = models.PositiveIntegerField(_("fine (fen)"))
    basis = models.CharField(_("legal basis of the fine"), max_length=300)
    agency = models.CharField(_("paid at"), max_length=20, choices=FineAgency.choices)
    decided_at = models.DateTimeField(_("decided at"))
    decided_by = models.ForeignKey(
        "org.Staff", verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    pay_by = models.DateTimeField(_("to be paid by"))
    paid_at = models.DateTimeField(_("paid at (bank)"), null=True, blank=True)
    paid_via = models.CharField(
        _("paid through"), max_length=20, choices=FineAgency.choices, blank=True
    )
    bank_reference = models.CharField(
        _("bank reference"), max_length=60, null=True, blank=True, unique=True
    )
    confirmed_at = models.DateTimeField(_("confirmation received at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmation entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("fine decision")
        verbose_name_plural = _("fine decisions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_fen__gt=0),
                name="fine_amount_positive",
                violation_error_message=_("Enter the fine in yuan, such as 200."),
            )
        ]

    def __str__(self):
        return self.number

    @property
    def amount_yuan(self):
        return yuan(self.amount_fen)

    @property
    def paid(self):
        return self.paid_at is not None
