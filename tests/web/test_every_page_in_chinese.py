"""Every page a citizen or a member of staff may open reads in Chinese (the default language):
no English message ids, no raw values (True/False/None), no requirement ids, no ISO times.

For each demo login and for the anonymous citizen, every page of the navigation and the
detail pages reachable from it (a unit, a window form, a case with its print pages, a
complaint, a review step, a hotline call, a calendar year, a matter and its card, the kiosk,
board and screen, the admin site) is fetched and its visible text checked.
"""

import re
import uuid
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from servicehall.demo.city import LOGINS
from servicehall.feedback.services import DEVICE_COOKIE
from servicehall.org.models import ImportJob, Staff
from tests.conftest import pair_device
from tests.helpers import raises_rule

from .test_navigation import _nav_links

# English a person may read in Chinese pages: brand and product names, protocols, codes.
ALLOWED_ENGLISH = {
    "api",
    "open311",
    "excel",
    "xlsx",
    "json",
    "openapi",
    "swagger",
    "redoc",
    "django",
    "servicehall",
    "qr",
    "sms",
    "id",
    "url",
    "http",
    "https",
    "get",
    "post",
    "v1",
    "v2",
    "wi",
    "fi",
    "pdf",
    "csv",
    "ok",
} | {name.lower() for name in LOGINS}

