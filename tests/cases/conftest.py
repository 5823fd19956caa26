import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from servicehall.catalog.models import Matter
from servicehall.core.idnumbers import with_check_digit

SH = ZoneInfo("Asia/Shanghai")
VALID_ID = with_check_digit("41020319900101123")


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


@pytest.fixture
def migration(demo):
    return Matter.objects.get(code="hukou-migration-city")


@pytest.fixture
def passport(demo):
    return Matter.objects.get(code="passport-issue")


def all_presented(matter, **overrides):
    """checks for intake: every material presented (conditional ones not applicable)."""
    checks = {}
    for m in matter.materials.all():
        checks[m.pk] = ("presented", "") if m.required else ("not_applicable", "")
    for name, value in overrides.items():
        m = matter.materials.get(name=name)
        checks[m.pk] = value
    return checks


APPLICANT = {
    "name": "李明",
    "id_type": "resident_id",
    "id_number": VALID_ID,
    "phone": "13812345678",
}


@pytest.fixture
def staff_actor(demo):
    """staff_actor("044011") is the Actor of that staff member (an account is made if needed)."""
    from django.contrib.auth import get_user_model

    from servicehall.org.models import Staff
    from servicehall.org.permissions import actor_for

    def _actor(badge):
        staff = Staff.objects.get(badge_no=badge)
        if staff.user is None:
            staff.user = get_user_model().objects.create_user(f"u{badge}", password="x" * 12)
            staff.save(update_fields=["user"])
        return actor_for(staff.user)

    return _actor


def paid(matter):
    """The fee of a fee-charging matter taken in cash at acceptance (decision 0027), as
    intake's `fee`; None for a free matter."""
    if not matter.fee_fen:
        return None
    return {"channel": "cash", "amount_fen": matter.fee_fen}


def accept(actor, matter, **kwargs):
    """A case accepted with every material in order, its fee (if any) paid on acceptance."""
    from servicehall.cases import services

    kwargs.setdefault("fee", paid(matter))
    return services.intake(
        actor=actor,
        matter=matter,
        applicant=APPLICANT,
        checks=all_presented(matter),
        outcome="accepted",
        **kwargs,
    )
