"""The web flow: intake form, case page, printed documents, ledger, public status."""

import io

from openpyxl import load_workbook

from servicehall.cases import services
from servicehall.cases.models import Case
from servicehall.notices.models import Notification

from .conftest import APPLICANT, VALID_ID, accept, all_presented, at


def form_for(matter, outcome, missing=(), **extra):
    data = {
        "matter": matter.pk,
        "applicant_name": "王小明",
        "id_type": "resident_id",
        "id_number": VALID_ID,
        "phone": "13812345678",
        "outcome": outcome,
    }
    for m in matter.materials.all():
        state = (
            "missing" if m.name in missing else ("presented" if m.required else "not_applicable")
        )
        data[f"m{m.pk}"] = state
    data.update(extra)
    return data


def test_intake_form_gives_a_notice_and_the_printed_notice_lists_every_missing_material(
    login, migration
):
    client = login("officer")
    page = client.get(f"/cases/new/?matter={migration.pk}").content.decode()
    assert "居民户口簿" in page and "迁入地户主同意落户证明" in page
    missing = ["居民户口簿", "房产证明或落户地址证明"]
    response = client.post("/cases/new/", form_for(migration, "notice", missing))
    assert response.status_code == 302
    case = Case.objects.get(applicant_name="王小明")
    notice = case.notices.get()
    printed = client.get(f"/cases/{case.pk}/notices/{notice.pk}/print/").content.decode()
    assert printed.count('class="notice-item"') == 2
    for name in missing:
        assert name in printed
    assert notice.number in printed and "年" in printed  # dated the Chinese way


def test_a_bad_id_number_comes_back_next_to_the_field_and_saves_nothing(login, migration):
    client = login("officer")
    data = form_for(migration, "accepted", id_number="410203199001011230")
    response = client.post("/cases/new/", data)
    assert response.status_code == 200
    assert "校验码" in response.content.decode() or "check digit" in response.content.decode()
    assert not Case.objects.filter(applicant_name="王小明").exists()


def test_the_auxiliary_is_refused_intake_on_the_web(login, migration):
    response = login("auxiliary").get(f"/cases/new/?matter={migration.pk}")
    assert response.status_code == 403 and "辅警" in response.content.decode()


def test_the_case_page_shows_clocks_receipts_and_the_timeline(login, migration, actor):
    case = accept(actor("officer"), migration)
    page = login("officer").get(f"/cases/{case.pk}/").content.decode()
    assert "剩余" in page or "今天" in page  # the clock, as people say it
    assert "受理并报所领导审核" in page and "时间线" in page
    assert APPLICANT["id_number"] in page  # the case itself shows the full number to its officer
    receipt = login("officer").get(f"/cases/{case.pk}/receipt/print/").content.decode()
    assert case.number in receipt and "4102**********" in receipt


def test_referral_receipts_print_for_the_citizen_and_the_receiver(login, migration, actor):
    from servicehall.org.models import Staff

    case = accept(actor("officer"), migration)
    client = login("officer")
    client.post(
        f"/cases/{case.pk}/refer/",
        {"to_staff": Staff.objects.get(badge_no="041236").pk, "task": "入户调查核实"},
    )
    referral = case.referrals.get()
    slip = client.get(f"/cases/referrals/{referral.pk}/slip/print/").content.decode()
    handoff = client.get(f"/cases/referrals/{referral.pk}/handoff/print/").content.decode()
    assert referral.slip_number in slip and "受理" in slip
    assert referral.handoff_number in handoff and "入户调查核实" in handoff


def test_the_public_status_page_shows_no_personal_data(client, migration, actor):
    case = accept(actor("officer"), migration)
    page = client.get(
        "/status/", {"number": case.number.lower(), "code": case.check_code.lower()}
    ).content.decode()
    assert "户口迁移" in page and "办理中" in page
    for private in (APPLICANT["name"], APPLICANT["id_number"], APPLICANT["phone"], "13812345678"):
        assert private not in page
    unknown = client.get("/status/", {"number": "C2026-9999-000001", "code": case.check_code})
    assert "没有与此编号和查询码相符的办件" in unknown.content.decode()


