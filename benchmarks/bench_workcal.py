"""Bulk due dates: 1,000,000 (start, n) pairs through add_working_days_many, against
(a) the `holidays` package's own per-date API in a loop (a sample timed and scaled), and
(b) a bare NumPy searchsorted over a precomputed working-day count (the limit).

    .venv/bin/python benchmarks/bench_workcal.py [--pairs 1000000 --sample 2000]

Last line: JSON with vs_library (library time / ours, goal ≥ 100) and vs_limit (ours / bare,
goal ≤ 3). Pure Python: no Django, no database.
"""

import argparse
import datetime as dt
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from servicehall.workcal import china  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--pairs", type=int, default=1_000_000)
parser.add_argument("--sample", type=int, default=2_000)
parser.add_argument("--repeat", type=int, default=5)
args = parser.parse_args()

rng = np.random.default_rng(20261126)
cal = china()
first = np.datetime64("2024-01-01")
starts = first + rng.integers(0, 3 * 365, args.pairs).astype("timedelta64[D]")
ns = rng.integers(0, 31, args.pairs)


def best(fn):
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


ours_s, ours = best(lambda: cal.add_working_days_many(starts, ns))

# (b) the limit: searchsorted over the precomputed running count, offsets already integers.
cum = np.cumsum(cal._flags, dtype=np.int64)
flags = cal._flags
idx = (starts - cal._epoch).astype(np.int64)


def bare():
    # the same lookup with nothing around it (n = 0 on a day off means the next working day)
    return np.searchsorted(cum, cum[idx] + ns + ((ns == 0) & ~flags[idx]))


bare_s, bare_out = best(bare)
assert np.array_equal(cal._epoch + bare_out.astype("timedelta64[D]"), ours)

# (a) the library's own API, one pair at a time, on a sample.
import holidays  # noqa: E402

cn = holidays.China(years=range(2024, 2028))
sample = [(starts[i].astype(dt.date), int(ns[i])) for i in range(args.sample)]


def library():
    out = []
    for d, n in sample:
        if n == 0:
            out.append(d if cn.is_working_day(d) else cn.get_nth_working_day(d, 1))
        else:
            out.append(cn.get_nth_working_day(d, n))
    return out


t = time.perf_counter()  # once: the sample alone takes about as long as everything else
lib_out = library()
lib_sample_s = time.perf_counter() - t
mismatch = sum(a != ours[i].astype(dt.date) for i, a in enumerate(lib_out))
library_s = lib_sample_s * args.pairs / args.sample

result = {
    "benchmark": "workcal_add_working_days_many",
    "pairs": args.pairs,
    "ours_s": round(ours_s, 4),
    "bare_searchsorted_s": round(bare_s, 4),
    "library_s_scaled": round(library_s, 2),
    "library_sample": args.sample,
    "library_mismatches_in_sample": mismatch,
    "pairs_per_s": round(args.pairs / ours_s),
    "vs_library": round(library_s / ours_s, 1),
    "vs_limit": round(ours_s / bare_s, 2),
}
print(f"ours {ours_s * 1000:.1f} ms, bare {bare_s * 1000:.1f} ms, library ~{library_s:.1f} s")
print(json.dumps(result))
