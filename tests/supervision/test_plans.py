"""R-SUP-2: a campaign's inspection plan, drawn at random and stratified by sector, every unit
visited at least min_visits times on working days; the draw repeats from its seed, is
replaced only while no visit has been carried out, and is never shown to the units."""

import datetime as dt
from collections import Counter

import pytest

from servicehall.core.errors import Forbidden, InvalidInput, ServiceError
from servicehall.org.models import Unit
from servicehall.supervision import plans, services
from servicehall.supervision.models import Inspection, InspectionPlan, Kind, PlannedVisit
from servicehall.worktime import services as worktime
from tests.helpers import raises_rule

FIRST, LAST = dt.date(2026, 6, 1), dt.date(2026, 6, 30)


@pytest.fixture
def plan(actor, version):
    units = list(Unit.objects.order_by("code")[:6])
    return plans.create(
        actor=actor("admin"),
        name="六月暗访",
        campaign="2026 窗口优质服务竞赛",
        version=version,
        starts_on=FIRST,
        ends_on=LAST,
        units=units,
        min_visits=2,
        undercover_share=50,
    )


def _visits(plan):
    return list(
        plan.visits.order_by("on", "unit_id", "window_id", "kind").values_list(
            "unit_id", "window_id", "on", "kind"
        )
    )


def test_the_draw_repeats_from_its_seed(actor, plan):
    plans.draw(actor=actor("admin"), plan=plan, visits_total=20)
    plan.refresh_from_db()
    assert plan.seed is not None and plan.drawn_at and plan.drawn_by == actor("admin").staff
    first, seed = _visits(plan), plan.seed
    plans.draw(actor=actor("admin"), plan=plan, visits_total=20, seed=seed + 1)
    assert _visits(plan) != first
    plans.draw(actor=actor("admin"), plan=plan, visits_total=20, seed=seed)
    assert _visits(plan) == first
    assert len(first) == 20


def test_every_unit_gets_its_least_and_the_share_undercover(actor, plan):
    plans.draw(actor=actor("admin"), plan=plan, visits_total=17, seed=7)
    visits = list(plan.visits.all())
    per_unit = Counter(v.unit_id for v in visits)
    assert set(per_unit) == set(plan.units.values_list("pk", flat=True))
    assert min(per_unit.values()) >= 2
    assert sum(1 for v in visits if v.kind == Kind.UNDERCOVER) == 9  # 50% of 17, rounded up
    for v in visits:
        if v.window_id is not None:
            assert v.window.unit_id == v.unit_id and v.window.active


def test_only_working_days_are_drawn(actor, plan):
    plans.draw(actor=actor("admin"), plan=plan, visits_total=60, seed=3)
    cal = worktime.calendar()
    days = set(plan.visits.values_list("on", flat=True))
    assert days and all(cal.is_working_day(d) and FIRST <= d <= LAST for d in days)
    assert dt.date(2026, 6, 6) not in days  # a Saturday


def test_the_extra_visits_follow_the_sectors_sizes():
    strata = {
        1: [(u, [u * 10]) for u in range(1, 7)],  # 6 units
        2: [(u, []) for u in range(7, 9)],  # 2 units
    }
    days = [dt.date(2026, 6, 1) + dt.timedelta(days=n) for n in range(5)]
    rows = plans.schedule(
        strata, days=days, min_visits=1, total=8 + 40, undercover_share=25, seed=1
    )
    by_sector = Counter(1 if u <= 6 else 2 for u, _w, _d, _k in rows)
    assert by_sector == {1: 6 + 30, 2: 2 + 10}  # 40 extra: 3 to 1
    per_unit = Counter(u for u, _w, _d, _k in rows)
    assert max(per_unit.values()) - min(per_unit[u] for u in range(1, 7)) <= 1
    assert all(w is None for u, w, _d, _k in rows if u > 6)
    assert sum(1 for *_r, k in rows if k == Kind.UNDERCOVER) == 12
    assert rows == plans.schedule(
        strata, days=days, min_visits=1, total=48, undercover_share=25, seed=1
    )


def test_a_total_below_the_least_is_refused(actor, plan):
    with raises_rule("R-SUP-2", InvalidInput) as info:
        plans.draw(actor=actor("admin"), plan=plan, visits_total=5)
    assert "visits_total" in info.value.errors
    assert not PlannedVisit.objects.filter(plan=plan).exists()


def test_redraw_is_refused_once_a_visit_is_carried_out(actor, plan, draft):
    plans.draw(actor=actor("admin"), plan=plan, seed=11)
    visit = plan.visits.first()
    inspection, _ = services.sync(actor=actor("inspector"), draft=draft())
    Inspection.objects.filter(pk=inspection.pk).update(planned=visit)
    before = _visits(plan)
    with raises_rule("R-SUP-2", ServiceError):
        plans.draw(actor=actor("admin"), plan=plan, seed=12)
    assert _visits(plan) == before


def test_only_the_office_draws(actor, plan):
    with raises_rule("R-ORG-4", Forbidden):
        plans.draw(actor=actor("inspector"), plan=plan)


