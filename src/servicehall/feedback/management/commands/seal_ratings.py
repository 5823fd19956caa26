import os
import time

from django.core.management.base import BaseCommand

from servicehall.feedback.services import seal

BATCH = 1000


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
            sealed = seal(batch=BATCH)
            if not every:
                self.stdout.write(f"sealed: {sealed}")
                return
            if sealed < BATCH:  # caught up: wait, so that a pass seals a batch, not a few rows
                time.sleep(every)
