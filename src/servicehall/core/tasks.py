"""Periodic work, declared where it belongs (decision 0020).

Each app's `tasks.py` names its jobs with `@job(...)`; the jobs runner (`servicehall jobs`, in
servicehall.jobs on the top layer) imports every `tasks.py` and runs them, each on its own, and
records each one's last run. An app never imports the runner: this registry is all it sees.

A job is a function without arguments that returns what it did: a count, or a mapping of
counts (e.g. cases due soon and overdue). `counted` says in words what the count is, once, for
the runner's line and the office's page. A job runs in one transaction unless it says
`atomic=False` because it keeps its own.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Job:
    name: str  # "app.what", unique; the runner's --only and the record use it
    func: Callable[[], object]
    every: int  # seconds between two runs
    title: str  # what the job does, for people (a lazy translation)
    counted: object  # what its count means: a label, or {result key: label}
    # in one transaction of the runner's, all or nothing; False for a job that opens its own
    # (per item, or one that must commit a claim before it works)
    atomic: bool = True

    def describe(self, result) -> str:
        """The result in words, in the active language: "due soon: 2, overdue: 1"."""
        if result is None:
            return ""
        if isinstance(self.counted, Mapping) and isinstance(result, Mapping):
            pairs = [(label, result.get(key, 0)) for key, label in self.counted.items()]
        else:
            pairs = [(self.counted, result)]
        return _(", ").join(_("%(label)s: %(count)s") % {"label": a, "count": n} for a, n in pairs)


_REGISTRY: dict[str, Job] = {}


def job(name: str, *, every: int, title, counted, atomic: bool = True):
    """Declare a periodic job: `@job("cases.deadlines", every=300, title=..., counted=...)`."""
    if every <= 0:
        raise ImproperlyConfigured(f"job {name}: every must be a positive number of seconds")

    def register(func):
        known = _REGISTRY.get(name)
        where = f"{func.__module__}.{func.__qualname__}"
        if known is not None and f"{known.func.__module__}.{known.func.__qualname__}" != where:
            raise ImproperlyConfigured(f"two jobs are named {name}: {where} and {known.func}")
        _REGISTRY[name] = Job(
            name=name, func=func, every=every, title=title, counted=counted, atomic=atomic
        )
        return func

    return register


def registered() -> list[Job]:
    """The jobs declared so far, in the order their apps are installed."""
    return list(_REGISTRY.values())