def test_the_ledger_filters_counts_and_exports_masked(login, migration, actor):
    officer = actor("officer")
    accept(officer, migration, now=at(2026, 11, 2))
    services.intake(
        actor=officer,
        matter=migration,
        applicant=APPLICANT,
        checks=all_presented(migration, 居民户口簿=("missing", "")),
        outcome="notice",
        now=at(2026, 11, 3),
    )
    services.intake(
        actor=officer,
        matter=migration,
        applicant=APPLICANT,
        checks=all_presented(migration),
        outcome="rejected",
        rejection_basis="条例",
        rejection_reason="不符",
        now=at(2026, 10, 3),
    )
    client = login("leader")
    response = client.get("/cases/ledger/", {"date_from": "2026-11-01", "date_to": "2026-11-30"})
    stats = response.context["stats"]
    assert (stats["received"], stats["accepted"], stats["notices"], stats["rejected"]) == (
        2,
        1,
        1,
        0,
    )
    assert stats["avg_visits"] == 1.0
    export = client.get("/cases/ledger/", {"export": "xlsx"})
    rows = list(
        load_workbook(io.BytesIO(export.content)).active.iter_rows(min_row=2, values_only=True)
    )
    assert len(rows) == 3
    assert all(APPLICANT["id_number"] not in str(r) and "13812345678" not in str(r) for r in rows)
    assert rows[0][5].startswith("4102") and "*" in rows[0][5]


def test_the_deadline_job_warns_once_and_tells_owner_and_leader(migration, actor):
    case = accept(actor("officer"), migration, now=at(2026, 11, 23, 9))
    counts = services.check_deadlines(now=at(2026, 11, 24, 10))  # step 1 (2 wd) due 11-25
    assert counts["warning"] >= 1
    recipients = set(
        Notification.objects.filter(case=case).values_list("recipient__username", flat=True)
    )
    assert {"officer", "leader"} <= recipients
    before = Notification.objects.count()
    services.check_deadlines(now=at(2026, 11, 24, 11))
    assert Notification.objects.count() == before  # no repeat for the same state
    services.check_deadlines(now=at(2026, 11, 26, 9))
    case.refresh_from_db()
    assert case.steps.get(order=1).due_state == "overdue"
    assert Notification.objects.filter(case=case, kind="due_overdue").exists()


def test_notifications_page(login, migration, actor):
    case = accept(actor("officer"), migration, now=at(2026, 11, 23, 9))
    services.check_deadlines(now=at(2026, 11, 26, 9))
    client = login("officer")
    page = client.get("/cases/notifications/").content.decode()
    assert case.number in page
    client.post("/cases/notifications/")
    assert not Notification.objects.filter(
        recipient__username="officer", read_at__isnull=True
    ).exists()


def test_green_channel_cases_are_marked_and_reported_on_their_own(login, passport, staff_actor):
    officer = staff_actor("044011")
    services.intake(
        actor=officer,
        matter=passport,
        applicant=APPLICANT,
        checks=all_presented(passport),
        outcome="accepted",
        green_channel=True,
        green_reason="急需出国就医",
    )
    accept(officer, passport)
    from servicehall.org.models import Staff

    leader = Staff.objects.get(badge_no="044001")
    from django.contrib.auth import get_user_model

    leader.user = get_user_model().objects.create_user("exitleader", password="x" * 12)
    leader.save()
    client = login("officer")
    client.force_login(leader.user)
    response = client.get("/cases/ledger/", {"green_channel": "on"})
    assert response.context["stats"]["received"] == 1 and response.context["stats"]["green"] == 1
    assert (
        "急需出国就医"
        in client.get(response.context["page"].object_list[0].get_absolute_url()).content.decode()
    )
