"""A few inspections for the demo city, so the pages show their states: an undercover visit
published with a deduction and its photo, an open visit with two inspectors, and one still
unpublished. Seeded by `servicehall seed-demo` only (after the norms)."""

import datetime as dt
import io
import uuid

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from servicehall.org.models import Unit
from servicehall.org.permissions import actor_for

from . import notices, services
from .models import Evidence, Inspection, Kind, Verdict

DEMO_KEYS = uuid.UUID("6f1d3c2a-8a43-4a3e-9c41-5e0d3b7a0c11")


def _photo(text: str) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (480, 360), "#d9d4c7")
    draw = ImageDraw.Draw(img)
    draw.rectangle((40, 200, 440, 330), fill="#8a7f6a")  # the counter
    draw.rectangle((300, 150, 380, 200), fill="#3b3b3b")  # a phone on it
    draw.text((50, 40), text, fill="#222")
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return SimpleUploadedFile("demo.jpg", buf.getvalue(), content_type="image/jpeg")


def _visit(actor, unit, key, *, kind, days_ago, deduct=(), second=None, disagree=()):
    checklist = services.checklist_for(unit)
    version = services.current(checklist) if checklist else None
    if version is None:
        return None
    items = list(version.items.all())
    by_code = {i.code: i for i in items}
    deduct = [c for c in deduct if c in by_code] or [items[-1].code]
    verdicts, photos, listed = [], {}, []
    for item in items:
        verdict = Verdict.DEDUCT if item.code in deduct else Verdict.PASS
        verdicts.append(
            {"item": item.pk, "verdict": verdict, "note": "窗口人员低头玩手机约五分钟，群众等候"}
            if verdict == Verdict.DEDUCT
            else {"item": item.pk, "verdict": verdict}
        )
        if verdict == Verdict.DEDUCT and item.evidence == Evidence.PHOTO:
            name = f"p{item.pk}"
            photos[name] = _photo(f"{unit.code} {item.code}")
            listed.append({"item": item.pk, "name": name})
    draft = {
        "key": str(uuid.uuid5(DEMO_KEYS, key)),
        "kind": kind,
        "unit": unit.pk,
        "version": version.pk,
        "place": f"{unit.name}办事大厅",
        "visited_at": (timezone.now() - dt.timedelta(days=days_ago)).isoformat(),
        "verdicts": verdicts,
        "photos": listed,
    }
    if second is not None:
        draft["second_inspector"] = second.staff.pk
        code_of = {i.pk: i.code for i in items}
        # the second inspector saw one deduction differently: the agreement page shows it
        draft["second_verdicts"] = [
            {**v, "verdict": Verdict.PASS if code_of[v["item"]] in disagree else v["verdict"]}
            for v in verdicts
        ]
    return services.sync(actor=actor, draft=draft, photos=photos)[0]


def seed_inspections() -> int:
    if Inspection.objects.exists():
        return 0
    users = get_user_model().objects
    inspector = actor_for(users.get(username="inspector"))
    office = actor_for(users.get(username="admin"))
    second = users.filter(username="inspector2").first()
    second = actor_for(second) if second is not None else None
    made = 0
    hukou = Unit.objects.get(code="kf-gulou-hukou")
    first = _visit(
        inspector, hukou, "gulou-undercover", kind=Kind.UNDERCOVER, days_ago=3, deduct=("GAC-16",)
    )
    if first is not None:
        notices.publish_with_notice(
            actor=office, inspection=first, requirements=notices.requirements_from(first)
        )
        made += 1
    # the norms seeded are the police windows': visit two more police units
    others = Unit.objects.filter(sector=hukou.sector).exclude(pk=hukou.pk).order_by("pk")[:2]
    for n, unit in enumerate(others):
        visit = _visit(
            inspector,
            unit,
            f"open-{unit.code}",
            kind=Kind.OPEN if n == 0 else Kind.UNDERCOVER,
            days_ago=1 + n,
            deduct=("GAC-16", "JXJ-11"),
            second=second if n == 0 else None,
            disagree=("GAC-16", "JXJ-11"),
        )
        made += visit is not None
    return made
