import time

from django.core.management.base import BaseCommand

from servicehall.feedback.services import seal


class Command(BaseCommand):
    help = "Link new ratings into the hash chain; with --every SECONDS, keep doing so."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0)

    def handle(self, *args, every, **options):
        while True:
            sealed = seal()
            if not every:
                self.stdout.write(f"sealed: {sealed}")
                return
            if not sealed:
                time.sleep(every)
