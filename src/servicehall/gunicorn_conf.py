"""gunicorn settings of `servicehall serve` (decision 0004), the hooks a CLI flag cannot give."""

import gc


def post_worker_init(worker):
    # Django and the app are loaded by now: move those long-lived objects out of the
    # collector's reach, so a full collection scans only what requests create and does not
    # pause a window's call for tens of milliseconds.
    gc.collect()
    gc.freeze()
