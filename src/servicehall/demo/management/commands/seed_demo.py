from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from servicehall.demo.city import DEMO_PASSWORD, LOGINS
from servicehall.demo.registry import DemoDataRefused
from servicehall.demo.services import seed_activity, seed_demo


class Command(BaseCommand):
    help = "Seed the demo city of 开封市 (idempotent: a second run changes nothing)."

    def handle(self, *args, **options):
        # The demo city is Chinese: names written into the audit trail read as in the hall.
        with translation.override("zh-hans"):
            try:
                created = seed_demo()
            except DemoDataRefused as exc:
                for error in exc.report.errors:
                    self.stderr.write(str(error))
                raise CommandError(exc.report.summary()) from None
            created.update(seed_activity())
        if created and any(created.values()):
            summary = ", ".join(f"{k} {v}" for k, v in created.items() if v)
            self.stdout.write(f"Demo city seeded: {summary}")
        else:
            self.stdout.write("Demo city already present; nothing changed.")
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for username, (place, badge) in LOGINS.items():
            self.stdout.write(f"  {username:<12} {place} {badge}")
