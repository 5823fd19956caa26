import datetime as dt
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from servicehall.supervision import services
from servicehall.supervision.models import Checklist

ITEMS = [
    {
        "code": "JXJ-5",
        "title": "佩戴胸卡",
        "text": "窗口所有工作人员在岗时，须佩带胸卡或对外放置表明身份的牌证。",
        "source": "交巡警窗口规范 第五条",
        "category": "dress",
        "points": 2,
        "critical": False,
        "evidence": "photo",
    },
    {
        "code": "JXJ-14",
        "title": "态度冷硬横",
        "text": "接待群众时，应当表情自然，态度和蔼，语言文明，严禁态度冷、硬、横。",
        "source": "交巡警窗口规范 第十四条",
        "category": "reception",
        "points": 5,
        "critical": True,
        "evidence": "note",
    },
    {
        "code": "JXJ-16",
        "title": "五个一样",
        "text": "受理、咨询一样热情；生人、熟人一样和气；干部、群众一样尊重；忙时、闲时一样耐心；"
        "来早、来晚一样接待。",
        "source": "交巡警窗口规范 第十六条",
        "category": "reception",
        "points": 3,
        "critical": False,
        "evidence": "none",
    },
]


def jpeg(name="p.jpg") -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "#884422").save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def private_media(settings, tmp_path):
    settings.SERVICEHALL = {**settings.SERVICEHALL, "PRIVATE_MEDIA": str(tmp_path / "private")}
    return tmp_path / "private"


@pytest.fixture
def version(demo, actor):
    """A small checklist of three norms of the traffic police's 36 articles, version 1."""
    # the most particular checklist of 鼓楼 (its sector and unit kind), over the demo's norms
    checklist = Checklist.objects.create(
        code="test-windows", name="测试窗口规范", sector=demo.sector, unit_kind=demo.kind
    )
    return services.new_version(actor=actor("admin"), checklist=checklist, items=ITEMS)


@pytest.fixture
def draft(demo, version):
    """draft(**changes): a complete undercover visit of 鼓楼 — one deduction on JXJ-16."""
    items = {i.code: i for i in version.items.all()}

    def _draft(**changes):
        verdicts = changes.pop("verdicts", {"JXJ-5": "pass", "JXJ-14": "pass", "JXJ-16": "deduct"})
        d = {
            "key": str(uuid.uuid4()),
            "kind": "undercover",
            "unit": demo.pk,
            "version": version.pk,
            "place": "鼓楼派出所户籍大厅",
            "visited_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "verdicts": [
                {"item": items[c].pk, "verdict": v, "note": "忙时不耐心" if v == "deduct" else ""}
                for c, v in verdicts.items()
            ],
        }
        d.update(changes)
        return d

    _draft.items = items
    return _draft
