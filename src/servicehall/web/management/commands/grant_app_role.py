from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from servicehall.core.db import app_role_grants, grant_app_role
from servicehall.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Give the PostgreSQL role the application runs as exactly the privileges it needs "
        "(no TRUNCATE, no DELETE or rewrite of ratings). Run as the tables' owner after every "
        "migrate; `migrate` does it itself when SERVICEHALL_DB_APP_ROLE is set."
    )

    def add_arguments(self, parser):
        parser.add_argument("role")
        parser.add_argument(
            "--print", action="store_true", help="Print the statements instead of running them."
        )

    def handle(self, *args, role, print, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Only for PostgreSQL: SQLite has no roles.")
        if print:
            self.stdout.write(";\n".join(app_role_grants(role)) + ";")
            return
        try:
            with transaction.atomic():
                statements = grant_app_role(role)
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{role}: {len(statements)} statements applied.")
