import os
import shutil
import uuid

import pytest
from django.conf import settings
from django.db import connection

from servicehall.demo.city import LOGINS
from servicehall.demo.services import seed_demo
from servicehall.org.choices import Role
from servicehall.org.models import Staff, Unit
from servicehall.org.permissions import actor_for

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
)


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        where = f"test database {db.get('TEST', {}).get('NAME', 'in memory')}"
    else:
        where = f"{db.get('HOST')}:{db.get('PORT')}, test database test_{db['NAME']}"
    browser = (
        f"browser tests run with {CHROMIUM}"
        if CHROMIUM
        else ("browser tests SKIPPED: no Chromium (apt-get install chromium fonts-wqy-microhei)")
    )
    return [f"database: {db['ENGINE'].rsplit('.', 1)[-1]} ({where})", browser]


@pytest.fixture(scope="session")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _test_settings(media_root, settings, tmp_path):
    settings.MEDIA_ROOT = media_root
    # Opening hours are tested where they matter (tests/queueing/test_hours.py): elsewhere a
    # test may take a number or sign in at whatever time the suite runs.
    settings.SERVICEHALL = {
        **settings.SERVICEHALL,
        "OPENING_HOURS_ENFORCED": False,
        # each test its own checkpoint file: what one test seals is not another's chain
        "RATING_CHECKPOINTS": str(tmp_path / "rating-checkpoints.jsonl"),
        "VIOLATION_CHECKPOINTS": str(tmp_path / "violation-checkpoints.jsonl"),
    }
    # Rate limits count in this process's memory, each test under its own prefix, so a
    # test's queries are its own; tests/web/test_rate_limits.py tests the shared stores.
    settings.RATELIMIT_USE_CACHE = "default"
    settings.RATELIMIT_CACHE_PREFIX = f"rl:test-{uuid.uuid4().hex}:"
    # Argon2 is the real hasher (tests/web/test_security.py checks it); hashing each demo
    # login with it would cost every test half a second.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
    # each test starts in the site's language (Chinese), whatever an earlier one switched on
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, media_root):
    """Seed the demo city once; each test's transaction rolls back its own changes."""
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root):
        seed_demo()


@pytest.fixture
def demo(db):
    """The demo city of 开封市 (鼓楼派出所户籍窗口 returned), with one login per role."""
    unit = Unit.objects.filter(code="kf-gulou-hukou").first()
    if unit is None:  # a transactional test before this one flushed the database
        seed_demo()
        unit = Unit.objects.get(code="kf-gulou-hukou")
    return unit


@pytest.fixture
def login(client, demo):
    """login('leader') logs the test client in as the demo user of that role."""

    def _login(username):
        from django.contrib.auth import get_user_model

        assert username in LOGINS
        client.force_login(get_user_model().objects.get(username=username))
        return client

    return _login


@pytest.fixture
def actor(demo):
    """actor('auxiliary') is the Actor of a demo login."""
    from django.contrib.auth import get_user_model

    def _actor(username):
        return actor_for(get_user_model().objects.get(username=username))

    return _actor


@pytest.fixture
def staff_of():
    def _staff(unit_code, badge):
        return Staff.objects.get(unit__code=unit_code, badge_no=badge)

    return _staff


def pair_device(window) -> str:
    """A rating device enrolled at `window` by a leader of its unit and paired: its
    credential, as the device's cookie keeps it."""
    from servicehall.feedback import services as feedback

    leader = (
        Staff.objects.filter(unit_id=window.unit_id, role=Role.UNIT_LEADER).first()
        or Staff.objects.filter(unit_id=window.unit_id).first()
    )
    if leader.role != Role.UNIT_LEADER:  # a unit without one in the demo: a leader for it
        leader.role = Role.UNIT_LEADER
        leader.save(update_fields=["role"])
    _device, code = feedback.enroll_device(actor=actor_for(leader.user), window=window)
    return feedback.pair_device(code)[1]


def vendor():
    return connection.vendor


ROLES = [r for r in Role]


@pytest.fixture
def app_role(db):
    """A PostgreSQL role like production's (decision 0017): no superuser, owns nothing, granted
    by grant_app_role; the test's transaction rolls the grants back."""
    from django.db import connection

    from servicehall.core.db import grant_app_role

    role = f"servicehall_app_{connection.settings_dict['NAME']}"[:63]
    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if not cur.fetchone():
            cur.execute(f"CREATE ROLE {connection.ops.quote_name(role)} NOLOGIN")
    grant_app_role(role)
    yield role
    with connection.cursor() as cur:
        cur.execute("RESET ROLE")
