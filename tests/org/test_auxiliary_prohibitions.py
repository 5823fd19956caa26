"""R-ORG-4: an auxiliary never keeps the seal, blank certificates or fee money, never accepts
a case or issues a certificate, whatever the web UI or the API tries."""

import json

import pytest

from servicehall.org.models import ApiToken, Custody


def test_web_refuses_to_make_an_auxiliary_keeper_of_the_seal(login, demo, staff_of):
    client = login("leader")
    auxiliary = staff_of("kf-gulou-hukou", "FJ1201")
    keeper_before = Custody.objects.get(unit=demo, item="seal").holder
    response = client.post(
        f"/org/units/{demo.pk}/custody/", {"item": "seal", "holder": auxiliary.pk}, follow=True
    )
    assert (
        "辅警不得保管和使用户口专用章" in response.content.decode()
        or "辅警" in response.content.decode()
    )
    assert Custody.objects.get(unit=demo, item="seal").holder == keeper_before


@pytest.mark.parametrize("item", ["seal", "blank_certificates", "fee_money"])
def test_api_refuses_every_custody_item_to_an_auxiliary(login, demo, staff_of, item):
    client = login("leader")
    auxiliary = staff_of("kf-gulou-hukou", "FJ1202")
    response = client.post(
        f"/api/v1/units/{demo.pk}/custody",
        json.dumps({"item": item, "holder_id": auxiliary.pk}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 403
    body = response.json()
    assert body["rule"] == "R-ORG-4"
    assert "辅警" in body["detail"]
    assert not Custody.objects.filter(unit=demo, holder=auxiliary).exists()


def test_api_error_speaks_english_when_asked(login, demo, staff_of):
    client = login("leader")
    auxiliary = staff_of("kf-gulou-hukou", "FJ1202")
    response = client.post(
        f"/api/v1/units/{demo.pk}/custody",
        json.dumps({"item": "fee_money", "holder_id": auxiliary.pk}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 403
    assert "auxiliary may not hold fee money" in response.json()["detail"]


@pytest.mark.parametrize("action", ["accept_case", "issue_certificate"])
def test_an_auxiliary_token_is_refused_accepting_and_certifying(demo, action):
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.get(username="auxiliary")
    _token, key = ApiToken.issue(user=user, name="photo station")
    response = Client().post(
        "/api/v1/authorize",
        json.dumps({"action": action, "unit_id": demo.pk}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 403
    assert "辅警" in response.json()["detail"]


def test_an_officer_token_may_accept(demo):
    from django.contrib.auth import get_user_model
    from django.test import Client

    _token, key = ApiToken.issue(user=get_user_model().objects.get(username="officer"), name="t")
    response = Client().post(
        "/api/v1/authorize",
        json.dumps({"action": "accept_case", "unit_id": demo.pk}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 200


def test_the_keeper_of_the_seal_cannot_be_turned_into_an_auxiliary(login, demo, staff_of):
    client = login("leader")
    keeper = staff_of("kf-gulou-hukou", "041235")
    response = client.patch(
        f"/api/v1/staff/{keeper.pk}",
        json.dumps({"role": "auxiliary"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert response.json()["rule"] == "R-ORG-4"
    keeper.refresh_from_db()
    assert keeper.role == "officer"


def test_the_keeper_of_the_seal_cannot_be_turned_into_an_auxiliary_in_the_web_form(
    login, demo, staff_of
):
    client = login("leader")
    keeper = staff_of("kf-gulou-hukou", "041235")
    form = {
        "name": keeper.name,
        "badge_no": keeper.badge_no,
        "role": "auxiliary",
        "title": keeper.title,
        "window": keeper.window_id,
        "certified_on": keeper.certified_on.isoformat(),
        "phone": keeper.phone,
        "on_duty": "on",
        "active": "on",
    }
    response = client.post(f"/org/units/{demo.pk}/staff/{keeper.pk}/", form)
    assert response.status_code == 400  # the form comes back with the error next to the role
    refused = response.content.decode()
    assert "交给" in refused and "R-ORG-4" not in refused
    keeper.refresh_from_db()
    assert keeper.role == "officer"


def test_an_uncertified_officer_cannot_keep_the_seal(login, demo, staff_of):
    from servicehall.org.models import Staff

    client = login("leader")
    rookie = Staff.objects.create(
        unit=demo, badge_no="041299", name="新民警", role="officer", certified_on=None
    )
    response = client.post(
        f"/api/v1/units/{demo.pk}/custody",
        json.dumps({"item": "seal", "holder_id": rookie.pk}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Custody.objects.get(unit=demo, item="seal").holder != rookie


def test_an_officer_becomes_keeper(login, demo, staff_of):
    client = login("leader")
    other = staff_of("kf-gulou-hukou", "041236")
    response = client.post(
        f"/api/v1/units/{demo.pk}/custody",
        json.dumps({"item": "seal", "holder_id": other.pk}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert Custody.objects.get(unit=demo, item="seal").holder == other


def test_the_keeper_of_the_seal_keeps_their_certificate(login, demo, staff_of):
    keeper = staff_of("kf-gulou-hukou", "041235")
    response = login("leader").patch(
        f"/api/v1/staff/{keeper.pk}",
        json.dumps({"certified_on": None}),
        content_type="application/json",
    )
    assert response.status_code == 400
    keeper.refresh_from_db()
    assert keeper.certified_on is not None
