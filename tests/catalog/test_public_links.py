"""Every link and QR code that leaves the building uses the public base URL
(settings.SERVICEHALL["PUBLIC_URL"], env SERVICEHALL_PUBLIC_URL), or the request's host
when it is not set."""

import pytest

PUBLIC = "https://zwfw.kaifeng.gov.cn"


@pytest.fixture
def public_url(settings):
    settings.SERVICEHALL = {**settings.SERVICEHALL, "PUBLIC_URL": PUBLIC}


def test_the_kiosk_slip_rating_link_uses_the_public_base_url(client, demo, public_url, monkeypatch):
    import time

    import segno
    from django.urls import reverse

    from servicehall.feedback.services import link_for
    from servicehall.queueing import services as queue
    from servicehall.queueing.models import Queue

    # the link is signed with a timestamp: the page and the test sign in the same second
    now = time.time()
    monkeypatch.setattr("django.core.signing.time.time", lambda: now)
    ticket = queue.take_ticket(queue=Queue.objects.get(unit=demo, letter="A"))
    page = client.get(f"/kiosk/{demo.code}/slips/{queue.slip_token(ticket)}/").content.decode()
    link = f"{PUBLIC}{reverse('rate_link', args=[link_for(ticket)])}"
    assert segno.make(link, error="m").svg_inline(scale=3, dark="#111") in page


def test_open311_discovery_names_the_public_endpoint(client, demo, public_url):
    found = client.get("/open311/v2/discovery.json").json()
    assert found["endpoints"][0]["url"] == f"{PUBLIC}/open311/v2/"


def test_without_the_setting_links_use_the_request_host(client, demo):
    page = client.get("/guide/passport-issue/card/").content.decode()
    assert "http://testserver/guide/passport-issue/" in page
