"""Chinese by default, English on a switch, real translation files."""

from pathlib import Path

import polib
from django.conf import settings


def test_pages_are_chinese_by_default(client, demo):
    page = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "窗口服务大厅" in page and "大字模式" in page


def test_the_english_switch_turns_the_page_english(client, demo):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/wall/kf-gulou-hukou/"})
    assert response.status_code == 302
    page = client.get("/wall/kf-gulou-hukou/").content.decode()
    assert '<html lang="en">' in page and "Window 2" in page and "Party member" in page
    assert 'value="zh-hans"' in page  # and the switch back


def test_the_admin_speaks_as_the_hall(login, demo):
    page = login("admin").get("/admin/").content.decode()
    assert "窗口服务大厅" in page and "系统管理" in page
    assert "Django" not in page.split("<body", 1)[1].split("</header>", 1)[0]


def test_every_page_has_the_language_switch(login, demo):
    client = login("leader")
    for path in [
        "/",
        "/org/",
        f"/org/units/{demo.pk}/",
        "/wall/kf-gulou-hukou/",
        "/audit/",
        "/help/permissions/",
        "/org/import/",
        "/accounts/login/",
    ]:
        assert 'action="/i18n/setlang/"' in client.get(path).content.decode(), path


def test_the_chinese_catalogue_is_complete():
    po = polib.pofile(str(Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    mo = polib.mofile(str(Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.mo"))
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in mo}
    source = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in po if e.msgid}
    assert compiled == source, "the .mo is stale: run make messages"


def test_the_time_zone_is_shanghai():
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ


def test_an_english_browser_still_gets_chinese_until_the_switch_is_used(client, demo):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in page


def test_the_api_follows_accept_language(login, demo):
    import json

    client = login("leader")
    body = client.post(
        "/api/v1/authorize",
        json.dumps({"action": "confirm_award"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    ).json()
    assert "may not" in body["detail"]
