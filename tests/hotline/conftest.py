import datetime as dt

import pytest
from django.utils import timezone

from servicehall.hotline.demo import REPORT as DEMO_REPORT
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


# a complete report call, as the demo seeds it
REPORT = DEMO_REPORT
