import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve servicehall with gunicorn (the production worker model), static files included."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=default_workers())
        parser.add_argument(
            "--no-events",
            action="store_true",
            help="Do not start the event server (display boards) on PORT + 1.",
        )

    def handle(self, *args, host, port, workers, no_events, **options):
        call_command("collectstatic", interactive=False, verbosity=0)
        if not no_events:
            # Display boards hold a connection open: they get their own small ASGI server,
            # so the sync workers stay free for ordinary requests (decision 0008).
            subprocess.Popen(  # noqa: S603 - our own command
                [
                    sys.executable,
                    "-m",
                    "servicehall",
                    "events",
                    "--host",
                    host,
                    "--port",
                    str(port + 1),
                ]
            )
            self.stdout.write(f"display board events at http://{host}:{port + 1}/events/")
        # Ratings are written plain and sealed into their hash chain within a second
        # (decision 0010): one sealer beside the workers.
        subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "servicehall", "seal_ratings", "--every", "1"]
        )
        self.stdout.write(f"servicehall serving at http://{host}:{port}/ ({workers} workers)")
        self.stdout.flush()
        sys.stderr.flush()
        os.execvp(sys.executable, gunicorn_argv(host, port, workers, settings.BASE_DIR.parent))


def default_workers() -> int:
    """WEB_CONCURRENCY, else 3 sync workers (decision 0004)."""
    return int(os.environ.get("WEB_CONCURRENCY", "3"))


def gunicorn_argv(host, port, workers, chdir):
    """The production command line (benchmarks start the server with it too)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "servicehall.wsgi:application",
        "--config",
        "python:servicehall.gunicorn_conf",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--timeout",
        "60",
        "--chdir",
        str(chdir),
    ]
