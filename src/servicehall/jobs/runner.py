"""The one jobs runner (decision 0020): every app's `tasks.py` declares its jobs
(servicehall.core.tasks); this module finds them, runs each on its own and records its run.

- Isolation: each job runs in its own try, and in its own transaction unless it keeps its
  own (`atomic=False`); one that raises is logged with its traceback (masked, as every log
  line is) and recorded, and the next job runs all the same.
- One at a time: on PostgreSQL a job runs under a session advisory lock keyed by its
  JobRun row, taken with pg_try_advisory_lock, so a second runner (another host, a cron run
  beside `serve`) skips a job that is still running instead of running it twice; the lock
  goes when the job ends or its process dies. On SQLite one runner is assumed.
- Due: a job runs when `every` seconds have passed since its last start (recorded in the
  database, so shared by every runner), less half the runner's tick, so that a loop or a
  cron that wakes a moment early does not skip a round.
"""

import datetime as dt
import logging
import time
import traceback
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django.utils.module_loading import autodiscover_modules

from servicehall.core.masking import mask_text
from servicehall.core.tasks import Job, registered

from .models import JobRun

log = logging.getLogger(__name__)

# the first key of the runner's two-key advisory locks (the second is the JobRun's id); the
# one-key space of other locks (the sealer's) does not overlap it
LOCK_CLASS = 20020
CRON_TICK = 60  # a run from cron comes every minute


def discover() -> list[Job]:
    """Every job declared in an installed app's tasks.py, in INSTALLED_APPS order."""
    autodiscover_modules("tasks")
    return registered()


@dataclass(frozen=True)
class Ran:
    """What one job did in this round."""

    job: Job
    state: str  # ok, failed, not_due, busy
    result: object = None
    seconds: float | None = None
    error: str = ""  # the exception's line
    last_start: dt.datetime | None = None  # for a job that was not due

    def line(self) -> str:
        """One line of the runner's output (in English, like the other commands)."""
        with translation.override("en"):
            if self.state == "ok":
                return (
                    f"{self.job.name}: ok in {self.seconds:.2f} s; {self.job.describe(self.result)}"
                )
            if self.state == "failed":
                return f"{self.job.name}: FAILED in {self.seconds:.2f} s; {self.error}"
            if self.state == "busy":
                return f"{self.job.name}: skipped, running in another runner"
            last = timezone.localtime(self.last_start).strftime("%Y-%m-%d %H:%M:%S")
            return f"{self.job.name}: not due (last started {last}, every {self.job.every} s)"


def run(jobs, *, force=False, tick=CRON_TICK) -> list[Ran]:
    """Run each job that is due (every one with force), each on its own."""
    ran = []
    for job in jobs:
        try:
            ran.append(run_one(job, force=force, slack=tick / 2))
        except DatabaseError as exc:  # its record could not be read or written
            log.exception("job %s: its run could not be recorded", job.name)
            _recover()
            ran.append(Ran(job, "failed", seconds=0.0, error=mask_text(_one_line(exc))))
    return ran


def run_one(job: Job, *, force=False, slack=CRON_TICK / 2) -> Ran:
    record, _created = JobRun.objects.get_or_create(name=job.name)
    with _lock(record) as held:
        if not held:
            return Ran(job, "busy")
        record.refresh_from_db()  # another runner may have run it while we waited
        started = timezone.now()
        if not force and not _due(record, job, started, slack):
            return Ran(job, "not_due", last_start=record.started_at)
        clock = time.monotonic()
        try:
            # A job of atomic=False keeps its own transactions; inside a caller's transaction
            # (a test) it gets a savepoint all the same, so a database error it raises does
            # not break that transaction for the jobs after it.
            with (
                transaction.atomic() if job.atomic or connection.in_atomic_block else nullcontext()
            ):
                result = job.func()
        except Exception as exc:
            seconds = time.monotonic() - clock
            log.exception("job %s failed after %.2f s", job.name, seconds)
            _recover()
            text = mask_text(traceback.format_exc())
            JobRun.objects.filter(pk=record.pk).update(
                started_at=started,
                seconds=seconds,
                outcome=JobRun.Outcome.FAILED,
                result=None,
                error=text,
                error_at=started,
            )
            return Ran(job, "failed", seconds=seconds, error=mask_text(_one_line(exc)))
        seconds = time.monotonic() - clock
        JobRun.objects.filter(pk=record.pk).update(
            started_at=started,
            seconds=seconds,
            outcome=JobRun.Outcome.OK,
            result=result,
            last_ok_at=started,
        )
        return Ran(job, "ok", result=result, seconds=seconds)


def summary(ran: list[Ran]) -> str:
    """All jobs' results on one line, as `check_deadlines` always printed them."""
    with translation.override("en"):
        parts = []
        for r in ran:
            if r.state == "ok":
                parts.append(r.job.describe(r.result))
            elif r.state == "failed":
                parts.append(f"{r.job.name} FAILED: {r.error}")
            elif r.state == "busy":
                parts.append(f"{r.job.name} running in another runner")
        return ", ".join(parts)


def status() -> list[tuple[Job, JobRun | None]]:
    """Each declared job with its record (None: never run), for the office's page."""
    jobs = discover()
    records = JobRun.objects.in_bulk([j.name for j in jobs], field_name="name")
    return [(j, records.get(j.name)) for j in jobs]


def by_name(jobs, names) -> list[Job]:
    """The jobs named, in their order; a KeyError names the first unknown one."""
    known = {j.name: j for j in jobs}
    for name in names:
        if name not in known:
            raise KeyError(name)
    return [j for j in jobs if j.name in set(names)]


def _due(record, job, now, slack) -> bool:
    if record.started_at is None:
        return True
    return record.started_at <= now - dt.timedelta(seconds=job.every - slack)


@contextmanager
def _lock(record):
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, record.pk])
        held = cur.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, record.pk])
            except DatabaseError:
                # the session is gone or broken: its locks go with it
                if not connection.in_atomic_block:
                    connection.close()


def _recover():
    """After a failed job: a connection the error broke is closed, so the next job and the
    record open a fresh one (only outside a caller's transaction, which is the caller's)."""
    if (
        connection.connection is not None
        and not connection.in_atomic_block
        and not connection.is_usable()
    ):
        connection.close()


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
