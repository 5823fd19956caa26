"""Assertions the suites share."""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


def page_queries(client, url):
    """(number of queries, page text) of one GET that must succeed."""
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url)
    assert page.status_code == 200, page.content.decode()[:300]
    return len(ctx.captured_queries), page.content.decode()


def same_cost(client, url, add):
    """A page reads through selectors in a fixed number of queries: add(2) rows, count the
    page's queries, add(4) more, count again; the counts must be equal. Returns the page."""
    add(2)
    few, _ = page_queries(client, url)
    add(4)
    many, page = page_queries(client, url)
    assert many == few, f"{url}: {few} queries with 2 rows, {many} with 6"
    return page


def as_role(role):
    """Go on as PostgreSQL role `role` (the app_role fixture's), until RESET ROLE."""
    with connection.cursor() as cur:
        cur.execute(f"SET ROLE {connection.ops.quote_name(role)}")
