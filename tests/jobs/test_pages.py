"""The office reads each job's last run at /jobs/ and in the admin, in Chinese and local time;
window staff and citizens may not."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from servicehall.jobs.models import JobRun


@pytest.fixture
def one_failed(demo, monkeypatch):
    from servicehall.queueing import appointments

    def broken(*args, **kwargs):
        raise RuntimeError("slot table locked")

    monkeypatch.setattr(appointments, "mark_no_shows", broken)
    with pytest.raises(CommandError):
        call_command("jobs", stdout=io.StringIO())
    monkeypatch.undo()
    return JobRun.objects.get(name="queueing.no_shows")


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def test_the_office_page_shows_last_run_duration_and_error_in_chinese(login, one_failed):
    page = login("admin").get("/jobs/").content.decode()
    assert "<h1>后台任务</h1>" in page
    for label in ("上次开始运行", "用时", "上次结果", "上次成功", "上次错误", "间隔"):
        assert f"<th>{label}</th>" in page
    assert "预约未到标记爽约" in page and "失败" in page
    assert "RuntimeError: slot table locked" in page  # the error's line, the traceback below
    assert local(one_failed.started_at) in page  # Beijing time
    assert "每 5 分钟" in page and "每 1 分钟" in page
    assert "即将到期：0，已超期：0" in page and "已封存评价：0" in page  # counts in Chinese
    assert f"{one_failed.seconds:.2f} 秒" in page
    deadlines = JobRun.objects.get(name="cases.deadlines")
    assert local(deadlines.started_at) in page


def test_a_job_never_run_says_so(login, demo):
    from servicehall.jobs.runner import discover

    page = login("admin").get("/jobs/").content.decode()
    assert page.count("尚未运行。") == len(discover())


def test_the_admin_lists_the_runs_read_only(login, one_failed):
    client = login("admin")
    page = client.get("/admin/jobs/jobrun/").content.decode()
    assert "后台任务记录" in page and "queueing.no_shows" in page and "失败" in page
    detail = client.get(f"/admin/jobs/jobrun/{one_failed.pk}/change/").content.decode()
    assert "slot table locked" in detail and "Traceback" in detail and "上次错误" in detail
    assert "预约未到标记爽约" in detail
    assert client.get("/admin/jobs/jobrun/add/").status_code == 403
    assert client.post(f"/admin/jobs/jobrun/{one_failed.pk}/delete/").status_code == 403
    assert JobRun.objects.filter(pk=one_failed.pk).exists()


@pytest.mark.parametrize("username", ["officer", "auxiliary", "leader", "dutylead", "inspector"])
def test_window_staff_and_the_back_office_may_not_see_the_jobs(login, username):
    client = login(username)
    response = client.get("/jobs/")
    assert response.status_code == 403
    assert "后台任务情况仅供组织办公室查看" in response.content.decode()
    assert 'href="/jobs/"' not in client.get("/").content.decode()


def test_citizens_may_not_see_the_jobs(client, demo):
    response = client.get("/jobs/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    citizen = get_user_model().objects.create_user("citizen", password="x" * 12)
    client.force_login(citizen)  # an account without a staff record is a citizen
    assert client.get("/jobs/").status_code == 403
    assert client.get("/admin/jobs/jobrun/").status_code == 302  # not admin staff either


def test_the_office_finds_the_page_in_its_navigation(login):
    assert 'href="/jobs/"' in login("admin").get("/").content.decode()
