"""A unit's self-inspection (自查自纠, R-SUP-4): it checks itself against the norms of its
checklist in four focus areas; each problem found is fixed at once, or planned with a measure,
an owner of the unit and a deadline, and tracked until done. The unit leader signs it off once;
planned fixes still open stay tracked after the sign-off."""

import datetime as dt

from auditlog.context import set_actor
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicehall.core.errors import InvalidInput, ServiceError
from servicehall.org.models import Staff, Unit
from servicehall.org.permissions import Action, Actor, require

from . import services
from .models import FocusArea, NormItem, SelfFinding, SelfInspection


def start(*, actor: Actor, unit: Unit, held_on, now=None) -> SelfInspection:
    """A new self-inspection of `unit` on `held_on`, pinned to the current version of the
    unit's checklist."""
    require(actor, Action.SELF_INSPECT, unit=unit)
    now = now or timezone.now()
    if not isinstance(held_on, dt.date) or held_on > timezone.localdate(now):
        raise InvalidInput(
            {"held_on": [_("Give the day the self-inspection was held (not in the future).")]}
        )
    checklist = services.checklist_for(unit)
    version = services.current(checklist) if checklist is not None else None
    if version is None:
        raise ServiceError(_("No norm checklist applies to this unit yet: ask the office."))
    with set_actor(actor.user):
        return SelfInspection.objects.create(
            unit=unit, version=version, held_on=held_on, by=actor.staff, created_at=now
        )


def _owner(value, unit):
    if value in (None, ""):
        return None, None
    pk = getattr(value, "pk", value)
    try:
        staff = Staff.objects.get(pk=int(pk), active=True)
    except (TypeError, ValueError, Staff.DoesNotExist):
        return None, _("Choose the owner from the unit's staff.")
    if staff.unit_id != unit.pk:
        return None, _("The owner must be a member of staff of this unit.")
    return staff, None


def add_finding(
    *,
    actor: Actor,
    check: SelfInspection,
    focus_area,
    problem,
    item=None,
    fixed_now=False,
    measure="",
    owner=None,
    due_on=None,
) -> SelfFinding:
    """One problem the unit found in itself: fixed at once, or planned with a measure, an
    owner (staff of the unit) and a deadline not before the day it was held."""
    require(actor, Action.SELF_INSPECT, unit=check.unit)
    errors = {}
    if check.signed_off_at is not None:
        raise ServiceError(_("This self-inspection is signed off: start a new one."))
    if focus_area not in FocusArea.values:
        errors["focus_area"] = [_("Choose one of the four focus areas.")]
    problem = str(problem or "").strip()
    if not problem or len(problem) > 500:
        errors["problem"] = [_("Describe the problem found (up to 500 characters).")]
    norm = None
    if item not in (None, ""):
        try:
            norm = NormItem.objects.get(pk=int(getattr(item, "pk", item)), version=check.version)
        except (TypeError, ValueError, NormItem.DoesNotExist):
            errors["item"] = [_("Choose a norm of the checklist this self-inspection uses.")]
        else:
            if focus_area in FocusArea.values and norm.focus_area != focus_area:
                errors["item"] = [_("This norm belongs to another focus area.")]
    measure = str(measure or "").strip()
    staff, problem_with_owner = _owner(owner, check.unit)
    if problem_with_owner:
        errors["owner"] = [problem_with_owner]
    if not fixed_now:
        # R-SUP-4: fixed at once, or planned with a measure, an owner and a deadline
        if not measure:
            errors["measure"] = [_("Not fixed at once: write the measure planned.")]
        elif len(measure) > 500:
            errors["measure"] = [_("The measure is at most 500 characters.")]
        if staff is None and "owner" not in errors:
            errors["owner"] = [_("Not fixed at once: name the owner of the fix.")]
        if not isinstance(due_on, dt.date):
            errors["due_on"] = [_("Not fixed at once: give the deadline of the fix.")]
        elif due_on < check.held_on:
            errors["due_on"] = [_("The deadline is not before the day of the self-inspection.")]
    if errors:
        raise InvalidInput(errors, rule="R-SUP-4")
    with set_actor(actor.user):
        return SelfFinding.objects.create(
            check_run=check,
            item=norm,
            focus_area=focus_area,
            problem=problem,
            fixed_now=bool(fixed_now),
            measure=measure[:500],
            owner=None if fixed_now else staff,
            due_on=None if fixed_now else due_on,
        )


def mark_done(*, actor: Actor, finding: SelfFinding, note, now=None) -> SelfFinding:
    """A planned fix carried out, with how it was done."""
    check = finding.check_run
    require(actor, Action.SELF_INSPECT, unit=check.unit)
    note = str(note or "").strip()
    if not note or len(note) > 500:
        raise InvalidInput({"note": [_("Say how the fix was done (up to 500 characters).")]})
    with transaction.atomic(), set_actor(actor.user):
        finding = SelfFinding.objects.select_for_update().get(pk=finding.pk)
        if finding.fixed_now or finding.done_at is not None:
            raise ServiceError(_("This problem is fixed already."))
        finding.done_at = now or timezone.now()
        finding.done_note = note
        finding.save(update_fields=["done_at", "done_note"])
    return finding


def sign_off(*, actor: Actor, check: SelfInspection, now=None) -> SelfInspection:
    """The unit leader signs the self-inspection off, once (planned fixes still open stay
    tracked)."""
    require(actor, Action.SIGN_OFF_SELF_INSPECTION, unit=check.unit)
    with transaction.atomic(), set_actor(actor.user):
        check = SelfInspection.objects.select_for_update().get(pk=check.pk)
        if check.signed_off_at is not None:
            raise ServiceError(_("This self-inspection is signed off already."), rule="R-SUP-4")
        # every finding is fixed or planned already: add_finding and the table's check say so
        check.signed_off_at = now or timezone.now()
        check.signed_off_by = actor.staff
        check.save(update_fields=["signed_off_at", "signed_off_by"])
    return check


def overdue(finding: SelfFinding, today: dt.date) -> bool:
    return (
        not finding.fixed_now
        and finding.done_at is None
        and finding.due_on is not None
        and finding.due_on < today
    )
