"""On PostgreSQL the application's own role may append to the ledger and link a new row into
the chain, but never delete a row, change one or empty the table (decision 0017)."""

import pytest
from django.db import DatabaseError, connection, transaction

from servicehall.violations import services as ledger
from servicehall.violations.models import SourceKind, Violation
from tests.helpers import as_role

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="roles and grants are PostgreSQL's"
)


def _give(actor, unit, source_id):
    return ledger.record(
        actor=actor,
        unit=unit,
        points=3,
        reason="暗访发现窗口无人",
        source_kind=SourceKind.INSPECTION,
        source_id=source_id,
    )


def test_the_applications_role_records_and_cancels(app_role, demo, actor):
    with transaction.atomic():
        as_role(app_role)
        row = _give(actor("leader"), demo, "AF-1")
        ledger.cancel(actor=actor("admin"), violation=row, reason="复核：系误记")
        assert ledger.verify() == []
    assert Violation.objects.get(pk=row.pk).seq is not None


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM complaints_violation",
        "UPDATE complaints_violation SET points = 1",
        "TRUNCATE complaints_violation CASCADE",
        "ALTER TABLE complaints_violation DISABLE TRIGGER ALL",
    ],
)
def test_the_applications_role_cannot_undo_the_ledger(app_role, demo, actor, statement):
    _give(actor("leader"), demo, "AF-2")
    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        as_role(app_role)
        with connection.cursor() as cur:
            cur.execute(statement)
    message = str(refused.value)
    assert "permission denied" in message or "must be owner" in message, message
    assert Violation.objects.filter(source_id="AF-2").exists()
