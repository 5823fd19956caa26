from django.core.management.base import BaseCommand

from servicehall.org import excel
from servicehall.org.choices import Role
from servicehall.org.permissions import Actor


class Command(BaseCommand):
    help = "Export the registry to an Excel workbook (phones masked)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        excel.export_workbook(actor=Actor(user=None, staff=None, role=Role.ORGANIZER_ADMIN)).save(
            path
        )
        self.stdout.write(path)
