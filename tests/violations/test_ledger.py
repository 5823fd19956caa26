"""R-FB-3, R-SUP-3: the one ledger of violation points — a source gives points once, 1 to 20,
rows are never changed or deleted (a cancellation is a row of its own), and a row changed,
deleted or forged behind the application's back is named by verify-ledger."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from servicehall.core import chain
from servicehall.core.errors import Forbidden, InvalidInput, ServiceError
from servicehall.org.models import Unit
from servicehall.rollups import tasks as rollups
from servicehall.rollups.models import WindowDay
from servicehall.rollups.services import days_due, roll_day
from servicehall.violations import services as ledger
from servicehall.violations.figures import violation_rows
from servicehall.violations.models import AppendOnly, SourceKind, Violation
from tests.helpers import raises_rule


@pytest.fixture
def give(demo, actor):
    """give(points, source_id, …) records points for an inspection of 鼓楼 by its leader."""

    def _give(points=3, source_id="XC-2026-001", **kw):
        args = {
            "actor": actor("leader"),
            "unit": demo,
            "points": points,
            "reason": "窗口人员玩手机",
            "source_kind": SourceKind.INSPECTION,
            "source_id": source_id,
        } | kw
        return ledger.record(**args)

    return _give


def test_record_signs_and_links_the_row_into_the_chain(demo, give, staff_of):
    officer = staff_of("kf-gulou-hukou", "041235")
    before = Violation.objects.filter(seq__isnull=False).order_by("-seq").first()
    row = give(points=4, staff=officer)
    row = Violation.objects.get(pk=row.pk)  # as stored
    assert (row.unit, row.staff, row.points, row.revision) == (demo, officer, 4, 0)
    assert (row.source_kind, row.source_id) == ("inspection", "XC-2026-001")
    assert row.mac == ledger.sign(row)
    assert row.seq == (before.seq + 1 if before else 1)
    assert row.prev_hash == (before.chain_hash if before else chain.GENESIS)
    assert row.chain_hash == chain.link(row.prev_hash, row.seq, row.pk, row.mac)
    assert ledger.verify() == []


def test_a_source_gives_points_once(give):
    first = give()
    with raises_rule(None, ServiceError) as twice:
        give(points=5)
    assert type(twice.value) is ServiceError  # neither a refused role nor bad input
    # the same id of another kind of source is another source
    give(source_kind=SourceKind.SUPERVISION_NOTICE)
    assert Violation.objects.filter(source_id="XC-2026-001").count() == 2
    # and the database holds to it even past the service
    twin = Violation(
        unit_id=first.unit_id,
        points=2,
        reason="again",
        source_kind=first.source_kind,
        source_id=first.source_id,
        recorded_at=timezone.now(),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


@pytest.mark.parametrize("points", [0, 21, -3, "3", 2.5, True, None])
def test_points_are_1_to_20(give, points):
    with raises_rule("R-SUP-3", InvalidInput) as refused:
        give(points=points)
    assert "points" in refused.value.errors
    assert not Violation.objects.filter(source_id="XC-2026-001").exists()


def test_the_bounds_are_points_too(give):
    assert give(points=1, source_id="A").points == 1
    assert give(points=20, source_id="B").points == 20


def test_who_may_give_points(demo, give, actor, staff_of):
    with raises_rule("R-ORG-4", Forbidden):  # an officer registers complaints, never scores
        give(actor=actor("officer"))
    elsewhere = Unit.objects.exclude(pk=demo.pk).first()
    with raises_rule("R-ORG-4", Forbidden):  # a leader scores their own unit only
        give(unit=elsewhere)
    give(actor=actor("admin"), unit=elsewhere)  # the organizing office scores everywhere
    other = staff_of("kf-centre-police", "041115")
    with raises_rule(None, InvalidInput) as wrong:
        give(staff=other, source_id="XC-2")
    assert "staff" in wrong.value.errors


def test_a_source_and_a_reason_are_named(give):
    with raises_rule(None, InvalidInput) as refused:
        give(source_kind="rumour", source_id="", reason=" ")
    assert set(refused.value.errors) == {"source_kind", "source_id", "reason"}


def test_rows_cannot_be_changed_or_deleted_through_the_orm(give):
    row = give()
    row.points = 1
    with pytest.raises(AppendOnly):
        row.save()
    with pytest.raises(AppendOnly):
        row.delete()
    rows = Violation.objects.filter(pk=row.pk)
    with pytest.raises(AppendOnly):
        rows.update(points=1)
    with pytest.raises(AppendOnly):
        rows.delete()
    with pytest.raises(AppendOnly):
        Violation.objects.bulk_create([Violation(unit_id=row.unit_id, points=1)])
    assert Violation.objects.get(pk=row.pk).points == 3
    assert ledger.verify() == []


def test_the_database_refuses_too(give):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    row = give()
    for statement in (
        "UPDATE complaints_violation SET points = 1 WHERE id = %s",
        "UPDATE complaints_violation SET seq = seq + 1000 WHERE id = %s",  # linked once only
        "DELETE FROM complaints_violation WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement, [row.pk])


def test_a_cancellation_is_a_row_that_takes_the_points_out_of_every_figure(demo, give, actor):
    today = timezone.localdate()
    before = ledger.points_by_unit([demo], today, today).get(demo.pk, 0)
    row = give(points=5)
    assert ledger.points_by_unit([demo], today, today)[demo.pk] == before + 5
    with raises_rule("R-ORG-4", Forbidden):  # the unit's leader cannot take its points back
        ledger.cancel(actor=actor("leader"), violation=row, reason="误记")
    with raises_rule(None, InvalidInput) as no_reason:
        ledger.cancel(actor=actor("admin"), violation=row, reason="")
    assert "reason" in no_reason.value.errors
    undo = ledger.cancel(actor=actor("admin"), violation=row, reason="督查复核：系误记")
    assert (undo.cancels, undo.points, undo.source_id) == (row, 5, row.source_id)
    assert Violation.objects.get(pk=row.pk).points == 5  # the cancelled row is untouched
    assert ledger.points_by_unit([demo], today, today).get(demo.pk, 0) == before
    with raises_rule(None, ServiceError):
        ledger.cancel(actor=actor("admin"), violation=row, reason="again")
    assert Violation.objects.filter(cancels=row).count() == 1
    with raises_rule(None, ServiceError):
        ledger.cancel(actor=actor("admin"), violation=undo, reason="undo the undo")
    # the source may give its points anew, corrected
    again = give(points=2)
    assert again.revision == 1 and ledger.standing(SourceKind.INSPECTION, row.source_id) == again
    assert ledger.points_by_unit([demo], today, today)[demo.pk] == before + 2
    assert ledger.verify() == []


def test_a_cancellation_redoes_the_day_the_points_were_recorded(demo, give, actor):
    recorded = timezone.now() - dt.timedelta(days=40)
    day = timezone.localdate(recorded)
    row = give(points=6, now=recorded)
    roll_day(day)
    assert WindowDay.objects.get(unit=demo, window=None, day=day).violation_points == 6
    ledger.cancel(actor=actor("admin"), violation=row, reason="督查复核：系误记")
    assert day in days_due()
    rollups.roll_up()
    left = WindowDay.objects.filter(unit=demo, window=None, day=day)
    assert list(left.values_list("violation_points", flat=True)) in ([], [0])  # nothing left


def test_points_by_unit_and_the_roll_ups_rows(demo, give, actor, staff_of):
    officer = staff_of("kf-gulou-hukou", "041235")
    first = timezone.make_aware(dt.datetime(2026, 3, 2, 10))
    elsewhere = Unit.objects.exclude(pk=demo.pk).first()
    give(points=3, staff=officer, now=first, source_id="A")
    give(points=4, now=first + dt.timedelta(days=1), source_id="B")
    give(actor=actor("admin"), unit=elsewhere, points=7, now=first, source_id="C")
    give(points=9, now=first + dt.timedelta(days=40), source_id="D")  # outside the period
    day, next_day = first.date(), first.date() + dt.timedelta(days=1)
    assert ledger.points_by_unit([demo, elsewhere], day, next_day) == {
        demo.pk: 7,
        elsewhere.pk: 7,
    }
    assert ledger.points_by_unit([demo], day, day) == {demo.pk: 3}
    by_staff = violation_rows(("unit_id", "staff_id"), day, next_day, [demo])
    assert sorted((r["staff_id"] or 0, r["points"]) for r in by_staff) == [(0, 4), (officer.pk, 3)]


def _behind_the_back(sql, params):
    """What someone with the database's keys could do: triggers off, then SQL."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":  # a superuser switches the triggers off
            cur.execute("SET session_replication_role = replica")
        cur.execute(sql, params)
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = DEFAULT")


