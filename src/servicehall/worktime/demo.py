"""Time-limit policies and working hours for the demo city (idempotent)."""

import datetime as dt

from .models import ExtendedSession, UnitHours
from .services import seed_policies

T = dt.time
# unit code → (morning, afternoon, lunch duty)
HOURS = {
    "kf-childrens-hospital": ((T(8), T(12)), (T(14, 30), T(17, 30)), True),
    "kf-centre-police": ((T(9), T(12)), (T(13, 30), T(17, 30)), True),
    "kf-vehicle-office": ((T(8, 30), T(12)), (T(14, 30), T(17, 30)), True),
    "kf-gulou-hukou": ((T(8, 30), T(12)), (T(14, 30), T(17, 30)), True),
    "kf-exit-entry": ((T(8, 30), T(12)), (T(14, 30), T(17, 30)), True),
    "kf-tax-hall": ((T(9), T(12)), (T(13, 30), T(17, 30)), False),
    "kf-daqing-labour": ((T(8, 30), T(12)), (T(14, 30), T(17, 30)), False),
}
# R-TIME-5 at the household window: two National Day half-days, the holiday's last day, and
# a Saturday morning each week of December.
EXTENDED = {
    "kf-gulou-hukou": [
        (dt.date(2026, 10, 3), "国庆延时服务"),
        (dt.date(2026, 10, 5), "国庆延时服务"),
        (dt.date(2026, 10, 7), "长假最后一天延时服务"),
    ]
    + [(dt.date(2026, 12, d), "周六延时服务") for d in (5, 12, 19, 26)],
}


def seed_worktime(units) -> int:
    created = seed_policies()
    for code, (morning, afternoon, lunch) in HOURS.items():
        unit = units.get(code)
        if unit is None:
            continue
        _hours, new = UnitHours.objects.get_or_create(
            unit=unit,
            defaults={
                "morning_start": morning[0],
                "morning_end": morning[1],
                "afternoon_start": afternoon[0],
                "afternoon_end": afternoon[1],
                "lunch_duty": lunch,
            },
        )
        created += new
    for code, sessions in EXTENDED.items():
        for day, note in sessions:
            _s, new = ExtendedSession.objects.get_or_create(
                unit=units[code], date=day, start=T(9), defaults={"end": T(12), "note": note}
            )
            created += new
    return created
