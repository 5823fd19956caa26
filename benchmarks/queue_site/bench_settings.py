"""servicehall's own settings plus one extra URL: the bare baseline call (bench_queue.py)."""

from servicehall.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
