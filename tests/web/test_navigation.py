"""Finding one's way: each role lands on its own start page and finds every page it may use."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from servicehall.demo.city import DEMO_PASSWORD, LOGINS
from servicehall.org.models import Unit

PUBLIC = ["guide", "calendar", "case_status", "complaint_new", "complaint_status"]
WINDOW = ["console", "reception", "cases:index", "cases:ledger", "org:unit", "ratings_published"]
# a published criticism bulletin is read by every staff login
STAFF = ["org:tree", "permissions", "api-docs", "supervision:bulletins"]
LEAD = ["hall", "rota", "reviews", "complaints", "complaint_register", "complaint_openings"]
# R-SUP: published visits, notices, the norms, the points
SUP = ["supervision:inspections", "supervision:notices", "supervision:norms", "violation_ledger"]
RECORDS = SUP + ["supervision:visit", "supervision:agreement"]  # the inspector's form
SELF = ["supervision:self"]  # SELF_INSPECT, at one's own unit

# What each demo login may use (org/permissions.py) and where it starts.
EXPECTED = {
    "auxiliary": ("console", PUBLIC + WINDOW + STAFF),
    "officer": (
        "console",
        PUBLIC + WINDOW + STAFF + ["complaints", "complaint_register", "complaint_openings"],
    ),
    "operator110": (
        "hotline:index",
        PUBLIC
        + WINDOW
        + STAFF
        + ["hotline:index", "complaints", "complaint_register", "complaint_openings"],
    ),
    "dutylead": ("hall", PUBLIC + WINDOW + STAFF + LEAD + SUP + SELF),
    # the leader has no window of their own, so no window console
    "leader": (
        "hall",
        PUBLIC
        + [p for p in WINDOW if p != "console"]
        + STAFF
        + LEAD
        + SUP
        + SELF
        + ["audit", "org:import", "rating_patterns", "rating_devices"],
    ),
    "reviewer": ("org:tree", PUBLIC + STAFF + SUP + ["audit", "rating_patterns"]),
    "inspector": ("supervision:visit", PUBLIC + STAFF + RECORDS + ["rating_patterns"]),
    "inspector2": ("supervision:visit", PUBLIC + STAFF + RECORDS + ["rating_patterns"]),
    "surveyor": ("org:tree", PUBLIC + STAFF),
    "admin": (
        "org:tree",
        PUBLIC
        + STAFF
        + RECORDS
        + ["audit", "org:import", "appeals", "rating_patterns", "complaints", "job_runs"]
        + ["admin:index", "supervision:plans"],
    ),
}


def _url(name, user):
    if name == "api-docs":
        return "/api/v1/docs"
    if name == "org:unit":
        return reverse(name, args=[user.staff.unit_id])
    if name == "ratings_published":
        return reverse(name, args=[user.staff.unit.code])
    return reverse(name)


def _nav_links(html):
    nav = re.search(r'<nav class="nav".*?</nav>', html, re.S).group(0)
    return set(re.findall(r'href="([^"]+)"', nav))


def test_every_demo_login_is_covered():
    assert set(EXPECTED) == set(LOGINS)


@pytest.mark.parametrize("username", sorted(LOGINS))
def test_login_lands_on_the_roles_start_page(client, demo, username):
    start, _pages = EXPECTED[username]
    user = get_user_model().objects.get(username=username)
    response = client.post(
        reverse("login"), {"username": username, "password": DEMO_PASSWORD}, follow=False
    )
    assert response.status_code == 302
    assert response["Location"] == _url(start, user)
    assert client.get(response["Location"]).status_code == 200


def test_login_respects_next(client, demo):
    response = client.post(
        reverse("login") + "?next=/complaints/",
        {"username": "officer", "password": DEMO_PASSWORD, "next": "/complaints/"},
    )
    assert response["Location"] == "/complaints/"


def test_login_ignores_a_next_off_site(client, demo):
    response = client.post(
        reverse("login"),
        {"username": "officer", "password": DEMO_PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("console")


@pytest.mark.parametrize("username", sorted(LOGINS))
def test_every_page_a_role_may_use_is_in_its_navigation_and_answers(client, demo, username):
    _start, pages = EXPECTED[username]
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    links = _nav_links(client.get(reverse("home")).content.decode())
    wanted = {_url(name, user) for name in pages}
    assert wanted - links == set(), "pages this role may use but cannot find"
    assert links - wanted == set(), "links to pages this role may not use"
    for url in sorted(links):
        response = client.get(url)
        assert response.status_code == 200, url


def test_a_citizen_sees_the_public_pages_only(client, demo):
    links = _nav_links(client.get(reverse("home")).content.decode())
    assert links == {reverse(name) for name in PUBLIC}


def test_the_reviews_pages_are_linked_for_the_roles_that_work_them(client, demo):
    client.force_login(get_user_model().objects.get(username="dutylead"))
    assert reverse("reviews") in _nav_links(client.get(reverse("home")).content.decode())
    client.force_login(get_user_model().objects.get(username="admin"))
    links = _nav_links(client.get(reverse("home")).content.decode())
    assert {reverse("appeals"), reverse("rating_patterns")} <= links


def test_booking_is_linked_from_the_home_page_and_the_guide(client, demo):
    from servicehall.queueing.models import AppointmentSlot

    slot = AppointmentSlot.objects.select_related("unit", "matter").first()
    assert slot is not None, "the demo seeds appointment slots"
    book = reverse("book", args=[slot.unit.code])
    assert f'href="{book}"' in client.get(reverse("home")).content.decode()
    matter_page = client.get(reverse("guide_matter", args=[slot.matter.code])).content.decode()
    assert f'href="{book}"' in matter_page
    # a unit without slots offers no booking
    bare = Unit.objects.exclude(slots__isnull=False).first()
    if bare is not None:
        assert reverse("book", args=[bare.code]) not in client.get("/").content.decode()
