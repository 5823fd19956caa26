from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Migrate, seed the demo city (idempotent), print the logins, and serve, with the "
        "background jobs (`servicehall jobs`) running every five minutes beside the server."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Set up only; do not serve.")
        parser.add_argument("--port", type=int, default=None)

    def handle(self, *args, no_serve, port, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo")
        if no_serve:
            return
        # The one background mechanism (decision 0020): serve starts the jobs runner beside
        # the workers, here every five minutes; in production every minute.
        call_command("serve", jobs_every=300, **({"port": port} if port else {}))
