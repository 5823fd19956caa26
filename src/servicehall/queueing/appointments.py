"""Appointments: slots with capacity, booking, check-in to a ticket, no-shows, and the
contact task for a request made on a holiday by any channel — the web booking, a phone call,
the reception desk — with the duty lead told when one runs late (R-Q-1; the holiday rule is
named where it is kept, holiday_contact)."""

import datetime as dt
import secrets

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servicehall.core.errors import InvalidInput, ServiceError
from servicehall.core.idnumbers import id_problem, phone_problem
from servicehall.core.masking import mask_name
from servicehall.org.permissions import Action, Actor, require
from servicehall.worktime import services as worktime

from .models import Appointment, AppointmentSlot, ContactTask, Ticket
from .services import require_open, take_ticket

# holiday appointment requests are answered within this policy's limit (24 hours)
HOLIDAY_CONTACT = "holiday-appointment-contact"


def contact_policy():
    """The holiday contact's time limit as edited in the admin."""
    return worktime.policy(HOLIDAY_CONTACT)


def holiday_contact(*, unit, channel, name, phone, note="", now, appointment=None, taken_by=None):
    """The contact task of an appointment request made on a non-working day, whatever the
    channel, due within the policy's limit; None on a working day, when the request is
    answered as it is made. The one place the rule is kept: the web booking and the requests
    staff take by phone or at reception both come here."""
    cal = worktime.calendar()
    if cal.is_working_day(timezone.localdate(now)):
        return None
    # R-TIME-4: a holiday appointment request, by any channel, is answered within the policy's
    # limit (24 hours as seeded)
    due = cal.deadline(now, contact_policy().time_limit)
    return ContactTask.objects.create(
        unit=unit,
        appointment=appointment,
        channel=channel,
        taken_by=taken_by,
        name=name,
        phone=phone,
        note=note[:200],
        requested_at=now,
        due_at=due.at,
    )


def open_slots(matter, now=None):
    """Upcoming slots of a matter with places left."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    active = ~Q(appointments__state=Appointment.State.CANCELLED)
    slots = (
        AppointmentSlot.objects.filter(matter=matter, date__gte=today)
        .annotate(taken=Count("appointments", filter=active))
        .order_by("date", "start")
    )
    local = timezone.localtime(now)
    return [
        s
        for s in slots
        if s.taken < s.capacity and not (s.date == today and s.start <= local.time())
    ]


@transaction.atomic
def book(
    *, slot: AppointmentSlot, name: str, id_type: str, id_number: str, phone: str, now=None
) -> Appointment:
    now = now or timezone.now()
    errors = {}
    if not (name or "").strip():
        errors["name"] = [_("Enter your name.")]
    elif len(name.strip()) > 50:
        errors["name"] = [_("Keep the name under 50 characters.")]
    problem = id_problem(id_type, id_number)
    if problem:
        errors["id_number"] = [problem]
    if not (phone or "").strip():
        errors["phone"] = [_("Enter a phone number so the hall can reach you.")]
    else:
        problem = phone_problem(phone)
        if problem:
            errors["phone"] = [problem]
    if errors:
        raise InvalidInput(errors)
    slot = AppointmentSlot.objects.select_for_update().get(pk=slot.pk)
    local = timezone.localtime(now)
    if slot.date < local.date() or (slot.date == local.date() and slot.start <= local.time()):
        raise ServiceError(_("This time has passed: choose another."))
    same_day = Appointment.objects.filter(
        slot__matter=slot.matter, slot__date=slot.date, id_number=id_number.strip().upper()
    ).exclude(state=Appointment.State.CANCELLED)
    if same_day.exists():
        raise ServiceError(_("You already have an appointment for this matter that day."))
    taken = slot.appointments.exclude(state=Appointment.State.CANCELLED)
    if taken.count() >= slot.capacity:
        raise ServiceError(_("This time is fully booked: choose another."))
    if taken.filter(id_number=id_number.strip().upper()).exists():
        raise ServiceError(_("You already have this appointment."))
    appointment = Appointment.objects.create(
        slot=slot,
        name=name.strip(),
        id_type=id_type,
        id_number=id_number.strip().upper(),
        phone=phone.strip(),
        code=_new_code(),
        booked_at=now,
    )
    holiday_contact(
        unit=slot.unit,
        channel=ContactTask.Channel.WEB,
        name=appointment.name,
        phone=appointment.phone,
        note=str(slot),
        now=now,
        appointment=appointment,
    )
    return appointment


# the channels a member of staff takes a request by (the web books by itself)
TAKEN_BY_STAFF = (ContactTask.Channel.PHONE, ContactTask.Channel.IN_PERSON)


@transaction.atomic
def record_request(
    *, actor: Actor, unit, channel: str, name: str, phone: str, note: str = "", now=None
) -> ContactTask | None:
    """An appointment request a member of staff took by phone (the unit's phone, a hotline
    seat) or in person at reception: on a non-working day it becomes a contact task due within
    the policy's limit, as a web booking does (holiday_contact); on a working day there is no
    task to make (None): the request is booked or served while the citizen is there."""
    require(actor, Action.ANSWER_QUESTIONS, unit=unit)
    errors = {}
    if channel not in TAKEN_BY_STAFF:
        errors["channel"] = [_("Say whether the request came by phone or in person.")]
    name, phone, note = (name or "").strip(), (phone or "").strip(), (note or "").strip()
    if not name:
        errors["name"] = [_("Enter the citizen's name.")]
    elif len(name) > 50:
        errors["name"] = [_("Keep the name under 50 characters.")]
    problem = phone_problem(phone) if phone else _("Enter a phone number to call back.")
    if problem:
        errors["phone"] = [problem]
    if len(note) > 200:
        errors["note"] = [_("Keep the note under 200 characters.")]
    if errors:
        raise InvalidInput(errors)
    return holiday_contact(
        unit=unit,
        channel=channel,
        name=name,
        phone=phone,
        note=note,
        now=now or timezone.now(),
        taken_by=actor.staff,
    )


def _new_code():
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread
    while True:
        code = "".join(secrets.choice(alphabet) for _ in range(6))
        if not Appointment.objects.filter(code=code).exists():
            return code


@transaction.atomic
def check_in(*, code: str, unit=None, now=None) -> Ticket:
    """At the kiosk: the booking code gives a numbered ticket, scheduled at the slot's time."""
    now = now or timezone.now()
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("slot__matter", "slot__unit")
        .filter(code=(code or "").strip().upper())
        .first()
    )
    if appointment is None or (unit is not None and appointment.slot.unit_id != unit.pk):
        raise InvalidInput({"code": [_("No appointment with this code.")]})
    if appointment.state != Appointment.State.BOOKED:
        raise ServiceError(_("This appointment is %(s)s.") % {"s": appointment.get_state_display()})
    slot = appointment.slot
    if slot.date != timezone.localdate(now):
        raise ServiceError(_("This appointment is for %(d)s.") % {"d": slot.date.isoformat()})
    require_open(slot.unit, now)
    queue = (  # R-CASE-4: a kiosk never puts a citizen in the green channel
        slot.matter.queues.filter(active=True, unit=slot.unit, green_channel=False)
        .order_by("green_channel", "letter")
        .first()
    )
    if queue is None:
        raise ServiceError(_("No queue serves this matter today; please ask at the reception."))
    scheduled = timezone.make_aware(dt.datetime.combine(slot.date, slot.start))
    ticket = take_ticket(
        queue=queue,
        matter=slot.matter,
        source=Ticket.Source.APPOINTMENT,
        scheduled_at=scheduled,
        now=now,
    )
    appointment.state, appointment.ticket = Appointment.State.CHECKED_IN, ticket
    appointment.save(update_fields=["state", "ticket"])
    return ticket


