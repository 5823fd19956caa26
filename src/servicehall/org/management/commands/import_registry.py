import sys

from auditlog.context import set_actor
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from tqdm import tqdm

from servicehall.org import excel
from servicehall.org.choices import Role
from servicehall.org.permissions import Actor, actor_for


class Command(BaseCommand):
    help = (
        "Import sectors, organizations, units, windows and staff from an Excel workbook "
        "(the template of /org/import/). All-or-nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--as", dest="username", help="Act (and be audited) as this user.")
        parser.add_argument("--lang", default="zh-hans", help="Language of the messages.")

    def handle(self, *args, path, username, lang, **options):
        translation.activate(lang)
        user = None
        if username:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user {username}.")
            actor = actor_for(user)
        else:
            # Someone with shell access to the server acts as the office.
            actor = Actor(user=None, staff=None, role=Role.ORGANIZER_ADMIN)
        try:
            # the same limits as the import page, before anything is parsed
            checked = excel.check_file(path)
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        except excel.ImportRefused as exc:
            raise CommandError(str(exc)) from None
        with (
            tqdm(
                total=checked.read_rows,
                unit="row",
                disable=checked.read_rows < 200,
                file=sys.stderr,
            ) as bar,
            set_actor(user),
        ):
            report = excel.import_registry(
                actor=actor, source=path, progress=bar.update, checked=checked
            )
        if report.ok:
            self.stdout.write(self.style.SUCCESS(report.summary()))
            return
        for error in report.errors:
            self.stderr.write(str(error))
        raise CommandError(report.summary())
