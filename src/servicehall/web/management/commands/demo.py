from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, seed the demo city (idempotent), print the logins, and serve."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Set up only; do not serve.")
        parser.add_argument("--port", type=int, default=None)

    def handle(self, *args, no_serve, port, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo")
        if not no_serve:
            call_command("serve", **({"port": port} if port else {}))
