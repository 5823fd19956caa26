import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from servicehall.rollups.services import roll_day
from servicehall.rollups.tasks import roll_up


def _date(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = (
        "Roll up the daily figures: yesterday and every day due (default), one day (--day), "
        "or every day from --since to yesterday."
    )

    def add_arguments(self, parser):
        parser.add_argument("--day", type=_date, help="one local day, YYYY-MM-DD")
        parser.add_argument("--since", type=_date, help="every day from this one to yesterday")

    def handle(self, *args, day=None, since=None, **options):
        today = timezone.localdate()
        if day and since:
            raise CommandError("give --day or --since, not both")
        for given in (day, since):
            if given and given >= today:
                raise CommandError(f"{given} is not over yet: today's figures are computed live")
        if since:
            days = [since + dt.timedelta(days=n) for n in range((today - since).days)]
            for d in days:
                rows = roll_day(d)
                self.stdout.write(f"{d}: {rows} rows")
            count = len(days)
        else:
            count = roll_up(day)
        self.stdout.write(self.style.SUCCESS(f"{count} day(s) rolled up"))
