"""What the HTTP benchmarks (bench_queue.py, bench_ratings.py) share: their own PostgreSQL
database, Django set up on it, the demo-free halls of officers they measure, and the server
started as `servicehall serve` starts it, beside a baseline URL module of the same server."""

import os
import socket
import subprocess
import sys

import psycopg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))


BASE_URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def server_arguments(parser) -> None:
    """What every benchmark of the served app takes: --keep its database, and --workers, by
    default as many as `servicehall serve` starts."""
    from servicehall.web.management.commands.serve import default_workers

    parser.add_argument("--keep", action="store_true", help="keep the database for a look after")
    parser.add_argument("--workers", type=int, default=default_workers())


def fresh_database(name: str, script: str) -> str:
    """Drop and create the benchmark's database next to DATABASE_URL's; its URL."""
    if not BASE_URL.startswith("postgres"):
        sys.exit(f"{script} needs PostgreSQL: set DATABASE_URL=postgresql://…")
    drop_database(name)
    with psycopg.connect(BASE_URL, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return BASE_URL.rsplit("/", 1)[0] + "/" + name


def drop_database(name: str) -> None:
    with psycopg.connect(BASE_URL, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        conn.execute(f"DROP DATABASE IF EXISTS {name}")


def setup_django(bench_url: str, var: str) -> None:
    """Django on the benchmark's database, production settings (DEBUG off), migrated."""
    os.environ["DATABASE_URL"] = bench_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "servicehall.settings"
    os.environ["SERVICEHALL_DEBUG"] = "0"
    os.environ.setdefault("SERVICEHALL_VAR", var)
    import django

    django.setup()
    from pathlib import Path

    from django.conf import settings
    from django.core.management import call_command

    # a fresh database starts a fresh ratings chain: the checkpoints of an earlier run are not
    # this chain's
    Path(settings.SERVICEHALL["RATING_CHECKPOINTS"]).unlink(missing_ok=True)

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def hall(h: int, sector):
    """Benchmark hall number h."""
    from servicehall.org.models import Unit

    return Unit.objects.create(
        code=f"bench-{h}", name=f"基准大厅{h}", kind="service_centre", sector=sector
    )


def window_with_officer(unit, h: int, n: int, today):
    """Window n of hall h and the certified officer posted there: (window, user, staff)."""
    from django.contrib.auth import get_user_model

    from servicehall.org.models import Staff, Window

    window = Window.objects.create(unit=unit, number=n, function="综合受理", is_duty_lead=(n == 1))
    user = get_user_model().objects.create_user(f"bench-{h}-{n}")
    staff = Staff.objects.create(
        user=user,
        name=f"窗口{h}-{n}",
        badge_no=f"B{h}{n:02d}",
        role="officer",
        unit=unit,
        window=window,
        certified_on=today.replace(year=today.year - 1),
    )
    return window, user, staff


def opening_time():
    """08:55 local of the last working day up to today: when a bench's windows sign in, so that
    a run at night or on a holiday meets the same open hall as one in the morning (R-Q-3)."""
    import datetime as dt

    from django.utils import timezone

    from servicehall.worktime import services as worktime

    cal, day = worktime.calendar(), timezone.localdate()
    while not cal.is_working_day(day):
        day -= dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(8, 55)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(site: str) -> dict:
    """The environment of the server processes: servicehall's settings plus the site folder's
    baseline URL (benchmarks/<site>/bench_settings.py)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join(
            [os.path.join(ROOT, "benchmarks", site), os.path.join(ROOT, "src")]
        ),
    }


def start_web(env: dict, port: int, workers: int, **popen):
    """`servicehall serve`'s gunicorn command line."""
    from servicehall.web.management.commands.serve import gunicorn_argv

    popen.setdefault("stdout", subprocess.DEVNULL)
    popen.setdefault("stderr", subprocess.DEVNULL)
    return subprocess.Popen(
        gunicorn_argv("127.0.0.1", port, workers, os.path.join(ROOT, "src")), env=env, **popen
    )


def start_events(env: dict, port: int):
    """The boards' event server, as `servicehall serve` starts it."""
    return subprocess.Popen(
        [sys.executable, "-m", "servicehall", "events", "--host", "127.0.0.1"]
        + ["--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
