"""Rules of the organization registry. Views, the API, imports and the admin call these.

Each function takes keyword-only arguments, runs in one transaction, checks the actor
against the permission matrix and raises a ServiceError with a message that says what to fix.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, ProtectedError, Q
from django.utils.translation import gettext_lazy as _

from servicehall.core.errors import Forbidden, InvalidInput

from .choices import CustodyItem, Role, UnitKind, WindowKind
from .models import (
    Custody,
    LeadershipGroup,
    LeadershipMember,
    Staff,
    Unit,
    Window,
)
from .permissions import CUSTODY_ACTION, Action, Actor, require, require_staff_may
from .validators import phone_problem  # noqa: F401 — the registry's phone rule, used by the import


def scope_of(instance):
    """The unit whose people may manage this record (None: an office-wide record)."""
    if isinstance(instance, Unit):
        return instance if instance.pk else None
    if isinstance(instance, LeadershipMember):
        instance = instance.group
    if hasattr(instance, "matter_id"):  # a matter's materials and steps belong to its unit
        instance = instance.matter
    return getattr(instance, "unit", None)


def units_for(actor: Actor):
    """The units an actor's scope reaches, for lists and the tree."""
    qs = Unit.objects.select_related("sector", "authority")
    if actor.role == Role.ORGANIZER_ADMIN and actor.staff is None:
        return qs
    staff = actor.staff
    if staff is None:
        return qs.none()
    if staff.unit_id is not None:
        return qs.filter(pk=staff.unit_id)
    org = staff.organization
    if org.kind == "organizer":
        return qs
    return qs.filter(Q(authority=org) | Q(authority__isnull=True, sector_id=org.sector_id))


def _full_clean(instance):
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc) from None


def is_office(actor: Actor) -> bool:
    """The organizing office's administrator: the only one who manages city-wide records."""
    return actor.role == Role.ORGANIZER_ADMIN and (
        actor.staff is None or actor.staff.organization_id is not None
    )


def require_office(actor, message=None):
    require(actor, Action.MANAGE_REGISTRY)
    if not is_office(actor):
        raise Forbidden(
            message
            or _(
                "Only the organizing office may change sectors, organizations, units and "
                "their people."
            ),
            rule="R-ORG-4",
        )


# Fields of a unit that place it in the city or drive its staffing rules (R-ORG-3): the office's.
UNIT_OFFICE_FIELDS = ("code", "sector_id", "authority_id", "registered_population")


def _check_manage(actor, instance):
    """Manage rights on the record's unit as it was and as it will be. Records without a
    unit (sectors, organizations, their staff and groups, new units) are the office's."""
    before = type(instance).objects.filter(pk=instance.pk).first() if instance.pk else None
    for record in (instance, before):
        if record is None:
            continue
        unit = scope_of(record)
        if unit is None:
            require_office(actor)
        else:
            require(actor, Action.MANAGE_REGISTRY, unit=unit)
    if isinstance(instance, Unit) and before is not None and not is_office(actor):
        changed = [f for f in UNIT_OFFICE_FIELDS if getattr(before, f) != getattr(instance, f)]
        if changed:
            raise Forbidden(
                _(
                    "Only the organizing office may change a unit's code, sector, authority or "
                    "registered population."
                ),
                rule="R-ORG-3",
            )


def auxiliaries_allowed(unit) -> int | None:
    """R-ORG-3: how many auxiliaries a unit may have at its household windows (1–2 at a
    station above the population threshold, none below it); None where the rule does not
    apply (not a police station, or no household window)."""
    if unit is None or unit.kind != UnitKind.POLICE_STATION:
        return None
    if not unit.windows.filter(kind=WindowKind.HOUSEHOLD, active=True).exists():
        return None
    conf = settings.SERVICEHALL
    population = unit.registered_population or 0
    return conf["AUXILIARY_MAX"] if population > conf["AUXILIARY_POPULATION_THRESHOLD"] else 0


