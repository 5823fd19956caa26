"""servicehall's own settings plus one extra URL: the bare baseline rating (bench_ratings.py)."""

from servicehall.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
