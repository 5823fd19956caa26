"""Printed documents: local dates, signature lines, status QR codes, the public base URL,
the officer's explanation on the one-time notice, landing on the hand-off receipts."""

import datetime as dt
import html
import re

import pytest

from servicehall.cases import services
from servicehall.org.models import Staff

from .conftest import APPLICANT, SH, all_presented

# 00:30 Beijing time on 2 December is 16:30 UTC on 1 December
HALF_PAST_MIDNIGHT = dt.datetime(2026, 12, 1, 16, 30, tzinfo=dt.UTC)
LOCAL_DAY = "2026年12月2日"
UTC_DAY = "2026年12月1日"


@pytest.fixture
def accepted(actor, migration):
    return services.intake(
        actor=actor("officer"),
        matter=migration,
        applicant=APPLICANT,
        checks=all_presented(migration),
        outcome="accepted",
        now=HALF_PAST_MIDNIGHT,
    )


def _text(response):
    assert response.status_code == 200
    return response.content.decode()


def test_the_half_past_midnight_moment_is_the_next_day_in_beijing():
    assert HALF_PAST_MIDNIGHT.astimezone(SH).day == 2


def test_the_one_time_notice_is_dated_by_beijing_time_and_prints_the_explanation(
    login, actor, migration
):
    hukou = migration.materials.get(name="居民户口簿")
    case = services.intake(
        actor=actor("officer"),
        matter=migration,
        applicant=APPLICANT,
        checks=all_presented(
            migration,
            **{hukou.name: ("missing", "户口簿在老家，需本人回原籍取回")},
        ),
        outcome="notice",
        now=HALF_PAST_MIDNIGHT,
    )
    notice = case.notices.get()
    printed = _text(login("officer").get(f"/cases/{case.pk}/notices/{notice.pk}/print/"))
    assert LOCAL_DAY in printed and UTC_DAY not in printed  # received on, and the date line
    problem = re.search(r'<td class="problem">(.*?)</td>', printed).group(1)
    assert "户口簿在老家，需本人回原籍取回" in problem and "未提供" in problem


def test_a_missing_material_without_explanation_still_reads_not_provided(login, actor, migration):
    case = services.intake(
        actor=actor("officer"),
        matter=migration,
        applicant=APPLICANT,
        checks=all_presented(migration, **{"居民户口簿": ("missing", "")}),
        outcome="notice",
    )
    notice = case.notices.get()
    printed = _text(login("officer").get(f"/cases/{case.pk}/notices/{notice.pk}/print/"))
    assert re.search(r'<td class="problem">未提供</td>', printed)


def test_the_receipt_is_dated_by_beijing_time_with_labelled_signatures_and_a_status_qr(
    login, accepted
):
    printed = _text(login("officer").get(f"/cases/{accepted.pk}/receipt/print/"))
    assert f"{LOCAL_DAY} 00:30" in printed and UTC_DAY not in printed
    for label in ("受理人签字", "申请人签字", "日期"):
        assert label in printed
    assert "<svg" in printed
    link = f"http://testserver/status/?number={accepted.number}&amp;code={accepted.check_code}"
    assert link in printed


def test_the_status_link_on_the_receipt_finds_the_case(login, client, accepted):
    printed = _text(login("officer").get(f"/cases/{accepted.pk}/receipt/print/"))
    link = re.search(r'<td class="status-link">([^<]+)</td>', printed).group(1)
    path = html.unescape(link).removeprefix("http://testserver")
    client.logout()
    page = _text(client.get(path))
    assert "户口迁移" in page and APPLICANT["name"] not in page


def test_with_a_public_base_url_the_receipt_and_slip_link_and_encode_it(
    login, actor, accepted, settings
):
    referral = services.refer(
        actor=actor("officer"),
        case=accepted,
        task="入户调查核实",
        to_staff=Staff.objects.get(badge_no="041236"),
    )
    client = login("officer")
    settings.SERVICEHALL = {**settings.SERVICEHALL, "PUBLIC_URL": "https://zwfw.kaifeng.gov.cn"}
    receipt = _text(client.get(f"/cases/{accepted.pk}/receipt/print/"))
    slip = _text(client.get(f"/cases/referrals/{referral.pk}/slip/print/"))
    code = f"&amp;code={accepted.check_code}"
    assert f"https://zwfw.kaifeng.gov.cn/status/?number={accepted.number}{code}" in receipt
    assert f"https://zwfw.kaifeng.gov.cn/status/?number={referral.slip_number}{code}" in slip
    assert "testserver" not in receipt and "testserver" not in slip