def _check_auxiliary_cap(staff):
    """R-ORG-3: a new auxiliary (or one moved here, or back in service) beyond the unit's
    allowance is refused, wherever staff are saved: forms, admin, API, Excel import."""
    if staff.role != Role.AUXILIARY or not staff.active or staff.unit_id is None:
        return
    before = Staff.objects.filter(pk=staff.pk).first() if staff.pk else None
    if (
        before is not None
        and before.role == Role.AUXILIARY
        and before.active
        and before.unit_id == staff.unit_id
    ):
        return  # already counted: editing an auxiliary does not add one
    allowed = auxiliaries_allowed(staff.unit)
    if allowed is None:
        return
    others = Staff.objects.filter(unit_id=staff.unit_id, role=Role.AUXILIARY, active=True)
    if staff.pk:
        others = others.exclude(pk=staff.pk)
    if others.count() + 1 > allowed:
        raise InvalidInput(
            {
                "role": [
                    _(
                        "%(unit)s may have at most %(allowed)s auxiliaries (registered "
                        "population %(population)s); it has %(count)s."
                    )
                    % {
                        "unit": staff.unit.name,
                        "allowed": allowed,
                        "population": staff.unit.registered_population or 0,
                        "count": others.count(),
                    }
                ]
            },
            rule="R-ORG-3",
        )


def _check_staff_rules(staff):
    """R-ORG-3: the auxiliary cap; R-ORG-4: a person keeping custody items cannot become
    someone who may not keep them (checked first: the more specific refusal)."""
    custodies = Custody.objects.filter(holder_id=staff.pk) if staff.pk else []
    for custody in custodies:
        probe = Actor(user=None, staff=staff, role=staff.role)
        allowed = probe.allows(CUSTODY_ACTION[custody.item])
        if not allowed or not staff.active or not staff.certified:
            raise InvalidInput(
                {
                    "role": [
                        _("%(name)s keeps “%(item)s”; hand it to a certified officer first.")
                        % {"name": staff.name, "item": custody.get_item_display()}
                    ]
                },
                rule="R-ORG-4",
            )
        if staff.unit_id != custody.unit_id:
            raise InvalidInput(
                {
                    "unit": [
                        _("%(name)s keeps items of this unit; hand them over first.")
                        % {"name": staff.name}
                    ]
                },
            )
    _check_auxiliary_cap(staff)


@transaction.atomic
def save_record(*, actor: Actor, instance):
    """Create or change a registry record (unit, window, staff, leadership group or member)."""
    _check_manage(actor, instance)
    # every problem of the record at once: the fields, the phone, the staffing rules
    errors, rule = {}, None
    try:
        _full_clean(instance)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if isinstance(instance, Staff) and not errors.keys() & {"unit", "role", "active"}:
        try:
            _check_staff_rules(instance)
        except InvalidInput as exc:
            rule = exc.rule
            for key, messages in exc.errors.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise InvalidInput(errors, rule=rule)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:  # a race past full_clean's unique check
        raise InvalidInput(
            {
                "__all__": [
                    _(
                        "This record clashes with another one saved at the same time; "
                        "reload and try again."
                    )
                ]
            }
        ) from exc
    return instance


@transaction.atomic
def delete_record(*, actor: Actor, instance):
    _check_manage(actor, instance)
    if isinstance(instance, Staff) and instance.custodies.exists():
        raise InvalidInput(
            {
                "__all__": [
                    _("%(name)s still keeps custody items; hand them over first.")
                    % {"name": instance.name}
                ]
            },
            rule="R-ORG-4",
        )
    if isinstance(instance, Unit) and instance.staff.exists():
        raise InvalidInput(
            {"__all__": [_("Move or remove the unit's staff before deleting the unit.")]}
        )
    try:
        with transaction.atomic():
            instance.delete()
    except ProtectedError:
        raise InvalidInput(
            {
                "__all__": [
                    _(
                        "Records still refer to this one (cases, for example); mark it as no "
                        "longer in use instead of deleting it."
                    )
                ]
            }
        ) from None


@transaction.atomic
def assign_custody(*, actor: Actor, unit: Unit, item: str, holder: Staff) -> Custody:
    """Name the keeper of a unit's seal, blank certificates or fee money (R-ORG-4)."""
    require(actor, Action.ASSIGN_CUSTODY, unit=unit)
    if item not in CustodyItem.values:
        raise InvalidInput({"item": [_("Choose the seal, blank certificates or fee money.")]})
    if holder.unit_id != unit.pk:
        raise InvalidInput({"holder": [_("The keeper must work in this unit.")]})
    if not holder.active:
        raise InvalidInput({"holder": [_("The keeper must be an active staff member.")]})
    require_staff_may(holder, CUSTODY_ACTION[item])
    if not holder.certified:  # R-ORG-3
        raise InvalidInput(
            {"holder": [_("%(name)s has no training certificate yet.") % {"name": holder.name}]}
        )
    custody = Custody.objects.select_for_update().filter(unit=unit, item=item).first()
    if custody is None:
        custody = Custody(unit=unit, item=item, holder=holder)
    else:
        custody.holder = holder
    custody.save()
    return custody


