"""Seeding the demo city. Idempotent: the registry's missing rows go through the Excel import,
everything else is found by its natural key and created only when missing, so a second run
changes nothing."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction

from servicehall.org.choices import CustodyItem, LeadershipPosition
from servicehall.org.models import (
    Custody,
    LeadershipGroup,
    LeadershipMember,
    Organization,
    Staff,
    Unit,
)

from . import city, registry

# the import's sheets → the names the seed's summary has always printed
_SHEET_MODELS = {
    "sectors": "Sector",
    "organizations": "Organization",
    "units": "Unit",
    "windows": "Window",
    "staff": "Staff",
}


def _get_or_create(model, lookup, defaults, counter):
    obj, created = model.objects.get_or_create(**lookup, defaults=defaults)
    counter[model.__name__] = counter.get(model.__name__, 0) + int(created)
    return obj


@transaction.atomic
def seed_demo() -> dict:
    """Create whatever of the demo city is missing; return counts of what was created.

    Raises registry.DemoDataRefused, changing nothing, if the import refuses the data files."""
    created: dict = {}
    report = registry.import_missing()
    if report is not None:
        for sheet, n in report.created.items():
            created[_SHEET_MODELS[sheet]] = n
    staff_rows = registry.read_sheet("staff")
    codes = [r["code"] for r in registry.read_sheet("units")]
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    staff_by_key = {
        (s.unit.code if s.unit_id else s.organization.name, s.badge_no): s
        for s in Staff.objects.select_related("unit", "organization", "user")
    }
    created["User"] = _passwords(staff_by_key)
    _photos(staff_rows, staff_by_key)
    for code, keeper in city.KEEPERS:
        for item in CustodyItem:
            _get_or_create(
                Custody,
                {"unit": units[code], "item": item},
                {"holder": staff_by_key[(code, keeper)]},
                created,
            )
    _seed_groups(staff_rows, units, staff_by_key, created)
    from servicehall.worktime.demo import seed_worktime

    created["TimeLimits"] = seed_worktime(units)
    from servicehall.catalog.demo import seed_matters

    created["Matters"] = seed_matters(units)
    from servicehall.queueing.demo import seed_queues, seed_rota, seed_slots

    created["Queues"] = seed_queues(units)
    created["AppointmentSlots"] = seed_slots()
    created["DutyRota"] = seed_rota(units)
    from servicehall.supervision.norms import seed_norms

    created["Norms"] = seed_norms()
    return created


def seed_activity() -> dict:
    """A day's activity for the pages to show (tests seed the city without it)."""
    from servicehall.cases.demo import seed_cases
    from servicehall.complaints.demo import seed_complaints
    from servicehall.hotline.demo import seed_calls
    from servicehall.supervision.demo import seed_inspections

    return {
        "Complaints": seed_complaints(),
        "HotlineCalls": seed_calls(),
        "Cases": seed_cases(),
        "Inspections": seed_inspections(),
    }


def _passwords(staff_by_key) -> int:
    """The import links the logins without a password (a leader sets one): the demo's get the
    demo password, the admin the admin site too. An account that already had a password (a
    superuser made before the seed, say) keeps it."""
    User = get_user_model()
    users = User.objects.filter(username__in=city.LOGINS)
    new = 0
    for user in users:
        if user.has_usable_password():
            continue
        user.set_password(city.DEMO_PASSWORD)
        user.is_staff = user.is_superuser = user.username == "admin"
        user.save()
        new += 1
    return new


def _photos(staff_rows, staff_by_key):
    seed = 0
    for row in staff_rows:
        if not row["unit"]:
            continue
        seed += 1  # the colour of each portrait as it has always been
        person = staff_by_key[(row["unit"], row["badge_no"])]
        if not person.photo:
            person.photo.save(
                f"{row['badge_no']}.png", ContentFile(city.photo(row["name"], seed)), save=True
            )


def _seed_groups(staff_rows, units, staff_by_key, created):
    name, org, office, members = city.CITY_GROUP
    group = _get_or_create(
        LeadershipGroup,
        {"name": name, "organization": Organization.objects.get(name=org)},
        {"office": office, "established_on": dt.date(2026, 6, 1)},
        created,
    )
    if not group.members.exists():
        for i, (position, person, title, phone) in enumerate(members):
            _get_or_create(
                LeadershipMember,
                {"group": group, "order": i},
                {"position": position, "name": person, "title": title, "phone": phone},
                created,
            )
    people_of: dict = {}
    for row in staff_rows:
        if row["unit"]:
            people_of.setdefault(row["unit"], []).append(row)
    for code, people in people_of.items():
        unit = units[code]
        group = _get_or_create(
            LeadershipGroup,
            {"name": f"{unit.name}创建优质服务窗口活动领导小组", "unit": unit},
            {"office": f"办公室设在{unit.name}综合办", "established_on": dt.date(2026, 6, 8)},
            created,
        )
        if group.members.exists():
            continue
        # the unit's first three people as its sheet lists them, and the last as liaison
        rows = [
            (LeadershipPosition.LEADER, people[0]),
            (LeadershipPosition.DEPUTY, people[1]),
            (LeadershipPosition.MEMBER, people[2]),
            (LeadershipPosition.LIAISON, people[-1]),
        ]
        for i, (position, p) in enumerate(rows):
            _get_or_create(
                LeadershipMember,
                {"group": group, "order": i},
                {
                    "position": position,
                    "name": p["name"],
                    "title": p["title"],
                    "phone": p["phone"],
                    "staff": staff_by_key[(code, p["badge_no"])],
                },
                created,
            )
