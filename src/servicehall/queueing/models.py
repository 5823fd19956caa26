"""Tickets, queues, the rule each window calls by, and window presence (R-Q-1 … R-Q-4).

A ticket keeps five timestamps — scheduled, arrived, called, started, ended — and every waiting
and service figure is derived from them (NovoSGA's habit), never stored twice.
"""

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicehall.core.masking import mask_name


class Queue(models.Model):
    """A group of matters with its own number series (A001 …)."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="queues"
    )
    letter = models.CharField(
        _("letter"), max_length=2, help_text=_("Prefix of the numbers, e.g. A.")
    )
    name = models.CharField(_("name"), max_length=60)
    matters = models.ManyToManyField(
        "catalog.Matter", verbose_name=_("matters"), blank=True, related_name="queues"
    )
    green_channel = models.BooleanField(  # R-CASE-4
        _("green channel"), default=False, help_text=_("Urgent and hardship cases.")
    )
    active = models.BooleanField(_("open"), default=True)

    class Meta:
        ordering = ["unit", "letter"]
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "letter"],
                name="queue_letter_unique",
                violation_error_message=_("This unit already uses this letter."),
            )
        ]

    def __str__(self):
        return f"{self.letter} {self.name}"

    def get_additional_data(self):
        return {"unit_id": self.unit_id}


class QueueDay(models.Model):
    """The last number given in a queue on a day, taken under a row lock."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["queue", "day"], name="one_counter_per_day")]

    def __str__(self):
        return f"{self.queue} {self.day} {self.last}"


class CallRule(models.Model):
    """Which queues a window calls, in which order, with what weight (1 green : 2 normal)."""

    window = models.ForeignKey(
        "org.Window", verbose_name=_("window"), on_delete=models.CASCADE, related_name="call_rules"
    )
    queue = models.ForeignKey(
        Queue, verbose_name=_("queue"), on_delete=models.CASCADE, related_name="call_rules"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, help_text=_("How many tickets of this queue per round.")
    )

    class Meta:
        ordering = ["window", "order", "pk"]
        verbose_name = _("call rule")
        verbose_name_plural = _("call rules")
        constraints = [
            models.UniqueConstraint(fields=["window", "queue"], name="one_rule_per_queue")
        ]

    def __str__(self):
        return f"{self.window} ← {self.queue} ×{self.weight}"


class WindowState(models.Model):
    """Where a window stands in its calling round (locked per window while it calls)."""

    window = models.OneToOneField(
        "org.Window", on_delete=models.CASCADE, related_name="queue_state"
    )
    cursor = models.PositiveIntegerField(default=0)
    # calls still to make before a waiting green-channel ticket has precedence again; 0: it has
    # it now. Counted only when GREEN_EVERY is above 1 (services.call_next).
    calls_before_green = models.PositiveSmallIntegerField(default=0)

    def __str__(self):
        return f"{self.window} @{self.cursor}"


