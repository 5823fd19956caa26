"""One view convention (decision 0024): @staff_view hands a page its actor and unit and refuses
who the page is not for; a refusal a view lets through is the 403, 404 or 400 page with its
message (JSON on the APIs), and nothing changes."""

import json

import pytest
from django.test import RequestFactory

from servicehall.core.errors import Forbidden, InvalidInput, NotFound, ServiceError
from servicehall.core.ratelimits import RateLimited
from servicehall.web.middleware import ServiceErrorMiddleware


def answer(path, exc):
    request = RequestFactory().get(path)
    return ServiceErrorMiddleware(lambda r: None).process_exception(request, exc)


@pytest.mark.django_db
def test_each_refusal_is_its_page_with_its_message():
    forbidden = answer("/cases/", Forbidden("只有本单位工作人员可以办理。", rule="R-ORG-4"))
    assert forbidden.status_code == 403
    assert "只有本单位工作人员可以办理。" in forbidden.content.decode()
    assert "<h1>无权操作</h1>" in forbidden.content.decode()
    missing = answer("/org/import/9/", NotFound("没有这个导入任务。"))
    assert missing.status_code == 404 and "没有这个导入任务。" in missing.content.decode()
    assert "<h1>页面不存在</h1>" in missing.content.decode()
    refused = answer("/hall/", ServiceError("窗口已暂停。", rule="R-Q-3"))
    assert refused.status_code == 400 and "窗口已暂停。" in refused.content.decode()
    bad = answer("/cases/", InvalidInput({"window": ["请选择本单位的窗口。"]}))
    assert bad.status_code == 400 and "请选择本单位的窗口。" in bad.content.decode()


def test_the_apis_get_json_with_the_rule():
    got = answer("/api/v1/cases/", Forbidden("不在本单位范围内。", rule="R-ORG-4"))
    assert got.status_code == 403
    assert json.loads(got.content) == {"detail": "不在本单位范围内。", "rule": "R-ORG-4"}
    bad = answer("/api/v1/cases/", InvalidInput({"phone": ["手机号码应为11位。"]}))
    body = json.loads(bad.content)
    assert bad.status_code == 400 and body["errors"] == {"phone": ["手机号码应为11位。"]}


def test_other_exceptions_and_rate_limits_are_left_to_their_own_handlers():
    assert answer("/cases/", ValueError("x")) is None
    assert answer("/cases/", RateLimited("lookup", 60)) is None


def test_a_page_of_a_unit_refuses_a_person_without_one(login):
    # the office's admin has no unit: the cases desk says whose it is, and nothing more
    page = login("admin").get("/cases/")
    assert page.status_code == 403
    assert "办件由窗口单位的工作人员办理。" in page.content.decode()


def test_a_page_for_one_role_names_who_it_is_for(login):
    page = login("officer").get("/jobs/")
    assert page.status_code == 403
    assert "后台任务情况仅供组织办公室查看。" in page.content.decode()


def test_a_scope_refusal_inside_a_page_is_the_403_page_and_changes_nothing(login, demo):
    from servicehall.org.models import Unit

    other = Unit.objects.exclude(pk=demo.pk).order_by("pk").first()
    client = login("leader")  # the leader of the demo unit, not of that one
    page = client.post(f"/org/units/{other.pk}/edit/", {"name": "改名"})
    assert page.status_code == 403
    assert f"“{other.name}”不在" in page.content.decode()
    assert Unit.objects.get(pk=other.pk).name == other.name
