"""R-FB-1, R-LAW-2: one rating per finished visit, never by staff, never changed — and a row
changed, deleted or inserted behind the application's back is named by verify-ratings."""

import io
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from servicehall.core.errors import Forbidden, InvalidInput
from servicehall.feedback import services
from servicehall.feedback.models import AppendOnly, Rating
from servicehall.org.permissions import CITIZEN
from servicehall.queueing import services as queue
from servicehall.queueing.models import Queue
from tests.helpers import raises_rule


@pytest.fixture
def visits(demo, actor):
    """Four visits finished at window 2 of 鼓楼 by 王建国."""
    officer = actor("officer")
    window = demo.windows.get(number=2)
    queue.sign_in(actor=officer, window=window)
    a = Queue.objects.get(unit=demo, letter="A")
    done = []
    for _ in range(4):
        queue.take_ticket(queue=a)
        ticket = queue.call_next(actor=officer, window=window)
        queue.start(actor=officer, ticket=ticket)
        done.append(queue.finish(actor=officer, ticket=ticket))
    return done


def key():
    return uuid.uuid4().hex


def rate(ticket, overall=5, **kw):
    return services.rate(actor=CITIZEN, ticket=ticket, overall=overall, idempotency_key=key(), **kw)


def test_a_finished_visit_is_rated_once(visits):
    rating, created = rate(visits[0], efficiency=5, attitude=4, tags=["耐心"])
    assert created and rating.staff.name == "王建国" and rating.window.number == 2
    with raises_rule("R-LAW-2"):
        rate(visits[0], overall=1, reason="态度差")
    assert Rating.objects.filter(ticket=visits[0]).count() == 1


def test_a_retry_with_the_same_key_gets_the_same_rating(visits):
    k = key()
    first, created = services.rate(actor=CITIZEN, ticket=visits[0], overall=4, idempotency_key=k)
    again, created_again = services.rate(
        actor=CITIZEN, ticket=visits[0], overall=4, idempotency_key=k
    )
    assert created and not created_again and first.pk == again.pk
    # the key belongs to that visit
    with raises_rule(None, InvalidInput, match="幂等键已用于另一条评价"):
        services.rate(actor=CITIZEN, ticket=visits[1], overall=4, idempotency_key=k)


def test_staff_cannot_rate_and_an_unfinished_visit_is_refused(demo, visits, actor):
    with raises_rule("R-LAW-2", Forbidden):
        services.rate(actor=actor("officer"), ticket=visits[0], overall=5, idempotency_key=key())
    waiting = queue.take_ticket(queue=Queue.objects.get(unit=demo, letter="A"))
    with raises_rule("R-LAW-2"):
        rate(waiting)
    assert not Rating.objects.exists()


def test_a_low_rating_asks_why(visits):
    with raises_rule(None, InvalidInput, match="哪里做得不好") as missing:
        rate(visits[0], overall=1)
    assert "reason" in missing.value.errors
    with raises_rule(None, InvalidInput, match="五个等级"):
        rate(visits[0], overall=7)
    rating, _ = rate(visits[0], overall=2, reason="等了很久")
    assert rating.reason == "等了很久"


def test_ratings_cannot_be_changed_or_deleted_through_the_application(visits):
    rating, _ = rate(visits[0])
    rating.overall = 1
    with pytest.raises(AppendOnly):
        rating.save()
    with pytest.raises(AppendOnly):
        rating.delete()


