"""A few complaints and suggestions for the demo city, so the pages show their states: open,
overdue, investigated, answered, and a box opening. Seeded by `servicehall seed-demo` only."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from servicehall.org.models import Unit
from servicehall.org.permissions import CITIZEN, actor_for

from . import services
from .models import Channel, Complaint


def seed_complaints() -> int:
    if Complaint.objects.exists():
        return 0
    users = get_user_model().objects
    leader = actor_for(users.get(username="leader"))
    officer = actor_for(users.get(username="officer"))
    hukou = Unit.objects.get(code="kf-gulou-hukou")
    now = timezone.now()
    window, staff = services.people(hukou, 2, "041235")
    services.file(
        actor=CITIZEN,
        kind=Complaint.Kind.COMPLAINT,
        channel=Channel.WEB,
        unit=hukou,
        window=window,
        staff=staff,
        category="attitude",
        description="办理户口迁移时民警不耐烦，材料要求没有一次说清，跑了两趟。",
        name="李明",
        phone="13812345678",
        now=now - dt.timedelta(hours=3),
    )
    services.file(
        actor=officer,
        kind=Complaint.Kind.COMPLAINT,
        channel=Channel.PHONE,
        unit=hukou,
        category="delay",
        description="户口迁入申请提交两周仍无回音，电话无人接听。",
        name="赵红",
        phone="13937801234",
        now=now - dt.timedelta(days=7),
    )
    done = services.file(
        actor=CITIZEN,
        kind=Complaint.Kind.COMPLAINT,
        channel=Channel.WEB,
        unit=hukou,
        window=window,
        staff=staff,
        category="attitude",
        description="窗口民警边办业务边玩手机，问话爱答不理。",
        phone="13700001111",
        now=now - dt.timedelta(days=3),
    )
    services.investigate(
        actor=leader,
        complaint=done,
        finding="调取窗口录像，情况属实，已约谈当事民警。",
        substantiated=True,
        now=now - dt.timedelta(days=2),
    )
    services.answer(
        actor=leader,
        complaint=done,
        text="经核查情况属实，已对该民警批评教育并记违规分，感谢您的监督。",
        now=now - dt.timedelta(days=2),
    )
    services.record_opening(
        actor=leader,
        unit=hukou,
        container="box",
        opened_at=now - dt.timedelta(days=1),
        witnesses="王建国、赵敏",
        items=[
            {"kind": "suggestion", "description": "建议等候区增加饮水机和老花镜。"},
            {"kind": "complaint", "category": "fees", "description": "复印收费标准没有公示。"},
        ],
    )
    return Complaint.objects.count()
