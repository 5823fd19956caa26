"""R-LAW-2 on PostgreSQL: the application's own role cannot switch the append-only trigger
off, empty the ratings with TRUNCATE, or delete or rewrite one, yet does its work."""

import io
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from servicehall.core.db import grant_app_role
from servicehall.feedback import services
from servicehall.feedback.models import Rating
from servicehall.org.permissions import CITIZEN
from servicehall.queueing import services as queue
from servicehall.queueing.models import Queue
from tests.helpers import as_role, raises_rule

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="roles and grants are PostgreSQL's"
)


@pytest.fixture
def sealed(demo, actor):
    officer = actor("officer")
    window = demo.windows.get(number=2)
    queue.sign_in(actor=officer, window=window)
    ticket = queue.take_ticket(queue=Queue.objects.get(unit=demo, letter="A"))
    queue.call_next(actor=officer, window=window)
    queue.start(actor=officer, ticket=ticket)
    queue.finish(actor=officer, ticket=ticket)
    ticket.refresh_from_db()
    return ticket


@pytest.mark.parametrize(
    "statement",
    [
        "SET session_replication_role = replica",
        "TRUNCATE feedback_rating CASCADE",
        "DELETE FROM feedback_rating",
        "UPDATE feedback_rating SET overall = 1",
        "ALTER TABLE feedback_rating DISABLE TRIGGER ALL",
        "DROP TRIGGER feedback_rating_append_only ON feedback_rating",
        "CREATE TABLE feedback_rating_copy (id int)",
    ],
)
def test_the_applications_role_is_refused_what_would_undo_the_chain(app_role, sealed, statement):
    services.rate(actor=CITIZEN, ticket=sealed, overall=5, idempotency_key=uuid.uuid4().hex)
    services.seal()
    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        as_role(app_role)
        with connection.cursor() as cur:
            cur.execute(statement)
    message = str(refused.value)
    assert "permission denied" in message or "must be owner" in message, message
    assert Rating.objects.count() == 1


def test_the_applications_role_rates_and_seals(app_role, sealed):
    with transaction.atomic():
        as_role(app_role)
        rating, created = services.rate(
            actor=CITIZEN, ticket=sealed, overall=4, idempotency_key=uuid.uuid4().hex
        )
        assert created and services.seal() == 1
        assert services.verify() == []
    rating.refresh_from_db()
    assert rating.seq == 1


def test_a_superuser_or_an_owner_is_not_taken_for_the_applications_role(db):
    with raises_rule(None, match="超级用户"):
        grant_app_role("postgres")
    with raises_rule(None, match="没有角色"):
        grant_app_role("nobody_at_all")


def test_the_command_prints_the_grants(app_role):
    out = io.StringIO()
    call_command("grant_app_role", app_role, "--print", stdout=out)
    text = out.getvalue()
    assert 'GRANT UPDATE ("seq", "prev_hash", "chain_hash", "sealed_at")' in text
    assert "TRUNCATE" not in text.replace("REVOKE ALL", "")
    with pytest.raises(CommandError, match="没有角色"):
        call_command("grant_app_role", "nobody_at_all")


def test_migrate_grants_the_role_named_in_the_settings(app_role, settings):
    with connection.cursor() as cur:
        cur.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {app_role}")
    settings.DB_APP_ROLE = app_role
    call_command("migrate", verbosity=0)
    with connection.cursor() as cur:
        cur.execute("SELECT has_table_privilege(%s, 'cases_case', 'INSERT')", [app_role])
        assert cur.fetchone()[0]
        cur.execute("SELECT has_table_privilege(%s, 'feedback_rating', 'DELETE')", [app_role])
        assert not cur.fetchone()[0]
