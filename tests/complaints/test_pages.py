"""The public complaint form and status lookup, and the unit's pages (R-FB-2, R-FB-3)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from servicehall.complaints import services
from servicehall.complaints.models import Complaint, Opening
from servicehall.org.permissions import CITIZEN


def post_web(client, demo, **kw):
    data = {
        "kind": "complaint",
        "unit": demo.pk,
        "window_number": "2",
        "badge_no": "041235",
        "category": "attitude",
        "description": "叫号后窗口没人，等了二十分钟",
        "name": "李明",
        "phone": "13812345678",
    } | kw
    return client.post(reverse("complaint_new"), data, follow=True)


def test_citizen_files_on_the_web_and_follows_by_code(client, demo):
    response = post_web(client, demo)
    assert response.status_code == 200
    c = Complaint.objects.get(description__startswith="叫号后窗口没人")
    assert (c.channel, c.window.number, c.staff.badge_no) == ("web", 2, "041235")
    assert c.code in response.content.decode()
    page = client.get(reverse("complaint_status"), {"code": c.code.lower()}).content.decode()
    assert c.code in page
    assert timezone.localtime(c.due_at).strftime("%Y-%m-%d %H:%M") in page  # answer due
    assert "李明" not in page and "13812345678" not in page  # never who filed it


def test_bad_web_input_is_named_and_stores_nothing(client, demo):
    before = Complaint.objects.count()
    page = post_web(client, demo, badge_no="999999", description="").content.decode()
    assert "999999" in page  # the badge nobody wears is named
    assert Complaint.objects.count() == before


def test_robots_filling_the_hidden_field_store_nothing(client, demo):
    before = Complaint.objects.count()
    post_web(client, demo, website="http://spam.example")
    assert Complaint.objects.count() == before


def test_unknown_code_says_so(client, demo):
    page = client.get(reverse("complaint_status"), {"code": "TS-2222-2222"}).content.decode()
    assert "TS-7K3Q-X9MD" in page  # the hint shows what a code looks like


def test_list_masks_the_complainant(login, demo):
    services.file(
        actor=CITIZEN,
        kind="complaint",
        channel="web",
        unit=demo,
        category="delay",
        description="办理进度太慢",
        name="张三丰",
        phone="13912345678",
    )
    page = login("leader").get(reverse("complaints")).content.decode()
    assert "张**" in page and "139****5678" in page
    assert "13912345678" not in page and "张三丰" not in page


def test_leader_investigates_and_answers_on_the_page(login, demo):
    c = services.file(
        actor=CITIZEN,
        kind="complaint",
        channel="web",
        unit=demo,
        category="attitude",
        description="态度恶劣",
    )
    client = login("leader")
    url = reverse("complaint", args=[c.code])
    client.post(
        url,
        {
            "step": "investigate",
            "finding": "属实",
            "substantiated": "yes",
            "badge_no": "041235",
            "points": "3",
        },
    )
    c.refresh_from_db()
    violation = services.violation_of(c)
    assert c.substantiated is True and violation.points == 3
    assert violation.staff.badge_no == "041235"
    client.post(url, {"step": "answer", "answer": "已批评教育，感谢监督"})
    c.refresh_from_db()
    assert c.status == "answered"


def test_officer_registers_a_phone_complaint(login, demo):
    client = login("officer")
    response = client.post(
        reverse("complaint_register"),
        {
            "channel": "phone",
            "kind": "suggestion",
            "unit": demo.pk,
            "description": "希望增加自助拍照机",
            "phone": "0371-22334455",
        },
    )
    c = Complaint.objects.get(description="希望增加自助拍照机")
    assert response.status_code == 302 and c.channel == "phone"
    assert c.received_by.badge_no == "041235"


def test_opening_with_items_on_the_page(login, demo):
    client = login("leader")
    data = {
        "container": "box",
        "opened_at": "2026-11-20T09:00",
        "witnesses": "王建国、赵敏",
        "item-TOTAL_FORMS": "3",
        "item-INITIAL_FORMS": "0",
        "item-0-kind": "complaint",
        "item-0-category": "fees",
        "item-0-description": "复印收费没有公示",
        "item-1-kind": "complaint",
        "item-2-kind": "complaint",
    }
    response = client.post(reverse("complaint_openings"), data)
    assert response.status_code == 302
    opening = Opening.objects.get(unit=demo, witnesses="王建国、赵敏")
    assert opening.items_found == 1
    assert opening.items.get().description == "复印收费没有公示"


@pytest.mark.parametrize("username", ["auxiliary", "surveyor"])
def test_others_may_not_see_the_list(login, username):
    assert login(username).get(reverse("complaints")).status_code == 403


def test_a_second_finding_on_the_page_is_refused_not_a_crash(login, demo):
    c = services.file(
        actor=CITIZEN,
        kind="complaint",
        channel="web",
        unit=demo,
        category="attitude",
        description="态度恶劣",
    )
    client = login("leader")
    url = reverse("complaint", args=[c.code])
    post = {"step": "investigate", "finding": "属实", "substantiated": "yes"}
    client.post(url, post)
    again = client.post(url, post | {"substantiated": "no"})
    assert again.status_code == 200
    c.refresh_from_db()
    assert c.substantiated is True


def test_staff_logged_in_on_a_hall_pc_can_still_use_the_public_form(login, demo):
    response = post_web(login("officer"), demo, description="大厅空调坏了一周")
    assert response.status_code == 200
    assert Complaint.objects.get(description="大厅空调坏了一周").channel == "web"
