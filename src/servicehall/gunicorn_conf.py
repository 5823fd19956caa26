"""gunicorn settings of `servicehall serve` (decision 0004), the hooks a CLI flag cannot give."""

import gc


def post_worker_init(worker):
    # Django and the app are loaded by now: move those long-lived objects out of the
    # collector's reach, so a full collection scans only what requests create and does not
    # pause a window's call for tens of milliseconds.
    gc.collect()
    gc.freeze()


def when_ready(server):
    # China's calendar, built from the holidays package, takes most of a second: build it
    # once here in the master, before the workers are forked, so that no worker's first
    # deadline (a case received, a bad review) waits for it.
    from servicehall.workcal import china

    china()
