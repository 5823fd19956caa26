"""Every create, change and delete by a person or token writes one audit event (who, when,
what, before → after); unit leaders and the office read it; nobody can edit it."""

import json

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model

from servicehall.org.models import ApiToken, Window


def entries_for(obj):
    return LogEntry.objects.get_for_object(obj).order_by("pk")


def test_create_change_delete_in_the_app_each_write_one_event_with_the_person(login, demo):
    client = login("leader")
    client.post(
        f"/org/units/{demo.pk}/windows/new/",
        {"number": 6, "function": "户籍证明", "kind": "household", "active": "on"},
    )
    window = Window.objects.get(unit=demo, number=6)
    client.post(
        f"/org/units/{demo.pk}/windows/{window.pk}/",
        {"number": 6, "function": "户籍证明开具", "kind": "household", "active": "on"},
    )
    client.post(f"/org/delete/window/{window.pk}/")
    events = list(
        LogEntry.objects.filter(content_type__model="window", object_pk=str(window.pk)).order_by(
            "pk"
        )
    )
    assert [e.action for e in events] == [
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
        LogEntry.Action.DELETE,
    ]
    assert {e.actor.username for e in events} == {"leader"}
    assert events[1].changes_dict["function"] == ["户籍证明", "户籍证明开具"]


def test_the_address_in_the_trail_is_not_one_the_client_wrote(login, demo, settings):
    """X-Forwarded-For's first entry is the client's own words: the trail keeps the address
    the connection (or, behind TRUSTED_PROXY_COUNT proxies, the outermost proxy) saw."""
    client = login("leader")
    client.post(
        f"/org/units/{demo.pk}/windows/new/",
        {"number": 7, "function": "户籍证明", "kind": "household", "active": "on"},
        HTTP_X_FORWARDED_FOR="6.6.6.6",
        REMOTE_ADDR="10.1.2.3",
    )
    window = Window.objects.get(unit=demo, number=7)
    event = entries_for(window).get()
    assert event.remote_addr == "10.1.2.3" and event.actor.username == "leader"
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        f"/org/units/{demo.pk}/windows/{window.pk}/",
        {"number": 7, "function": "户籍证明开具", "kind": "household", "active": "on"},
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9",
        REMOTE_ADDR="10.1.2.3",
    )
    assert entries_for(window).last().remote_addr == "203.0.113.9"


def test_a_change_through_an_api_token_names_the_token_user(demo):
    from django.test import Client

    user = get_user_model().objects.get(username="leader")
    _token, key = ApiToken.issue(user=user, name="sync job")
    window = Window.objects.get(unit=demo, number=3)
    response = Client().patch(
        f"/api/v1/windows/{window.pk}",
        json.dumps({"function": "身份证"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 200, response.content
    event = entries_for(window).last()
    assert event.actor == user and event.changes_dict["function"][1] == "身份证"


def test_phones_are_masked_in_the_trail(login, demo, staff_of):
    officer = staff_of("kf-gulou-hukou", "041236")
    login("leader").patch(
        f"/api/v1/staff/{officer.pk}",
        json.dumps({"phone": "13700001111"}),
        content_type="application/json",
    )
    event = entries_for(officer).last()
    assert "13700001111" not in json.dumps(event.changes_dict)


def test_a_unit_leader_reads_their_units_trail_only(login, demo):
    client = login("admin")
    hospital_window = Window.objects.get(unit__code="kf-childrens-hospital", number=2)
    client.patch(
        f"/api/v1/windows/{hospital_window.pk}",
        json.dumps({"function": "挂号（医保）"}),
        content_type="application/json",
    )
    client = login("leader")
    page = client.get("/audit/").content.decode()
    assert "挂号（医保）" not in page
    body = client.get("/api/v1/audit").json()
    assert all(item["object_repr"] and "医保" not in item["object_repr"] for item in body["items"])


def test_the_office_reads_everything(login, demo):
    client = login("admin")
    hospital_window = Window.objects.get(unit__code="kf-childrens-hospital", number=2)
    client.patch(
        f"/api/v1/windows/{hospital_window.pk}",
        json.dumps({"function": "挂号（医保）"}),
        content_type="application/json",
    )
    assert "挂号（医保）" in client.get("/audit/").content.decode()


def test_window_staff_cannot_read_the_trail(login, demo):
    assert login("officer").get("/audit/").status_code == 403
    assert login("auxiliary").get("/api/v1/audit").status_code == 403


def test_nobody_can_edit_or_delete_an_entry(login, demo):
    client = login("admin")  # even the office's superuser
    entry = LogEntry.objects.first()
    assert client.get(f"/admin/auditlog/logentry/{entry.pk}/change/").status_code in (200, 403)
    response = client.post(f"/admin/auditlog/logentry/{entry.pk}/change/", {"changes": "{}"})
    assert response.status_code == 403
    response = client.post(f"/admin/auditlog/logentry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()
    paths = {path for path in client.get("/api/v1/openapi.json").json()["paths"]}
    audit_paths = [p for p in paths if p.startswith("/api/v1/audit")]
    spec = client.get("/api/v1/openapi.json").json()["paths"]
    assert all(set(spec[p]) == {"get"} for p in audit_paths)


def test_the_trail_page_names_fields_choices_and_related_records(login, demo, staff_of):
    client = login("leader")
    officer = staff_of("kf-gulou-hukou", "041236")
    client.patch(
        f"/api/v1/staff/{officer.pk}",
        json.dumps({"window_number": 2}),
        content_type="application/json",
    )
    # the staff records' trail: the demo's people, created by its import with their logins
    page = client.get("/audit/?model=org.staff").content.decode()
    assert "岗位窗口" in page or "posted window" in page  # the field's name, not "window"
    assert "3号窗口" in page and "2号窗口" in page  # the windows by name, not by id
    assert '<span class="after">officer</span>' in page  # the linked account by its name


def test_the_trail_page_costs_the_same_queries_for_a_full_page(login, demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login("admin")
    with CaptureQueriesContext(connection) as queries:
        client.get("/audit/")
    assert len(queries) < 20


def test_the_trail_reads_in_chinese_local_times_yes_no_and_dates(login, demo, staff_of):
    import datetime as dt
    import re

    from auditlog.context import set_actor

    officer = staff_of("kf-gulou-hukou", "041236")
    user = get_user_model().objects.get(username="leader")
    token, _key = ApiToken.issue(user=user, name="sync job")
    with set_actor(user):
        officer.on_duty = not officer.on_duty
        officer.certified_on = dt.date(2026, 3, 9)
        officer.save()
        token.revoked_at = dt.datetime(2026, 12, 2, 0, 31, 12, 345678, tzinfo=dt.UTC)
        token.save()
    page = login("admin").get("/audit/?action=1").content.decode()
    assert re.search(r'<span class="after">[是否]</span>', page)  # not True / False
    assert "True" not in page and "False" not in page
    assert "2026年3月9日" in page  # a date as people write it
    assert "2026年12月2日 08:31" in page  # local time to the minute
    assert "+00:00" not in page and "345678" not in page


def test_field_names_django_made_up_are_translated(demo):
    from django.utils import translation

    from servicehall.audit.services import _label
    from servicehall.complaints.models import Complaint
    from servicehall.violations.models import Violation

    with translation.override("zh-hans"):
        assert _label(Complaint._meta.get_field("answered_by")) == "答复人"
        assert _label(Violation._meta.get_field("recorded_by")) == "记录人"