def test_a_plan_needs_units_and_dates_in_order(actor, version):
    with raises_rule("R-SUP-2", InvalidInput) as info:
        plans.create(
            actor=actor("admin"),
            name="x",
            campaign="y",
            version=version,
            starts_on=LAST,
            ends_on=FIRST,
            units=[],
        )
    assert {"ends_on", "units"} <= set(info.value.errors)
    with raises_rule("R-SUP-2", InvalidInput) as info:  # days the calendar does not hold
        plans.create(
            actor=actor("admin"),
            name="x",
            campaign="y",
            version=version,
            starts_on=dt.date(1980, 1, 1),
            ends_on=dt.date(1980, 2, 1),
            units=[version.checklist.sector.units.first()],
        )
    assert "starts_on" in info.value.errors
    assert not InspectionPlan.objects.exists()


def test_the_award_rule_switch_is_in_the_audit_log(actor, plan):
    from auditlog.models import LogEntry

    plans.set_award_rule(actor=actor("admin"), plan=plan, on=False)
    plan.refresh_from_db()
    assert not plan.bars_award
    entry = LogEntry.objects.get_for_object(plan).filter(action=LogEntry.Action.UPDATE).first()
    assert entry is not None and "bars_award" in entry.changes_dict
    assert entry.actor == actor("admin").user


def test_a_unit_leader_never_sees_a_plan(login, plan):
    client = login("leader")
    assert client.get("/supervision/plans/").status_code == 403
    assert client.get(f"/supervision/plans/{plan.pk}/").status_code == 403


def test_the_inspector_sees_the_planned_visits(login, actor, plan):
    plans.draw(actor=actor("admin"), plan=plan, seed=5)
    client = login("inspector")
    page = client.get("/supervision/plans/")
    assert page.status_code == 200 and "六月暗访" in page.content.decode()
    assert 'name="campaign"' not in page.content.decode()  # no form to make one
    page = client.get(f"/supervision/plans/{plan.pk}/").content.decode()
    visit = plan.visits.first()
    assert f"/supervision/visit/?planned={visit.pk}" in page
    assert client.post(f"/supervision/plans/{plan.pk}/draw/").status_code == 403


def test_the_office_creates_draws_and_redraws_by_the_page(login, version):
    client = login("admin")
    units = list(Unit.objects.order_by("code").values_list("pk", flat=True)[:3])
    response = client.post(
        "/supervision/plans/",
        {
            "name": "七月明察",
            "campaign": "竞赛",
            "version": version.pk,
            "starts_on": "2026-07-01",
            "ends_on": "2026-07-31",
            "units": units,
            "min_visits": 1,
            "undercover_share": 0,
            "bars_award": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    plan = InspectionPlan.objects.get(name="七月明察")
    assert (
        client.post(f"/supervision/plans/{plan.pk}/draw/", {"visits_total": 5}).status_code == 302
    )
    plan.refresh_from_db()
    first = _visits(plan)
    assert len(first) == 5 and all(k == Kind.OPEN for *_r, k in first)
    page = client.get(f"/supervision/plans/{plan.pk}/").content.decode()
    assert str(plan.seed) in page
    client.post(f"/supervision/plans/{plan.pk}/draw/", {"seed": plan.seed, "visits_total": 5})
    assert _visits(plan) == first
    bad = client.post(f"/supervision/plans/{plan.pk}/draw/", {"seed": "abc"})
    assert bad.status_code == 400 and _visits(plan) == first


def test_bad_plan_form_input_is_a_400_in_chinese(login, version):
    client = login("admin")
    response = client.post("/supervision/plans/", {"name": "", "version": "x"})
    assert response.status_code == 400
    assert not InspectionPlan.objects.exists()


def test_the_plan_pages_read_in_chinese(login, actor, plan, draft):
    from tests.web.test_every_page_in_chinese import problems

    plans.draw(actor=actor("admin"), plan=plan, seed=9)
    client = login("admin")
    for url in ("/supervision/plans/", f"/supervision/plans/{plan.pk}/"):
        page = client.get(url)
        assert page.status_code == 200
        assert problems(page.content.decode()) == [], url


def test_the_award_rule_is_switched_off_by_the_page(login, plan):
    client = login("admin")
    assert client.post(f"/supervision/plans/{plan.pk}/award-rule/").status_code == 302
    plan.refresh_from_db()
    assert not plan.bars_award
    client.post(f"/supervision/plans/{plan.pk}/award-rule/", {"bars_award": "on"})
    plan.refresh_from_db()
    assert plan.bars_award
    assert login("inspector").post(f"/supervision/plans/{plan.pk}/award-rule/").status_code == 403


def test_odd_numbers_and_dates_are_refused_not_crashed_on(login, version, demo):
    client = login("admin")
    form = {
        "name": "计划",
        "campaign": "竞赛",
        "version": str(version.pk),
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-31",
        "units": ["²", str(demo.pk)],
        "sectors": ["٣"],
        "min_visits": "1",
        "undercover_share": "0",
    }
    assert client.post("/supervision/plans/", form).status_code == 302  # ² and ٣ are not ids
    for dates in (("9999-12-01", "9999-12-31"), ("2026W011", "2026-12-31")):
        bad = {**form, "starts_on": dates[0], "ends_on": dates[1]}
        assert client.post("/supervision/plans/", bad).status_code == 400
    assert client.get("/supervision/agreement/?to=9999-12-31").status_code == 400
    assert client.get("/supervision/norms/test-windows/export.xlsx?v=²").status_code == 404