def test_verify_names_a_row_changed_one_deleted_and_one_forged(give):
    rows = [give(points=3, source_id=f"XC-{n}") for n in range(4)]
    out = io.StringIO()
    call_command("verify_ledger", stdout=out)
    assert "verify" in out.getvalue()

    _behind_the_back("UPDATE complaints_violation SET points = 1 WHERE id = %s", [rows[0].pk])
    _behind_the_back("DELETE FROM complaints_violation WHERE id = %s", [rows[1].pk])
    _behind_the_back(  # a cancellation nobody recorded, copied from a real row
        "INSERT INTO complaints_violation (unit_id, staff_id, points, reason, source_kind, "
        "source_id, revision, cancels_id, recorded_at, recorded_by_id, mac, seq, prev_hash, "
        "chain_hash) SELECT unit_id, staff_id, points, reason, source_kind, source_id, "
        "revision, id, recorded_at, recorded_by_id, mac, NULL, '', '' "
        "FROM complaints_violation WHERE id = %s",
        [rows[2].pk],
    )
    found = {(f.violation_id, f.seq, f.problem) for f in ledger.verify()}
    forged = Violation.objects.get(cancels=rows[2])
    assert (rows[0].pk, rows[0].seq, "changed") in found
    assert (None, rows[1].seq, "deleted") in found
    assert (forged.pk, None, "inserted") in found
    assert not any(f[0] in (rows[2].pk, rows[3].pk) for f in found)  # untouched rows verify
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_ledger", stdout=out)
    assert f"#{rows[0].pk}: " in out.getvalue()


