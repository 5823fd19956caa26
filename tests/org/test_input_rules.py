"""Staff phones and registry names are checked wherever they come in (issue 12): the API, any
model form (the web forms and the admin), the service and the Excel import refuse a phone
such as "abc<>*" and a name with a control character, in Chinese, changing nothing."""

import copy
import json

import pytest
from django.contrib.auth import get_user_model
from django.forms import modelform_factory
from django.test import Client

from servicehall.core.errors import InvalidInput
from servicehall.org import services
from servicehall.org.models import ApiToken, Staff, Unit, Window
from servicehall.org.permissions import actor_for
from tests.helpers import raises_rule

from .test_import_export import GOOD, filled_template

BAD_NAMES = ["林\x00一", "林\x1b[31m一", "林\u200b一", "林\u202e一", "林\x07"]


def _api(username="leader"):
    _token, key = ApiToken.issue(user=get_user_model().objects.get(username=username), name="t")
    return Client(
        HTTP_AUTHORIZATION=f"Bearer {key}",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        raise_request_exception=False,
    )


def _post(client, path, body):
    return client.post(f"/api/v1{path}", json.dumps(body), content_type="application/json")


def _staff(**extra):
    return {"name": "林一", "badge_no": "099001", "role": "officer", **extra}


@pytest.mark.parametrize("phone", ["abc<>*", "138****5678", "1381234567x", "<script>"])
def test_the_api_refuses_a_staff_phone_that_is_no_number(demo, phone):
    before = Staff.objects.count()
    response = _post(_api(), f"/units/{demo.pk}/staff", _staff(phone=phone))
    assert response.status_code == 400, response.content
    assert "电话" in response.json()["errors"]["phone"][0] or "手机" in response.content.decode()
    assert Staff.objects.count() == before


@pytest.mark.parametrize("name", BAD_NAMES)
def test_the_api_refuses_control_characters_in_names(demo, name):
    client = _api()
    before = (Staff.objects.count(), Window.objects.count())
    response = _post(client, f"/units/{demo.pk}/staff", _staff(name=name))
    assert response.status_code == 400, response.content
    assert "控制字符" in response.json()["errors"]["name"][0]
    response = _post(client, f"/units/{demo.pk}/windows", {"number": 77, "function": name})
    assert response.status_code == 400, response.content
    assert "控制字符" in response.json()["errors"]["function"][0]
    assert (Staff.objects.count(), Window.objects.count()) == before


def test_a_patch_is_checked_the_same(demo):
    staff = Staff.objects.filter(unit=demo).first()
    client = _api()
    for body in ({"phone": "abc<>*"}, {"name": "王\x1b五"}, {"title": "民警\u200b"}):
        response = client.patch(
            f"/api/v1/staff/{staff.pk}", json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 400, (body, response.content)
    staff.refresh_from_db()
    assert "\x1b" not in staff.name and staff.phone != "abc<>*"


def test_the_service_refuses_for_every_caller(demo):
    actor = actor_for(get_user_model().objects.get(username="leader"))
    with raises_rule(None, InvalidInput, match="控制字符") as refused:
        services.save_record(
            actor=actor,
            instance=Staff(
                unit=demo, name="林\x00一", badge_no="099002", role="officer", phone="a"
            ),
        )
    assert set(refused.value.errors) >= {"name", "phone"}
    unit = Unit.objects.get(pk=demo.pk)
    unit.name = "鼓楼\x1b派出所"
    with raises_rule(None, InvalidInput, match="控制字符") as refused:
        services.save_record(actor=actor, instance=unit)
    assert "name" in refused.value.errors


@pytest.mark.parametrize(
    "data, field",
    [({"name": "林一", "phone": "abc<>*"}, "phone"), ({"name": "林\x1b一", "phone": ""}, "name")],
)
def test_any_model_form_refuses_them(demo, data, field):
    """The web forms and the admin are model forms: the fields' validators run in each."""
    form = modelform_factory(Staff, fields=["name", "phone"])(data=data)
    assert not form.is_valid()
    assert field in form.errors


def _import(login, staff_row_changes):
    rows = copy.deepcopy(GOOD)
    for index, value in staff_row_changes.items():
        rows["staff"][0][index] = value
    return login("admin").post("/org/import/", {"file": filled_template(rows)}, follow=True)


@pytest.mark.parametrize("changes", [{9: "abc<>*"}, {9: "13*<>"}, {3: "林\u200b一"}])
def test_the_import_refuses_them(login, demo, changes):
    response = _import(login, changes)
    assert response.status_code in (200, 400)
    assert not Unit.objects.filter(code="xh-hukou").exists()
    assert not Staff.objects.filter(badge_no="051001").exists()


def test_a_masked_phone_from_an_export_still_reimports(login, demo):
    response = _import(login, {9: "138****2222"})
    assert response.status_code == 200
    assert Staff.objects.get(badge_no="051001").phone == ""
