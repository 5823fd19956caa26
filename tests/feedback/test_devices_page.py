"""The unit leader's page of rating devices (R-FB-1): enrol one at a window and see its
pairing code once, pair it again, revoke it; nobody else may."""

import re

from django.urls import reverse

from servicehall.feedback.models import RatingDevice
from servicehall.org.models import Window


def _code(page: str) -> str:
    return re.search(r'class="pairing-code">([A-Z0-9-]+)<', page).group(1)


def test_the_leader_enrols_a_device_and_sees_its_code_once(login, demo, client):
    leader = login("leader")
    url = reverse("rating_devices")
    w2 = demo.windows.get(number=2)
    done = leader.post(url, {"act": "enroll", "window": w2.pk, "name": "2号窗口平板"}, follow=True)
    page = done.content.decode()
    assert done.redirect_chain == [(url, 302)] and "2号窗口平板" in page
    code = _code(page)
    assert "配对码只显示这一次" in page
    assert "pairing-code" not in leader.get(url).content.decode()  # once only
    device = RatingDevice.objects.get(window=w2)
    assert device.state == "waiting"
    leader.logout()
    assert client.post(reverse("screen"), {"code": code}).status_code == 302
    device.refresh_from_db()
    assert device.state == "paired"


def test_the_leader_rotates_and_revokes(login, demo):
    leader = login("leader")
    url = reverse("rating_devices")
    leader.post(url, {"act": "enroll", "window": demo.windows.get(number=2).pk})
    device = RatingDevice.objects.get()
    again = leader.post(url, {"act": "pair_again", "device": device.pk}, follow=True)
    assert _code(again.content.decode())
    leader.post(url, {"act": "revoke", "device": device.pk})
    device.refresh_from_db()
    assert device.state == "revoked" and device.revoked_by.user.username == "leader"
    refused = leader.post(url, {"act": "pair_again", "device": device.pk})
    assert refused.status_code == 400 and "已停用" in refused.content.decode()


def test_nobody_else_enrols_and_no_other_units_window(login, demo):
    url = reverse("rating_devices")
    for who in ("officer", "dutylead", "auxiliary", "inspector"):
        assert login(who).get(url).status_code == 403, who
    leader = login("leader")
    elsewhere = Window.objects.exclude(unit=demo).first()
    for bad in (
        {"act": "enroll", "window": elsewhere.pk},
        {"act": "enroll", "window": "abc"},
        {"act": "revoke", "device": "99999"},
        {"act": "zzz", "device": "1"},
    ):
        answer = leader.post(url, bad)
        assert answer.status_code == 400, bad
        assert "请选择本单位" in answer.content.decode()
    assert not RatingDevice.objects.exists()


def test_the_console_says_whether_its_window_has_a_device(login, demo):
    from tests.conftest import pair_device

    officer = login("officer")
    assert "评价器未配对" in officer.get(reverse("console")).content.decode()
    pair_device(demo.windows.get(number=2))
    assert "评价器已配对" in officer.get(reverse("console")).content.decode()
