import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections

from servicehall.jobs import runner

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "The old name of `servicehall jobs`: every job now, and one line of what they did "
        "(cases due soon and overdue, A/B backups, pauses past their time, no-shows, complaints "
        "past their answer deadline, ratings sealed, registry imports). With --every SECONDS, "
        "again and again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds.")

    def handle(self, *args, every, **options):
        jobs = runner.discover()
        while True:
            try:
                ran = runner.run(jobs, force=True)
            except DatabaseError:
                if not every:
                    raise
                log.exception("the jobs' round failed; trying again next round")
                close_old_connections()
            else:
                self.stdout.write(runner.summary(ran))
                self.stdout.flush()
                failed = [r.job.name for r in ran if r.state == "failed"]
                if failed and not every:
                    raise CommandError(f"{len(failed)} job(s) failed: {', '.join(failed)}")
            if not every:
                return
            time.sleep(every)
