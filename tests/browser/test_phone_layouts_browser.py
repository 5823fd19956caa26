"""On a phone (390 px), in normal and large-text mode (大字模式), nothing is wider than the
screen and no table cell or title is squeezed to one character a line: data tables scroll
inside their own box."""

import pytest

from servicehall.demo.services import seed_demo

from .test_org_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390

# the page's width, and every cell or heading whose text wraps with fewer than 2 characters a
# line (CJK text broken after every character)
MEASURE = """() => {
  const squeezed = [];
  const all = "main td, main th, main h1, main h2, .board h1, header h1";
  for (const el of document.querySelectorAll(all)) {
    const text = el.innerText.trim();
    if (text.length < 2 || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    const font = parseFloat(style.fontSize);
    const r = el.getBoundingClientRect();
    const inner = r.width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const tops = [];  // the text's own line boxes, not the row's height nor a tag's padding
    const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
      if (node.parentElement.closest("details:not([open]) > :not(summary)")) continue;  // folded
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const box of range.getClientRects()) {
        const seen = tops.some((t) => Math.abs(t - box.top) < font * 0.6);
        if (box.width > 0 && !seen) tops.push(box.top);
      }
    }
    const lines = tops.length;
    const narrow = inner < 2 * font || text.length / lines < 2;
    if (lines > 1 && narrow) squeezed.push(text.slice(0, 24));
  }
  return {width: document.documentElement.scrollWidth, squeezed: squeezed};
}"""

PAGES = [
    ("leader", "/audit/", "audit"),
    ("leader", "/help/permissions/", "permissions"),
    (None, "/ratings/kf-gulou-hukou/", "ratings"),
    (None, "/guide/", "guide"),
    (None, "/board/kf-gulou-hukou/", "board"),
    ("leader", "/reviews/", "reviews"),
    (None, "/", "home"),
]


@pytest.fixture
def phone(browser):
    def _phone(large):
        context = browser.new_context(
            viewport={"width": WIDTH, "height": 844}, locale="zh-CN", device_scale_factor=1
        )
        if large:
            context.add_init_script("localStorage.setItem('servicehall.largeText', '1')")
        return context

    contexts = []

    def make(large=False):
        contexts.append(_phone(large))
        return contexts[-1].new_page()

    yield make
    for c in contexts:
        c.close()


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-text"])
def test_pages_fit_a_phone(live_server, phone, shot, large):
    seed_demo()
    page = phone(large)
    logged_in = None
    problems = {}
    for who, path, name in PAGES:
        if who is not None and who != logged_in:
            log_in(page, live_server.url, who)
            logged_in = who
        page.goto(live_server.url + path, wait_until="domcontentloaded")
        page.wait_for_timeout(300)
        if large and name != "board":  # the hall's board has no large-text switch
            assert page.evaluate("document.documentElement.classList.contains('large-text')")
        shot(page, f"phone-{name}{'-large' if large else ''}")
        found = page.evaluate(MEASURE)
        if found["width"] > WIDTH or found["squeezed"]:
            problems[path] = found
    assert problems == {}
    # the board's title has a line to itself: the unit's name is not broken up
    page.goto(live_server.url + "/board/kf-gulou-hukou/", wait_until="domcontentloaded")
    title = page.evaluate(
        "(() => { const h = document.querySelector('.board-head h1');"
        " const s = getComputedStyle(h);"
        " const line = parseFloat(s.lineHeight) || parseFloat(s.fontSize) * 1.2;"
        " return h.getBoundingClientRect().height / line; })()"
    )
    assert title < 1.6


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-text"])
def test_a_booking_and_the_case_intake_fit_a_phone(live_server, phone, shot, large):
    """The two forms a phone is most used for: the citizen's booking, whose check-in code
    must be read whole, and the officer's intake with its materials to tick."""
    from servicehall.catalog.models import Matter
    from servicehall.core.idnumbers import with_check_digit

    seed_demo()
    page = phone(large)
    page.goto(f"{live_server.url}/book/kf-gulou-hukou/")
    page.locator(".grid a.card").first.click()
    page.fill("#name", "赵丽")
    page.fill("#id_number", with_check_digit("41020319850612202"))
    page.fill("#phone", "13912345678")
    page.click("form.card button.btn")
    page.wait_for_selector(".ticket-number")
    shot(page, f"phone-booked{'-large' if large else ''}")
    code = page.locator(".ticket-number")
    box = code.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH  # the whole code on screen
    assert page.evaluate(MEASURE)["width"] <= WIDTH

    log_in(page, live_server.url, "officer")
    matter = Matter.objects.filter(unit__code="kf-gulou-hukou", materials__isnull=False).first()
    page.goto(f"{live_server.url}/cases/new/?matter={matter.pk}")
    shot(page, f"phone-intake{'-large' if large else ''}")
    found = page.evaluate(MEASURE)
    assert found["width"] <= WIDTH, found
    # each state a material can be in reads on one line, its radio beside its words
    lines = page.evaluate(
        """() => [...document.querySelectorAll('.materials-check label.choice')].filter(l => {
              const radio = l.querySelector('input').getBoundingClientRect();
              const range = document.createRange();
              range.selectNodeContents(l.lastChild);
              const words = [...range.getClientRects()];
              const font = parseFloat(getComputedStyle(l).fontSize);
              const mid = (r) => r.top + r.height / 2;
              return words.length !== 1 || Math.abs(mid(radio) - mid(words[0])) > font;
            }).map(l => l.innerText)"""
    )
    assert lines == []


def test_the_board_clock_keeps_beijing_time_on_a_display_set_to_utc(live_server, browser):
    import datetime as dt
    from zoneinfo import ZoneInfo

    seed_demo()
    context = browser.new_context(locale="zh-CN", timezone_id="UTC")
    page = context.new_page()
    page.goto(f"{live_server.url}/board/kf-gulou-hukou/")
    page.wait_for_function("document.getElementById('clock').textContent.includes(':')")
    shown = page.inner_text("#clock")
    now = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
    hours = {now.hour, (now - dt.timedelta(minutes=1)).hour}
    assert int(shown.split(":")[0]) in hours, shown
    context.close()
