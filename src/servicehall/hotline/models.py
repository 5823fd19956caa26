"""Hotline calls (接警, R-FB-5, R-LAW-3, R-TIME-4): every call that rang, answered or not, with
how fast it was answered, what the operator said and asked (七何), what kind of call it was and
how it ended. A complaint call registers a complaint with its three-working-day answer clock.

Caller and callback numbers are personal data: lists, exports, the API and the audit trail show
them masked (138****5678).
"""

import datetime as dt

from auditlog.registry import auditlog
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from servicehall.core.masking import mask_phone

# R-FB-5 "电话铃响三声之内接听" and R-LAW-3 (GB/T 33358-2016) "15 s": a ring cycle in China is
# 1 s on, 4 s off, so three rings are 15 seconds. Law, not a setting.
RING_CYCLE_SECONDS = 5
ANSWER_WITHIN_SECONDS = 3 * RING_CYCLE_SECONDS
ANSWER_WITHIN = dt.timedelta(seconds=ANSWER_WITHIN_SECONDS)
# R-LAW-3: the connection rate (接通率 = answered / rung) a government hotline must reach.
CONNECTION_RATE_TARGET = 0.95
# R-FB-5: a call from the same number within 24 hours is a repeat (重复报警、催促) of the earlier.
REPEAT_WINDOW = dt.timedelta(hours=24)


class Kind(models.TextChoices):
    REPORT = "report", _("report (crime or incident)")
    HELP = "help", _("request for help")
    CONSULTATION = "consultation", _("consultation")
    COMPLAINT = "complaint", _("complaint")
    URGING = "urging", _("urging or repeat report")
    HARASSMENT = "harassment", _("abusive or harassing")
    OTHER = "other", _("other")


# R-FB-5: these kinds need all seven elements (七何) and a callback number.
NEEDS_ELEMENTS = (Kind.REPORT, Kind.HELP)


class Outcome(models.TextChoices):
    DISPATCHED = "dispatched", _("police dispatched")
    ANSWERED = "answered", _("answered on the phone")
    REFERRED = "referred", _("referred to another department")
    COMPLAINT = "complaint", _("complaint registered")
    HUNG_UP = "hung_up", _("caller hung up")
    WARNED = "warned", _("warned per script")


# 七何 (R-FB-5): field name and label, in the order the norm asks them.
ELEMENTS = [
    ("when", pgettext_lazy("seven elements", "when")),
    ("where", pgettext_lazy("seven elements", "where")),
    ("what", pgettext_lazy("seven elements", "what happened")),
    ("who", pgettext_lazy("seven elements", "who")),
    ("why", pgettext_lazy("seven elements", "why")),
    ("items", pgettext_lazy("seven elements", "objects")),
    ("consequence", pgettext_lazy("seven elements", "consequence")),
]
ELEMENT_FIELDS = [name for name, _label in ELEMENTS]
# what a report or help call must have besides its seven elements: a number to call back
REQUIRED_FIELDS = [*ELEMENT_FIELDS, "callback_number"]


def missing_of(value) -> list[str]:
    """The required fields a call's values lack; `value(name)` reads one (a call's attribute,
    a posted form's value)."""
    return [f for f in REQUIRED_FIELDS if not (value(f) or "").strip()]


def missing_labels(names) -> list:
    """The people's names of missing fields, for the log and the form."""
    labels = dict(ELEMENTS) | {"callback_number": _("callback number")}
    return [labels[n] for n in names]


# The greeting checklist (R-FB-5): field name and label.
CHECKLIST = [
    ("greeted", _("standard greeting said")),
    ("proper_language", _("Mandarin or the caller's language")),
    ("no_rebuke", _("no rebuke, no obstruction")),
    ("contact_asked", _("contact number asked")),
]


