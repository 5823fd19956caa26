"""Registry imports run as jobs (decision 0015): a file above SERVICEHALL_IMPORT_JOB_ROWS rows
is stored as an ImportJob and imported in a background thread started once the upload's
transaction has committed; the jobs runner (`servicehall jobs`, its job `org.imports`) runs
any job that was left waiting or whose process died, so nothing acknowledged is lost.

A job is claimed by a compare-and-set on its `attempts`; the claim's number is checked again
inside the import's transaction, when the job is marked done, so that of two runs of one job
(a run that outlived its lease and the one that took it over) exactly one commits.
"""

import datetime as dt
import io
import json
import logging
import os
import threading
import time
from pathlib import Path

from auditlog.context import set_actor
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from servicehall.core.errors import NotFound, ServiceError

from . import excel, services
from .models import ImportJob
from .permissions import Action, Actor, actor_for, require

log = logging.getLogger(__name__)

# A running job whose claim is older than this is taken to have died with its process. The
# import saves about 60 rows/s (benchmarks/bench_import.py): the default row limit of 10,000
# takes about 3 minutes, a tenth of this.
LEASE = dt.timedelta(minutes=30)
MAX_ATTEMPTS = 3
_EVERY = 0.5  # seconds between writes of a job's progress
Status = ImportJob.Status


class _Superseded(Exception):
    """Another run has claimed the job since this one did: this run rolls back."""


def submit(*, actor: Actor, upload, rows: int) -> ImportJob:
    """Store an upload that passed the checks before parsing; it runs after commit."""
    require(actor, Action.IMPORT_REGISTRY)
    upload.seek(0)
    job = ImportJob.objects.create(
        user=actor.user,
        filename=(getattr(upload, "name", "") or "upload.xlsx")[-255:],
        content=upload.read(),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        rows_total=rows,
    )
    transaction.on_commit(lambda: start(job.pk))
    return job


def start(pk: int) -> threading.Thread:
    thread = threading.Thread(target=_run_in_thread, args=(pk,), name=f"import-{pk}", daemon=True)
    thread.start()
    return thread


def _run_in_thread(pk):
    try:
        run(pk)
    except Exception:  # the job stays claimed; the worker takes it over after LEASE
        log.exception("import job %s failed", pk)
    finally:
        connection.close()


def _claim(job) -> int | None:
    now = timezone.now()
    free = Q(status=Status.PENDING) | Q(status=Status.RUNNING, started_at__lt=now - LEASE)
    claimed = ImportJob.objects.filter(free, pk=job.pk, attempts=job.attempts).update(
        status=Status.RUNNING, started_at=now, attempts=F("attempts") + 1
    )
    return job.attempts + 1 if claimed else None


def _progress_file(pk) -> Path:
    return Path(settings.VAR_DIR) / "import-jobs" / f"{pk}.json"


class _Meter:
    """Rows saved so far, written to a small file every _EVERY seconds: the import's
    transaction holds them until it commits, and the progress page must see them now."""

    def __init__(self, pk):
        self.path, self.done, self.written = _progress_file(pk), 0, 0.0
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def __call__(self, n):
        self.done += n
        if time.monotonic() - self.written >= _EVERY:
            self.write()

    def write(self):
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"rows_done": self.done}))
        os.replace(tmp, self.path)
        self.written = time.monotonic()


def rows_done(job) -> int:
    if job.status != Status.RUNNING:
        return job.rows_done
    try:
        return int(json.loads(_progress_file(job.pk).read_text())["rows_done"])
    except (OSError, ValueError, KeyError, TypeError):
        return job.rows_done


def _errors(report):
    return [[e.sheet, e.row, e.column, e.message] for e in report.shown_errors]


def run(pk: int) -> bool:
    """Run one job if it is free to claim; False if another run has it or it is finished."""
    job = ImportJob.objects.filter(pk=pk).first()
    if job is None or job.finished:
        return False
    attempt = _claim(job)
    if attempt is None:
        return False
    mine = ImportJob.objects.filter(pk=pk, attempts=attempt)
    done = {"content": b"", "finished_at": timezone.now()}
    if attempt > MAX_ATTEMPTS:
        mine.update(
            status=Status.FAILED,
            summary=_(
                "The import stopped %(n)s times; nothing was imported. Import the file again."
            )
            % {"n": MAX_ATTEMPTS},
            **done,
        )
        return True
    meter = _Meter(pk)

    def finish(report):  # inside the import's transaction: done and imported commit together
        if not mine.update(
            status=Status.DONE, summary=report.summary(), rows_done=report.rows, **done
        ):
            raise _Superseded

    with translation.override(job.language), set_actor(job.user):
        try:
            report = excel.import_registry(
                actor=actor_for(job.user),
                source=io.BytesIO(bytes(job.content)),
                progress=meter,
                before_commit=finish,
            )
        except _Superseded:
            return False
        except ServiceError as exc:  # refused as a whole (limits, permission)
            mine.update(status=Status.FAILED, summary=str(exc), rows_done=meter.done, **done)
            return True
        finally:
            _progress_file(pk).unlink(missing_ok=True)
        if not report.ok:
            mine.update(
                status=Status.FAILED,
                summary=report.summary(),
                errors=_errors(report),
                error_count=len(report.errors),
                rows_done=meter.done,
                **done,
            )
    return True


def pick_up() -> int:
    """For the periodic worker: run every job left waiting or interrupted; how many ran."""
    stale = Q(status=Status.RUNNING, started_at__lt=timezone.now() - LEASE)
    pks = ImportJob.objects.filter(Q(status=Status.PENDING) | stale).values_list("pk", flat=True)
    return sum(run(pk) for pk in list(pks.order_by("created_at")))


def visible_jobs(actor: Actor):
    """The uploader sees their own jobs, the organizing office everyone's."""
    require(actor, Action.IMPORT_REGISTRY)
    jobs = ImportJob.objects.defer("content").select_related("user")
    return jobs if services.is_office(actor) else jobs.filter(user_id=actor.user.pk)


def job_for(actor: Actor, pk: int) -> ImportJob:
    job = visible_jobs(actor).filter(pk=pk).first()
    if job is None:
        raise NotFound(_("No such import, or it is someone else's."))
    return job