class Ticket(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", _("waiting")
        CALLED = "called", _("called")
        SERVING = "serving", _("being served")
        PARKED = "parked", _("parked")
        DONE = "done", _("done")
        NO_SHOW = "no_show", _("did not come")
        TRANSFERRED = "transferred", _("transferred")

    class Source(models.TextChoices):
        KIOSK = "kiosk", _("kiosk")
        RECEPTION = "reception", _("reception")
        APPOINTMENT = "appointment", _("appointment")

    # Few indexes on purpose: every call rewrites a ticket, and each index costs on every
    # write. The queue is covered by ticket_number_unique; the rest are partial (Meta).
    queue = models.ForeignKey(
        Queue,
        verbose_name=_("queue"),
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,
    )
    day = models.DateField(_("day"))
    number = models.PositiveIntegerField(_("number"))
    label = models.CharField(_("ticket"), max_length=10)
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.WAITING
    )
    source = models.CharField(
        _("taken at"), max_length=12, choices=Source.choices, default=Source.KIOSK
    )
    matter = models.ForeignKey(
        "catalog.Matter",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    green_channel = models.BooleanField(_("green channel"), default=False)
    target_window = models.ForeignKey(
        "org.Window",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        help_text=_("Transferred to this window: only it calls the ticket."),
    )
    window = models.ForeignKey(
        "org.Window",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        db_index=False,  # windows are retired, not deleted; ticket_at_window finds the current
    )
    staff = models.ForeignKey(
        "org.Staff",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    scheduled_at = models.DateTimeField(_("scheduled"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived"))
    called_at = models.DateTimeField(_("called"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    calls = models.PositiveSmallIntegerField(_("times called"), default=0)
    transferred_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["day", "queue", "number"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(fields=["queue", "day", "number"], name="ticket_number_unique"),
        ]
        indexes = [
            models.Index(
                fields=["queue", "arrived_at"], name="ticket_waiting", condition=Q(state="waiting")
            ),
            # what is at a window now: small however long the window's history grows
            models.Index(
                fields=["window"],
                name="ticket_at_window",
                condition=Q(state__in=["called", "serving", "parked"]),
            ),
            models.Index(
                fields=["target_window"],
                name="ticket_transferred_to",
                condition=Q(target_window__isnull=False),
            ),
            # the calling precedence (decision 0026): the oldest green ticket of a queue, and
            # a queue's checked-in appointments by their slot; both small, whatever the queue
            models.Index(
                fields=["queue", "day", "arrived_at"],
                name="ticket_green_waiting",
                condition=Q(state="waiting", green_channel=True),
            ),
            models.Index(
                fields=["queue", "day", "scheduled_at"],
                name="ticket_booked_waiting",
                condition=Q(state="waiting", source="appointment"),
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def waited(self):
        return (self.called_at - self.arrived_at) if self.called_at else None

    @property
    def served(self):
        return (self.ended_at - self.started_at) if self.ended_at and self.started_at else None


class WindowSession(models.Model):
    """A staff member signed in at a window (R-Q-3): late if after the session start."""

    window = models.ForeignKey("org.Window", on_delete=models.CASCADE, related_name="sessions")
    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="window_sessions")
    signed_in_at = models.DateTimeField(_("signed in"))
    minutes_late = models.PositiveSmallIntegerField(_("minutes late"), default=0)
    minutes_early = models.PositiveSmallIntegerField(
        _("minutes early"),
        null=True,
        blank=True,
        help_text=_("Before the session started; empty outside service hours."),
    )
    signed_out_at = models.DateTimeField(_("signed out"), null=True, blank=True)

    class Meta:
        ordering = ["-signed_in_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["window"],
                condition=Q(signed_out_at__isnull=True),
                name="one_open_session_per_window",
            ),
        ]

    def __str__(self):
        return f"{self.window} {self.staff}"

    @property
    def short_of_norm(self):
        """On time, but not as early as the norm asks (R-Q-3, SIGN_IN_EARLY_MINUTES)."""
        early = settings.SERVICEHALL["SIGN_IN_EARLY_MINUTES"]
        return (
            self.minutes_late == 0 and self.minutes_early is not None and self.minutes_early < early
        )


class WindowPause(models.Model):
    """暂停服务: the window shows a pause sign; a long one needs the duty lead (R-Q-3)."""

    session = models.ForeignKey(WindowSession, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(_("reason"), max_length=100)
    started_at = models.DateTimeField(_("from"))
    planned_minutes = models.PositiveSmallIntegerField(_("planned minutes"), default=5)
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    approved_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    overrun_told_at = models.DateTimeField(
        _("overrun reported at"),
        null=True,
        blank=True,
        help_text=_("When the pause ran past its planned minutes and the duty lead was told."),
    )

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.session.window} {self.reason}"

    @property
    def needs_approval(self):
        return self.planned_minutes > settings.SERVICEHALL["LONG_PAUSE_MINUTES"]  # R-Q-3


class WindowStatus(models.TextChoices):
    """What a board shows for a window (the state in a window event's data)."""

    CLOSED = "closed", _("closed")
    PAUSED = "paused", _("service paused")
    SERVING = "serving", _("serving")
    OPEN = "open", _("open")


class BoardEvent(models.Model):
    """What the display boards show, as an append-only log: a call, a recall, a window's
    state. Any process appends; the event server reads new rows and pushes them out (SSE).
    A table rather than an in-process channel, so gunicorn workers and the event server can
    be separate processes on SQLite and PostgreSQL alike."""

    class Kind(models.TextChoices):
        CALL = "call", _("call")
        RECALL = "recall", _("recall")
        WINDOW = "window", _("window state")
        # private to the window's citizen screen (events.PRIVATE): what the intake form
        # enters, and the window's rating device unpaired
        SCREEN = "screen", _("citizen screen")
        UNPAIRED = "unpaired", _("rating device unpaired")

    # indexed by board_event_unit (unit, id), which also serves the foreign key
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+", db_index=False)
    at = models.DateTimeField(auto_now_add=True)
    # also written by the call_next SQL function (migration 0008): 'call' and 'window'
    kind = models.CharField(max_length=20, choices=Kind.choices)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["unit", "id"], name="board_event_unit")]

    def __str__(self):
        return f"{self.kind} {self.data}"


class DutyAssignment(models.Model):
    """Who is on duty when (R-Q-4, R-TIME-5): the day's duty lead at the No. 1 window, the
    lunch-time duty, a window's B (backup) for a day. Extended half-days are
    worktime.ExtendedSession rows; the rota check reads both."""

    class Kind(models.TextChoices):
        DUTY_LEAD = "duty_lead", _("duty lead")
        LUNCH = "lunch", _("lunch-time duty")
        BACKUP = "backup", _("backup (B) for a window")

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="duty")
    date = models.DateField(_("date"))
    kind = models.CharField(_("duty"), max_length=12, choices=Kind.choices)
    staff = models.ForeignKey(
        "org.Staff", verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="duty"
    )
    window = models.ForeignKey(
        "org.Window",
        verbose_name=_("window"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["date", "kind"]
        verbose_name = _("duty assignment")
        verbose_name_plural = _("duty rota")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "date", "kind", "staff"], name="one_duty_per_person"
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.staff}"

    def get_additional_data(self):
        return {"unit_id": self.unit_id}


class AppointmentSlot(models.Model):
    """Bookable time for a matter on a day, with its capacity (R-Q-1)."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="slots"
    )
    matter = models.ForeignKey(
        "catalog.Matter", verbose_name=_("matter"), on_delete=models.CASCADE, related_name="slots"
    )
    date = models.DateField(_("date"))
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=4)

    class Meta:
        ordering = ["date", "start"]
        verbose_name = _("appointment slot")
        verbose_name_plural = _("appointment slots")
        constraints = [
            models.UniqueConstraint(fields=["matter", "date", "start"], name="one_slot_per_start"),
        ]

    def __str__(self):
        return f"{self.matter} {self.date} {self.start:%H:%M}"


class Appointment(models.Model):
    class State(models.TextChoices):
        BOOKED = "booked", _("booked")
        CHECKED_IN = "checked_in", _("checked in")
        NO_SHOW = "no_show", _("did not come")
        CANCELLED = "cancelled", _("cancelled")

    slot = models.ForeignKey(AppointmentSlot, on_delete=models.PROTECT, related_name="appointments")
    name = models.CharField(_("name"), max_length=50)
    id_type = models.CharField(_("ID type"), max_length=20, default="resident_id")
    id_number = models.CharField(_("ID number"), max_length=40)
    phone = models.CharField(_("phone"), max_length=20)
    code = models.CharField(_("check-in code"), max_length=8, unique=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.BOOKED)
    booked_at = models.DateTimeField(_("booked at"))
    ticket = models.OneToOneField(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="appointment"
    )

    class Meta:
        ordering = ["slot__date", "slot__start", "pk"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")

    def __str__(self):
        return f"{self.code} {self.slot}"


class ContactTask(models.Model):
    """An appointment request made on a holiday, by any channel, is answered within the
    policy's hours (queueing.appointments) — who, by when, how it came, and whether the duty
    lead was told it ran late."""

    class Channel(models.TextChoices):
        WEB = "web", _("web booking")
        PHONE = "phone", _("by phone")
        IN_PERSON = "in_person", _("in person at reception")

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="contact_tasks")
    appointment = models.OneToOneField(
        Appointment, on_delete=models.CASCADE, null=True, blank=True, related_name="contact_task"
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    taken_by = models.ForeignKey(
        "org.Staff",
        verbose_name=_("request taken by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20)
    note = models.CharField(_("note"), max_length=200, blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    due_at = models.DateTimeField(_("contact by"))
    contacted_at = models.DateTimeField(_("contacted at"), null=True, blank=True)
    contacted_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # when the duty lead was told the contact ran past its due time: once per task
    overdue_told_at = models.DateTimeField(_("duty lead told it is late"), null=True, blank=True)

    class Meta:
        ordering = ["contacted_at", "due_at"]
        verbose_name = _("contact task")
        verbose_name_plural = _("contact tasks")

    def __str__(self):
        # masked: the name reaches admin lists and the audit trail's object names
        return f"{mask_name(self.name)} {timezone.localtime(self.due_at):%Y-%m-%d %H:%M}"

    def get_additional_data(self):
        return {"unit_id": self.unit_id}


# A due time moved by a republished calendar keeps its old value in the trail.
auditlog.register(ContactTask, include_fields=["due_at", "contacted_at"])