REQUIREMENT_ID = re.compile(r"\bR-[A-Z]+-\d+")
RAW_VALUE = re.compile(r"(?<![\w])(True|False|None)(?![\w])")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\d{2}:\d{2}:\d{2}\.\d+|\+00:00")
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’]*(?:[ \t]+[A-Za-z][A-Za-z'’]*){2,}")


class _Text(HTMLParser):
    """The text a reader sees: no tags, scripts, styles or comments."""

    SKIP = {"script", "style", "template", "svg", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skipping += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


def _msgids() -> set[str]:
    po = polib.pofile(str(Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.po"))
    ids = set()
    for entry in po:
        text = entry.msgid
        if not text or entry.msgstr == text or "%" in text or "{" in text:
            continue
        if len(text.split()) >= 2 and re.search(r"[A-Za-z]{2}", text):
            ids.add(" ".join(text.split()))
    return ids


MSGIDS = _msgids()


def _raw_words() -> set[str]:
    """Single lowercase words a page must never show on their own: the stored values of
    choices and the one-word message ids (e.g. a hand-off's raw state "open")."""
    from django.apps import apps

    words = set()
    for model in apps.get_models():
        if not model.__module__.startswith("servicehall."):
            continue
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and re.fullmatch(r"[a-z][a-z_]{2,}", value):
                    words.add(value)
    po = polib.pofile(str(Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.po"))
    words |= {e.msgid for e in po if re.fullmatch(r"[a-z]{3,}", e.msgid) and e.msgstr != e.msgid}
    return words - ALLOWED_ENGLISH


def _english_data() -> list[str]:
    """English that is data, not interface: the English names of matters and sectors, which
    the audit trail shows as the value of their "English name" field."""
    from servicehall.catalog.models import Matter
    from servicehall.org.models import Sector

    names = [*Matter.objects.values_list("name_en", flat=True)]
    names += [*Sector.objects.values_list("name_en", flat=True)]
    return sorted({n for n in names if n}, key=len, reverse=True)


def problems(html: str, *, data=(), raw_words=frozenset()) -> list[str]:
    found = []
    for part in visible_text(html):
        for name in data:
            part = part.replace(name, " ")
        if part.strip() in raw_words:
            found.append(f"raw value {part.strip()!r}")
        for msgid in MSGIDS:
            if msgid in part and re.search(rf"(?<![A-Za-z]){re.escape(msgid)}(?![A-Za-z])", part):
                found.append(f"untranslated {msgid!r}")
        for run in ENGLISH_RUN.findall(part):
            words = [w for w in re.split(r"\s+", run) if w.lower() not in ALLOWED_ENGLISH]
            if len(words) >= 3:
                found.append(f"English {run!r}")
        for pattern, what in (
            (RAW_VALUE, "raw value"),
            (REQUIREMENT_ID, "requirement id"),
            (ISO_TIME, "machine time"),
        ):
            for hit in pattern.findall(part):
                found.append(f"{what} {hit!r} in {part[:120]!r}")
    return found


def test_the_checker_finds_what_it_should():
    html = (
        "<html><body><script>var x = 'hello there my friend';</script>"
        "<p>Window console</p><p>共 3 件 (R-CASE-4)</p><p>是否: True</p>"
        "<p>2026-12-01T10:00:00+00:00</p><p>The quick brown fox</p>"
        "<p>窗口服务大厅 API Open311 Excel</p><td>open</td>"
        "<p>英文名称 Pensioner status verification</p></body></html>"
    )
    found = problems(html, data=["Pensioner status verification"], raw_words={"open"})
    assert any("'open'" in f for f in found)
    assert not any("Pensioner" in f for f in found)
    assert any("Window console" in f for f in found)
    assert any("R-CASE-4" in f for f in found)
    assert any("True" in f for f in found)
    assert any("machine time" in f for f in found)
    assert any("quick brown fox" in f for f in found)
    assert not any("hello there" in f for f in found)  # scripts are not read
    assert not any("Open311" in f for f in found)


@pytest.fixture
def world(demo, actor):
    """A day of work in the demo city: cases, hand-offs, complaints, a bad review, calls."""
    from servicehall.cases import services as cases
    from servicehall.catalog.models import Matter
    from servicehall.complaints.demo import seed_complaints
    from servicehall.complaints.models import Complaint
    from servicehall.feedback import services as feedback
    from servicehall.hotline.demo import seed_calls
    from servicehall.hotline.models import HotlineCall
    from servicehall.org.permissions import CITIZEN
    from servicehall.queueing import services as queue
    from servicehall.queueing.models import Queue
    from tests.cases.conftest import APPLICANT, accept, all_presented

    officer = actor("officer")
    migration = Matter.objects.get(code="hukou-migration-city")
    case = accept(officer, migration)
    referral = cases.refer(
        actor=officer,
        case=case,
        task="入户调查核实",
        to_staff=Staff.objects.get(badge_no="041236"),
    )
    # one waiting for the duty lead, so the hand-off list on his cases page has a row
    cases.refer(
        actor=officer,
        case=accept(officer, migration),
        task="核对迁入地址",
        to_staff=Staff.objects.get(unit=demo, badge_no="041202"),
    )
    noticed = cases.intake(
        actor=officer,
        matter=migration,
        applicant=APPLICANT,
        checks=all_presented(migration, **{"居民户口簿": ("missing", "户口簿在老家")}),
        outcome="notice",
    )
    refused = cases.intake(
        actor=officer,
        matter=migration,
        applicant=APPLICANT,
        checks=all_presented(migration),
        outcome="rejected",
        rejection_reason="迁入地址不在本辖区",
        rejection_basis="《户口登记条例》第十条",
    )
    seed_complaints()
    seed_calls()
    window = demo.windows.get(number=2)
    queue.sign_in(actor=officer, window=window)
    queue.take_ticket(queue=Queue.objects.get(unit=demo, letter="A"))
    ticket = queue.call_next(actor=officer, window=window)
    queue.start(actor=officer, ticket=ticket)
    ticket = queue.finish(actor=officer, ticket=ticket)
    rating, _ = feedback.rate(
        actor=CITIZEN,
        ticket=ticket,
        overall=1,
        reason="材料要求前后说法不一",
        idempotency_key=uuid.uuid4().hex,
    )
    feedback.seal()
    rating.refresh_from_db()
    complaint = Complaint.objects.filter(unit=demo).first() or Complaint.objects.first()
    admin = get_user_model().objects.get(username="admin")
    import_jobs = [
        ImportJob.objects.create(user=admin, filename="名录.xlsx", rows_total=3000),
        ImportJob.objects.create(
            user=admin,
            filename="名录-有误.xlsx",
            rows_total=3000,
            status="failed",
            summary="发现 250 个问题，未导入任何数据。",
            errors=[["窗口", 2, "窗口号", "请填写整数，例如 3。"]],
            error_count=250,
        ),
        ImportJob.objects.create(
            user=admin, filename="名录-全.xlsx", rows_total=3000, status="done", summary="已导入"
        ),
    ]
    return {
        "import_jobs": import_jobs,
        "unit": demo,
        "window": window,
        "case": case,
        "referral": referral,
        "noticed": noticed,
        "refused": refused,
        "complaint": complaint,
        "follow_up": rating.follow_up,
        "call": HotlineCall.objects.first(),
        "matter": migration,
        "device": pair_device(window),  # the anonymous walk sees the paired citizen screen
    }


def detail_pages(w, username):
    unit, case, ref = w["unit"], w["case"], w["referral"]
    notice = w["noticed"].notices.first()
    pages = [
        "/",
        reverse("login"),
        reverse("calendar_year", args=[2026]),
        reverse("guide_matter", args=[w["matter"].code]),
        reverse("guide_card", args=[w["matter"].code]),
        reverse("kiosk", args=[unit.code]),
        reverse("board", args=[unit.code]),
        reverse("wall", args=[unit.code]),
        reverse("screen"),
        reverse("ratings_published", args=[unit.code]),
        reverse("case_status") + f"?number={case.number}&code={case.check_code}",
        reverse("case_status") + f"?number={ref.slip_number}&code={case.id_number[-4:]}",
        reverse("case_status") + f"?number={case.number}",  # asks for the code
        reverse("case_status") + f"?number={case.number}&code=22222Z",  # matches nothing
        reverse("complaint_status") + f"?code={w['complaint'].code}",
        reverse("permissions"),
    ]
    if username is None:
        return pages
    pages += [
        reverse("org:unit", args=[unit.pk]),
        reverse("org:unit_edit", args=[unit.pk]),
        reverse("org:window_edit", args=[unit.pk, w["window"].pk]),
        reverse("org:staff_edit", args=[unit.pk, unit.staff.first().pk]),
        reverse("cases:new") + f"?matter={case.matter_id}",
        reverse("cases:find") + f"?number={case.number}",
        reverse("notices:notifications"),
        reverse("cases:case", args=[case.pk]),
        reverse("cases:case", args=[w["noticed"].pk]),
        reverse("cases:case", args=[w["refused"].pk]),
        reverse("cases:print_receipt", args=[case.pk]),
        reverse("cases:print_notice", args=[w["noticed"].pk, notice.pk]),
        reverse("cases:print_refusal", args=[w["refused"].pk]),
        reverse("cases:print_referral", args=[ref.pk, "both"]),
        reverse("complaint", args=[w["complaint"].code]),
        reverse("hotline:call", args=[w["call"].pk]),
    ]
    if username == "admin":
        pages += [
            reverse("admin:index"),
            reverse("admin:org_unit_changelist"),
            reverse("admin:org_unit_change", args=[unit.pk]),
            reverse("admin:worktime_slapolicy_changelist"),
            reverse("admin:jobs_jobrun_changelist"),
        ]
        pages += [job.get_absolute_url() for job in w["import_jobs"]]
    return pages


@pytest.mark.parametrize("username", [None, *sorted(LOGINS)])
def test_every_page_reads_in_chinese(client, world, username):
    if username is not None:
        client.force_login(get_user_model().objects.get(username=username))
    else:
        client.cookies[DEVICE_COOKIE] = world["device"]
    home = client.get("/").content.decode()
    pages = sorted(_nav_links(home)) + detail_pages(world, username)
    report, seen = [], 0
    data, raw_words = _english_data(), _raw_words()
    for url in dict.fromkeys(pages):
        response = client.get(url)
        if response.status_code in (301, 302) or "html" not in response.get("Content-Type", ""):
            continue
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        seen += 1
        for problem in problems(response.content.decode(), data=data, raw_words=raw_words):
            report.append(f"{url} [{response.status_code}]: {problem}")
    assert seen >= 10
    assert report == [], "\n".join(dict.fromkeys(report))


def test_no_message_a_person_reads_names_a_requirement_id():
    """Requirement ids live in code comments and docs; the catalogue (both languages) and the
    errors services raise carry none (the API keeps the id in its machine field "rule")."""
    from servicehall.core.errors import Forbidden

    for lang in ("zh_Hans", "en"):
        po = polib.pofile(str(Path(settings.BASE_DIR) / f"locale/{lang}/LC_MESSAGES/django.po"))
        named = [e.msgid for e in po if REQUIREMENT_ID.search(e.msgid + e.msgstr)]
        assert named == [], lang
    refused = Forbidden("该办件属于其他单位。", rule="R-ORG-4")
    assert str(refused) == "该办件属于其他单位。" and refused.rule == "R-ORG-4"


def test_the_auxiliary_cap_reads_without_its_requirement_id(demo):
    from django.utils import translation

    from servicehall.core.errors import InvalidInput
    from servicehall.org.choices import Role
    from servicehall.org.services import _check_auxiliary_cap

    unit = Staff.objects.get(unit=demo, badge_no="FJ1201").unit
    unit.registered_population = 1
    unit.save(update_fields=["registered_population"])
    with translation.override("zh-hans"), raises_rule("R-ORG-3", InvalidInput) as refused:
        _check_auxiliary_cap(Staff(unit=unit, role=Role.AUXILIARY, name="新辅警", active=True))
    text = refused.value.errors["role"][0]
    assert "辅警" in text and "R-ORG" not in text