def test_the_status_qr_encodes_the_public_url(rf, settings):
    import segno

    from servicehall.core.public import public_url, qr_svg

    settings.SERVICEHALL = {**settings.SERVICEHALL, "PUBLIC_URL": "https://zwfw.kaifeng.gov.cn/"}
    url = public_url(rf.get("/cases/1/receipt/print/"), "/status/?number=C1")
    assert url == "https://zwfw.kaifeng.gov.cn/status/?number=C1"
    assert str(qr_svg(url)) == segno.make(url, error="m").svg_inline(scale=3, dark="#111")
    settings.SERVICEHALL = {**settings.SERVICEHALL, "PUBLIC_URL": ""}
    assert public_url(rf.get("/x/"), "/status/") == "http://testserver/status/"


def test_the_refusal_is_dated_by_beijing_time(login, actor, migration):
    case = services.intake(
        actor=actor("officer"),
        matter=migration,
        applicant=APPLICANT,
        checks=all_presented(migration),
        outcome="rejected",
        rejection_reason="迁入地址不在本辖区",
        rejection_basis="《户口登记条例》第十条",
        now=HALF_PAST_MIDNIGHT,
    )
    printed = _text(login("officer").get(f"/cases/{case.pk}/refusal/print/"))
    assert LOCAL_DAY in printed and UTC_DAY not in printed


@pytest.mark.parametrize("kind", ["slip", "handoff"])
def test_hand_off_receipts_are_dated_by_beijing_time_with_labelled_signatures(
    login, actor, accepted, kind
):
    referral = services.refer(
        actor=actor("officer"),
        case=accepted,
        task="入户调查核实",
        to_staff=Staff.objects.get(badge_no="041236"),
        now=HALF_PAST_MIDNIGHT,
    )
    printed = _text(login("officer").get(f"/cases/referrals/{referral.pk}/{kind}/print/"))
    assert LOCAL_DAY in printed and UTC_DAY not in printed
    labels = ("申请人签字", "日期") if kind == "slip" else ("交办人签字", "接收人签字", "日期")
    for label in labels:
        assert label in printed
    if kind == "handoff":
        assert f"{LOCAL_DAY} 00:30" in printed


def test_hand_over_and_print_lands_on_both_receipts(login, actor, migration):
    from .conftest import accept

    case = accept(actor("officer"), migration)
    client = login("officer")
    response = client.post(
        f"/cases/{case.pk}/refer/",
        {"to_staff": Staff.objects.get(badge_no="041236").pk, "task": "入户调查核实"},
    )
    referral = case.referrals.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/referrals/{referral.pk}/both/print/"
    printed = _text(client.get(response["Location"]))
    assert referral.slip_number in printed and referral.handoff_number in printed
    assert printed.count('<article class="sheet">') == 2


def test_a_refused_hand_off_stays_on_the_case_and_says_why(login, actor, migration):
    from .conftest import accept

    case = accept(actor("officer"), migration)
    officer = Staff.objects.get(user__username="officer")
    response = login("officer").post(
        f"/cases/{case.pk}/refer/", {"to_staff": officer.pk, "task": "入户调查核实"}
    )
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert not case.referrals.exists()


def test_cn_date_of_a_utc_moment_is_the_local_date():
    from servicehall.web.templatetags.servicehall import cn_date, cn_datetime

    assert cn_date(HALF_PAST_MIDNIGHT) == LOCAL_DAY
    assert cn_datetime(HALF_PAST_MIDNIGHT) == f"{LOCAL_DAY} 00:30"
    assert cn_date(dt.date(2026, 12, 1)) == UTC_DAY
