"""Two runners on PostgreSQL, in real parallel processes (another host, a cron run beside
`serve`): a job still running in one is skipped by the other, never run twice at once."""

import io
import multiprocessing as mp

import pytest
from django.db import connection, connections

from servicehall.core import tasks
from servicehall.jobs.models import JobRun

pytestmark = pytest.mark.django_db(transaction=True)
_ctx = mp.get_context("fork")
started, second_done = _ctx.Event(), _ctx.Event()


def _slow():
    """Holds the job until the second runner has tried it."""
    started.set()
    assert second_done.wait(timeout=60), "the second runner never came"
    return 1


@pytest.fixture
def slow_job():
    tasks.job("tests.slow", every=60, atomic=False, title="slow", counted="runs")(_slow)
    yield "tests.slow"
    tasks._REGISTRY.pop("tests.slow")


def _runner(out, wait_for=None, then=None):
    connections.close_all()  # each process its own connection
    from django.core.management import call_command

    if wait_for is not None:
        assert wait_for.wait(timeout=60)
    text = io.StringIO()
    call_command("jobs", "--only", "tests.slow", stdout=text)
    if then is not None:
        then.set()
    out.put(text.getvalue().strip())
    connections.close_all()


def test_a_job_running_in_one_runner_is_skipped_by_another(slow_job):
    if connection.vendor != "postgresql":
        pytest.skip("parallel runners need PostgreSQL; on SQLite one runner runs")
    connections.close_all()
    out = _ctx.Queue()
    first = _ctx.Process(target=_runner, args=(out,))
    # the second starts once the first is inside the job, and lets it finish when done
    second = _ctx.Process(target=_runner, args=(out, started, second_done))
    first.start()
    second.start()
    lines = sorted(out.get(timeout=120) for _ in range(2))
    first.join(timeout=60)
    second.join(timeout=60)
    assert lines[0].startswith("tests.slow: ok") and "runs: 1" in lines[0]
    assert lines[1] == "tests.slow: skipped, running in another runner"
    assert first.exitcode == 0 and second.exitcode == 0
    run = JobRun.objects.get(name="tests.slow")
    assert run.outcome == "ok" and run.result == 1

    # the lock went with the run: the next runner runs the job
    second_done.set()
    connections.close_all()  # a child must not inherit (and close) this process's connection
    out2 = _ctx.Queue()
    third = _ctx.Process(target=_runner, args=(out2,))
    third.start()
    assert out2.get(timeout=60).startswith("tests.slow: ok")
    third.join(timeout=60)
