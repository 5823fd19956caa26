"""Fees and fines (R-CASE-6, R-ORG-4, decision 0027): a fee only as the catalogue sets it,
never held by an auxiliary, recorded before a case finishes; a fine decided at the window and
paid at the bank, which no window role can mark as paid."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from openpyxl import load_workbook

from servicehall.cases import fees, services
from servicehall.cases.models import Case, CaseEvent, CaseFee, FineDecision
from servicehall.catalog.models import Matter
from servicehall.core.errors import Forbidden, InvalidInput, NotFound, ServiceError
from servicehall.core.money import parse_yuan, yuan
from servicehall.org.choices import UNIT_ROLES, Role
from servicehall.org.models import ApiToken, Unit
from servicehall.org.permissions import MATRIX, Action
from servicehall.worktime.models import SlaPolicy
from tests.helpers import raises_rule, same_cost
from tests.web.test_every_page_in_chinese import _english_data, _raw_words, problems

from .conftest import APPLICANT, accept, all_presented, at, paid

ID_CARD_BASIS = "《居民身份证法》第二十条"
VIOLATION_BASIS = "《道路交通安全法》第九十条"


@pytest.fixture
def id_card(demo):
    return Matter.objects.get(code="id-card-apply")  # 20 元 at 鼓楼派出所


@pytest.fixture
def licence(demo):
    return Matter.objects.get(code="driving-licence-renew")  # 10 元, on the spot


@pytest.fixture
def violation(demo):
    return Matter.objects.get(code="traffic-violation")  # free; fines paid at the bank


@pytest.fixture
def violations_officer(staff_actor):
    return staff_actor("042023")  # 尤建军, the vehicle office's violation window


@pytest.fixture
def violation_case(violations_officer, violation):
    return services.intake(
        actor=violations_officer,
        matter=violation,
        applicant=APPLICANT,
        checks=all_presented(violation),
        outcome="on_the_spot",
    )


def decide(actor, case, number="开公交决字〔2026〕第000123号", fen=20000, agency="icbc", **kw):
    return fees.decide_fine(
        actor=actor,
        case=case,
        number=number,
        amount_fen=fen,
        basis=f"机动车违反禁止标线指示：{VIOLATION_BASIS}",
        agency=agency,
        **kw,
    )


def token_client(username):
    _token, key = ApiToken.issue(user=get_user_model().objects.get(username=username), name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="zh-hans")


def post_json(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def chinese_problems(response):
    assert response.status_code == 200
    return problems(response.content.decode(), data=_english_data(), raw_words=_raw_words())


# ---- money ------------------------------------------------------------------------------


def test_fen_are_read_and_written_as_yuan_with_two_decimals():
    assert yuan(12000) == "120.00" and yuan(5) == "0.05" and yuan(None) == ""
    assert parse_yuan("120") == 12000 and parse_yuan("20.5") == 2050
    assert parse_yuan(" 20.05 元") == 2005 and parse_yuan("") is None
    for bad in ("-20", "20.005", "二十", "1e3"):
        with pytest.raises(ValueError):
            parse_yuan(bad)


# ---- fees -------------------------------------------------------------------------------


def test_the_catalogue_fee_taken_at_acceptance_is_recorded_with_its_basis_and_an_event(
    actor, id_card
):
    case = accept(actor("officer"), id_card, fee={"channel": "cash", "amount_fen": 2000})
    fee = CaseFee.objects.get(case=case)
    assert (fee.amount_fen, fee.catalogue_fen, fee.channel) == (2000, 2000, "cash")
    assert ID_CARD_BASIS in fee.basis and fee.recorded_by.name == "王建国"
    recorded = case.events.get(kind=CaseEvent.Kind.FEE_RECORDED)
    assert recorded.text == "收取费用 20.00 元（窗口现金），经办人 王建国"
    assert recorded.data["amount_fen"] == 2000
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds.index(CaseEvent.Kind.ACCEPTED) < kinds.index(CaseEvent.Kind.FEE_RECORDED)


def test_a_free_matter_refuses_any_fee_and_changes_nothing(actor, migration):
    before = Case.objects.count()
    with raises_rule("R-CASE-6", InvalidInput) as refused:
        accept(actor("officer"), migration, fee={"channel": "cash", "amount_fen": 500})
    assert "免费" in str(refused.value) and "fee_amount" in refused.value.errors
    assert Case.objects.count() == before and not CaseFee.objects.exists()


def test_a_fee_other_than_the_catalogue_s_is_refused_naming_the_fee_and_its_basis(actor, id_card):
    before = Case.objects.count()
    for wrong in (4000, 1000, None):
        with raises_rule("R-CASE-6", InvalidInput) as refused:
            accept(actor("officer"), id_card, fee={"channel": "card", "amount_fen": wrong})
        message = str(refused.value)
        assert "20.00 元" in message and ID_CARD_BASIS in message, message
    assert Case.objects.count() == before


def test_a_waiver_takes_no_money_and_needs_its_legal_basis(actor, id_card):
    officer = actor("officer")
    with raises_rule("R-CASE-6", InvalidInput) as refused:
        accept(officer, id_card, fee={"channel": "waived"})
    assert "依据" in str(refused.value) and "fee_waiver_basis" in refused.value.errors
    with raises_rule("R-CASE-6", InvalidInput):
        accept(officer, id_card, fee={"channel": "waived", "amount_fen": 2000, "waiver_basis": "x"})
    basis = "《居民身份证法》第二十条第二款：城市最低生活保障对象初次申领免收工本费"
    case = accept(officer, id_card, fee={"channel": "waived", "waiver_basis": basis})
    fee = case.fee
    assert fee.waived and fee.amount_fen == 0 and fee.catalogue_fen == 2000
    assert case.events.get(kind=CaseEvent.Kind.FEE_WAIVED).text == f"免收费用 20.00 元：{basis}"


def test_no_fee_is_taken_with_a_one_time_notice(actor, id_card):
    with raises_rule("R-CASE-6", InvalidInput) as refused:
        services.intake(
            actor=actor("officer"),
            matter=id_card,
            applicant=APPLICANT,
            checks=all_presented(id_card, 居民户口簿=("missing", "")),
            outcome="notice",
            fee=paid(id_card),
        )
    assert "一次性告知" in str(refused.value)
    assert not Case.objects.filter(matter=id_card).exists()


def test_an_auxiliary_can_never_record_taking_fee_money(actor, id_card, login):
    case = accept(actor("officer"), id_card, fee=None)
    with raises_rule("R-ORG-4", Forbidden) as refused:
        fees.record_fee(actor=actor("auxiliary"), case=case, channel="cash", amount_fen=2000)
    assert "辅警" in str(refused.value)
    page = login("auxiliary").post(
        f"/cases/{case.pk}/fee/", {"fee_channel": "cash", "fee_amount": "20.00"}
    )
    assert page.status_code == 403 and "辅警" in page.content.decode()
    api = post_json(
        token_client("auxiliary"),
        f"/api/v1/cases/{case.pk}/fee",
        {"channel": "cash", "amount_fen": 2000},
    )
    assert api.status_code == 403 and api.json()["rule"] == "R-ORG-4"
    assert not CaseFee.objects.filter(case=case).exists()


def test_the_auxiliary_is_shown_no_fee_form(actor, id_card, login):
    case = accept(actor("officer"), id_card, fee=None)
    assert 'id="fee-form"' not in login("auxiliary").get(f"/cases/{case.pk}/").content.decode()
    assert 'id="fee-form"' in login("officer").get(f"/cases/{case.pk}/").content.decode()


def test_a_fee_charging_case_cannot_finish_with_its_fee_unrecorded(staff_actor, passport):
    case = accept(staff_actor("044011"), passport, fee=None)  # paid when collected, say
    s1, s2, s3, s4 = case.steps.order_by("order")
    for badge, step in (("044011", s1), ("044012", s2), ("044002", s3)):
        services.complete_step(actor=staff_actor(badge), case_step=step)
    with raises_rule("R-CASE-6", InvalidInput) as refused:
        services.complete_step(actor=staff_actor("044014"), case_step=s4)
    assert "120.00 元" in str(refused.value) and "发改价格〔2017〕1186号" in str(refused.value)
    case.refresh_from_db()
    assert case.status == "in_progress"
    fees.record_fee(actor=staff_actor("044014"), case=case, channel="card", amount_fen=12000)
    services.complete_step(actor=staff_actor("044014"), case_step=s4)
    case.refresh_from_db()
    assert case.status == "completed" and case.fee.get_channel_display() == "银行卡"


def test_a_case_done_on_the_spot_is_refused_without_its_fee(staff_actor, licence):
    officer = staff_actor("042016")
    before = Case.objects.count()
    with raises_rule("R-CASE-6", InvalidInput) as refused:
        services.intake(
            actor=officer,
            matter=licence,
            applicant=APPLICANT,
            checks=all_presented(licence),
            outcome="on_the_spot",
        )
    assert "fee_channel" in refused.value.errors and "10.00 元" in str(refused.value)
    assert Case.objects.count() == before
    case = services.intake(
        actor=officer,
        matter=licence,
        applicant=APPLICANT,
        checks=all_presented(licence),
        outcome="on_the_spot",
        fee={"channel": "mobile", "amount_fen": 1000},
    )
    assert case.status == "completed" and case.fee.amount_fen == 1000


def test_a_fee_is_recorded_once_and_only_on_a_case_in_progress(actor, id_card, migration):
    officer = actor("officer")
    case = accept(officer, id_card)
    with raises_rule("R-CASE-6", ServiceError):
        fees.record_fee(actor=officer, case=case, channel="cash", amount_fen=2000)
    refused = services.intake(
        actor=officer,
        matter=id_card,
        applicant=APPLICANT,
        checks=all_presented(id_card),
        outcome="rejected",
        rejection_basis="《居民身份证法》第八条",
        rejection_reason="非本辖区常住户口",
    )
    with raises_rule("R-CASE-6", ServiceError):
        fees.record_fee(actor=officer, case=refused, channel="cash", amount_fen=2000)
    assert CaseFee.objects.filter(case__matter=id_card).count() == 1


def test_the_intake_form_takes_the_fee_and_the_case_page_shows_it(login, id_card):
    client = login("officer")
    page = client.get(f"/cases/new/?matter={id_card.pk}").content.decode()
    assert "20.00" in page and ID_CARD_BASIS in page and 'name="fee_channel"' in page
    data = {
        "matter": id_card.pk,
        "applicant_name": "王小明",
        "id_type": "resident_id",
        "id_number": APPLICANT["id_number"],
        "phone": "",
        "outcome": "accepted",
        "fee_channel": "cash",
        "fee_amount": "25",
    }
    for m in id_card.materials.all():
        data[f"m{m.pk}"] = "presented" if m.required else "not_applicable"
    wrong = client.post("/cases/new/", data)
    assert wrong.status_code == 200 and "20.00 元" in wrong.content.decode()
    assert not Case.objects.filter(applicant_name="王小明").exists()
    response = client.post("/cases/new/", {**data, "fee_amount": "20.00"})
    assert response.status_code == 302
    case = Case.objects.get(applicant_name="王小明")
    shown = client.get(f"/cases/{case.pk}/").content.decode()
    assert "20.00" in shown and "窗口现金" in shown and ID_CARD_BASIS in shown


def test_the_fee_form_of_the_case_page_records_a_later_payment(login, actor, id_card):
    case = accept(actor("officer"), id_card, fee=None)
    client = login("officer")
    assert "尚未登记收费" in client.get(f"/cases/{case.pk}/").content.decode()
    bad = client.post(f"/cases/{case.pk}/fee/", {"fee_channel": "cash", "fee_amount": "二十"})
    assert bad.status_code == 302 and not CaseFee.objects.filter(case=case).exists()
    assert "请以元为单位填写金额" in client.get(case.get_absolute_url()).content.decode()
    client.post(f"/cases/{case.pk}/fee/", {"fee_channel": "mobile", "fee_amount": "20"})
    assert case.__class__.objects.get(pk=case.pk).fee.channel == "mobile"


def test_the_api_takes_the_fee_with_the_intake_and_shows_it(id_card):
    body = {
        "matter": id_card.code,
        "window_number": 2,
        "applicant_name": "周强",
        "id_number": APPLICANT["id_number"],
        "checks": [
            {"material_id": m.pk, "state": "presented" if m.required else "not_applicable"}
            for m in id_card.materials.all()
        ],
        "outcome": "accepted",
        "fee": {"channel": "cash", "amount_fen": 3000},
    }
    client = token_client("officer")
    wrong = post_json(client, "/api/v1/cases", body)
    assert wrong.status_code == 400 and wrong.json()["rule"] == "R-CASE-6"
    response = post_json(client, "/api/v1/cases", {**body, "fee": paid(id_card)})
    assert response.status_code == 201, response.content
    assert response.json()["fee"]["amount_fen"] == 2000
    assert response.json()["fee"]["channel"] == "cash" and response.json()["fine"] is None


# ---- fines (罚缴分离) ------------------------------------------------------------------------


def test_a_fine_decision_records_number_amount_basis_and_the_bank(
    violations_officer, violation_case
):
    now = at(2026, 11, 23, 10)
    fine = decide(violations_officer, violation_case, now=now)
    assert (fine.number, fine.amount_fen, fine.agency) == (
        "开公交决字〔2026〕第000123号",
        20000,
        "icbc",
    )
    assert VIOLATION_BASIS in fine.basis and not fine.paid
    assert fine.pay_by.date() == dt.date(2026, 12, 8)  # 15 days (行政处罚法 第六十七条)
    event = violation_case.events.get(kind=CaseEvent.Kind.FINE_DECIDED)
    assert event.text == (
        "处罚决定书 开公交决字〔2026〕第000123号：罚款 200.00 元，请于 2026-12-08 前到"
        "中国工商银行代收网点缴纳"
    )


def test_the_day_a_fine_is_paid_by_follows_the_policy(violations_officer, violation_case):
    SlaPolicy.objects.filter(code="fine-payment").update(n=30)
    fine = decide(violations_officer, violation_case, now=at(2026, 11, 23, 10))
    assert fine.pay_by.date() == dt.date(2026, 12, 23)


def test_a_fine_names_a_bank_or_platform_never_the_window(violations_officer, violation_case):
    for agency in ("window", "cash", ""):
        with raises_rule("R-CASE-6", InvalidInput) as refused:
            decide(violations_officer, violation_case, agency=agency)
        assert "窗口一律不收取罚款" in refused.value.errors["fine_agency"][0]
    with raises_rule("R-CASE-6", InvalidInput) as refused:
        decide(violations_officer, violation_case, fen=0, number="")
    assert set(refused.value.errors) == {"fine_number", "fine_amount"}
    assert not FineDecision.objects.exists()


def test_an_auxiliary_makes_no_penalty_decision(staff_actor, violation_case):
    with raises_rule("R-ORG-4", Forbidden) as refused:
        decide(staff_actor("FJ2011"), violation_case)
    assert "辅警" in str(refused.value)


def test_a_hospital_makes_no_penalty_decisions(staff_actor):
    matter = Matter.objects.get(code="outpatient-registration")
    nurse = staff_actor("ET0211")
    case = services.intake(
        actor=nurse,
        matter=matter,
        applicant=APPLICANT,
        checks=all_presented(matter),
        outcome="on_the_spot",
    )
    with raises_rule("R-CASE-6", ServiceError):
        decide(nurse, case)


def test_one_decision_a_case_and_one_case_a_decision_number(
    violations_officer, violation_case, violation
):
    decide(violations_officer, violation_case)
    with raises_rule(None, ServiceError):
        decide(violations_officer, violation_case, number="开公交决字〔2026〕第000124号")
    other = services.intake(
        actor=violations_officer,
        matter=violation,
        applicant=APPLICANT,
        checks=all_presented(violation),
        outcome="on_the_spot",
    )
    with raises_rule("R-CASE-6", InvalidInput) as refused:
        decide(violations_officer, other)
    assert "已登记" in refused.value.errors["fine_number"][0]


def test_no_action_of_any_window_role_takes_fine_money():
    fine_actions = {a for a in Action if "fine" in a.value}
    assert fine_actions == {Action.DECIDE_FINE, Action.CONFIRM_FINE_PAYMENT}
    for role in UNIT_ROLES:
        assert Action.CONFIRM_FINE_PAYMENT not in MATRIX[role]
    assert [r for r in MATRIX if Action.CONFIRM_FINE_PAYMENT in MATRIX[r]] == [Role.ORGANIZER_ADMIN]


@pytest.mark.parametrize(
    "badge",
    ["042001", "042002", "042023", "FJ2011"],  # the vehicle office's leader … auxiliary
)
def test_every_window_role_is_refused_recording_a_fine_as_paid(
    badge, staff_actor, violations_officer, violation_case
):
    fine = decide(violations_officer, violation_case)
    who = staff_actor(badge)
    assert who.role in UNIT_ROLES
    with raises_rule("R-CASE-6", Forbidden) as refused:
        fees.confirm_fine_payment(
            actor=who,
            number=fine.number,
            amount_fen=fine.amount_fen,
            agency="icbc",
            bank_reference="6222026112300001",
        )
    assert "银行" in str(refused.value)
    fine.refresh_from_db()
    assert not fine.paid and not fine.case.events.filter(kind="fine_paid").exists()


@pytest.mark.parametrize("username", ["inspector", "reviewer", "surveyor"])
def test_the_back_office_but_the_organizer_cannot_confirm_a_payment_either(
    username, actor, violations_officer, violation_case
):
    fine = decide(violations_officer, violation_case)
    with raises_rule("R-ORG-4", Forbidden):
        fees.confirm_fine_payment(
            actor=actor(username),
            number=fine.number,
            amount_fen=fine.amount_fen,
            agency="icbc",
            bank_reference="6222026112300001",
        )


def test_a_window_role_s_api_call_to_mark_a_fine_paid_is_refused(
    violations_officer, violation_case
):
    fine = decide(violations_officer, violation_case)
    for username in ("leader", "dutylead", "officer", "auxiliary"):
        response = post_json(
            token_client(username),
            "/api/v1/fines/payments",
            {
                "decision_number": fine.number,
                "amount_fen": fine.amount_fen,
                "agency": "icbc",
                "bank_reference": "6222026112300001",
            },
        )
        assert response.status_code == 403 and response.json()["rule"] == "R-CASE-6", username
    fine.refresh_from_db()
    assert not fine.paid


def test_the_bank_s_confirmation_makes_a_fine_paid_once(violations_officer, violation_case):
    fine = decide(violations_officer, violation_case)
    bank = token_client("admin")
    body = {
        "decision_number": fine.number,
        "amount_fen": 20000,
        "agency": "icbc",
        "bank_reference": "6222026112300001",
    }
    short = post_json(bank, "/api/v1/fines/payments", {**body, "amount_fen": 10000})
    assert short.status_code == 400 and short.json()["rule"] == "R-CASE-6"
    assert "200.00" in short.json()["detail"] and "100.00" in short.json()["detail"]
    unknown = post_json(bank, "/api/v1/fines/payments", {**body, "decision_number": "无此号"})
    assert unknown.status_code == 404
    response = post_json(bank, "/api/v1/fines/payments", body)
    assert response.status_code == 200, response.content
    assert response.json()["paid"] and response.json()["bank_reference"] == "6222026112300001"
    again = post_json(bank, "/api/v1/fines/payments", body)  # the bank sends it twice
    assert again.status_code == 200
    assert violation_case.events.filter(kind=CaseEvent.Kind.FINE_PAID).count() == 1
    other = post_json(bank, "/api/v1/fines/payments", {**body, "bank_reference": "999"})
    assert other.status_code == 400 and other.json()["rule"] == "R-CASE-6"
    fine.refresh_from_db()
    assert fine.paid and fine.paid_via == "icbc" and fine.confirmed_by.username == "admin"


def test_the_office_service_checks_the_reference_and_the_time(
    actor, violations_officer, violation_case
):
    fine = decide(violations_officer, violation_case, now=at(2026, 11, 23, 10))
    office = actor("admin")
    args = {"actor": office, "number": fine.number, "amount_fen": 20000, "agency": "psbc"}
    with raises_rule(None, InvalidInput):
        fees.confirm_fine_payment(**args, bank_reference=" ", now=at(2026, 11, 24))
    with raises_rule(None, InvalidInput):
        fees.confirm_fine_payment(
            **args, bank_reference="1", paid_at=at(2026, 11, 22), now=at(2026, 11, 24)
        )
    with raises_rule(None, NotFound):
        fees.confirm_fine_payment(**{**args, "number": "x"}, bank_reference="1")
    done = fees.confirm_fine_payment(**args, bank_reference="1", now=at(2026, 11, 24))
    assert done.paid_at == at(2026, 11, 24)


def test_the_case_page_shows_the_fine_and_offers_no_way_to_take_its_money(
    violations_officer, violation_case, client
):
    fine = decide(violations_officer, violation_case)
    client.force_login(violations_officer.user)
    page = client.get(f"/cases/{violation_case.pk}/")
    text = page.content.decode()
    assert fine.number in text and "200.00" in text and "中国工商银行代收网点" in text
    assert "等待银行确认缴款" in text and "窗口不收取罚款" in text
    assert "/api/v1/fines/payments" not in text and "payments" not in text
    assert chinese_problems(page) == []


def test_the_fine_form_of_the_case_page_records_a_decision(login, actor, migration):
    case = accept(actor("officer"), migration)  # 鼓楼派出所 decides penalties too
    client = login("officer")
    assert "登记处罚决定" in client.get(f"/cases/{case.pk}/").content.decode()
    assert "登记处罚决定" not in login("auxiliary").get(f"/cases/{case.pk}/").content.decode()
    client = login("officer")
    client.post(
        f"/cases/{case.pk}/fine/",
        {
            "fine_number": "开公（鼓）决字〔2026〕第17号",
            "fine_amount": "50",
            "fine_basis": "《中华人民共和国户口登记条例》第二十条",
            "fine_agency": "online",
        },
    )
    fine = FineDecision.objects.get(case=case)
    assert fine.amount_fen == 5000 and fine.get_agency_display() == "非税收入网上缴款平台"


# ---- the ledger, its export and the printed receipt -----------------------------------------


def test_the_ledger_and_its_export_show_fees_and_fines_in_yuan(
    login, actor, id_card, violations_officer, violation_case
):
    accept(actor("officer"), id_card)
    client = login("leader")
    page = client.get("/cases/ledger/")
    text = page.content.decode()
    assert "20.00" in text and "收费合计（元）" in text
    assert chinese_problems(page) == []
    ws = load_workbook(io.BytesIO(client.get("/cases/ledger/", {"export": "xlsx"}).content)).active
    columns = [c.value for c in ws[1]]
    row = {columns[i]: c for i, c in enumerate(ws[2])}
    assert row["收费(元) fee"].value == Decimal("20.00")
    assert row["收费(元) fee"].number_format == "0.00"
    assert row["收费方式 paid by"].value == "窗口现金"
    assert ID_CARD_BASIS in row["收费依据 fee basis"].value
    decide(violations_officer, violation_case)
    office = login("admin")
    unit = Unit.objects.get(code="kf-vehicle-office")
    ledger = office.get("/cases/ledger/", {"unit": unit.pk}).content.decode()
    assert "200.00" in ledger and "未缴纳" in ledger
    ws = load_workbook(
        io.BytesIO(office.get("/cases/ledger/", {"unit": unit.pk, "export": "xlsx"}).content)
    ).active
    columns = [c.value for c in ws[1]]
    row = {columns[i]: c.value for i, c in enumerate(ws[2])}
    assert row["罚款(元) fine"] == Decimal("200.00") and row["罚款缴纳 fine paid"] == "否"
    assert row["罚款决定书 fine decision"] == "开公交决字〔2026〕第000123号"


def test_the_ledger_reads_fees_and_fines_in_a_fixed_number_of_queries(
    login, demo, staff_actor, id_card
):
    officer = staff_actor("041235")

    def add(n):
        for i in range(n):
            case = accept(officer, id_card, window=officer.staff.window)
            if i % 2:
                fees.decide_fine(
                    actor=officer,
                    case=case,
                    number=f"开公（鼓）决字〔2026〕第{case.pk}号",
                    amount_fen=5000,
                    basis="《中华人民共和国居民身份证法》第十七条",
                    agency="ccb",
                )

    page = same_cost(login("leader"), "/cases/ledger/", add)
    assert "20.00" in page and "50.00" in page


def test_the_ledger_statistics_sum_the_fees(actor, id_card, migration, login):
    accept(actor("officer"), id_card)
    accept(actor("officer"), id_card, fee={"channel": "waived", "waiver_basis": "低保对象"})
    accept(actor("officer"), migration)
    stats = token_client("leader").get(f"/api/v1/units/{id_card.unit_id}/ledger/statistics")
    assert stats.json()["fees_fen"] == 2000 and stats.json()["fines"] == 0


def test_the_receipt_prints_the_fee_its_basis_and_the_fine(
    login, actor, id_card, violations_officer, violation_case, client
):
    case = accept(actor("officer"), id_card)
    receipt = login("officer").get(f"/cases/{case.pk}/receipt/print/")
    text = receipt.content.decode()
    assert "20.00 元，窗口现金" in text and ID_CARD_BASIS in text
    assert chinese_problems(receipt) == []
    unpaid = accept(actor("officer"), id_card, fee=None)
    text = login("officer").get(f"/cases/{unpaid.pk}/receipt/print/").content.decode()
    assert "20.00 元（" in text and "发证前缴纳" in text
    fine = decide(violations_officer, violation_case)
    client.force_login(violations_officer.user)
    printed = client.get(f"/cases/{violation_case.pk}/receipt/print/")
    text = printed.content.decode()
    assert fine.number in text and "200.00" in text and "中国工商银行代收网点" in text
    assert "窗口不收取罚款" in text and VIOLATION_BASIS in text
    assert chinese_problems(printed) == []


# ---- the demo ----------------------------------------------------------------------------


def test_the_demo_shows_a_fee_case_and_fines_one_paid_at_the_bank(demo):
    from servicehall.cases.demo import seed_cases

    assert seed_cases() == 4
    assert CaseFee.objects.filter(case__matter__code="id-card-apply", amount_fen=2000).exists()
    assert CaseFee.objects.filter(case__matter__code="driving-licence-renew").exists()
    fines = FineDecision.objects.order_by("number")
    assert fines.count() == 2 and [f.paid for f in fines] == [True, False]
    assert seed_cases() == 0  # a second run changes nothing
