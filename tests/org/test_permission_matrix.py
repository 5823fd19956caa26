"""R-ORG-4: every role × every action, against the service layer's require()."""

import pytest

from servicehall.core.errors import Forbidden
from servicehall.org.choices import Role
from servicehall.org.models import Unit
from servicehall.org.permissions import CITIZEN, MATRIX, Action, require
from tests.helpers import raises_rule

# What the norms say, written out independently of the matrix so a slip in either shows.
NEVER_AUXILIARY = {
    Action.ACCEPT_CASE,
    Action.ISSUE_CERTIFICATE,
    Action.KEEP_SEAL,
    Action.KEEP_BLANK_CERTIFICATES,
    Action.HOLD_FEE_MONEY,
}
AUXILIARY_MAY = {
    Action.ANSWER_QUESTIONS,
    Action.FILE_ARCHIVES,
    Action.ENTER_DATA,
    Action.TAKE_ID_PHOTO,
}
ONLY_CITIZENS = {Action.RATE_SERVICE}  # staff must not rate themselves (R-FB-1)

# The demo login that holds each role (citizen: anonymous).
LOGIN_OF = {
    Role.ORGANIZER_ADMIN: "admin",
    Role.SECTOR_REVIEWER: "reviewer",
    Role.UNIT_LEADER: "leader",
    Role.DUTY_LEAD: "dutylead",
    Role.OFFICER: "officer",
    Role.AUXILIARY: "auxiliary",
    Role.INSPECTOR: "inspector",
    Role.SURVEYOR: "surveyor",
}


def test_the_matrix_names_every_role():
    assert set(MATRIX) == set(Role)


@pytest.mark.parametrize("role", list(Role))
def test_every_action_of_every_role_is_enforced_by_require(role, actor, demo):
    who = CITIZEN if role == Role.CITIZEN else actor(LOGIN_OF[role])
    assert who.role == role
    wrong = []
    for action in Action:
        # every demo login reaches 鼓楼派出所 (its own unit, its sector, or the whole city)
        try:
            require(who, action, unit=demo)
            allowed = True
        except Forbidden as exc:
            allowed = False
            assert exc.rule == "R-ORG-4" and str(exc), action
        if allowed != (action in MATRIX[role]):
            wrong.append(action.value)
    assert wrong == []


@pytest.mark.parametrize("action", sorted(NEVER_AUXILIARY))
def test_an_auxiliary_is_refused_the_five_prohibited_duties_with_the_reason(action, actor):
    with raises_rule("R-ORG-4", Forbidden) as exc:
        require(actor("auxiliary"), action)
    assert "辅警" in str(exc.value)


def test_an_auxiliary_may_do_the_assisting_work(actor):
    refused = []
    for action in AUXILIARY_MAY:
        try:
            require(actor("auxiliary"), action)
        except Forbidden as exc:
            refused.append((action.value, str(exc)))
    assert refused == []


def test_only_citizens_rate(actor):
    for role in Role:
        assert (Action.RATE_SERVICE in MATRIX[role]) == (role == Role.CITIZEN)


@pytest.mark.parametrize("username", ["leader", "dutylead", "officer", "auxiliary"])
def test_unit_roles_stop_at_their_own_unit(username, actor, demo):
    other = Unit.objects.get(code="kf-childrens-hospital")
    for action in MATRIX[actor(username).role] - {Action.VIEW_PUBLIC, Action.TAKE_TICKET}:
        with raises_rule("R-ORG-4", Forbidden):
            require(actor(username), action, unit=other)


def test_a_sector_reviewer_reaches_the_units_of_the_sector_only(actor):
    police = Unit.objects.get(code="kf-exit-entry")
    hospital = Unit.objects.get(code="kf-childrens-hospital")
    require(actor("reviewer"), Action.VIEW_REGISTRY, unit=police)
    with raises_rule("R-ORG-4", Forbidden):
        require(actor("reviewer"), Action.VIEW_REGISTRY, unit=hospital)


def test_an_account_without_a_staff_record_is_no_more_than_a_citizen(django_user_model):
    from servicehall.org.permissions import actor_for

    user = django_user_model.objects.create_user("stranger", password="x" * 12)
    assert actor_for(user).role == Role.CITIZEN


def test_an_inactive_staff_record_gives_no_staff_rights(actor, staff_of):
    officer = staff_of("kf-gulou-hukou", "041235")
    officer.active = False
    officer.save()
    assert actor("officer").role == Role.CITIZEN


def test_the_permissions_doc_is_generated_from_the_matrix():
    from django.conf import settings

    from servicehall.org.docs import permissions_markdown

    doc = (settings.PROJECT_DIR / "docs" / "permissions.md").read_text(encoding="utf-8")
    assert doc == permissions_markdown(), "run `servicehall permissions_doc`"
    for action in Action:
        assert f"`{action.value}`" in doc
