"""R-CAT-1..3: matters with their limits and fees, the public guide, printable service cards."""

import pytest
from django.core.exceptions import ValidationError

from servicehall.catalog.models import Matter
from servicehall.core.errors import InvalidInput
from servicehall.org import services as org_services
from tests.helpers import raises_rule


def test_a_promise_longer_than_the_law_is_refused(demo):
    matter = Matter.objects.get(code="passport-issue")  # statutory 15 calendar days
    matter.promised_n = 20
    with pytest.raises(ValidationError) as exc:
        matter.full_clean()
    assert "promised_n" in exc.value.message_dict
    assert "法定时限" in exc.value.message_dict["promised_n"][0]


def test_the_same_rule_holds_through_the_service_for_the_unit_leader(actor, demo):
    matter = Matter.objects.get(code="hukou-migration-city")  # statutory 20 working days
    matter.promised_n = 21
    with raises_rule(None, InvalidInput, match="法定时限") as exc:
        org_services.save_record(actor=actor("leader"), instance=matter)
    assert "promised_n" in exc.value.errors
    matter.refresh_from_db()
    assert matter.promised_n == 8


def test_a_fee_needs_its_legal_basis(demo):
    matter = Matter.objects.get(code="household-certificate")
    matter.fee_fen = 500
    with pytest.raises(ValidationError) as exc:
        matter.full_clean()
    assert "fee_basis" in exc.value.message_dict


def test_another_units_leader_cannot_edit_a_matter(actor, demo):
    from servicehall.core.errors import Forbidden

    matter = Matter.objects.get(code="passport-issue")
    matter.promised_n = 5
    with raises_rule("R-ORG-4", Forbidden):
        org_services.save_record(actor=actor("leader"), instance=matter)


def test_the_public_guide_lists_and_searches(client, demo):
    page = client.get("/guide/").content.decode()
    assert "普通护照签发" in page and "鼓楼派出所户籍窗口" in page
    page = client.get("/guide/", {"q": "户口簿"}).content.decode()  # by material
    assert "户口迁移（市内）" in page and "普通护照签发" not in page


def test_the_guide_page_lists_materials_steps_limits_and_fees(client, demo):
    page = client.get("/guide/hukou-migration-city/").content.decode()
    for text in ("居民户口簿", "社区民警调查核实", "8 工作日", "免费", "投靠亲属落户时"):
        assert text in page, text
    page = client.get("/guide/passport-issue/").content.decode()
    assert "120.00" in page and "最多跑动 3 次" in page


def test_the_guide_is_in_english_too(client, demo):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/guide/passport-issue/").content.decode()
    assert "Ordinary passport" in page and "Materials" in page


@pytest.mark.parametrize("size", ["a6", "a4"])
def test_service_cards_print_with_a_qr_code_to_the_guide(client, demo, size):
    page = client.get(f"/guide/passport-issue/card/?size={size}").content.decode()
    assert "<svg" in page and "服务名片" in page
    assert {"a6": "size: 105mm 148mm", "a4": "size: 210mm 297mm"}[size] in page
    assert "http://testserver/guide/passport-issue/" in page


def test_the_api_lists_matters_without_login(client, demo):
    body = client.get("/api/v1/matters", {"unit": "kf-exit-entry"}).json()
    assert {m["code"] for m in body} == {"passport-issue", "hk-macao-permit"}
    detail = client.get("/api/v1/matters/hukou-migration-city").json()
    assert [s["limit_n"] for s in detail["steps"]] == [2, 3, 2, 1]  # R-TIME-2
    assert detail["steps"][1]["pausable"]


def test_every_demo_unit_with_windows_for_citizens_has_matters(demo):
    from servicehall.org.models import Unit

    without = [u.code for u in Unit.objects.exclude(code="kf-110") if not u.matters.exists()]
    assert without == []


def test_the_service_card_qr_code_encodes_the_public_base_url(client, demo, settings):
    import re

    import segno

    settings.SERVICEHALL = {**settings.SERVICEHALL, "PUBLIC_URL": "https://zwfw.kaifeng.gov.cn"}
    page = client.get("/guide/passport-issue/card/").content.decode()
    url = "https://zwfw.kaifeng.gov.cn/guide/passport-issue/"
    assert url in page and "testserver" not in page
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert svg == segno.make(url, error="m").svg_inline(scale=3, dark="#111")
