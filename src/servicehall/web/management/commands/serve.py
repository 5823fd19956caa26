import ctypes
import os
import signal
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
        parser.add_argument(
            "--jobs-every",
            type=int,
            default=60,
            help="Run the background jobs (`servicehall jobs`) every N seconds; 0: do not.",
        )

    def handle(self, *args, host, port, workers, no_events, jobs_every, **options):
        call_command("collectstatic", interactive=False, verbosity=0)
        if not no_events:
            # Display boards hold a connection open: they get their own small ASGI server,
            # so the sync workers stay free for ordinary requests (decision 0008).
            start_beside(["events", "--host", host, "--port", str(port + 1)])
            self.stdout.write(f"display board events at http://{host}:{port + 1}/events/")
        # Ratings are written plain and sealed into their hash chain within a second
        # (decision 0010): one sealer beside the workers.
        start_beside(["seal_ratings", "--every", "1"])
        if jobs_every:
            # the periodic jobs of every app's tasks.py (decision 0020); the runner's seal job
            # is the sealer's safety net. A failing job is logged (stderr) and shown at /jobs/.
            start_beside(["jobs", "--every", str(jobs_every)], stdout=subprocess.DEVNULL)
            self.stdout.write(f"background jobs every {jobs_every} s (servicehall jobs)")
        self.stdout.write(f"servicehall serving at http://{host}:{port}/ ({workers} workers)")
        self.stdout.flush()
        sys.stderr.flush()
        os.execvp(sys.executable, gunicorn_argv(host, port, workers, settings.BASE_DIR.parent))


def start_beside(command, **popen):
    """Start `servicehall COMMAND…` beside the server, to stop when the server stops: serve
    becomes gunicorn's master (exec), and on Linux the kernel sends each helper SIGTERM when
    that process ends, however it ends (a terminal's Ctrl-C or systemd reach them anyway)."""
    parent = os.getpid()
    libc = ctypes.CDLL(None) if sys.platform.startswith("linux") else None

    def die_with_parent():
        if libc is not None:
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the server ended before the line above ran
            os._exit(0)

    return subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "servicehall", *command], preexec_fn=die_with_parent, **popen
    )


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
