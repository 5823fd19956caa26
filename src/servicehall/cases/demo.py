"""A few cases for the demo city that show fees and fines (R-CASE-6): an ID card accepted with
its fee paid, a driving licence renewed on the spot and paid by phone, and two traffic
violations whose fines are paid at the bank, one of them confirmed by the bank already.
Seeded by `servicehall seed-demo` only, through the services, as the windows would."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from servicehall.catalog.models import Matter
from servicehall.core.idnumbers import with_check_digit
from servicehall.org.models import Staff
from servicehall.org.permissions import Actor, actor_for

from . import fees, services
from .models import CaseFee, FeeChannel, FineAgency, FineDecision

VIOLATION_BASIS = (
    "《中华人民共和国道路交通安全法》第九十条；《道路交通安全违法行为处理程序规定》第四十二条"
)


def _as(unit_code, badge):
    staff = Staff.objects.select_related("user").get(unit__code=unit_code, badge_no=badge)
    return Actor(user=staff.user, staff=staff, role=staff.role)


def _presented(matter):
    return {
        m.pk: ("presented", "") if m.required else ("not_applicable", "")
        for m in matter.materials.all()
    }


def _applicant(name, birth, phone):
    return {
        "name": name,
        "id_type": "resident_id",
        "id_number": with_check_digit(f"410203{birth}123"),
        "phone": phone,
    }


def seed_cases() -> int:
    if CaseFee.objects.exists() or FineDecision.objects.exists():
        return 0
    now = timezone.now()
    officer = actor_for(get_user_model().objects.get(username="officer"))
    id_card = Matter.objects.get(code="id-card-apply")
    services.intake(
        actor=officer,
        matter=id_card,
        window=officer.staff.window,
        applicant=_applicant("陈静", "19950312", "13937801122"),
        checks=_presented(id_card),
        outcome="accepted",
        fee={"channel": FeeChannel.CASH, "amount_fen": id_card.fee_fen},
        now=now - dt.timedelta(hours=2),
    )
    licence_officer = _as("kf-vehicle-office", "042016")
    licence = Matter.objects.get(code="driving-licence-renew")
    services.intake(
        actor=licence_officer,
        matter=licence,
        window=licence_officer.staff.window,
        applicant=_applicant("刘洋", "19880706", "13803781234"),
        checks=_presented(licence),
        outcome="on_the_spot",
        fee={"channel": FeeChannel.MOBILE, "amount_fen": licence.fee_fen},
        now=now - dt.timedelta(hours=3),
    )
    violations = _as("kf-vehicle-office", "042023")
    violation = Matter.objects.get(code="traffic-violation")
    year = timezone.localtime(now).year
    decided = []
    for i, (name, birth, fen, what) in enumerate(
        [
            ("王磊", "19900101", 20000, "机动车违反禁止标线指示"),
            ("赵敏", "19920815", 10000, "机动车违反规定停放"),
        ]
    ):
        at = now - dt.timedelta(days=2 - i, hours=1)
        case = services.intake(
            actor=violations,
            matter=violation,
            window=violations.staff.window,
            applicant=_applicant(name, birth, f"1390378{5500 + i:04d}"),
            checks=_presented(violation),
            outcome="on_the_spot",
            now=at,
        )
        decided.append(
            fees.decide_fine(
                actor=violations,
                case=case,
                number=f"开公交决字〔{year}〕第{410200 + i:06d}号",
                amount_fen=fen,
                basis=f"{what}：{VIOLATION_BASIS}",
                agency=FineAgency.ICBC if i == 0 else FineAgency.ONLINE,
                now=at + dt.timedelta(minutes=10),
            )
        )
    first = decided[0]
    fees.confirm_fine_payment(
        actor=actor_for(get_user_model().objects.get(username="admin")),
        number=first.number,
        amount_fen=first.amount_fen,
        agency=first.agency,
        bank_reference=f"{year}{first.pk:012d}",  # the bank's 流水号
        paid_at=first.decided_at + dt.timedelta(hours=20),
        now=first.decided_at + dt.timedelta(hours=21),
    )
    return 4
