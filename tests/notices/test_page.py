"""The notifications page: one's own, newest first, each with its kind, its local time and a
link to its page; read or unread; nobody sees or marks another's."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from servicehall.notices.models import Notification
from servicehall.notices.services import notify
from servicehall.notices.views import PER_PAGE

SH = ZoneInfo("Asia/Shanghai")
K = Notification.Kind


def tell(username, text="投诉 TS-ABCD-2345 已逾期", kind=K.COMPLAINT_OVERDUE, link="/complaints/"):
    notify(
        recipients=[get_user_model().objects.get(username=username)],
        kind=kind,
        text=text,
        link=link,
    )
    return Notification.objects.filter(recipient__username=username).first()


def test_the_page_shows_kind_text_local_time_and_link_in_chinese(login):
    n = tell("leader")
    # 23:30 in UTC on 1 December is 07:30 on 2 December in Shanghai
    Notification.objects.filter(pk=n.pk).update(
        created_at=dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC)
    )
    page = login("leader").get("/cases/notifications/").content.decode()
    assert "消息提醒" in page
    assert "投诉逾期未答复" in page  # the kind's label
    assert "2026-12-02 07:30" in page
    assert f'href="/cases/notifications/{n.pk}/"' in page and "投诉 TS-ABCD-2345 已逾期" in page
    assert "未读" in page and "标为已读" in page


def test_following_a_link_marks_it_read(login):
    n = tell("leader")
    client = login("leader")
    response = client.get(f"/cases/notifications/{n.pk}/")
    assert response.status_code == 302 and response["Location"] == "/complaints/"
    n.refresh_from_db()
    assert n.read_at is not None
    page = client.get("/cases/notifications/").content.decode()
    assert "已读" in page


def test_one_or_all_are_marked_read(login):
    first = tell("leader", text="一")
    second = tell("leader", text="二")
    client = login("leader")
    assert client.post(f"/cases/notifications/{first.pk}/read/").status_code == 302
    first.refresh_from_db(), second.refresh_from_db()
    assert first.read_at and not second.read_at
    client.post("/cases/notifications/")
    assert not Notification.objects.filter(recipient__username="leader", read_at=None).exists()


def test_nobody_sees_or_marks_anothers_notifications(login, client):
    theirs = tell("leader", text="只给负责人看的")
    assert client.get("/cases/notifications/").status_code == 302  # a stranger signs in first
    assert client.get(f"/cases/notifications/{theirs.pk}/").status_code == 302
    officer = login("officer")
    assert "只给负责人看的" not in officer.get("/cases/notifications/").content.decode()
    assert officer.get(f"/cases/notifications/{theirs.pk}/").status_code == 404
    assert officer.post(f"/cases/notifications/{theirs.pk}/read/").status_code == 404
    officer.post("/cases/notifications/")  # marking all read marks only one's own
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_header_counts_the_unread(login):
    for i in range(3):
        tell("officer", text=f"第{i}条")
    page = login("officer").get("/cases/notifications/").content.decode()
    assert '<span class="badge" aria-label="未读消息提醒">3</span>' in page


def test_the_page_is_paginated_and_a_bad_page_number_is_refused_in_chinese(login):
    Notification.objects.bulk_create(
        Notification(
            recipient=get_user_model().objects.get(username="officer"),
            kind=K.BACKUP,
            text=f"第{i}条",
        )
        for i in range(PER_PAGE + 5)
    )
    client = login("officer")
    first = client.get("/cases/notifications/").content.decode()
    assert "第 1 页，共 2 页" in first and "较早记录" in first
    second = client.get("/cases/notifications/?page=2").content.decode()
    assert "第 2 页，共 2 页" in second and "较新记录" in second
    bad = client.get("/cases/notifications/?page=abc")
    assert bad.status_code == 400 and "page" in bad.content.decode()


def test_a_link_off_the_site_is_never_followed(login):
    n = tell("leader", link="//evil.example/")
    response = login("leader").get(f"/cases/notifications/{n.pk}/")
    assert response["Location"] == "/cases/notifications/"


def test_the_admin_lists_notifications_by_kind_and_changes_none(login):
    tell("leader")
    client = login("admin")
    page = client.get("/admin/notices/notification/?kind=complaint_overdue")
    assert page.status_code == 200 and "投诉 TS-ABCD-2345 已逾期" in page.content.decode()
    assert client.get("/admin/notices/notification/add/").status_code == 403
