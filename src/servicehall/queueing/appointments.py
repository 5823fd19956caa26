"""Appointments: slots with capacity, booking, check-in to a ticket, no-shows, and the
contact task for a request made on a holiday (R-Q-1, R-TIME-4)."""

import datetime as dt
import secrets

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servicehall.core.errors import InvalidInput, ServiceError
from servicehall.core.idnumbers import id_problem, phone_problem
from servicehall.org.permissions import Action, Actor, require
from servicehall.worktime import services as worktime

from .models import Appointment, AppointmentSlot, ContactTask, Ticket
from .services import require_open, take_ticket

# R-TIME-4: holiday appointment requests are answered within this policy's limit (24 hours).
HOLIDAY_CONTACT = "holiday-appointment-contact"


def contact_policy():
    """The holiday contact's time limit as edited in the admin (R-TIME-4)."""
    return worktime.policy(HOLIDAY_CONTACT)


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
    cal = worktime.calendar()
    if not cal.is_working_day(timezone.localdate(now)):  # R-TIME-4: a holiday request
        due = cal.deadline(now, contact_policy().time_limit)
        ContactTask.objects.create(
            unit=slot.unit,
            appointment=appointment,
            name=appointment.name,
            phone=appointment.phone,
            note=str(slot),
            requested_at=now,
            due_at=due.at,
        )
    return appointment


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
