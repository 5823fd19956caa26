"""R-SUP-3: a published visit's supervision notice, due after the policy's working days; the
unit answers it, an inspector verifies (accepts or sends back); past its deadline it goes up
once to the sector authority; criticism bulletins freeze the ledger's standing points."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from servicehall.core.errors import Forbidden, InvalidInput
from servicehall.notices.models import Notification
from servicehall.org.models import Unit
from servicehall.supervision import notices, services, tasks
from servicehall.supervision.models import Bulletin, Notice, NoticeStatus
from servicehall.violations import services as ledger
from servicehall.violations.models import SourceKind, Violation
from servicehall.worktime import services as worktime
from servicehall.worktime.models import SlaPolicy
from tests.helpers import raises_rule

from .conftest import jpeg

REQUIREMENTS = "1. JXJ-16 五个一样：组织窗口人员学习规范，整改后报告。"


def user(username):
    return get_user_model().objects.get(username=username)


def told(username, kind):
    return Notification.objects.filter(recipient=user(username), kind=kind).count()


@pytest.fixture
def visit(actor, draft):
    """visit(unit=None): a synced and published undercover visit with one deduction."""

    def _visit(unit=None, publish=True):
        d = draft(**({"unit": unit.pk} if unit is not None else {}))
        i, _ = services.sync(actor=actor("inspector"), draft=d)
        if publish:
            services.publish(actor=actor("admin"), inspection=i)
        return i

    return _visit


@pytest.fixture
def notice(actor, visit):
    def _notice(unit=None):
        return notices.issue(
            actor=actor("admin"), inspection=visit(unit), requirements=REQUIREMENTS
        )

    return _notice


def other_unit(demo, *, same_sector):
    qs = Unit.objects.exclude(pk=demo.pk)
    qs = (
        qs.filter(authority_id=demo.authority_id)
        if same_sector
        else qs.exclude(authority_id=demo.authority_id).exclude(sector_id=demo.sector_id)
    )
    found = qs.order_by("pk").first()
    assert found is not None
    return found


def test_a_notice_is_numbered_due_by_the_policy_and_tells_the_leaders(actor, notice, demo):
    n = notice()
    assert n.number.startswith(f"DB-{timezone.localdate().year}-") and n.number.endswith("00001")
    assert n.unit == demo and n.status == NoticeStatus.ISSUED
    assert told("leader", Notification.Kind.SUPERVISION_NOTICE) == 1
    link = Notification.objects.filter(kind=Notification.Kind.SUPERVISION_NOTICE).first().link
    assert link == f"/supervision/notices/{n.number}/"
    with raises_rule("R-SUP-3"):
        notices.issue(actor=actor("admin"), inspection=n.inspection, requirements="again")


def test_the_deadline_is_the_policys_working_days(actor, visit):
    start = timezone.now()
    cal = worktime.calendar()
    first = notices.issue(
        actor=actor("admin"), inspection=visit(), requirements=REQUIREMENTS, now=start
    )
    n = worktime.policy(notices.RECTIFY_POLICY).n
    assert n == 10
    day = timezone.localdate(start)
    assert cal.working_days_between(day, timezone.localdate(first.due_at)) == n
    assert (
        first.due_estimated
        == worktime.deadline(
            start=start, limit=worktime.policy(notices.RECTIFY_POLICY), unit=first.unit
        ).estimated
    )
    SlaPolicy.objects.filter(code="supervision-rectify").update(n=3)  # notices.RECTIFY_POLICY
    second = notices.issue(
        actor=actor("admin"), inspection=visit(), requirements=REQUIREMENTS, now=start
    )
    assert cal.working_days_between(day, timezone.localdate(second.due_at)) == 3
    assert second.due_at < first.due_at


def test_an_undercover_visits_notice_does_not_exist_before_it_is_published(actor, visit, login):
    i = visit(publish=False)
    with raises_rule("R-SUP-3"):
        notices.issue(actor=actor("admin"), inspection=i, requirements=REQUIREMENTS)
    assert not Notice.objects.exists()
    # the office's publish form: published and noticed in one act
    page = login("admin").get(f"/supervision/inspections/{i.number}/")
    assert "JXJ-16 五个一样" in page.content.decode()  # the requirements prefilled
    answer = login("admin").post(
        f"/supervision/inspections/{i.number}/publish/", {"requirements": REQUIREMENTS}
    )
    n = Notice.objects.get(inspection=i)
    assert answer.status_code == 302 and answer.url == f"/supervision/notices/{n.number}/"
    assert login("leader").get(answer.url).status_code == 200


def test_publishing_with_empty_requirements_changes_nothing(actor, visit, login):
    i = visit(publish=False)
    page = login("admin").post(
        f"/supervision/inspections/{i.number}/publish/", {"requirements": " "}
    )
    assert page.status_code == 302
    i.refresh_from_db()
    assert not i.published and not Notice.objects.exists()
    assert not Violation.objects.filter(source_kind=SourceKind.INSPECTION).exists()


def test_answer_verify_accept_and_send_back(actor, notice):
    n = notice()
    with raises_rule("R-SUP-3"):
        notices.verify(actor=actor("inspector"), notice=n, accepted=True, note="")
    with raises_rule("R-SUP-3", InvalidInput):
        notices.answer(actor=actor("leader"), notice=n, measures="  ")
    notices.answer(actor=actor("leader"), notice=n, measures="已组织学习，张贴五个一样。")
    n.refresh_from_db()
    assert n.status == NoticeStatus.ANSWERED
    assert told("inspector", Notification.Kind.NOTICE_ANSWERED) == 1
    with raises_rule("R-SUP-3"):
        notices.answer(actor=actor("leader"), notice=n, measures="再次")
    with raises_rule("R-SUP-3", InvalidInput):
        notices.verify(actor=actor("inspector"), notice=n, accepted=False, note="")
    notices.verify(actor=actor("inspector"), notice=n, accepted=False, note="缺少培训记录")
    n.refresh_from_db()
    assert n.status == NoticeStatus.RETURNED and n.closed_at is None
    assert told("leader", Notification.Kind.NOTICE_VERIFIED) == 1
    notices.answer(
        actor=actor("leader"), notice=n, measures="补充培训签到表。", evidence=jpeg("sign.jpg")
    )
    notices.verify(actor=actor("inspector"), notice=n, accepted=True, note="")
    n.refresh_from_db()
    assert n.status == NoticeStatus.ACCEPTED and n.closed_at is not None
    assert [a.accepted for a in n.answers.order_by("answered_at", "pk")] == [False, True]
    with raises_rule("R-SUP-3"):
        notices.answer(actor=actor("leader"), notice=n, measures="又一次")


def test_the_evidence_is_a_photo_or_pdf_served_to_who_may_see_the_notice(
    actor, notice, login, private_media, demo
):
    n = notice()
    fake = SimpleUploadedFile("x.pdf", b"<html>", content_type="application/pdf")
    with raises_rule("R-SUP-3", InvalidInput):
        notices.answer(actor=actor("leader"), notice=n, measures="整改", evidence=fake)
    pdf = SimpleUploadedFile("x.png", b"%PDF-1.4\n%%EOF", content_type="application/pdf")
    a = notices.answer(actor=actor("leader"), notice=n, measures="整改", evidence=pdf)
    assert a.evidence.name.endswith(".pdf")
    page = login("leader").get(f"/supervision/notices/evidence/{a.pk}/")
    assert page.status_code == 200 and page["Content-Type"] == "application/pdf"
    assert login("inspector").get(f"/supervision/notices/evidence/{a.pk}/").status_code == 200


def test_who_may_do_what_with_a_notice(actor, notice, login, demo):
    n = notice()
    url = f"/supervision/notices/{n.number}/"
    # the inspector verifies, never answers
    with raises_rule("R-ORG-4", Forbidden):
        notices.answer(actor=actor("inspector"), notice=n, measures="x")
    page = login("inspector").get(url)
    assert page.status_code == 200 and 'name="measures"' not in page.content.decode()
    # the unit's leader answers its own
    page = login("leader").get(url)
    assert 'name="measures"' in page.content.decode()
    bad = login("leader").post(f"{url}answer/", {"measures": ""})
    assert bad.status_code == 400 and "整改" in bad.content.decode()
    n.refresh_from_db()
    assert n.status == NoticeStatus.ISSUED
    assert login("leader").post(f"{url}answer/", {"measures": "已整改"}).status_code == 302
    n.refresh_from_db()
    assert n.status == NoticeStatus.ANSWERED
    with raises_rule("R-ORG-4", Forbidden):
        notices.verify(actor=actor("leader"), notice=n, accepted=True)
    # the sector reviewer reads its sector's, answers and verifies nothing
    page = login("reviewer").get(url)
    assert page.status_code == 200 and 'name="verdict"' not in page.content.decode()
    with raises_rule("R-ORG-4", Forbidden):
        notices.verify(actor=actor("reviewer"), notice=n, accepted=True)
    with raises_rule("R-ORG-4", Forbidden):
        notices.answer(actor=actor("reviewer"), notice=n, measures="x")
    assert login("inspector").post(f"{url}verify/", {"verdict": "maybe"}).status_code == 400
    assert login("inspector").post(f"{url}verify/", {"verdict": "accept"}).status_code == 302
    n.refresh_from_db()
    assert n.status == NoticeStatus.ACCEPTED
    # another unit's notice: not there for the leader; another sector's: not for the reviewer
    near = notice(other_unit(demo, same_sector=True))
    far = notice(other_unit(demo, same_sector=False))
    assert login("leader").get(f"/supervision/notices/{near.number}/").status_code == 404
    with raises_rule("R-ORG-4", Forbidden):
        notices.answer(actor=actor("leader"), notice=near, measures="x")
    assert login("reviewer").get(f"/supervision/notices/{near.number}/").status_code == 200
    assert login("reviewer").get(f"/supervision/notices/{far.number}/").status_code == 404
    # the list: the leader its own, the reviewer its sector's, the office all
    listed = login("leader").get("/supervision/notices/?tab=closed").content.decode()
    assert n.number in listed
    listed = login("leader").get("/supervision/notices/").content.decode()
    assert near.number not in listed and far.number not in listed
    listed = login("reviewer").get("/supervision/notices/").content.decode()
    assert near.number in listed and far.number not in listed
    listed = login("admin").get("/supervision/notices/").content.decode()
    assert near.number in listed and far.number in listed


def test_an_overdue_notice_escalates_once_to_the_sector_and_the_office(actor, notice):
    n = notice()
    answered = notice()
    notices.answer(actor=actor("leader"), notice=answered, measures="已整改")
    past = timezone.now() - dt.timedelta(hours=1)
    Notice.objects.filter(pk__in=[n.pk, answered.pk]).update(due_at=past)
    assert tasks.overdue_notices() == {"escalated": 1}
    assert tasks.overdue_notices() == {"escalated": 0}
    n.refresh_from_db()
    assert n.escalated_at is not None
    assert told("reviewer", Notification.Kind.NOTICE_OVERDUE) == 1
    assert told("admin", Notification.Kind.NOTICE_OVERDUE) == 1
    assert told("leader", Notification.Kind.NOTICE_OVERDUE) == 0
    answered.refresh_from_db()
    assert answered.escalated_at is None  # waiting for the office's verification, not the unit


def test_the_job_is_declared():
    from servicehall.jobs.runner import discover

    assert "supervision.overdue_notices" in {j.name for j in discover()}


def test_the_print_page_has_the_qr_code_and_the_unit(notice, login, demo):
    n = notice()
    page = login("leader").get(f"/supervision/notices/{n.number}/print/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in text and "@page { size: A4" in text
    assert demo.name in text and "JXJ-16" in text and n.number in text
    assert f"/supervision/notices/{n.number}/" in text


def test_the_notice_list_reads_in_a_fixed_number_of_queries(notice, login):
    client = login("admin")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            page = client.get("/supervision/notices/")
        assert page.status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        notice()
    few = count()
    for _ in range(18):
        notice()
    assert Notice.objects.count() == 20
    assert count() == few


def test_a_bulletin_freezes_the_ledgers_points_of_its_period_with_their_sources(
    actor, visit, login, demo
):
    i = visit()  # one deduction: JXJ-16, 3 points to the unit
    today = timezone.localdate()
    with raises_rule("R-ORG-4", Forbidden):
        notices.draft_bulletin(actor=actor("inspector"), first_day=today, last_day=today, title="x")
    with raises_rule("R-SUP-3", InvalidInput):
        notices.draft_bulletin(
            actor=actor("admin"), first_day=today, last_day=today - dt.timedelta(days=1), title="x"
        )
    b = notices.draft_bulletin(
        actor=actor("admin"), first_day=today, last_day=today, title="本月通报批评"
    )
    [entry] = [e for e in b.entries.all() if e.unit_id == demo.pk and e.staff_id is None]
    assert entry.points == 3
    assert "交巡警窗口规范 第十六条" in entry.reasons and i.number in entry.reasons
    # the ledger's later cancellation leaves the bulletin as it was frozen
    row = Violation.objects.get(source_kind=SourceKind.INSPECTION, source_id__startswith=i.number)
    ledger.cancel(actor=actor("admin"), violation=row, reason="复核撤销")
    entry.refresh_from_db()
    assert entry.points == 3
    # a draft is the office's; published, every staff login reads it, once
    url = f"/supervision/bulletins/{b.number}/"
    assert login("officer").get(url).status_code == 404
    notices.publish_bulletin(actor=actor("admin"), bulletin=b)
    with raises_rule("R-SUP-3"):
        notices.publish_bulletin(actor=actor("admin"), bulletin=b)
    page = login("officer").get(url)
    assert page.status_code == 200 and "交巡警窗口规范 第十六条" in page.content.decode()
    assert b.number in login("officer").get("/supervision/bulletins/").content.decode()


def test_the_bulletin_form_refuses_bad_dates_with_a_400(login, visit):
    visit()
    client = login("admin")
    bad = client.post("/supervision/bulletins/", {"title": "x", "first_day": "2026-13-01"})
    assert bad.status_code == 400 and not Bulletin.objects.exists()
    today = timezone.localdate().isoformat()
    ok = client.post(
        "/supervision/bulletins/", {"title": "通报", "first_day": today, "last_day": today}
    )
    b = Bulletin.objects.get()
    assert ok.status_code == 302 and ok.url == f"/supervision/bulletins/{b.number}/"
    assert (
        login("officer")
        .post("/supervision/bulletins/", {"title": "x", "first_day": today, "last_day": today})
        .status_code
        == 403
    )


def test_a_republished_calendar_moves_an_open_notices_deadline(actor, visit):
    sh = timezone.get_default_timezone()
    issued = dt.datetime(2026, 12, 28, 10, tzinfo=sh)  # 10 working days reach into 2027
    n = notices.issue(
        actor=actor("admin"), inspection=visit(), requirements=REQUIREMENTS, now=issued
    )
    assert n.due_estimated
    before = n.due_at
    table = {
        "official": True,
        "notice": "测试用通知（非真实文件）",
        "holidays": [dt.date(2027, 1, 1), dt.date(2027, 1, 4)],
        "workdays": [],
    }
    worktime.publish_notice(2027, table)
    moved = worktime.calendar_republished({2027})
    assert moved["supervision"] == 1
    n.refresh_from_db()
    assert not n.due_estimated and n.due_at == before + dt.timedelta(days=1)
