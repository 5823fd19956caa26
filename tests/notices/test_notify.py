"""notify() is the one way to tell people: each once, never an inactive account, the text cut
to its column; who_must_hear() says who must hear about a unit."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from servicehall.notices.models import Notification
from servicehall.notices.services import notify, who_must_hear
from servicehall.org.models import Staff
from servicehall.queueing.models import DutyAssignment
from servicehall.queueing.services import duty_leads

User = get_user_model()
KIND = Notification.Kind.OVER_VISITS


def users(*names):
    return [User.objects.get(username=n) for n in names]


def told(kind=KIND):
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True)
    )


def test_each_recipient_is_told_once_whether_named_by_account_or_id(demo):
    leader, officer = users("leader", "officer")
    n = notify(
        recipients=[leader, officer, leader, leader.pk, None],
        kind=KIND,
        text="办件跑动次数超过规定",
        link="/cases/1/",
    )
    assert n == 2
    assert told() == ["leader", "officer"]
    assert set(Notification.objects.filter(kind=KIND).values_list("link", flat=True)) == {
        "/cases/1/"
    }


def test_an_inactive_account_is_not_told(demo):
    leader, officer = users("leader", "officer")
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    assert notify(recipients=[leader, officer], kind=KIND, text="x") == 1
    assert told() == ["leader"]


def test_the_text_is_cut_to_its_column_and_nobody_is_told_without_recipients(demo):
    limit = Notification._meta.get_field("text").max_length
    notify(recipients=users("leader"), kind=KIND, text="长" * (limit + 50))
    assert len(Notification.objects.get(kind=KIND).text) == limit
    assert notify(recipients=[], kind=KIND, text="x") == 0
    assert notify(recipients=[None], kind=KIND, text="x") == 0


def test_a_case_without_a_link_links_to_its_page(actor, demo):
    from servicehall.catalog.models import Matter
    from tests.cases.conftest import accept

    case = accept(actor("officer"), Matter.objects.get(code="hukou-migration-city"))
    notify(recipients=users("leader"), kind=KIND, text="x", case=case)
    n = Notification.objects.get(kind=KIND)
    assert (n.case, n.link) == (case, f"/cases/{case.pk}/")


def test_an_unknown_kind_or_an_overlong_link_is_a_programming_error(demo):
    with pytest.raises(ValueError):
        notify(recipients=users("leader"), kind="gossip", text="x")
    with pytest.raises(ValueError):
        notify(recipients=users("leader"), kind=KIND, text="x", link="/" + "a" * 300)
    assert told() == []


# ---- who_must_hear ---------------------------------------------------------------------


def names(people):
    return sorted(u.username for u in people)


def test_the_leaders_of_the_unit_by_default(demo):
    assert names(who_must_hear(demo)) == ["leader"]


def test_a_leader_who_left_or_has_no_account_is_not_among_them(demo):
    leader = Staff.objects.get(user__username="leader")
    leader.active = False
    leader.save(update_fields=["active"])
    Staff.objects.filter(unit=demo, role="unit_leader").update(user=None)
    assert who_must_hear(demo) == []


def test_the_sector_authority_hears_when_asked(demo):
    assert demo.authority.name == "开封市公安局"
    assert names(who_must_hear(demo, authority=True)) == ["leader", "reviewer"]
    assert names(who_must_hear(demo, leaders=False, authority=True)) == ["reviewer"]


def test_the_days_duty_lead_comes_from_the_callers_rota_look_up(demo):
    """notices sits below queueing: queueing passes its own look-up of the rota (R-Q-4)."""
    day = dt.date(2026, 11, 25)
    lead = Staff.objects.create(
        unit=demo,
        badge_no="041298",
        name="值班长丙",
        role="duty_lead",
        certified_on="2020-01-01",
        user=User.objects.create_user("lead-c", password="x" * 12),
    )
    DutyAssignment.objects.create(unit=demo, date=day, kind="duty_lead", staff=lead)
    assert names(who_must_hear(demo, day=day, leaders=False, duty_lead=duty_leads)) == ["lead-c"]
    # another day: no rota entry, so whoever the rota look-up falls back to
    assert names(
        who_must_hear(demo, day=day + dt.timedelta(days=1), leaders=False, duty_lead=duty_leads)
    ) == names(s.user for s in duty_leads(demo, day + dt.timedelta(days=1)) if s.user_id)
    everyone = who_must_hear(demo, day=day, duty_lead=duty_leads, authority=True)
    assert names(everyone) == ["lead-c", "leader", "reviewer"]
    assert len(everyone) == len({u.pk for u in everyone})


def test_a_leader_who_is_also_the_duty_lead_is_named_once(demo):
    leader = Staff.objects.get(user__username="leader")
    people = who_must_hear(demo, duty_lead=lambda unit, day: [leader])
    assert names(people) == ["leader"]
