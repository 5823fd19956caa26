"""In Chromium with no network beyond this machine: the API docs still render."""

from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_offline(live_server, page, shot):
    blocked = []

    def offline(route):
        host = urlparse(route.request.url).hostname
        if host in ("localhost", "127.0.0.1"):
            return route.continue_()
        blocked.append(route.request.url)
        return route.abort()

    page.route("**/*", offline)
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "servicehall API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-tag", timeout=15000)
    assert page.locator(".opblock").count() > 10
    assert blocked == []
    shot(page, "api-docs-offline")
