from django.core.management.base import BaseCommand, CommandError

from servicehall.feedback.models import Rating
from servicehall.feedback.services import verify


class Command(BaseCommand):
    help = (
        "Recompute every rating's signature and the hash chain; name each row changed, deleted "
        "or inserted behind the application's back (R-LAW-2). Exit status 1 when any is found."
    )

    def handle(self, *args, **options):
        findings = verify()
        for finding in findings:
            self.stdout.write(str(finding))
        total = Rating.objects.count()
        if findings:
            raise CommandError(f"{len(findings)} of {total} ratings do not verify.")
        self.stdout.write(self.style.SUCCESS(f"{total} ratings verify."))