def mark_no_shows(now=None) -> int:
    """Booked appointments whose slot has ended without a check-in."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    late = Appointment.objects.filter(state=Appointment.State.BOOKED).filter(
        Q(slot__date__lt=local.date()) | Q(slot__date=local.date(), slot__end__lt=local.time())
    )
    return late.update(state=Appointment.State.NO_SHOW)


@transaction.atomic
def contacted(*, actor: Actor, task: ContactTask, now=None) -> ContactTask:
    require(actor, Action.ANSWER_QUESTIONS, unit=task.unit)
    if task.contacted_at:
        raise ServiceError(_("Already contacted."))
    task.contacted_at, task.contacted_by = now or timezone.now(), actor.staff
    task.save(update_fields=["contacted_at", "contacted_by"])
    return task


def redate(*, years, now) -> int:
    """R-LAW-4: the calendar of `years` changed: an open contact task is due again by the
    policy counted from the request (the audit trail keeps old and new). How many moved."""
    since = worktime.moved_since(years)
    cal, limit, moved = worktime.calendar(), contact_policy().time_limit, 0
    for task in ContactTask.objects.filter(contacted_at__isnull=True, due_at__gte=since):
        due = cal.deadline(task.requested_at, limit).at
        if due != task.due_at:
            task.due_at = due
            task.save(update_fields=["due_at"])
            moved += 1
    return moved


def overdue_contacts(now=None) -> int:
    """A holiday request not answered by its due time is reported to the unit's duty lead
    (the day's on the rota, else the No. 1 window's, else the unit's leads), once per task;
    the citizen's name masked, the phone left out. Run by the jobs; returns how many people
    were told."""
    from django.urls import reverse

    from servicehall.notices.models import Notification
    from servicehall.notices.services import notify, who_must_hear

    from .services import duty_leads

    now = now or timezone.now()
    told = 0
    late = ContactTask.objects.filter(
        contacted_at__isnull=True, overdue_told_at__isnull=True, due_at__lt=now
    ).select_related("unit")
    for task in late:
        # claimed first: a second runner, or the next run, never tells it again
        if not ContactTask.objects.filter(pk=task.pk, overdue_told_at__isnull=True).update(
            overdue_told_at=now
        ):
            continue
        text = _(
            "A holiday appointment request (%(channel)s, %(name)s) was to be answered by "
            "%(due)s and is not yet."
        ) % {
            "channel": task.get_channel_display(),
            "name": mask_name(task.name),
            "due": timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M"),
        }
        leads = who_must_hear(
            task.unit, day=timezone.localdate(now), leaders=False, duty_lead=duty_leads
        )
        told += notify(
            recipients=leads,
            kind=Notification.Kind.CONTACT_OVERDUE,
            text=text,
            link=reverse("hall"),
        )
    return told
