"""The jobs runner (decision 0020): every app's tasks.py, each job on its own, each run
recorded; one job that raises stops none of the others."""

import datetime as dt
import io
import logging

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from servicehall.jobs.models import JobRun
from servicehall.jobs.runner import discover

EVERY_JOB = {
    "org.imports",
    "cases.deadlines",
    "queueing.backups",
    "queueing.no_shows",
    "queueing.pause_overruns",
    "queueing.contacts_overdue",
    "feedback.seal",
    "feedback.late_steps",
    "complaints.overdue",
    "supervision.overdue_notices",
    "rollups.days",
}
A_RESIDENT_ID = "410102199001011234"


def jobs(*args):
    out = io.StringIO()
    call_command("jobs", *args, stdout=out)
    return out.getvalue().splitlines()


def test_every_app_declares_its_jobs_in_its_tasks_module():
    found = {job.name: job for job in discover()}
    assert set(found) == EVERY_JOB
    assert found["cases.deadlines"].func.__module__ == "servicehall.cases.tasks"
    assert found["feedback.seal"].func.__module__ == "servicehall.feedback.tasks"


def test_a_job_that_raises_does_not_stop_the_others_and_its_error_is_kept(
    demo, monkeypatch, caplog
):
    from servicehall.feedback import services as feedback
    from servicehall.org import jobs as imports

    def broken_seal(*args, **kwargs):
        raise ValueError(f"chain broken at the rating of {A_RESIDENT_ID}")

    def broken_query():
        # a real database error, in a job that keeps its own transactions: the jobs after
        # it still find the connection usable (on PostgreSQL too)
        with connection.cursor() as cur:
            cur.execute("SELECT * FROM no_such_table")

    monkeypatch.setattr(feedback, "seal", broken_seal)
    monkeypatch.setattr(imports, "pick_up", broken_query)
    out = io.StringIO()
    with caplog.at_level(logging.ERROR), pytest.raises(CommandError) as failed:
        call_command("jobs", stdout=out)
    assert "2 job(s) failed: org.imports, feedback.seal" in str(failed.value)

    lines = out.getvalue().splitlines()
    assert len(lines) == len(EVERY_JOB)  # one line per job
    assert any(line.startswith("feedback.seal: FAILED") for line in lines)
    assert "complaints.overdue: ok" in out.getvalue()  # the job after the failing one ran
    assert "cases.deadlines: ok" in out.getvalue() and "due soon: 0, overdue: 0" in out.getvalue()

    seal = JobRun.objects.get(name="feedback.seal")
    assert seal.outcome == "failed" and seal.error_at == seal.started_at
    assert "Traceback" in seal.error and "ValueError: chain broken" in seal.error
    assert A_RESIDENT_ID not in seal.error and "4101**********1234" in seal.error  # masked
    assert seal.last_ok_at is None
    assert JobRun.objects.get(name="org.imports").outcome == "failed"
    assert set(JobRun.objects.filter(outcome="ok").values_list("name", flat=True)) == (
        EVERY_JOB - {"feedback.seal", "org.imports"}
    )
    logged = [r for r in caplog.records if "feedback.seal" in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # with its traceback

    # mended, it runs at once when named, and keeps the last error to read
    monkeypatch.undo()
    assert jobs("--only", "feedback.seal")[0].startswith("feedback.seal: ok")
    seal.refresh_from_db()
    assert seal.outcome == "ok" and seal.last_ok_at == seal.started_at
    assert "ValueError" in seal.error and seal.result == 0


def test_a_job_runs_when_its_interval_has_passed_and_only_names_jobs_to_run_now(demo, monkeypatch):
    from servicehall.complaints import services as complaints

    calls = []
    monkeypatch.setattr(complaints, "overdue", lambda: calls.append(1) or 0)
    assert len(jobs()) == len(EVERY_JOB) and calls == [1]
    again = jobs()
    assert all(": not due" in line for line in again), again
    assert calls == [1]

    for _ in range(2):  # named, it runs now, due or not
        assert jobs("--only", "complaints.overdue")[0].startswith("complaints.overdue: ok")
    assert len(calls) == 3

    # its interval passed (five minutes for complaints): due again
    JobRun.objects.filter(name="complaints.overdue").update(
        started_at=timezone.now() - dt.timedelta(minutes=5)
    )
    line = next(li for li in jobs() if li.startswith("complaints.overdue"))
    assert line.startswith("complaints.overdue: ok") and len(calls) == 4


def test_only_runs_just_the_named_jobs_and_refuses_an_unknown_name(demo):
    assert len(jobs("--only", "queueing.no_shows", "feedback.seal")) == 2
    assert set(JobRun.objects.values_list("name", flat=True)) == {
        "queueing.no_shows",
        "feedback.seal",
    }
    with pytest.raises(CommandError) as refused:
        jobs("--only", "cases.deadline")
    assert "no job is named cases.deadline" in str(refused.value)
    assert "cases.deadlines" in str(refused.value)  # it lists the names there are


def test_check_deadlines_still_runs_every_job_and_prints_its_one_line(demo, monkeypatch):
    out = io.StringIO()
    call_command("check_deadlines", stdout=out)
    (line,) = out.getvalue().splitlines()
    for part in (
        "due soon: 0, overdue: 0",
        "backups alerted: 0",
        "pauses over time: 0",
        "complaints past their answer deadline: 0",
        "ratings sealed: 0",
        "imports run: 0",
    ):
        assert part in line
    first = dict(JobRun.objects.values_list("name", "started_at"))
    assert set(first) == EVERY_JOB

    call_command("check_deadlines", stdout=io.StringIO())  # every job again, due or not
    again = dict(JobRun.objects.values_list("name", "started_at"))
    assert all(again[name] > first[name] for name in EVERY_JOB)

    from servicehall.queueing import rota

    monkeypatch.setattr(rota, "backup_alerts", lambda: 1 / 0)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_deadlines", stdout=out)
    assert "queueing.backups FAILED: ZeroDivisionError" in out.getvalue()
    assert "ratings sealed: 0" in out.getvalue()  # the others ran
