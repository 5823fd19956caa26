"""Queues and call rules for the demo units (idempotent)."""

from servicehall.catalog.models import Matter

from .models import CallRule, Queue

# unit code → queues (letter, name, matter codes, green) and rules {window: [(letter, weight)]}
QUEUES = {
    "kf-gulou-hukou": (
        [
            (
                "A",
                "户籍业务",
                ["hukou-migration-city", "hukou-migration-report", "id-card-apply"],
                False,
            ),
            ("G", "绿色通道", ["hukou-migration-city", "id-card-apply"], True),
        ],
        {1: [("G", 1)], 2: [("G", 1), ("A", 2)], 3: [("G", 1), ("A", 2)]},
    ),
    "kf-exit-entry": (
        [
            ("P", "护照", ["passport-issue"], False),
            ("H", "港澳台通行证", ["hk-macao-permit"], False),
            ("G", "绿色通道", ["passport-issue", "hk-macao-permit"], True),
        ],
        {2: [("G", 1), ("P", 2)], 3: [("G", 1), ("H", 2)], 5: [("G", 1), ("P", 1), ("H", 1)]},
    ),
    "kf-vehicle-office": (
        [
            ("D", "驾驶证业务", ["driving-licence-renew"], False),
            ("V", "违法处理", ["traffic-violation"], False),
        ],
        {3: [("D", 1)], 5: [("D", 1)], 4: [("V", 1)]},
    ),
    "kf-centre-police": (
        [("C", "户籍证明", ["household-certificate"], False)],
        {2: [("C", 1)]},
    ),
    "kf-tax-hall": (
        [("F", "发票业务", ["invoice-collect"], False), ("S", "申报缴税", ["tax-filing"], False)],
        {2: [("S", 1)], 3: [("F", 1)], 4: [("F", 1)], 5: [("S", 1)]},
    ),
    "kf-daqing-labour": (
        [("L", "劳动保障业务", ["unemployment-register", "pensioner-verification"], False)],
        {2: [("L", 1)], 3: [("L", 1)]},
    ),
    "kf-childrens-hospital": (
        [("R", "门诊挂号", ["outpatient-registration"], False)],
        {2: [("R", 1)], 3: [("R", 1)]},
    ),
}


def seed_queues(units) -> int:
    created = 0
    for code, (queues, rules) in QUEUES.items():
        unit = units.get(code)
        if unit is None:
            continue
        by_letter = {}
        for letter, name, matters, green in queues:
            queue, new = Queue.objects.get_or_create(
                unit=unit, letter=letter, defaults={"name": name, "green_channel": green}
            )
            if new:
                queue.matters.set(Matter.objects.filter(code__in=matters))
                created += 1
            by_letter[letter] = queue
        for number, entries in rules.items():
            window = unit.windows.filter(number=number).first()
            if window is None:
                continue
            for order, (letter, weight) in enumerate(entries):
                _rule, new = CallRule.objects.get_or_create(
                    window=window,
                    queue=by_letter[letter],
                    defaults={"order": order, "weight": weight},
                )
                created += new
    return created


SLOT_MATTERS = ["passport-issue", "hk-macao-permit", "hukou-migration-city", "id-card-apply"]
SLOT_TIMES = [((9, 0), (10, 0)), ((10, 0), (11, 0)), ((15, 0), (16, 0))]


def seed_slots(days: int = 10) -> int:
    """Appointment slots for the next working days (three a day, four places each)."""
    import datetime as dt

    from django.utils import timezone

    from servicehall.worktime.services import calendar

    from .models import AppointmentSlot

    cal = calendar()
    created = 0
    day = timezone.localdate()
    for _ in range(days):
        day = cal.next_working_day(day)
        for matter in Matter.objects.filter(code__in=SLOT_MATTERS).select_related("unit"):
            for (h1, m1), (h2, m2) in SLOT_TIMES:
                _slot, new = AppointmentSlot.objects.get_or_create(
                    matter=matter,
                    date=day,
                    start=dt.time(h1, m1),
                    defaults={"unit": matter.unit, "end": dt.time(h2, m2), "capacity": 4},
                )
                created += new
    return created


def seed_rota(units, days: int = 28) -> int:
    """The household window's duty lead and lunch duty for the coming weeks."""
    import datetime as dt

    from django.utils import timezone

    from servicehall.org.models import Staff
    from servicehall.worktime.services import calendar

    from .models import DutyAssignment

    unit = units.get("kf-gulou-hukou")
    if unit is None:
        return 0
    cal = calendar()
    lead = Staff.objects.get(unit=unit, badge_no="041202")
    lunch = list(
        Staff.objects.filter(unit=unit, badge_no__in=["041235", "041236"]).order_by("badge_no")
    )
    created = 0
    day = timezone.localdate()
    for i in range(days):
        date = day + dt.timedelta(days=i)
        if not cal.is_working_day(date):
            continue
        for kind, staff in (("duty_lead", lead), ("lunch", lunch[i % 2])):
            _a, new = DutyAssignment.objects.get_or_create(
                unit=unit, date=date, kind=kind, staff=staff
            )
            created += new
    return created
