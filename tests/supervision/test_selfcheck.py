"""R-SUP-4: a unit checks itself on four focus areas; each problem is fixed at once or planned
with a measure, an owner of the unit and a deadline; the unit leader signs it off once."""

import datetime as dt

import pytest
from django.utils import timezone

from servicehall.core.errors import Forbidden, InvalidInput, ServiceError
from servicehall.org.models import Staff
from servicehall.supervision import selfcheck
from servicehall.supervision.models import FocusArea, SelfFinding, SelfInspection
from tests.helpers import raises_rule


@pytest.fixture
def check(actor, demo, version):
    return selfcheck.start(actor=actor("leader"), unit=demo, held_on=timezone.localdate())


def _owner(unit):
    return Staff.objects.filter(unit=unit, active=True).order_by("pk").first()


def test_a_self_inspection_pins_the_current_norms(check, version):
    assert check.version == version
    assert check.by.user.username == "leader"


@pytest.mark.parametrize("missing", ["measure", "owner", "due_on"])
def test_a_problem_is_fixed_or_planned(actor, check, missing):
    planned = {
        "measure": "每日班前检查着装",
        "owner": _owner(check.unit),
        "due_on": check.held_on + dt.timedelta(days=7),
    }
    planned[missing] = None
    with raises_rule("R-SUP-4", InvalidInput) as info:
        selfcheck.add_finding(
            actor=actor("dutylead"),
            check=check,
            focus_area=FocusArea.ENVIRONMENT,
            problem="两人未佩戴胸卡",
            **planned,
        )
    assert set(info.value.errors) == {missing}
    assert not SelfFinding.objects.exists()


def test_fixed_at_once_needs_nothing_more(actor, check, version):
    item = version.items.get(code="JXJ-5")
    f = selfcheck.add_finding(
        actor=actor("dutylead"),
        check=check,
        focus_area=FocusArea.ENVIRONMENT,
        problem="一人未佩戴胸卡，当场佩戴",
        item=item,
        fixed_now=True,
    )
    assert f.fixed_now and f.owner is None and f.item == item


def test_the_norm_must_be_of_the_focus_area(actor, check, version):
    with raises_rule("R-SUP-4", InvalidInput) as info:
        selfcheck.add_finding(
            actor=actor("dutylead"),
            check=check,
            focus_area=FocusArea.ATTITUDE,
            problem="着装不规范",
            item=version.items.get(code="JXJ-5"),  # dress: the environment's
            fixed_now=True,
        )
    assert set(info.value.errors) == {"item"}


def test_the_deadline_is_not_before_the_day_held(actor, check):
    with raises_rule("R-SUP-4", InvalidInput) as info:
        selfcheck.add_finding(
            actor=actor("dutylead"),
            check=check,
            focus_area=FocusArea.RULES,
            problem="脱岗",
            measure="签到制度",
            owner=_owner(check.unit),
            due_on=check.held_on - dt.timedelta(days=1),
        )
    assert set(info.value.errors) == {"due_on"}


def test_the_owner_must_be_of_the_unit(actor, check):
    stranger = Staff.objects.exclude(unit=check.unit).exclude(unit=None).first()
    with raises_rule("R-SUP-4", InvalidInput) as info:
        selfcheck.add_finding(
            actor=actor("dutylead"),
            check=check,
            focus_area=FocusArea.SKILL,
            problem="业务不熟",
            measure="每周业务学习",
            owner=stranger,
            due_on=check.held_on + dt.timedelta(days=14),
        )
    assert set(info.value.errors) == {"owner"}


def _planned(actor, check, days=7):
    return selfcheck.add_finding(
        actor=actor("dutylead"),
        check=check,
        focus_area=FocusArea.SKILL,
        problem="业务不熟",
        measure="每周业务学习",
        owner=_owner(check.unit),
        due_on=check.held_on + dt.timedelta(days=days),
    )


def test_sign_off_by_the_leader_once_with_fixes_still_open(actor, check):
    f = _planned(actor, check)
    with raises_rule("R-ORG-4", Forbidden):
        selfcheck.sign_off(actor=actor("dutylead"), check=check)
    done = selfcheck.sign_off(actor=actor("leader"), check=check)
    assert done.signed_off_at and done.signed_off_by == actor("leader").staff
    with raises_rule("R-SUP-4", ServiceError):
        selfcheck.sign_off(actor=actor("leader"), check=check)
    # the open fix stays tracked after the sign-off, and is marked done later
    f = selfcheck.mark_done(actor=actor("dutylead"), finding=f, note="已组织学习三次")
    assert f.done_at and f.done_note
    with raises_rule(None, ServiceError):
        selfcheck.mark_done(actor=actor("dutylead"), finding=f, note="again")


def test_another_unit_may_not_touch_it(actor, check):
    other = Staff.objects.filter(role="unit_leader").exclude(unit=check.unit).first()
    from servicehall.org.permissions import actor_for

    with raises_rule("R-ORG-4", Forbidden):
        selfcheck.sign_off(actor=actor_for(other.user), check=check)
    with raises_rule("R-ORG-4", Forbidden):
        selfcheck.start(actor=actor("officer"), unit=check.unit, held_on=check.held_on)


def test_pages_by_role(login, actor, check):
    f = _planned(actor, check, days=0)
    SelfFinding.objects.filter(pk=f.pk).update(due_on=check.held_on - dt.timedelta(days=1))
    leader = login("leader")
    page = leader.get(f"/supervision/self/{check.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "业务不熟" in text and "已超期" in text  # the open fix past its deadline
    assert f"/supervision/self/{check.pk}/sign-off/" in text
    assert text.count("<section") == 4
    assert leader.get("/supervision/self/").status_code == 200
    assert login("officer").get("/supervision/self/").status_code == 403
    assert login("reviewer").get(f"/supervision/self/{check.pk}/").status_code == 200
    listing = login("inspector").get("/supervision/self/").content.decode()
    assert check.unit.name in listing


def test_the_form_refuses_a_planned_problem_without_owner(login, check):
    client = login("dutylead")
    page = client.post(
        f"/supervision/self/{check.pk}/",
        {"focus_area": "attitude", "problem": "态度生硬", "measure": "谈话提醒"},
    )
    assert page.status_code == 400
    assert not SelfFinding.objects.exists()
    page = client.post(
        f"/supervision/self/{check.pk}/",
        {"focus_area": "attitude", "problem": "态度生硬", "fixed_now": "on"},
    )
    assert page.status_code == 302 and SelfFinding.objects.count() == 1
    assert client.post(f"/supervision/self/{check.pk}/sign-off/").status_code == 403
    assert login("leader").post(f"/supervision/self/{check.pk}/sign-off/").status_code == 302
    assert SelfInspection.objects.get(pk=check.pk).signed_off_at is not None


def test_a_new_self_inspection_by_the_page(login, demo):
    client = login("leader")
    assert client.get("/supervision/self/new/").status_code == 200
    bad = client.post("/supervision/self/new/", {"held_on": "soon"})
    assert bad.status_code == 400 and not SelfInspection.objects.exists()


def test_the_self_inspection_pages_read_in_chinese(login, actor, check):
    from tests.web.test_every_page_in_chinese import problems

    _planned(actor, check)
    client = login("leader")
    for url in ("/supervision/self/", "/supervision/self/new/", f"/supervision/self/{check.pk}/"):
        page = client.get(url)
        assert page.status_code == 200
        assert problems(page.content.decode()) == [], url
    bad = login("dutylead").post(f"/supervision/self/{check.pk}/", {"focus_area": "rules"})
    assert bad.status_code == 400 and problems(bad.content.decode()) == []
