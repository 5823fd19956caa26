"""Load a State Council holiday notice file (R-LAW-4) and move every stored due time it
changes: `servicehall load_calendar 2027.toml`."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from servicehall.workcal.calendar import load_overrides
from servicehall.worktime.services import calendar_republished, publish_notice


class Command(BaseCommand):
    help = (
        "Load the years of a holiday notice file (the TOML format of workcal/data/china.toml: "
        "[years.2027] official, notice, holidays, workdays) into the calendar, then recompute "
        "the due times of open cases, steps, complaints, bad-review follow-ups and contact "
        "tasks that depend on those years."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the notice file (TOML)")

    def handle(self, *args, file, **options):
        try:
            years = load_overrides(file)
        except (OSError, ValueError) as exc:  # tomllib's errors are ValueErrors
            raise CommandError(f"{file}: {exc}") from exc
        if not years:
            raise CommandError(f"{file}: no [years.YYYY] table")
        with transaction.atomic():
            for year, table in sorted(years.items()):
                days = publish_notice(year, table)
                state = "official" if table["official"] else "not official"
                self.stdout.write(f"{year}: {state}, {days} days differ from the package")
            moved = calendar_republished(years)
        for app, count in sorted(moved.items()):
            self.stdout.write(f"{app}: {count} due times recomputed")
