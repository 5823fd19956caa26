"""In Chromium: take a ticket at the kiosk → the console calls it → the board shows the call
within one second → the staff member pauses and the board shows 暂停服务."""

import socket
import threading
import time

import pytest

from servicehall.demo.services import seed_demo

from .conftest import pair_screen
from .test_org_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def event_server(settings):
    """The SSE event server in a thread of this process (it shares the test database)."""
    import uvicorn

    from servicehall.web.events import app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    settings.SERVICEHALL = {**settings.SERVICEHALL, "EVENTS_URL": f"http://127.0.0.1:{port}/events"}
    yield port
    server.should_exit = True
    thread.join(timeout=5)


def test_kiosk_console_board_and_pause(live_server, browser, event_server, shot):
    seed_demo()
    base = live_server.url
    citizen = browser.new_context(viewport={"width": 1080, "height": 1920}, locale="zh-CN")
    kiosk = citizen.new_page()
    kiosk.goto(f"{base}/kiosk/kf-gulou-hukou/")
    shot(kiosk, "kiosk")
    kiosk.click("button.kiosk-button:has-text('户籍业务')")
    kiosk.wait_for_load_state("networkidle")
    assert kiosk.inner_text(".ticket-number") == "A001"
    shot(kiosk, "kiosk-ticket")

    hall = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    board = hall.new_page()
    board.goto(f"{base}/board/kf-gulou-hukou/")
    board.wait_for_function(
        "document.getElementById('link').classList.contains('up')", timeout=10000
    )

    staff = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    console = staff.new_page()
    log_in(console, base, "officer")
    console.goto(f"{base}/console/")
    console.click("#sign-in")
    console.wait_for_function("document.getElementById('status').textContent.trim() !== '已关闭'")
    console.keyboard.press("n")  # call next, from the keyboard
    console.wait_for_function("document.getElementById('ticket').textContent === 'A001'")
    called = time.monotonic()
    board.wait_for_selector("#calls li.latest[data-ticket='A001']", timeout=1000)
    assert time.monotonic() - called < 1.0
    shot(board, "board-call")
    shot(console, "console")

    console.keyboard.press("s")
    console.wait_for_function(
        "document.getElementById('ticket-state').textContent.startsWith('办理中')"
    )
    console.keyboard.press("f")
    console.wait_for_function("document.getElementById('ticket').textContent === '—'")
    console.fill("form[data-form='pause'] input[name=reason]", "去档案室取材料")
    console.click("#pause")
    w2 = board.locator("#windows li", has_text="2号窗口")
    w2.locator(".state", has_text="暂停服务").wait_for(timeout=5000)
    shot(board, "board-paused")
    for context in (citizen, hall, staff):
        context.close()


def test_the_citizen_screen_follows_the_intake(live_server, browser, event_server, shot):
    """一机双屏: the screen facing the citizen shows their number, then what the window enters
    for them, with the ID masked."""
    from servicehall.catalog.models import Matter
    from servicehall.queueing import services
    from servicehall.queueing.models import Queue

    seed_demo()
    base = live_server.url
    services.take_ticket(queue=Queue.objects.get(unit__code="kf-gulou-hukou", letter="A"))
    staff = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    console = staff.new_page()
    log_in(console, base, "officer")
    console.goto(f"{base}/console/")
    console.click("#sign-in")
    console.wait_for_function("document.getElementById('status').textContent.trim() !== '已关闭'")
    facing = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    pair_screen(facing, base)
    screen = facing.new_page()
    screen.goto(f"{base}/screen/")
    screen.wait_for_function(
        "document.getElementById('link').classList.contains('up')", timeout=10000
    )
    console.keyboard.press("n")
    console.wait_for_function("document.getElementById('ticket').textContent === 'A001'")
    screen.wait_for_function(
        "document.getElementById('ticket').textContent === 'A001'", timeout=10000
    )
    matter = Matter.objects.filter(unit__code="kf-gulou-hukou", materials__isnull=False).first()
    intake = staff.new_page()
    intake.goto(f"{base}/cases/new/?matter={matter.pk}")
    intake.fill("input[name=applicant_name]", "李小明")
    intake.fill("input[name=id_number]", "410203199001011234")
    intake.locator("input[type=radio][value=missing]").first.check()
    screen.wait_for_function(
        "document.getElementById('id-number').textContent === '4102**********1234'", timeout=5000
    )
    assert "410203199001011234" not in screen.content()
    assert screen.locator("#materials tr.material-missing").count() == 1
    shot(screen, "citizen-screen")
    for context in (staff, facing):
        context.close()


def test_reception_issues_a_green_number_and_the_hall_sees_it_called(
    live_server, browser, event_server, shot
):
    seed_demo()
    base = live_server.url
    staff = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = staff.new_page()
    log_in(page, base, "officer")
    page.goto(f"{base}/console/reception/")
    page.select_option("select[name=queue]", label="A 户籍业务")
    page.check("input[name=green_channel]")
    page.click("#issue")
    page.wait_for_selector("#issued .ticket-number")
    label = page.inner_text("#issued .ticket-number")
    assert label == "A001" and "绿色通道" in page.inner_text("#issued")
    shot(page, "reception")

    lead = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    hall = lead.new_page()
    log_in(hall, base, "dutylead")
    hall.goto(f"{base}/console/hall/")
    console = staff.new_page()
    console.goto(f"{base}/console/")
    console.click("#sign-in")
    console.wait_for_function("document.getElementById('status').textContent.trim() !== '已关闭'")
    console.keyboard.press("n")
    card = hall.locator("#hall [data-window]", has_text="2号窗口")
    card.locator(".current", has_text=label).wait_for(timeout=10000)
    shot(hall, "hall-live")
    for context in (staff, lead):
        context.close()
