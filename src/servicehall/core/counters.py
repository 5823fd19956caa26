"""A Django cache backend that only counts: the shared store of the rate limits when no Redis
is configured (decision 0016). django-ratelimit needs `add` (set if absent) and `incr` that are
atomic across worker processes; Django's DatabaseCache does both as read-then-write, so two
workers can both see 5 and both write 6. Here each is one statement the database serialises:
an upsert that only replaces an expired row, and an UPDATE … RETURNING. Works on PostgreSQL and
SQLite (3.35+, for RETURNING)."""

import random
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.db import connection

TABLE = "web_ratecounter"
SWEEP_CHANCE = 0.01  # one add in a hundred deletes the rows of ended windows


class CounterCache(BaseCache):
    def __init__(self, location, params):
        super().__init__(params)

    def _expiry(self, timeout):
        timeout = self.default_timeout if timeout is DEFAULT_TIMEOUT else timeout
        return time.time() + (timeout if timeout is not None else 365 * 86400)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        now = time.time()
        with connection.cursor() as cursor:
            if random.random() < SWEEP_CHANCE:  # noqa: S311 - housekeeping, not security
                cursor.execute(f"DELETE FROM {TABLE} WHERE expires <= %s", [now])
            cursor.execute(
                f"INSERT INTO {TABLE} (key, count, expires) VALUES (%s, %s, %s) "
                "ON CONFLICT (key) DO UPDATE SET count = excluded.count, "
                f"expires = excluded.expires WHERE {TABLE}.expires <= %s",
                [key, int(value), self._expiry(timeout), now],
            )
            return cursor.rowcount == 1

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TABLE} SET count = count + %s WHERE key = %s AND expires > %s "
                "RETURNING count",
                [int(delta), key, time.time()],
            )
            row = cursor.fetchone()
        if row is None:
            raise ValueError(f"Key '{key}' not found.")
        return row[0]

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count FROM {TABLE} WHERE key = %s AND expires > %s", [key, time.time()]
            )
            row = cursor.fetchone()
        return default if row is None else row[0]

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} (key, count, expires) VALUES (%s, %s, %s) "
                "ON CONFLICT (key) DO UPDATE SET count = excluded.count, "
                "expires = excluded.expires",
                [key, int(value), self._expiry(timeout)],
            )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TABLE} SET expires = %s WHERE key = %s", [self._expiry(timeout), key]
            )
            return cursor.rowcount == 1

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE key = %s", [key])
            return cursor.rowcount == 1

    def has_key(self, key, version=None):
        return self.get(key, version=version) is not None

    def clear(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")
