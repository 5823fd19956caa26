from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from servicehall.org.docs import permissions_markdown

DOC = Path(settings.PROJECT_DIR) / "docs" / "permissions.md"


class Command(BaseCommand):
    help = "Write docs/permissions.md from the permission matrix (--check: fail if it is stale)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, check, **options):
        text = permissions_markdown()
        if check:
            if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
                raise CommandError(
                    "docs/permissions.md is out of date: run servicehall permissions_doc"
                )
            return
        DOC.write_text(text, encoding="utf-8")
        self.stdout.write(str(DOC))
