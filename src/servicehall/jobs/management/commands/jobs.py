import logging
import os
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections

from servicehall.jobs import runner

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run the periodic jobs every app declares in its tasks.py, each on its own, and record "
        "each one's last run. Once (from cron, every minute), or with --every SECONDS as a "
        "worker; a job runs when its own interval has passed (--only runs the named ones now)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=int, default=0, help="Keep running, a round every N seconds."
        )
        parser.add_argument(
            "--only", nargs="+", metavar="NAME", default=None, help="Run only these jobs."
        )
        parser.add_argument("--list", action="store_true", help="List the jobs and stop.")

    def handle(self, *args, every, only, list, **options):
        jobs = runner.discover()
        if list:
            for job in jobs:
                self.stdout.write(f"{job.name}  every {job.every} s  {job.title}")
            return
        if only:
            try:
                jobs = runner.by_name(jobs, only)
            except KeyError as exc:
                raise CommandError(
                    f"no job is named {exc.args[0]}; the jobs: "
                    + ", ".join(j.name for j in runner.discover())
                ) from None
        if every < 0:
            raise CommandError("--every takes a number of seconds above 0.")
        if not every:
            # once: what cron runs; the named jobs run now, the others when due
            ran = runner.run(jobs, force=bool(only))
            self._print(ran)
            failed = [r.job.name for r in ran if r.state == "failed"]
            if failed:
                raise CommandError(f"{len(failed)} job(s) failed: {', '.join(failed)}")
            return
        # batch work beside the web workers: a citizen's request goes first
        os.nice(10)
        while True:
            began = time.monotonic()
            close_old_connections()  # as after a request: a stale connection is renewed
            try:
                self._print(runner.run(jobs, tick=every))
            except DatabaseError:
                log.exception("the jobs' round failed; trying again next round")
                close_old_connections()
            time.sleep(max(0.0, every - (time.monotonic() - began)))

    def _print(self, ran):
        for r in ran:
            self.stdout.write(r.line())
        self.stdout.flush()
