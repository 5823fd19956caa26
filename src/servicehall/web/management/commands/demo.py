import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Migrate, seed the demo city (idempotent), print the logins, and serve, with the "
        "deadline job running every five minutes beside the server."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Set up only; do not serve.")
        parser.add_argument("--port", type=int, default=None)

    def handle(self, *args, no_serve, port, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo")
        if no_serve:
            return
        # The one background mechanism (decision 0007): here a small worker process; in
        # production the same command from cron or a service manager.
        subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "servicehall", "check_deadlines", "--every", "300"],
            stdout=subprocess.DEVNULL,
        )
        call_command("serve", **({"port": port} if port else {}))
