"""The move of Violation from complaints into the ledger keeps every row: a complaint's points
come under its code, a row without a complaint under its own id, all signed and chained."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from servicehall.complaints import services as complaints
from servicehall.org.permissions import CITIZEN
from servicehall.violations import services as ledger
from servicehall.violations.models import Violation

BEFORE = [("violations", "0001_initial")]
AFTER = [("violations", "0004_append_only")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_every_row_and_its_complaint(demo):
    filed = complaints.file(
        actor=CITIZEN,
        kind="complaint",
        channel="web",
        unit=demo,
        category="attitude",
        description="窗口民警态度生硬",
    )
    old = _migrate(BEFORE)
    try:
        Complaint = old.get_model("complaints", "Complaint")
        OldViolation = old.get_model("violations", "Violation")
        complaint = Complaint.objects.get(pk=filed.pk)
        staff = demo.staff.first()
        rows = [
            OldViolation.objects.create(
                unit_id=demo.pk,
                staff_id=staff.pk,
                points=4,
                reason="投诉属实",
                complaint_id=complaint.pk,
                recorded_at=timezone.now(),
            ),
            OldViolation.objects.create(
                unit_id=demo.pk, points=2, reason="其他", recorded_at=timezone.now()
            ),
        ]
        total = OldViolation.objects.count()
    finally:
        _migrate(AFTER)
    assert Violation.objects.count() == total
    moved = Violation.objects.get(pk=rows[0].pk)
    assert (moved.source_kind, moved.source_id) == ("complaint", complaint.code)
    assert (moved.unit_id, moved.staff_id, moved.points, moved.reason) == (
        demo.pk,
        staff.pk,
        4,
        "投诉属实",
    )
    other = Violation.objects.get(pk=rows[1].pk)
    assert (other.source_kind, other.source_id) == ("other", str(other.pk))
    assert sorted(Violation.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
    assert ledger.verify() == []
