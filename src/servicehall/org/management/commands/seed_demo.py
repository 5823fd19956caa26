from django.core.management.base import BaseCommand
from django.utils import translation

from servicehall.org.demo import DEMO_PASSWORD, LOGINS, seed_demo


class Command(BaseCommand):
    help = "Seed the demo city of 开封市 (idempotent: a second run changes nothing)."

    def handle(self, *args, **options):
        # The demo city is Chinese: names written into the audit trail read as in the hall.
        with translation.override("zh-hans"):
            created = seed_demo()
            # a day's activity for the pages to show; tests seed the city without it
            from servicehall.complaints.demo import seed_complaints
            from servicehall.hotline.demo import seed_calls

            created["Complaints"] = seed_complaints()
            created["HotlineCalls"] = seed_calls()
        if created and any(created.values()):
            summary = ", ".join(f"{k} {v}" for k, v in created.items() if v)
            self.stdout.write(f"Demo city seeded: {summary}")
        else:
            self.stdout.write("Demo city already present; nothing changed.")
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for username, (place, badge) in LOGINS.items():
            self.stdout.write(f"  {username:<12} {place} {badge}")
