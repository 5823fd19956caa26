from django.core.management.base import BaseCommand, CommandError

from servicehall.supervision.services import unsealed


class Command(BaseCommand):
    help = (
        "Recompute every inspection's seal over its findings and photos; name each inspection "
        "changed behind the application's back (R-SUP-2). Exit status 1 when any is found."
    )

    def handle(self, *args, **options):
        bad, total = unsealed()
        for number in bad:
            self.stdout.write(f"{number}: findings changed after the visit was synced")
        if bad:
            raise CommandError(f"{len(bad)} of {total} inspections do not match their seal.")
        self.stdout.write(self.style.SUCCESS(f"{total} inspections match their seals."))
