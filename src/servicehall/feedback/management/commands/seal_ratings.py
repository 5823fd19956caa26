import logging
import os
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from servicehall.feedback.services import seal

BATCH = 1000
log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Link new ratings into the hash chain; with --every SECONDS, keep doing so."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0)

    def handle(self, *args, every, **options):
        if every:
            # batch work beside the web workers: when both want the CPU, a citizen's request
            # goes first and the seal a few milliseconds later
            os.nice(10)
        while True:
            if not every:
                self.stdout.write(f"sealed: {seal(batch=BATCH)}")
                return
            try:
                sealed = seal(batch=BATCH)
            except DatabaseError:
                # a locked SQLite file, a restarted server: the sealer goes on once the
                # database answers again (nothing is lost: the rows wait unsealed)
                log.exception("sealing failed; trying again")
                close_old_connections()
                time.sleep(every)
                continue
            if sealed < BATCH:  # caught up: wait, so that a pass seals a batch, not a few rows
                time.sleep(every)
