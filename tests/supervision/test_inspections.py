"""R-SUP-2: a visit synced once from the phone, scored over the norms that apply, sealed,
unseen by the unit until the organizer publishes it; publishing gives the ledger its points
and bars the unit from the campaign's awards."""

import datetime as dt

import pytest
from django.utils import timezone

from servicehall.core.errors import Forbidden, InvalidInput, ServiceError
from servicehall.org.models import Unit
from servicehall.supervision import selectors, services
from servicehall.supervision.models import (
    AwardBar,
    Finding,
    Inspection,
    InspectionPlan,
    Photo,
    Status,
)
from servicehall.violations.models import SourceKind, Violation
from tests.helpers import raises_rule

from .conftest import jpeg


def test_a_second_sync_of_the_same_visit_stores_nothing_new(actor, draft, private_media):
    d = draft(verdicts={"JXJ-5": "deduct", "JXJ-14": "pass", "JXJ-16": "pass"})
    d["photos"] = [{"item": draft.items["JXJ-5"].pk, "name": "p1"}]
    first, created = services.sync(actor=actor("inspector"), draft=d, photos={"p1": jpeg()})
    assert created
    counts = (Inspection.objects.count(), Finding.objects.count(), Photo.objects.count())
    again, created = services.sync(actor=actor("inspector"), draft=d, photos={"p1": jpeg()})
    assert not created and again.pk == first.pk
    assert (Inspection.objects.count(), Finding.objects.count(), Photo.objects.count()) == counts
    assert Photo.objects.filter(inspection=first).count() == 1


def test_not_applicable_leaves_the_denominator_and_a_critical_finding_fails(actor, draft):
    i, _ = services.sync(
        actor=actor("inspector"),
        draft=draft(verdicts={"JXJ-5": "na", "JXJ-14": "deduct", "JXJ-16": "pass"}),
    )
    assert (i.points_kept, i.points_applicable) == (3, 8)
    assert i.score == 37.5
    assert i.critical


def test_every_norm_is_judged_and_evidence_is_required(actor, draft, private_media):
    with raises_rule("R-SUP-2", InvalidInput) as info:
        services.sync(actor=actor("inspector"), draft=draft(verdicts={"JXJ-5": "pass"}))
    assert "JXJ-14" in str(info.value.errors["verdicts"])
    with raises_rule("R-SUP-2", InvalidInput) as info:
        services.sync(
            actor=actor("inspector"),
            draft=draft(verdicts={"JXJ-5": "deduct", "JXJ-14": "pass", "JXJ-16": "pass"}),
        )
    assert "item.JXJ-5" in info.value.errors  # a photo is the evidence this norm needs
    assert not Inspection.objects.exists()


def test_a_photo_must_be_an_image(actor, draft, private_media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    d = draft(verdicts={"JXJ-5": "deduct", "JXJ-14": "pass", "JXJ-16": "pass"})
    d["photos"] = [{"item": draft.items["JXJ-5"].pk, "name": "p1"}]
    fake = SimpleUploadedFile("x.jpg", b"<script>", content_type="image/jpeg")
    with raises_rule("R-SUP-2", InvalidInput):
        services.sync(actor=actor("inspector"), draft=d, photos={"p1": fake})


def test_only_inspectors_record_visits(actor, draft):
    with raises_rule("R-ORG-4", Forbidden):
        services.sync(actor=actor("leader"), draft=draft())


def test_the_unit_sees_nothing_until_it_is_published(actor, draft, login):
    i, _ = services.sync(actor=actor("inspector"), draft=draft())
    leader = actor("leader")
    assert not selectors.visible(leader, i)
    assert i not in selectors.inspections_for(leader)
    page = login("leader").get(f"/supervision/inspections/{i.number}/")
    assert page.status_code == 404
    assert selectors.visible(actor("inspector"), i)

    services.publish(actor=actor("admin"), inspection=i)
    i.refresh_from_db()
    assert i.status == Status.PUBLISHED and i.published_by is not None
    assert selectors.visible(leader, i)
    page = login("leader").get(f"/supervision/inspections/{i.number}/")
    assert page.status_code == 200
    assert (
        "五个一样" in page.content.decode() and "交巡警窗口规范 第十六条" in page.content.decode()
    )


def test_publishing_gives_each_deduction_to_the_ledger_once(actor, draft):
    i, _ = services.sync(
        actor=actor("inspector"),
        draft=draft(verdicts={"JXJ-5": "pass", "JXJ-14": "deduct", "JXJ-16": "deduct"}),
    )
    services.publish(actor=actor("admin"), inspection=i)
    rows = Violation.objects.filter(source_kind=SourceKind.INSPECTION)
    assert sorted(rows.values_list("source_id", "points")) == [
        (f"{i.number}/JXJ-14", 5),
        (f"{i.number}/JXJ-16", 3),
    ]
    with raises_rule("R-SUP-2", match="已发布"):  # once: one recorded act
        services.publish(actor=actor("admin"), inspection=i)
    assert rows.count() == 2


def test_only_the_office_publishes(actor, draft):
    i, _ = services.sync(actor=actor("inspector"), draft=draft())
    with raises_rule("R-ORG-4", Forbidden):
        services.publish(actor=actor("inspector"), inspection=i)


def test_an_undercover_deduction_bars_the_unit_where_the_plan_says_so(actor, draft, version):
    today = timezone.localdate()
    plan = InspectionPlan.objects.create(
        name="2026 明察暗访",
        campaign="2026 优质服务竞赛",
        version=version,
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=30),
    )
    plan.units.add(Unit.objects.get(code="kf-gulou-hukou"))
    off = InspectionPlan.objects.create(
        name="switched off",
        campaign="另一竞赛",
        version=version,
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        bars_award=False,
    )
    off.units.set(plan.units.all())
    i, _ = services.sync(actor=actor("inspector"), draft=draft())
    services.publish(actor=actor("admin"), inspection=i)
    bars = AwardBar.objects.filter(inspection=i)
    assert [b.plan for b in bars] == [plan]
    assert "JXJ-16" in bars[0].reason