@dataclass(frozen=True)
class Finding:
    """One breach of the staffing rules (R-ORG-3) for a unit."""

    code: str
    message: str
    rule: str = "R-ORG-3"


def staffing_findings(unit: Unit, staff=None, windows=None) -> list[Finding]:
    """R-ORG-3: certified officers at household windows, auxiliaries per population, no
    uncertified staff on duty. Pass prefetched staff and windows to avoid queries."""
    staff = [s for s in (staff if staff is not None else unit.staff.all()) if s.active]
    windows = list(windows if windows is not None else unit.windows.all())
    findings = []
    household = [w for w in windows if w.kind == WindowKind.HOUSEHOLD and w.active]
    certified_officers = [
        s
        for s in staff
        if s.role in (Role.OFFICER, Role.DUTY_LEAD, Role.UNIT_LEADER) and s.certified
    ]
    for w in household:
        if not any(s.window_id == w.pk for s in certified_officers):
            findings.append(
                Finding(
                    "household_without_officer",
                    _("Window %(n)s (household registration) has no certified officer posted.")
                    % {"n": w.number},
                )
            )
    if household and unit.kind == UnitKind.POLICE_STATION:
        auxiliaries = [s for s in staff if s.role == Role.AUXILIARY]
        conf = settings.SERVICEHALL
        population = unit.registered_population or 0
        allowed = (  # the same allowance auxiliaries_allowed() gives, from prefetched windows
            conf["AUXILIARY_MAX"] if population > conf["AUXILIARY_POPULATION_THRESHOLD"] else 0
        )
        if len(auxiliaries) > allowed:
            findings.append(
                Finding(
                    "too_many_auxiliaries",
                    _(
                        "%(count)s auxiliaries at the household windows; a registered population "
                        "of %(population)s allows %(allowed)s."
                    )
                    % {"count": len(auxiliaries), "population": population, "allowed": allowed},
                )
            )
    for s in staff:
        if s.on_duty and not s.certified:
            findings.append(
                Finding(
                    "on_duty_uncertified",
                    _("%(name)s (%(badge)s) is on duty without a training certificate.")
                    % {"name": s.name, "badge": s.badge_no},
                )
            )
    return findings


def registry_tree(actor: Actor):
    """Sectors → units → windows → staff within the actor's scope, in four queries."""
    require(actor, Action.VIEW_REGISTRY)
    units = list(
        units_for(actor).prefetch_related(
            Prefetch("windows", queryset=Window.objects.order_by("number")),
            Prefetch("staff", queryset=Staff.objects.select_related("window").order_by("badge_no")),
        )
    )
    sectors = {}
    for unit in units:
        sectors.setdefault(unit.sector, []).append(unit)
    tree = []
    for sector in sorted(sectors, key=lambda s: (s.order, s.code)):
        entries = []
        for unit in sectors[sector]:
            staff = list(unit.staff.all())
            windows = list(unit.windows.all())
            entries.append(
                {
                    "unit": unit,
                    "windows": [
                        {"window": w, "staff": [s for s in staff if s.window_id == w.pk]}
                        for w in windows
                    ],
                    "unposted": [s for s in staff if s.window_id is None],
                    "findings": staffing_findings(unit, staff, windows),
                }
            )
        tree.append({"sector": sector, "units": entries})
    return tree


def window_wall(unit: Unit):
    """The public wall (R-CAT-3): each window in service and who is on duty there."""
    windows = list(unit.windows.filter(active=True).order_by("number"))
    on_duty = list(
        unit.staff.filter(active=True, on_duty=True, window__isnull=False).order_by("badge_no")
    )
    return [{"window": w, "staff": [s for s in on_duty if s.window_id == w.pk]} for w in windows]


def leadership_groups(*, unit=None):
    """R-ORG-2: a unit's leadership groups, or (unit=None) those of the office and authorities."""
    qs = LeadershipGroup.objects.select_related("organization").prefetch_related(
        Prefetch("members", queryset=LeadershipMember.objects.order_by("order", "pk"))
    )
    return list(qs.filter(unit=unit) if unit else qs.filter(organization__isnull=False))
