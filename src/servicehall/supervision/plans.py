"""A campaign's inspection plan (R-SUP-2): which units and windows are visited on which
working days, drawn at random and stratified by sector, every participant at least
`min_visits` times, and drawn again identically from the seed recorded on the plan.

`schedule` is the pure draw (one `random.Random(seed)`, nothing else random); `draw` reads the
plan's units, windows and working days, and replaces the planned visits while none of them has
been carried out. The plan is never shown to the units it visits (see the views).
"""

import datetime as dt
import random
import secrets

from auditlog.context import set_actor
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicehall.core.errors import InvalidInput, ServiceError
from servicehall.org.models import Unit, Window
from servicehall.org.permissions import Action, Actor, require
from servicehall.worktime import services as worktime

from . import services
from .models import ChecklistVersion, InspectionPlan, Kind, PlannedVisit

MAX_VISITS = 5000  # a plan's draw at most: a typing slip must not write a million rows


def _share(n: int, percent: int) -> int:
    """`percent`% of n, rounded half up."""
    return (n * percent * 2 + 100) // 200


def schedule(
    units_by_sector: dict,
    *,
    days: list[dt.date],
    min_visits: int,
    total: int | None,
    undercover_share: int,
    seed: int,
) -> list[tuple]:
    """The visits of a plan as (unit_id, window_id | None, day, kind), by day then unit.

    units_by_sector — {sector_id: [(unit_id, [active window ids]), ...]}.
    Every unit gets `min_visits`; the visits beyond (total − units × min_visits) go to the
    sectors in proportion to their number of units (largest remainder), then, within a sector,
    to its units in a random order, round after round. Each visit's day is drawn among `days`,
    its window among the unit's windows; `undercover_share`% of all visits (rounded) are
    undercover, chosen at random. The same inputs and seed give the same visits."""
    rng = random.Random(seed)
    sectors = sorted(units_by_sector)
    strata = {s: sorted((u, sorted(w)) for u, w in units_by_sector[s]) for s in sectors}
    n_units = sum(len(strata[s]) for s in sectors)
    if not n_units or not days:
        return []
    base = n_units * min_visits
    total = base if total is None else max(total, base)
    extra = total - base

    # the extra visits over the sectors, in proportion to their units (largest remainder)
    quotas = {s: extra * len(strata[s]) // n_units for s in sectors}
    left = extra - sum(quotas.values())
    by_remainder = sorted(sectors, key=lambda s: (-(extra * len(strata[s]) % n_units), s))
    for s in by_remainder[:left]:
        quotas[s] += 1

    counts = {}
    for s in sectors:
        units = strata[s]
        for unit_id, _windows in units:
            counts[unit_id] = min_visits
        order = list(range(len(units)))
        given = 0
        while given < quotas[s]:
            rng.shuffle(order)
            for i in order[: quotas[s] - given]:
                counts[units[i][0]] += 1
            given += min(len(order), quotas[s] - given)

    visits = []
    for s in sectors:
        for unit_id, windows in strata[s]:
            for _n in range(counts[unit_id]):
                window = rng.choice(windows) if windows else None
                visits.append([unit_id, window, rng.choice(days)])
    undercover = set(rng.sample(range(len(visits)), _share(len(visits), undercover_share)))
    out = [
        (u, w, d, Kind.UNDERCOVER if i in undercover else Kind.OPEN)
        for i, (u, w, d) in enumerate(visits)
    ]
    out.sort(key=lambda v: (v[2], v[0], v[1] or 0, v[3]))
    return out


def working_days(starts_on: dt.date, ends_on: dt.date) -> list[dt.date]:
    """The working days of the hall's calendar from starts_on to ends_on, both included."""
    cal = worktime.calendar()
    days, day = [], starts_on
    while day <= ends_on:
        if cal.is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def strata(plan: InspectionPlan) -> dict:
    """The plan's participating units by sector, with their windows in service."""
    units = list(plan.units.order_by("pk").values_list("pk", "sector_id"))
    windows = {}
    for unit_id, window_id in Window.objects.filter(
        unit_id__in=[u for u, _s in units], active=True
    ).values_list("unit_id", "pk"):
        windows.setdefault(unit_id, []).append(window_id)
    out = {}
    for unit_id, sector_id in units:
        out.setdefault(sector_id or 0, []).append((unit_id, windows.get(unit_id, [])))
    return out


def draw(*, actor: Actor, plan: InspectionPlan, visits_total=None, seed=None, now=None):
    """Draw the plan's visits (R-SUP-2) and record the seed, when and by whom; a draw replaces
    the visits drawn before only while none of them has been carried out. Returns the visits."""
    require(actor, Action.PLAN_INSPECTIONS)
    now = now or timezone.now()
    errors = {}
    units = strata(plan)
    n_units = sum(len(v) for v in units.values())
    if not n_units:
        errors["units"] = [_("Choose the units that take part before drawing.")]
    days = working_days(plan.starts_on, plan.ends_on)
    if not days:
        errors["ends_on"] = [_("There is no working day between the plan's first and last day.")]
    if visits_total in ("", None):
        visits_total = None
    else:
        try:
            visits_total = int(visits_total)
        except (TypeError, ValueError):
            visits_total = -1
        least = n_units * plan.min_visits
        if not least <= visits_total <= MAX_VISITS:
            errors["visits_total"] = [
                _("The visits in all are a whole number from %(least)s to %(most)s.")
                % {"least": least, "most": MAX_VISITS}
            ]
    if seed in ("", None):
        seed = secrets.randbits(48)
    else:
        try:
            seed = int(seed)
        except (TypeError, ValueError):
            seed = -1
        if not 0 <= seed < 2**63:
            errors["seed"] = [_("A seed is a whole number of at most 18 digits.")]
    if errors:
        raise InvalidInput(errors, rule="R-SUP-2")
    rows = schedule(
        units,
        days=days,
        min_visits=plan.min_visits,
        total=visits_total,
        undercover_share=plan.undercover_share,
        seed=seed,
    )
    with transaction.atomic():
        plan = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
        # R-SUP-2: a visit carried out stays as it was planned
        if PlannedVisit.objects.filter(plan=plan, inspection__isnull=False).exists():
            raise ServiceError(
                _("A planned visit has been carried out: the plan can no longer be drawn again."),
                rule="R-SUP-2",
            )
        PlannedVisit.objects.filter(plan=plan).delete()
        PlannedVisit.objects.bulk_create(
            PlannedVisit(plan=plan, unit_id=u, window_id=w, on=d, kind=k) for u, w, d, k in rows
        )
        plan.seed, plan.drawn_at, plan.drawn_by = seed, now, actor.staff
        with set_actor(actor.user):
            plan.save(update_fields=["seed", "drawn_at", "drawn_by"])
    return list(plan.visits.all())


def create(
    *,
    actor: Actor,
    name,
    campaign,
    version,
    starts_on,
    ends_on,
    units,
    min_visits=1,
    undercover_share=100,
    bars_award=True,
) -> InspectionPlan:
    """A new plan, not drawn yet. `version` a current ChecklistVersion (or its id), `units`
    Units (or ids)."""
    require(actor, Action.PLAN_INSPECTIONS)
    errors = {}
    cal = worktime.calendar()
    name, campaign = str(name or "").strip(), str(campaign or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [_("Give the plan a name of up to 100 characters.")]
    if not campaign or len(campaign) > 100:
        errors["campaign"] = [_("Name the campaign the plan belongs to (up to 100 characters).")]
    version_id = getattr(version, "pk", version)
    if not isinstance(version_id, int) or not services.current_versions().filter(pk=version_id):
        errors["version"] = [_("Choose the current version of a checklist.")]
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        errors["starts_on"] = [_("Give the plan's first and last day.")]
    elif ends_on < starts_on:
        errors["ends_on"] = [_("The last day is not before the first day.")]
    elif (ends_on - starts_on).days > 366:
        errors["ends_on"] = [_("A plan lasts at most a year.")]
    elif not (cal.first <= starts_on and ends_on <= cal.last):
        errors["starts_on"] = [
            _("The plan's days must lie within the calendar (%(first)s … %(last)s).")
            % {"first": cal.first, "last": cal.last}
        ]
    ids = {getattr(u, "pk", u) for u in units or ()}
    found = list(Unit.objects.filter(pk__in=[i for i in ids if isinstance(i, int)]))
    if not found or len(found) != len(ids):
        errors["units"] = [_("Choose the units that take part.")]
    if isinstance(min_visits, bool) or not isinstance(min_visits, int) or not 1 <= min_visits <= 50:
        errors["min_visits"] = [_("Each unit is visited at least 1 to 50 times.")]
    if (
        isinstance(undercover_share, bool)
        or not isinstance(undercover_share, int)
        or not 0 <= undercover_share <= 100
    ):
        errors["undercover_share"] = [_("The undercover share is 0 to 100 per cent.")]
    if errors:
        raise InvalidInput(errors, rule="R-SUP-2")
    with transaction.atomic(), set_actor(actor.user):
        plan = InspectionPlan.objects.create(
            name=name,
            campaign=campaign,
            version=ChecklistVersion.objects.get(pk=version_id),
            starts_on=starts_on,
            ends_on=ends_on,
            min_visits=min_visits,
            undercover_share=undercover_share,
            bars_award=bool(bars_award),
        )
        plan.units.set(found)
    return plan


def set_award_rule(*, actor: Actor, plan: InspectionPlan, on: bool) -> InspectionPlan:
    """Switch the plan's award rule (交巡警窗口规范 第三十三条) on or off; the audit log keeps who
    did it and when. Bars recorded before stay recorded."""
    require(actor, Action.PLAN_INSPECTIONS)
    with transaction.atomic(), set_actor(actor.user):
        plan = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.bars_award != bool(on):
            plan.bars_award = bool(on)
            plan.save(update_fields=["bars_award"])
    return plan
