import datetime as dt

import pytest
from django.utils import timezone

from servicehall.org.models import Unit

CALLER = "13812345678"
MASKED = "138****5678"


def local(*args):
    """An aware local time: local(2026, 9, 30, 10, 0, 5)."""
    return timezone.make_aware(dt.datetime(*args))


@pytest.fixture
def centre(demo):
    """The demo city's 110 command centre: four hotline seats, operators 金涛, 魏晓琳, 陶然."""
    return Unit.objects.get(code="kf-110")


@pytest.fixture
def operator(centre, actor):
    """金涛, operator at seat 2 of the 110 centre (demo login operator110)."""
    return actor("operator110")


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