class HotlineCall(models.Model):
    Kind = Kind
    Outcome = Outcome

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="hotline_calls"
    )
    seat = models.ForeignKey(
        "org.Window",
        verbose_name=_("seat"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hotline_calls",
        limit_choices_to={"kind": "hotline"},
    )
    taken_by = models.ForeignKey(
        "org.Staff",
        verbose_name=_("taken by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hotline_calls",
    )
    caller_number = models.CharField(_("caller number"), max_length=20, blank=True)
    rang_at = models.DateTimeField(_("rang at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # the greeting checklist (R-FB-5)
    greeted = models.BooleanField(_("standard greeting said"), default=False)
    proper_language = models.BooleanField(_("Mandarin or the caller's language"), default=False)
    no_rebuke = models.BooleanField(_("no rebuke, no obstruction"), default=False)
    contact_asked = models.BooleanField(_("contact number asked"), default=False)
    kind = models.CharField(_("kind of call"), max_length=14, choices=Kind.choices, blank=True)
    # 七何 (R-FB-5)
    when = models.CharField(pgettext_lazy("seven elements", "when"), max_length=200, blank=True)
    where = models.CharField(pgettext_lazy("seven elements", "where"), max_length=200, blank=True)
    what = models.CharField(
        pgettext_lazy("seven elements", "what happened"), max_length=500, blank=True
    )
    who = models.CharField(pgettext_lazy("seven elements", "who"), max_length=200, blank=True)
    why = models.CharField(pgettext_lazy("seven elements", "why"), max_length=200, blank=True)
    items = models.CharField(pgettext_lazy("seven elements", "objects"), max_length=200, blank=True)
    consequence = models.CharField(
        pgettext_lazy("seven elements", "consequence"), max_length=200, blank=True
    )
    callback_number = models.CharField(_("callback number"), max_length=20, blank=True)
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("repeat of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="repeats",
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    referred_to = models.CharField(_("referred to"), max_length=100, blank=True)
    referred_phone = models.CharField(_("department phone"), max_length=30, blank=True)
    complaint = models.OneToOneField(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hotline_call",
    )
    note = models.TextField(_("note"), blank=True)
    # why a report or help call closed with elements of 七何 missing (the caller refused, …)
    missing_reason = models.CharField(_("why elements are missing"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-rang_at", "-pk"]
        verbose_name = _("hotline call")
        verbose_name_plural = _("hotline calls")
        indexes = [
            models.Index(fields=["unit", "rang_at"], name="hotline_unit_rang"),
            models.Index(fields=["unit", "caller_number", "rang_at"], name="hotline_caller"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(answered_at__gte=F("rang_at")),
                name="hotline_answered_after_ring",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("rang_at")),
                name="hotline_ended_after_ring",
            ),
        ]

    def __str__(self):
        rang = timezone.localtime(self.rang_at)  # read by people: the hall's time
        return f"#{self.pk} · {self.masked_caller or '—'} · {rang:%Y-%m-%d %H:%M:%S}"

    @property
    def masked_caller(self):
        return mask_phone(self.caller_number)

    @property
    def masked_callback(self):
        return mask_phone(self.callback_number)

    @property
    def ring_seconds(self):
        """Seconds it rang: until answered, or until the caller gave up; None while ringing."""
        stop = self.answered_at or self.ended_at
        return None if stop is None else int((stop - self.rang_at).total_seconds())

    @property
    def answered_in_time(self):
        """R-FB-5, R-LAW-3: answered within three rings (15 s)."""
        return self.answered_at is not None and self.answered_at - self.rang_at <= ANSWER_WITHIN

    @property
    def state(self):
        if self.answered_at is None:
            return "abandoned" if self.ended_at else "ringing"
        if self.ended_at is None:
            return "talking"
        return "ended"

    @property
    def needs_elements(self):
        return self.kind in NEEDS_ELEMENTS

    @property
    def missing(self):
        """The 七何 elements and callback number a report or help call still lacks (labels)."""
        return missing_labels(self.missing_fields)

    @property
    def missing_fields(self):
        if not self.needs_elements:
            return []
        return missing_of(lambda f: getattr(self, f))

    @property
    def complete(self):
        """None for a kind that needs no elements; else whether nothing is missing."""
        return (not self.missing_fields) if self.needs_elements else None

    def get_additional_data(self):
        return {"unit_id": self.unit_id}


# personal data in the trail: numbers and the free text that names people and places
auditlog.register(
    HotlineCall,
    mask_fields=[
        "caller_number",
        "callback_number",
        "who",
        "where",
        "what",
        "note",
        "missing_reason",
    ],
)
