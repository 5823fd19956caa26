"""R-SUP-2 on a phone with no signal: the inspector scores an undercover visit offline, takes a
photo, finishes, reloads (the service worker keeps the form, IndexedDB the draft), goes online
and the draft syncs once; the unit sees nothing until the office publishes it, then the
deduction with its norm and photo, and the ledger has its points."""

import io
import time
from pathlib import Path

import pytest
from django.utils import timezone

from servicehall.demo.services import seed_demo
from servicehall.org.models import Unit
from servicehall.supervision import services
from servicehall.supervision.models import Checklist, Inspection, Notice, Photo
from servicehall.violations.models import SourceKind, Violation
from tests.supervision.conftest import ITEMS

from .test_org_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")


def _jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "#884422").save(buf, "JPEG")
    return buf.getvalue()


def _until(page, script, timeout=15):
    """Wait until the page's (async) script answers true: evaluate, not wait_for_function,
    so that a promise is awaited."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if page.evaluate(script):
            return
        time.sleep(0.2)
    raise AssertionError(f"never true: {script}")


def test_an_undercover_visit_scored_offline_syncs_once_and_is_seen_after_publishing(
    live_server, browser, settings, tmp_path
):
    seed_demo()
    settings.SERVICEHALL = {**settings.SERVICEHALL, "PRIVATE_MEDIA": str(tmp_path / "private")}
    from django.contrib.auth import get_user_model

    from servicehall.org.permissions import actor_for

    admin = actor_for(get_user_model().objects.get(username="admin"))
    unit = Unit.objects.get(code="kf-gulou-hukou")
    # 鼓楼's most particular checklist (its sector and kind), over the demo's police norms
    checklist = Checklist.objects.create(
        code="jxj-windows", name="交巡警窗口规范", sector=unit.sector, unit_kind=unit.kind
    )
    version = services.new_version(actor=admin, checklist=checklist, items=ITEMS)
    items = {i.code: i for i in version.items.all()}
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=1
    )
    page = context.new_page()
    log_in(page, base, "inspector")
    assert page.url.endswith("/supervision/visit/")  # the inspector's start page
    # the worker is active and keeps the page before the signal goes
    _until(page, "navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)")
    _until(page, "caches.match('/supervision/visit/').then((r) => !!r)")
    _until(page, "caches.match(document.querySelector('script[src*=visit]').src).then((r) => !!r)")
    page.screenshot(path=str(SHOTS / "offline-1-form.png"), full_page=True)

    page.check("input[name=kind][value=undercover]")
    page.select_option("select[name=unit]", str(unit.pk))
    assert page.input_value("select[name=version]") == str(version.pk)
    page.fill("input[name=place]", "鼓楼派出所户籍大厅")
    page.click("#start button[type=submit]")
    page.wait_for_selector("#editor:not([hidden]) .norm")

    context.set_offline(True)
    page.wait_for_function("document.getElementById('net').textContent.includes('离线')")
    card = f"article[data-item='{items['JXJ-5'].pk}']"
    page.click(f"{card} [data-verdict=deduct]")
    page.fill(f"{card} textarea[data-field=note]", "窗口人员未佩戴胸卡")
    page.set_input_files(
        f"{card} input[type=file]",
        files=[{"name": "badge.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}],
    )
    page.wait_for_selector(f"{card} .thumbs img")
    page.click(f"article[data-item='{items['JXJ-14'].pk}'] [data-verdict=pass]")
    page.click(f"article[data-item='{items['JXJ-16'].pk}'] [data-verdict=na]")
    assert "已评 3 / 3 项" in page.inner_text("#ed-progress")
    page.screenshot(path=str(SHOTS / "offline-2-scored.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the form is {width}px wide on a 390px phone"
    page.click("#finish")
    page.wait_for_selector("#list:not([hidden])")
    assert "待同步 1" in page.inner_text("#waiting")

    page.reload()  # still offline: the worker's copy of the page, the draft from IndexedDB
    page.wait_for_selector("#drafts li[data-status=ready]")
    assert "待同步 1" in page.inner_text("#waiting")
    assert "离线" in page.inner_text("#net")
    page.screenshot(path=str(SHOTS / "offline-3-reloaded-offline.png"), full_page=True)
    assert not Inspection.objects.exists()

    context.set_offline(False)
    page.wait_for_selector("#synced a.code", timeout=20000)
    inspection = Inspection.objects.get()
    assert inspection.number in page.inner_text("#synced")
    assert Photo.objects.filter(inspection=inspection).count() == 1
    assert inspection.kind == "undercover" and inspection.findings.count() == 3
    assert page.inner_text("#waiting").strip() in ("", "待同步 0")
    page.screenshot(path=str(SHOTS / "offline-4-synced.png"), full_page=True)
    page.reload()
    page.wait_for_selector("#synced a.code")
    assert Inspection.objects.count() == 1 and Photo.objects.count() == 1  # synced once
    context.close()

    detail = f"{base}/supervision/inspections/{inspection.number}/"
    leader = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    lp = leader.new_page()
    log_in(lp, base, "leader")
    assert lp.goto(detail).status == 404  # R-SUP-2: unpublished, it does not exist to the unit
    lp.goto(f"{base}/supervision/inspections/")
    assert inspection.number not in lp.inner_text("main")
    lp.screenshot(path=str(SHOTS / "offline-5-leader-before.png"), full_page=True)

    office = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    op = office.new_page()
    log_in(op, base, "admin")
    op.goto(detail)
    op.click("form[action$='/publish/'] button")
    op.wait_for_load_state("networkidle")
    assert "已发布" in op.inner_text("main")
    op.screenshot(path=str(SHOTS / "offline-6-published.png"), full_page=True)
    office.close()

    assert lp.goto(detail).status == 200
    text = lp.inner_text("main")
    assert "JXJ-5" in text and ITEMS[0]["text"] in text and "窗口人员未佩戴胸卡" in text
    lp.wait_for_function(
        "[...document.querySelectorAll('img.evidence')].every((i) => i.complete && i.naturalWidth)"
    )
    assert lp.locator("img.evidence").count() == 1
    lp.screenshot(path=str(SHOTS / "offline-7-leader-after.png"), full_page=True)
    # R-SUP-3: published with its deduction, the visit came with a notice and its deadline …
    notice = Notice.objects.get(inspection=inspection)
    lp.click(f"a[href$='/notices/{notice.number}/']")
    text = lp.inner_text("main")
    assert notice.number in text and "整改期限" in text and "JXJ-5" in text
    assert timezone.localtime(notice.due_at).strftime("%Y年%-m月%-d日") in text
    lp.screenshot(path=str(SHOTS / "offline-8-leader-notice.png"), full_page=True)
    # … and the points ledger shows the deduction, naming its source
    lp.goto(f"{base}/points/")
    text = lp.inner_text("main")
    assert f"{inspection.number}/JXJ-5" in text and unit.name in text
    lp.screenshot(path=str(SHOTS / "offline-9-leader-points.png"), full_page=True)
    leader.close()
    ledger = Violation.objects.filter(source_kind=SourceKind.INSPECTION)
    assert list(ledger.values_list("source_id", flat=True)) == [f"{inspection.number}/JXJ-5"]
