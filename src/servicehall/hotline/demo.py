"""Today's calls at the demo city's 110 command centre: answered in time and late, one
abandoned, a repeat call and a complaint. Seeded by `servicehall seed-demo` only."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from servicehall.org.permissions import actor_for

from . import services
from .models import HotlineCall

REPORT = {
    "kind": "report",
    "outcome": "dispatched",
    "greeted": True,
    "proper_language": True,
    "no_rebuke": True,
    "contact_asked": True,
    "when": "十分钟前",
    "where": "鼓楼街18号门口",
    "what": "两名男子打架",
    "who": "两名男子，一人穿红色上衣",
    "why": "停车纠纷",
    "items": "一根木棍",
    "consequence": "一人头部出血",
    "callback_number": "13987654321",
}


def seed_calls() -> int:
    operator = actor_for(get_user_model().objects.get(username="operator110"))
    unit = operator.staff.unit
    start = timezone.now() - dt.timedelta(hours=2)
    # seeded within the last day: not "today", which a run just after midnight would miss
    # (its calls, two hours back, fall on yesterday) and so seed them twice
    if HotlineCall.objects.filter(unit=unit, rang_at__gte=start - dt.timedelta(hours=22)).exists():
        return 0

    def call(minutes, number, ring_s, details=None):
        c = services.ring(
            actor=operator,
            unit=unit,
            caller_number=number,
            at=start + dt.timedelta(minutes=minutes),
        )
        at = c.rang_at + dt.timedelta(seconds=ring_s)
        if details is None:
            return services.hang_up(actor=operator, call=c, at=at)
        services.answer(actor=operator, call=c, at=at)
        return services.close(actor=operator, call=c, details=details)

    call(0, "13987654321", 6, REPORT)
    call(12, "13987654321", 9, {"kind": "urging", "outcome": "dispatched", "greeted": True})
    call(30, "13900001111", 30)
    call(41, "03712233445", 18, {"kind": "consultation", "outcome": "answered", "greeted": True})
    call(
        70,
        "13611112222",
        8,
        {
            "kind": "complaint",
            "outcome": "complaint",
            "greeted": True,
            "complainant_name": "孙强",
            "complainant_phone": "13611112222",
            "complaint_text": "出警民警到场后态度生硬，没有登记我的诉求。",
            "complaint_category": "attitude",
        },
    )
    return 5
