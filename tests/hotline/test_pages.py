"""The seat's call log page: ring, answer, record; masked numbers; unit scope (R-FB-5)."""

import pytest

from servicehall.complaints.models import Complaint
from servicehall.hotline import services
from servicehall.hotline.models import HotlineCall

from .conftest import CALLER, MASKED, REPORT


@pytest.fixture
def seat(client, operator):
    """The operator's browser, logged in."""
    client.force_login(operator.user)
    return client


def form(details):
    return {k: ("on" if v is True else v) for k, v in details.items()}


def test_the_page_renders_for_the_demo_officer(login, demo):
    page = login("officer").get("/hotline/")
    html = page.content.decode()
    assert page.status_code == 200
    assert demo.name in html and "你好，鼓楼派出所户籍窗口" in html
    assert 'id="ring-form"' in html and 'id="hl-seat"' not in html  # no hotline seats there


def test_ring_answer_and_record_a_report_call(seat, centre):
    html = seat.get("/hotline/").content.decode()
    assert "你好，开封110" in html and "请别紧张" in html
    two = centre.windows.get(number=2)
    assert f'<option value="{two.pk}" selected>' in html  # his posted seat
    assert seat.post("/hotline/ring/", {"caller_number": CALLER, "seat": two.pk}).status_code == 302
    call = HotlineCall.objects.get()
    assert call.seat == two and call.answered_at is None
    html = seat.get("/hotline/").content.decode()
    assert MASKED in html and CALLER not in html and f"/hotline/{call.pk}/answer/" in html
    answered = seat.post(f"/hotline/{call.pk}/answer/")
    assert answered.status_code == 302 and answered["Location"] == f"/hotline/{call.pk}/"
    html = seat.get("/hotline/").content.decode()  # his open call is in the form
    assert 'id="call-form"' in html and CALLER not in html
    saved = seat.post(f"/hotline/{call.pk}/", form(REPORT))
    assert saved.status_code == 302 and saved["Location"] == "/hotline/"
    call.refresh_from_db()
    assert call.complete and call.ended_at and call.greeted and call.outcome == "dispatched"
    html = seat.get("/hotline/").content.decode()
    assert f"#{call.pk}" in html and MASKED in html and CALLER not in html
    assert 'id="call-form"' not in html  # nothing open any more


def test_missing_elements_are_highlighted_on_save(seat, operator, centre):
    call = services.ring(actor=operator, unit=centre, caller_number=CALLER)
    services.answer(actor=operator, call=call)
    details = {**REPORT, "why": "", "callback_number": ""}
    refused = seat.post(f"/hotline/{call.pk}/", form(details))
    assert refused.status_code == 400  # R-FB-5: say why they are missing, or ask for them
    assert "请在此说明无法获取的原因" in refused.content.decode()
    reason = {"missing_reason": "来电人不愿留电话"}
    saved = seat.post(f"/hotline/{call.pk}/", form({**details, **reason}))
    assert saved["Location"] == f"/hotline/{call.pk}/"
    html = seat.get(saved["Location"]).content.decode()
    assert 'class="field missing"' in html and "msg-warning" in html
    assert html.count('class="field missing"') == 2  # why, callback number
    log = seat.get("/hotline/").content.decode()
    assert "hl-missing" in log


def test_a_complaint_call_on_the_page(seat, operator, centre):
    call = services.ring(actor=operator, unit=centre, caller_number=CALLER)
    services.answer(actor=operator, call=call)
    details = {
        "kind": "complaint",
        "complainant_name": "李红",
        "complainant_phone": "13712345678",
        "complaint_text": "窗口民警态度生硬。",
    }
    saved = seat.post(f"/hotline/{call.pk}/", details, follow=True)
    complaint = Complaint.objects.get()
    assert complaint.channel == "hotline" and complaint.code in saved.content.decode()
    assert "13712345678" not in seat.get("/hotline/").content.decode()


def test_bad_input_on_the_page_changes_nothing(seat, operator, centre):
    call = services.ring(actor=operator, unit=centre, caller_number=CALLER)
    services.answer(actor=operator, call=call)
    refused = seat.post(f"/hotline/{call.pk}/", form({**REPORT, "kind": "", "outcome": "x"}))
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "鼓楼街18号门口" in html  # what was typed stays in the form
    assert html.count('class="errorlist"') >= 3  # the summary, kind, outcome
    call.refresh_from_db()
    assert call.kind == "" and call.where == "" and call.recorded_at is None
    assert seat.post("/hotline/ring/", {"caller_number": "abc"}).status_code == 302
    assert HotlineCall.objects.count() == 1


def test_an_officer_of_another_unit_gets_the_forbidden_page(login, operator, centre):
    call = services.ring(actor=operator, unit=centre, caller_number=CALLER)
    client = login("officer")  # 鼓楼派出所
    for response in (
        client.get(f"/hotline/{call.pk}/"),
        client.post(f"/hotline/{call.pk}/answer/"),
        client.post(f"/hotline/{call.pk}/", form(REPORT)),
    ):
        assert response.status_code == 403
        assert CALLER not in response.content.decode()
    call.refresh_from_db()
    assert call.answered_at is None and call.kind == ""
    assert centre.name not in client.get("/hotline/").content.decode()


@pytest.mark.parametrize("username", ["auxiliary", "admin", "inspector"])
def test_who_may_not_take_calls_is_refused(login, username):
    assert login(username).get("/hotline/").status_code == 403


def test_the_admin_lists_calls_read_only_and_masked(login, operator, centre):
    call = services.ring(actor=operator, unit=centre, caller_number=CALLER)
    client = login("admin")
    listing = client.get("/admin/hotline/hotlinecall/")
    assert listing.status_code == 200 and MASKED in listing.content.decode()
    detail = client.get(f"/admin/hotline/hotlinecall/{call.pk}/change/")
    assert detail.status_code == 200 and CALLER not in detail.content.decode()
    assert client.get("/admin/hotline/hotlinecall/add/").status_code == 403


def test_a_save_over_a_colleagues_later_save_is_refused_then_allowed(seat, operator, centre):
    call = services.ring(actor=operator, unit=centre, caller_number=CALLER)
    services.answer(actor=operator, call=call)
    shown = seat.get(f"/hotline/{call.pk}/").content.decode()
    assert 'name="version" value=""' in shown  # the form as first shown
    # a colleague saves the call meanwhile
    services.record(actor=operator, call=call, details={"kind": "report", "where": "书店街"})
    mine = form(REPORT) | {"where": "鼓楼街", "version": ""}
    response = seat.post(f"/hotline/{call.pk}/", mine)
    assert response.status_code == 400
    call.refresh_from_db()
    assert call.where == "书店街"  # the colleague's save stands
    # the page now carries the colleague's version: saving again is a choice, made seeing it
    html = response.content.decode()
    version = html.split('name="version" value="')[1].split('"')[0]
    assert version == call.recorded_at.isoformat()
    assert seat.post(f"/hotline/{call.pk}/", mine | {"version": version}).status_code == 302
    call.refresh_from_db()
    assert call.where == "鼓楼街"
