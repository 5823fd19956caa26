import time

from django.core.management.base import BaseCommand

from servicehall.cases.services import check_deadlines
from servicehall.complaints.services import overdue
from servicehall.feedback.services import seal
from servicehall.org.jobs import pick_up as pick_up_imports
from servicehall.queueing.appointments import mark_no_shows
from servicehall.queueing.rota import backup_alerts
from servicehall.queueing.services import pause_overruns


class Command(BaseCommand):
    help = (
        "Mark cases and steps due soon or overdue and notify their owners and unit leaders. "
        "Run from cron every few minutes, or with --every SECONDS as a small worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds.")

    def handle(self, *args, every, **options):
        while True:
            counts = check_deadlines()
            covered = backup_alerts()
            mark_no_shows()
            overrun = pause_overruns()
            late = overdue()
            # the sealer does this within a second; here too, so that a stopped sealer
            # cannot keep a bad review's follow-up from opening (R-LAW-2)
            sealed = seal()
            # registry imports left waiting, or whose process died (decision 0015)
            imports = pick_up_imports()
            self.stdout.write(
                f"due soon: {counts['warning']}, overdue: {counts['overdue']}, "
                f"backups alerted: {covered}, pauses over time: {overrun}, "
                f"complaints past their answer deadline: {late}, ratings sealed: {sealed}, "
                f"imports run: {imports}"
            )
            if not every:
                return
            time.sleep(every)