def test_a_finding_changed_behind_the_application_is_not_published(actor, draft):
    i, _ = services.sync(actor=actor("inspector"), draft=draft())
    Finding.objects.filter(inspection=i, item=draft.items["JXJ-16"]).update(verdict="pass")
    assert not services.sealed(i)
    with raises_rule("R-SUP-2", ServiceError):
        services.publish(actor=actor("admin"), inspection=i)


def test_photos_are_served_only_to_who_may_see_the_visit(actor, draft, login, private_media):
    d = draft(verdicts={"JXJ-5": "deduct", "JXJ-14": "pass", "JXJ-16": "pass"})
    d["photos"] = [{"item": draft.items["JXJ-5"].pk, "name": "p1"}]
    i, _ = services.sync(actor=actor("inspector"), draft=d, photos={"p1": jpeg()})
    photo = i.photos.get()
    assert login("leader").get(f"/supervision/photos/{photo.pk}/").status_code == 404
    assert login("inspector").get(f"/supervision/photos/{photo.pk}/").status_code == 200
    services.publish(actor=actor("admin"), inspection=i)
    assert login("leader").get(f"/supervision/photos/{photo.pk}/").status_code == 200
    assert str(private_media) in photo.image.path


def test_the_list_answers_in_the_same_number_of_queries_however_many(actor, draft, login):
    from tests.helpers import page_queries

    client = login("inspector")
    services.sync(actor=actor("inspector"), draft=draft())
    few, _ = page_queries(client, "/supervision/inspections/")
    for _n in range(6):
        services.sync(actor=actor("inspector"), draft=draft())
    many, text = page_queries(client, "/supervision/inspections/")
    assert many == few
    assert text.count("JC-") >= 7


def test_who_may_read_the_list(actor, draft, login):
    i, _ = services.sync(actor=actor("inspector"), draft=draft())
    assert login("surveyor").get("/supervision/inspections/").status_code == 403
    assert login("officer").get("/supervision/inspections/").status_code == 403
    for who in ("leader", "reviewer"):
        assert i.number not in login(who).get("/supervision/inspections/").content.decode()
    services.publish(actor=actor("admin"), inspection=i)
    for who in ("leader", "reviewer", "inspector", "admin"):
        assert i.number in login(who).get("/supervision/inspections/").content.decode(), who


def test_verify_inspections_names_a_visit_changed_behind_the_application(actor, draft):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    good, _ = services.sync(actor=actor("inspector"), draft=draft())
    bad, _ = services.sync(actor=actor("inspector"), draft=draft())
    out = io.StringIO()
    call_command("verify_inspections", stdout=out)
    Finding.objects.filter(inspection=bad, verdict="deduct").update(verdict="pass")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_inspections", stdout=out)
    assert bad.number in out.getvalue() and good.number not in out.getvalue()


def test_the_ledger_page_names_each_deduction_and_its_source(actor, draft, login):
    i, _ = services.sync(actor=actor("inspector"), draft=draft())
    services.publish(actor=actor("admin"), inspection=i)
    page = login("leader").get("/points/").content.decode()
    assert f"{i.number}/JXJ-16" in page and f"/supervision/inspections/{i.number}/" in page
    assert login("officer").get("/points/").status_code == 403
    assert login("leader").get("/points/?from=2026-13-01").status_code == 400


def test_the_ledger_page_sums_the_standing_points_per_unit_and_person(actor, draft, login, demo):
    from servicehall.violations import services as ledger

    officer = actor("officer").staff
    ledger.record(
        actor=actor("leader"),
        unit=demo,
        staff=officer,
        points=4,
        reason="态度生硬",
        source_kind=SourceKind.COMPLAINT,
        source_id="TS-TEST-0001",
    )
    gone = ledger.record(
        actor=actor("leader"),
        unit=demo,
        staff=officer,
        points=9,
        reason="记错",
        source_kind=SourceKind.OTHER,
        source_id="X-1",
    )
    ledger.cancel(actor=actor("admin"), violation=gone, reason="记错了")
    page = login("leader").get("/points/")
    by_person = page.context["by_person"]
    assert [(r["staff"], r["points"]) for r in by_person] == [(officer, 4)]
    assert page.context["by_unit"] == [{"unit": demo.name, "points": 4}]


def test_a_visit_timed_in_beijing_time_keeps_its_seal(actor, draft):
    """The phone may write the time with +08:00; the database gives it back in UTC."""
    local = timezone.localtime(timezone.now() - dt.timedelta(hours=1)).isoformat()
    assert local.endswith("+08:00")
    i, _ = services.sync(actor=actor("inspector"), draft=draft(visited_at=local))
    assert services.sealed(Inspection.objects.get(pk=i.pk))