def test_a_rewritten_link_is_named(give):
    rows = [give(source_id=f"XC-{n}") for n in range(2)]
    _behind_the_back(
        "UPDATE complaints_violation SET chain_hash = %s WHERE id = %s", ["f" * 64, rows[0].pk]
    )
    found = {(f.violation_id, f.problem) for f in ledger.verify()}
    assert (rows[0].pk, "broken") in found


def test_deleting_the_newest_rows_is_caught_by_the_checkpoints(
    give, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rows = [give(source_id=f"XC-{n}") for n in range(2)]
    points = [json.loads(line) for line in ledger.CHECKPOINTS.file().read_text().splitlines()]
    assert [p["seq"] for p in points] == [rows[0].seq, rows[1].seq]
    assert points[-1]["head"] == Violation.objects.get(pk=rows[1].pk).chain_hash
    assert ledger.verify() == []
    # the newest row gone: the chain alone still links, the checkpoint does not
    _behind_the_back("DELETE FROM complaints_violation WHERE id = %s", [rows[1].pk])
    assert [(f.seq, f.problem) for f in ledger.verify()] == [(rows[1].seq, "deleted")]


def test_the_admin_shows_the_ledger_and_changes_nothing(give, login):
    row = give()
    client = login("admin")
    assert client.get("/admin/violations/violation/").status_code == 200
    assert client.get(f"/admin/violations/violation/{row.pk}/change/").status_code == 200
    client.post(f"/admin/violations/violation/{row.pk}/delete/", {"post": "yes"})
    assert Violation.objects.filter(pk=row.pk).exists()
    assert client.get("/admin/violations/violation/add/").status_code == 403
