"""Security baseline: Argon2, login throttling, CSRF, production settings, masking."""

import logging
import os
import subprocess
import sys

import pytest
from django.test import Client, override_settings
from django.urls import path

from servicehall.core.masking import MaskingFilter, mask_id, mask_phone, mask_text


def test_passwords_are_hashed_with_argon2(django_user_model, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    from servicehall import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    user = django_user_model.objects.create_user("hash-check", password="long-enough-pass")
    assert user.password.startswith("argon2")


def test_repeated_wrong_passwords_lock_the_login(demo, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "officer", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"username": "officer", "password": "servicehall-demo"}
    )
    assert response.status_code == 429
    assert "15" in response.content.decode()


def _attempts(settings, forwarded, password="wrong", n=None):
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)  # the proxy
    for _ in range(n if n is not None else settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "officer", "password": password})
    return client.post("/accounts/login/", {"username": "officer", "password": "servicehall-demo"})


def test_behind_the_trusted_proxy_a_lockout_hits_the_attackers_address_only(demo, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # the attacker writes a header of their own; the proxy appends the address it saw
    assert _attempts(settings, "198.51.100.7, 203.0.113.9").status_code == 429
    officer = _attempts(settings, "198.51.100.7", n=0)  # the officer, at another address
    assert officer.status_code == 302


def test_without_a_trusted_proxy_a_forwarded_header_is_not_believed(demo, settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    # an attacker changing the header at each try is still one address
    client = Client(REMOTE_ADDR="192.0.2.5")
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"username": "officer", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    locked = client.post(
        "/accounts/login/", {"username": "officer", "password": "servicehall-demo"}
    )
    assert locked.status_code == 429


def test_forms_need_the_csrf_token(demo):
    client = Client(enforce_csrf_checks=True)
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="leader"))
    response = client.post(f"/org/units/{demo.pk}/windows/new/", {"number": 9, "function": "x"})
    assert response.status_code == 403


def test_the_api_with_a_session_needs_the_csrf_token(demo):
    client = Client(enforce_csrf_checks=True)
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="leader"))
    response = client.post(
        f"/api/v1/units/{demo.pk}/windows", "{}", content_type="application/json"
    )
    assert response.status_code in (401, 403)


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        **os.environ,
        "SERVICEHALL_ENV": "production",
        "SECRET_KEY": "x" * 20 + "production-secret-key-for-the-deploy-check-0123456789",
        "ALLOWED_HOSTS": "servicehall.example.cn",
        "SERVICEHALL_VAR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-m", "servicehall", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "SERVICEHALL_ENV": "production", "SERVICEHALL_VAR": str(tmp_path)}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "servicehall", "check"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_security_headers_are_sent(client, demo):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [("13812345678", "138****5678"), ("", ""), ("110", "110")],
)
def test_phones_are_masked(raw, masked):
    assert mask_phone(raw) == masked


def test_id_numbers_are_masked():
    assert mask_id("410203199001011234") == "4102**********1234"


def test_logs_never_carry_an_id_number_or_a_phone(caplog):
    logger = logging.getLogger("servicehall.test")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO):
        logger.info("citizen %s called from %s", "41020319900101123X", "13812345678")
    assert "41020319900101123X" not in caplog.text and "13812345678" not in caplog.text
    assert "4102**********123X" in caplog.text and "138****5678" in caplog.text
    assert mask_text("no personal data 2026") == "no personal data 2026"


def _settings_in_a_new_process(var, code):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SERVICEHALL_DEBUG")}
    env.update(SERVICEHALL_VAR=str(var), DJANGO_SETTINGS_MODULE="servicehall.settings")
    return subprocess.run(
        [sys.executable, "-c", f"from django.conf import settings; print({code})"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_outside_production_the_secret_is_made_on_first_run_and_kept(tmp_path):
    var = tmp_path / "not-yet" / "var"
    first = _settings_in_a_new_process(var, "settings.SECRET_KEY")
    assert first == _settings_in_a_new_process(var, "settings.SECRET_KEY")  # kept
    assert "development-key" not in first and len(first) >= 50
    assert (var / "secret_key").stat().st_mode & 0o777 == 0o600
    other = _settings_in_a_new_process(tmp_path / "other", "settings.SECRET_KEY")
    assert other != first  # each installation its own


def test_no_traceback_unless_asked_for(tmp_path):
    assert _settings_in_a_new_process(tmp_path, "settings.DEBUG") == "False"


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", _boom)]


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_shows_a_page_in_chinese(db):
    client = Client(raise_request_exception=False)
    page = client.get("/boom/")
    assert page.status_code == 500
    text = page.content.decode()
    assert "出错了" in text and "Traceback" not in text and "a bug" not in text


def test_every_page_carries_a_content_security_policy_and_a_permissions_policy(client, demo):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    script = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert script.split() == ["script-src", "'self'"]  # no inline script, no eval
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    features = response["Permissions-Policy"]
    assert "camera=()" in features and "geolocation=()" in features
    api = client.get("/api/v1/matters")  # JSON is never a document: no policy to build
    assert api.status_code == 200 and "Content-Security-Policy" not in api


def test_a_live_page_may_reach_the_event_server_and_nothing_else(client, demo, settings):
    settings.SERVICEHALL = {**settings.SERVICEHALL, "EVENTS_URL": "https://events.example.cn/ev"}
    policy = client.get(f"/board/{demo.code}/")["Content-Security-Policy"]
    connect = next(d for d in policy.split(";") if d.strip().startswith("connect-src"))
    assert connect.split() == ["connect-src", "'self'", "https://events.example.cn"]


def test_no_template_has_inline_script():
    """What the policy would refuse: inline scripts, on… handlers, javascript: links."""
    import re
    from pathlib import Path

    from django.conf import settings as conf

    found = []
    for template in Path(conf.BASE_DIR).rglob("templates/**/*.html"):
        text = template.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)(?![^>]*application/json)",
            r"\son[a-z]+=",
            "javascript:",
        ):
            found += [f"{template.name}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert found == []
