"""In Chromium: printed documents come out on the paper they are made for, and handing a
case over lands the officer on its receipts, ready to print."""

import io

import pytest
from pypdf import PdfReader

from servicehall.cases.models import Case
from servicehall.catalog.models import Matter
from servicehall.core.idnumbers import with_check_digit
from servicehall.demo.services import seed_demo
from servicehall.org.models import Staff

from .test_org_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MM = 72 / 25.4  # PDF points per millimetre


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Every page's width and height in millimetres, read with pypdf."""
    reader = PdfReader(io.BytesIO(pdf))
    return [(float(p.mediabox.width) / MM, float(p.mediabox.height) / MM) for p in reader.pages]


@pytest.mark.parametrize(("size", "mm"), [("a6", (105, 148)), ("a4", (210, 297))])
def test_the_service_card_prints_on_its_paper_size(live_server, page, shot, size, mm):
    seed_demo()
    page.goto(f"{live_server.url}/guide/passport-issue/card/?size={size}")
    page.emulate_media(media="print")
    shot(page, f"service-card-{size}")
    sizes = page_sizes(page.pdf(prefer_css_page_size=True))
    assert len(sizes) == 1  # the card is one sheet
    (width, height) = sizes[0]
    assert abs(width - mm[0]) < 1 and abs(height - mm[1]) < 1


def test_a_printed_receipt_is_an_a4_page(live_server, page):
    seed_demo()
    from servicehall.cases import services
    from servicehall.org.permissions import actor_for
    from tests.cases.conftest import APPLICANT, all_presented

    matter = Matter.objects.get(code="hukou-migration-city")
    officer = Staff.objects.get(user__username="officer")
    case = services.intake(
        actor=actor_for(officer.user),
        matter=matter,
        applicant=APPLICANT,
        checks=all_presented(matter),
        outcome="accepted",
    )
    log_in(page, live_server.url, "officer")
    page.goto(f"{live_server.url}/cases/{case.pk}/receipt/print/")
    sizes = page_sizes(page.pdf(prefer_css_page_size=True))
    (width, height) = sizes[0]
    assert abs(width - 210) < 1 and abs(height - 297) < 1
    # the status QR code and the rating QR code (一事一评), on the one sheet
    assert len(sizes) == 1 and page.locator(".qr svg").count() == 2
    assert page.locator(".rate-row .qr svg").count() == 1


def test_hand_over_and_print_opens_the_receipts(live_server, page, shot):
    seed_demo()
    base = live_server.url
    matter = Matter.objects.get(code="hukou-migration-city")
    log_in(page, base, "officer")
    page.goto(f"{base}/cases/new/?matter={matter.pk}")
    page.fill("#id_applicant_name", "赵丽")
    page.fill("#id_id_number", with_check_digit("41020319850612202"))
    page.fill("#id_phone", "13912345678")
    for m in matter.materials.all():
        page.check(f"input[name=m{m.pk}][value={'presented' if m.required else 'not_applicable'}]")
    page.check("input[name=outcome][value=accepted]")
    with page.expect_navigation():
        page.click("form.card button[type=submit]")
    case = Case.objects.get(applicant_name="赵丽")
    page.click("#handoff-details summary")
    page.select_option("#id_to_window", str(matter.unit.windows.get(number=1).pk))
    page.fill("#id_task", "请所领导先行审阅迁入材料")
    with page.expect_navigation():
        page.click("form[action$='/refer/'] button")
    referral = case.referrals.get()
    assert page.url.endswith(f"/cases/referrals/{referral.pk}/both/print/")
    body = page.inner_text("body")
    assert referral.slip_number in body and referral.handoff_number in body
    assert page.locator("h1").all_inner_texts() == ["受理登记单", "交办单"]
    shot(page, "handoff-both-receipts")
