from django.core.management.base import BaseCommand, CommandError

from servicehall.violations.models import Violation
from servicehall.violations.services import verify


class Command(BaseCommand):
    help = (
        "Recompute every violation row's signature, the hash chain and its checkpoints; name "
        "each row changed, deleted or inserted behind the application's back (R-SUP-3). Exit "
        "status 1 when any is found."
    )

    def handle(self, *args, **options):
        findings = verify()
        for finding in findings:
            self.stdout.write(str(finding))
        total = Violation.objects.count()
        if findings:
            raise CommandError(f"{len(findings)} findings in {total} violation rows.")
        self.stdout.write(self.style.SUCCESS(f"{total} violation rows verify."))
