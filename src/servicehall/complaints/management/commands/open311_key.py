from django.core.management.base import BaseCommand, CommandError

from servicehall.complaints.models import ApiClient


class Command(BaseCommand):
    help = "Issue an Open311 API key for a client; the key is printed once and never stored."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Who the client is, e.g. '12345 hotline app'.")

    def handle(self, *args, name, **options):
        name = name.strip()
        if not name:
            raise CommandError("Name the client the key is for.")
        _client, key = ApiClient.issue(name)
        self.stdout.write(key)
