"""R-ORG-3: household windows need a certified officer; auxiliaries by population; nobody on
duty before certification. Shown per unit in the tree, on the unit page and in the API."""

import datetime as dt

from servicehall.org.models import Staff, Unit, Window
from servicehall.org.services import staffing_findings


def codes(unit):
    return sorted(f.code for f in staffing_findings(unit))


def test_the_demo_station_is_staffed_by_the_rules(demo):
    assert codes(demo) == []


def test_a_household_window_without_a_certified_officer_is_flagged(demo):
    window = Window.objects.get(unit=demo, number=2)
    window.staff.filter(role="officer").update(window=None)
    assert "household_without_officer" in codes(demo)
    message = next(
        f.message for f in staffing_findings(demo) if f.code == "household_without_officer"
    )
    assert "2" in str(message)


def test_an_uncertified_officer_does_not_count_for_the_household_window(demo):
    Staff.objects.filter(unit=demo, window__number=2, role="officer").update(certified_on=None)
    assert "household_without_officer" in codes(demo)


def test_a_certificate_dated_in_the_future_is_not_yet_a_certificate(demo):
    future = dt.date.today() + dt.timedelta(days=30)
    Staff.objects.filter(unit=demo, window__number=3, role="officer").update(certified_on=future)
    assert "household_without_officer" in codes(demo)


def test_a_small_station_may_not_have_auxiliaries(demo):
    demo.registered_population = 8000
    demo.save()
    assert "too_many_auxiliaries" in codes(demo)


def test_a_large_station_may_have_two_auxiliaries_but_not_three(demo):
    assert "too_many_auxiliaries" not in codes(demo)  # 23,600 residents, 2 auxiliaries
    Staff.objects.create(unit=demo, badge_no="FJ1203", name="第三辅警", role="auxiliary")
    assert "too_many_auxiliaries" in codes(demo)


def test_staff_on_duty_without_certification_is_flagged(demo):
    vehicle = Unit.objects.get(code="kf-vehicle-office")
    found = staffing_findings(vehicle)
    assert [f.code for f in found] == ["on_duty_uncertified"]
    assert "许诺" in str(found[0].message)


def test_the_unit_page_and_the_tree_show_the_findings(login, demo):
    client = login("admin")
    vehicle = Unit.objects.get(code="kf-vehicle-office")
    page = client.get(f"/org/units/{vehicle.pk}/").content.decode()
    assert "许诺" in page and "042031" in page
    tree = client.get("/org/").content.decode()
    assert "staffing" in tree.lower() or "人员配备" in tree


def test_the_api_lists_the_findings(login):
    client = login("admin")
    vehicle = Unit.objects.get(code="kf-vehicle-office")
    body = client.get(f"/api/v1/units/{vehicle.pk}/staffing-checks").json()
    assert [f["code"] for f in body] == ["on_duty_uncertified"]
    assert body[0]["rule"] == "R-ORG-3"
