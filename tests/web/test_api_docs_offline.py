"""The API docs (/api/v1/docs) load Swagger UI from our own static files, never a CDN."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def _assets(html):
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_the_docs_page_references_only_same_origin_static_files(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = _assets(html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), f"{asset} is not one of our static files"
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not shipped"
    assert "cdn" not in html.lower()