def test_the_database_refuses_too(visits):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    rating, _ = rate(visits[0])
    services.seal()
    for statement in (
        "UPDATE feedback_rating SET overall = 1 WHERE id = %s",
        "DELETE FROM feedback_rating WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement, [rating.pk])


def _behind_the_back(sql, params):
    """What someone with the database's keys could do: triggers off, then SQL."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":  # a superuser switches the triggers off
            cur.execute("SET session_replication_role = replica")
        cur.execute(sql, params)
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = DEFAULT")


def verify_output():
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_ratings", stdout=out)
    return out.getvalue()


def test_verify_names_a_row_changed_one_deleted_and_one_inserted(visits):
    ratings = [rate(v, overall=5)[0] for v in visits[:3]]
    assert services.seal() == 3
    out = io.StringIO()
    call_command("verify_ratings", stdout=out)
    assert "3" in out.getvalue()

    _behind_the_back("UPDATE feedback_rating SET overall = 1 WHERE id = %s", [ratings[0].pk])
    _behind_the_back("DELETE FROM feedback_rating WHERE id = %s", [ratings[1].pk])
    fake = Rating.objects.get(pk=ratings[2].pk)
    _behind_the_back(
        "INSERT INTO feedback_rating (case_id, ticket_id, unit_id, window_id, staff_id, overall, "
        "tags, comment, reason, channel, device, idempotency_key, created_at, mac, prev_hash, "
        "chain_hash) SELECT NULL, %s, unit_id, window_id, staff_id, 5, '[]', '', '', 'device', "
        "'', 'forged-key-123', created_at, mac, '', '' FROM feedback_rating WHERE id = %s",
        [visits[3].pk, fake.pk],
    )
    report = verify_output()
    assert f"#{ratings[0].pk}: " in report  # changed
    assert "seq 2: " in report  # deleted
    forged = Rating.objects.get(idempotency_key="forged-key-123")
    assert f"#{forged.pk}: " in report  # inserted
    assert f"#{ratings[2].pk}: " not in report  # the untouched one still verifies
    assert services.seal() == 0  # the sealer does not bless the forged row


def test_the_admin_shows_ratings_and_changes_none(visits, login):
    rating, _ = rate(visits[0])
    client = login("admin")
    assert client.get(f"/admin/feedback/rating/{rating.pk}/change/").status_code == 200
    client.post(f"/admin/feedback/rating/{rating.pk}/delete/", {"post": "yes"})
    assert Rating.objects.filter(pk=rating.pk).exists()


def test_forged_rows_do_not_hold_up_the_sealer(visits):
    first = rate(visits[0])[0]
    for n, visit in enumerate(visits[1:3]):  # two forged rows, older than the next rating
        _behind_the_back(
            "INSERT INTO feedback_rating (case_id, ticket_id, unit_id, window_id, staff_id, "
            "overall, tags, comment, reason, channel, device, idempotency_key, created_at, mac, "
            "prev_hash, chain_hash) SELECT NULL, %s, unit_id, window_id, staff_id, 5, '[]', '', "
            "'', 'device', '', %s, created_at, mac, '', '' FROM feedback_rating WHERE id = %s",
            [visit.pk, f"forged-key-{n:04d}", first.pk],
        )
    assert services.seal(batch=2) == 1  # the first rating; the forged rows fill the page
    last = rate(visits[3])[0]
    assert services.seal(batch=2) == 1  # the page after the forged rows is read too
    last.refresh_from_db()
    assert last.seq == 2


# ---- checkpoints: the chain's head anchored outside the database ---------------------------


def _seal(capture):
    with capture(execute=True):  # the checkpoint is written once the seal has committed
        return services.seal()


def test_each_seal_leaves_a_signed_checkpoint_outside_the_database(
    visits, django_capture_on_commit_callbacks
):
    for v in visits[:2]:
        rate(v)
    assert _seal(django_capture_on_commit_callbacks) == 2
    rate(visits[2])
    assert _seal(django_capture_on_commit_callbacks) == 1
    assert _seal(django_capture_on_commit_callbacks) == 0  # nothing new: no checkpoint
    points = services.checkpoints()
    assert [p["seq"] for p in points] == [2, 3]
    head = Rating.objects.get(seq=3).chain_hash
    assert points[-1]["head"] == head and services.latest_checkpoint() == points[-1]
    assert services.verify() == []


@pytest.mark.parametrize("deleted", [1, 3, "all"])
def test_deleting_the_newest_ratings_no_longer_verifies_clean(
    visits, django_capture_on_commit_callbacks, deleted
):
    for v in visits[:3]:
        rate(v)
    _seal(django_capture_on_commit_callbacks)
    gone = {1: [3], 3: [1, 2, 3], "all": [1, 2, 3]}[deleted]
    if deleted == "all":
        _behind_the_back("DELETE FROM feedback_rating", [])
    else:
        _behind_the_back("DELETE FROM feedback_rating WHERE seq >= %s", [min(gone)])
    findings = services.verify()
    assert [(f.seq, f.problem) for f in findings] == [(n, "deleted") for n in gone]
    assert f"seq {gone[-1]}: " in verify_output()


def test_a_rewritten_tail_or_a_forged_checkpoint_is_named(
    visits, django_capture_on_commit_callbacks
):
    for v in visits[:2]:
        rate(v)
    _seal(django_capture_on_commit_callbacks)
    # the newest row deleted, and a new rating sealed into its place: same count, other head
    _behind_the_back("DELETE FROM feedback_rating WHERE seq = 2", [])
    rate(visits[2])
    _seal(django_capture_on_commit_callbacks)
    assert ("checkpoint", 2) in [(f.problem, f.seq) for f in services.verify()]
    # a checkpoint someone wrote without the server's key
    path = services.checkpoint_file()
    path.write_text(path.read_text() + '{"seq":9,"head":"00","at":"x","mac":"00"}\n')
    assert ("checkpoint", 9) in [(f.problem, f.seq) for f in services.verify()]


def test_the_public_page_shows_the_latest_checkpoint(
    client, demo, visits, django_capture_on_commit_callbacks
):
    for v in visits[:2]:
        rate(v)
    _seal(django_capture_on_commit_callbacks)
    head = Rating.objects.get(seq=2).chain_hash
    page = client.get(f"/ratings/{demo.code}/").content.decode()
    assert "评价存证" in page and head[:16] in page
    listed = client.get("/ratings/checkpoints.json").json()
    assert listed["checkpoints"][-1]["head"] == head and listed["checkpoints"][-1]["seq"] == 2


def test_a_follow_up_or_an_appeal_changed_behind_the_back_is_named(
    visits, django_capture_on_commit_callbacks
):
    """One UPDATE of an appeal's outcome would move the published good-review rate."""
    from servicehall.feedback.models import BadReviewFollowUp

    rating, _ = rate(visits[0], overall=1, reason="态度生硬")
    _seal(django_capture_on_commit_callbacks)
    rect = BadReviewFollowUp.objects.get(rating=rating)
    assert services.verify() == []
    _behind_the_back(
        "UPDATE feedback_badreviewfollowup SET appeal_upheld = %s WHERE id = %s", [True, rect.pk]
    )
    assert [(f.rating_id, f.problem) for f in services.verify()] == [(rating.pk, "follow_up")]
    _behind_the_back("DELETE FROM feedback_badreviewfollowup WHERE id = %s", [rect.pk])
    assert [(f.rating_id, f.problem) for f in services.verify()] == [(rating.pk, "no_follow_up")]


def test_the_sealer_goes_on_after_a_database_error(monkeypatch, visits):
    """A locked database once stopped `seal_ratings --every` for good; now it tries again."""
    from servicehall.feedback.management.commands import seal_ratings

    calls = []

    def flaky(batch):
        calls.append(batch)
        if len(calls) == 1:
            raise DatabaseError("database is locked")
        if len(calls) == 3:
            raise SystemExit  # enough: stop the loop
        return 0

    monkeypatch.setattr(seal_ratings, "seal", flaky)
    monkeypatch.setattr(seal_ratings.os, "nice", lambda n: 0)
    monkeypatch.setattr(seal_ratings.time, "sleep", lambda s: None)
    with pytest.raises(SystemExit):
        call_command("seal_ratings", every=0.01)
    assert len(calls) == 3


def test_the_bad_review_level_is_one_setting_everywhere(visits, settings, client, demo):
    """R-LAW-2: raised to 3, a 3 asks why (the service), opens a follow-up when sealed
    (the sealer), and the device and the link page ask for the reason from 3 (their forms)."""
    from servicehall.feedback.models import BadReviewFollowUp
    from tests.conftest import pair_device

    settings.SERVICEHALL = {**settings.SERVICEHALL, "BAD_REVIEW_LEVEL": 3}
    with raises_rule(None, InvalidInput, match="哪里做得不好") as refused:
        rate(visits[0], overall=3)
    assert "reason" in refused.value.errors
    rating, _ = rate(visits[0], overall=3, reason="等了很久")
    assert services.seal() == 1
    assert BadReviewFollowUp.objects.filter(rating=rating).exists()
    client.cookies[services.DEVICE_COOKIE] = pair_device(demo.windows.get(number=2))
    assert 'id="rate-form" data-low="3"' in client.get("/screen/").content.decode()
    link = client.get(f"/rate/{services.link_for(visits[1])}/").content.decode()
    assert 'data-low="3"' in link
