"""Assertions the suites share."""

from contextlib import contextmanager

import pytest

from servicehall.core.errors import ServiceError


@contextmanager
def raises_rule(rule: str | None, exc: type[ServiceError] = ServiceError, *, match=None):
    """Like pytest.raises, and the refusal must come from `rule` (a requirement id such as
    "R-Q-3", the `rule` a ServiceError carries): a test of one rule must not pass because
    another refused first. `rule=None` asserts the refusal names no rule."""
    with pytest.raises(exc, match=match) as info:
        yield info
    got = info.value.rule
    assert got == rule, f"refused by rule {got!r}, not {rule!r}: {info.value}"
