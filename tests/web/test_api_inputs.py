"""Bad API input answers 4xx, never 500 (issue 12): the unit detail, the OpenAPI schema names,
strings longer than their column, ids beyond the database's integers, a huge body, and
pydantic's 422 in the reader's language."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from servicehall.cases.models import Case
from servicehall.catalog.models import Matter
from servicehall.org.models import ApiToken, Window


def token_client(username, language="zh-hans"):
    _token, key = ApiToken.issue(user=get_user_model().objects.get(username=username), name="t")
    return Client(
        HTTP_AUTHORIZATION=f"Bearer {key}",
        HTTP_ACCEPT_LANGUAGE=language,
        raise_request_exception=False,
    )


def post(client, path, body, method="post"):
    return getattr(client, method)(
        f"/api/v1{path}", json.dumps(body), content_type="application/json"
    )


def test_unit_detail_answers(demo):
    response = token_client("leader").get(f"/api/v1/units/{demo.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["code"] == demo.code
    assert body["sector"] == demo.sector.code
    assert body["windows"] and "findings" in body


def _intake(matter, **extra):
    return {
        "matter": matter.code,
        "applicant_name": "张三",
        "id_number": "110101199003077777",
        "checks": [],
        "outcome": "notice",
        **extra,
    }


def test_applicant_name_longer_than_its_column_is_refused(demo):
    matter = Matter.objects.filter(unit=demo).first()
    before = Case.objects.count()
    client = token_client("officer")
    for name in ("张" * 51, "x" * 100_000):
        response = post(client, "/cases", _intake(matter, applicant_name=name))
        assert response.status_code == 422, response.content
        body = response.json()
        assert any("applicant_name" in e["loc"] for e in body["errors"])
        assert "50" in body["detail"] or any("50" in e["msg"] for e in body["errors"])
    assert Case.objects.count() == before


def test_every_api_string_has_the_length_of_its_column():
    """Every str field of an input schema is bounded (max_length), so nothing reaches the
    database longer than its column."""
    from servicehall.api import api

    schema = api.get_openapi_schema()
    unbounded = []
    for name, component in schema["components"]["schemas"].items():
        if not (name.endswith("In") or name.endswith("Patch")):
            continue
        for field, spec in component.get("properties", {}).items():
            options = spec.get("anyOf", [spec])
            for option in options:
                if option.get("type") == "string" and not option.keys() & {
                    "format",
                    "maxLength",
                    "enum",
                }:
                    unbounded.append(f"{name}.{field}")
                if option.get("type") == "array":
                    item = option.get("items", {})
                    if item.get("type") == "string" and "maxLength" not in item:
                        unbounded.append(f"{name}.{field}[]")
    assert not unbounded, unbounded


HUGE = 2**70
BIG = 2**31


@pytest.mark.parametrize("value", [HUGE, BIG, 0, -1])
def test_ids_beyond_the_database_answer_4xx(demo, value):
    client = token_client("officer")
    for path in (
        f"/tickets/{value}/start",
        f"/windows/{value}/call-next",
        f"/hotline/calls/{value}/end",
    ):
        response = client.post(f"/api/v1{path}", "{}", content_type="application/json")
        assert 400 <= response.status_code < 500, (path, response.content)
    for path in (f"/units/{value}", f"/cases/{value}", f"/units/{value}/ledger"):
        response = client.get(f"/api/v1{path}")
        assert 400 <= response.status_code < 500, (path, response.content)
    window = Window.objects.filter(unit=demo).first()
    response = post(client, f"/tickets/{value}/transfer", {"to_window_id": window.pk})
    assert 400 <= response.status_code < 500, response.content
    ticket_body = {"to_window_id": value}
    response = post(client, "/tickets/1/transfer", ticket_body)
    assert 400 <= response.status_code < 500, response.content
    response = post(client, "/hotline/calls", {"seat_id": value})
    assert 400 <= response.status_code < 500, response.content


def test_rating_with_a_huge_ticket_id_answers_4xx(demo):
    body = {
        "device_key": "x" * 20,
        "ticket_id": HUGE,
        "overall": 5,
        "idempotency_key": "abcdefgh12",
    }
    response = post(Client(raise_request_exception=False), "/ratings", body)
    assert 400 <= response.status_code < 500, response.content


def test_a_body_over_the_upload_limit_answers_413_in_json(demo, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    matter = Matter.objects.filter(unit=demo).first()
    body = _intake(matter, green_reason="x" * 5000)
    response = post(token_client("officer"), "/cases", body)
    assert response.status_code == 413, response.content
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert "请求" in detail


@pytest.mark.parametrize(
    "body, field, words",
    [
        ({"number": "abc", "function": "综合"}, "number", "整数"),
        ({"function": "综合"}, "number", "必填"),
        ({"number": 5, "function": "综" * 101}, "function", "100"),
        ({"number": 5, "function": "综合", "active": "maybe"}, "active", "是或否"),
    ],
)
def test_422_speaks_chinese(demo, body, field, words):
    response = post(token_client("leader"), f"/units/{demo.pk}/windows", body)
    assert response.status_code == 422, response.content
    payload = response.json()
    assert words in payload["detail"], payload
    error = next(e for e in payload["errors"] if field in e["loc"])
    assert words in error["msg"]
    assert "Input should" not in json.dumps(payload, ensure_ascii=False)


def test_422_in_english_when_asked(demo):
    body = {"number": "abc", "function": "x"}
    response = post(token_client("leader", "en"), f"/units/{demo.pk}/windows", body)
    assert response.status_code == 422
    assert "whole number" in response.json()["detail"]


def test_broken_json_answers_in_chinese(demo):
    client = token_client("leader")
    response = client.post(
        f"/api/v1/units/{demo.pk}/windows", "{not json", content_type="application/json"
    )
    assert 400 <= response.status_code < 500
    assert "JSON" in response.json()["detail"]


def test_a_window_number_too_big_answers_422(demo):
    body = {"number": 70000, "function": "x"}
    response = post(token_client("leader"), f"/units/{demo.pk}/windows", body)
    assert response.status_code == 422, response.content


def _resolve(schema, ref_or_schema):
    while "$ref" in ref_or_schema:
        name = ref_or_schema["$ref"].rsplit("/", 1)[-1]
        ref_or_schema = schema["components"]["schemas"][name]
    return ref_or_schema


def _documented(schema, path, method, status="200"):
    content = schema["paths"][path][method]["responses"][status]["content"]
    return _resolve(schema, content["application/json"]["schema"])


def test_openapi_names_every_schema_once_and_validates(client):
    """Two schemas of one name (CallOut in queueing and hotline, StepOut in catalogue and
    cases) collapse into one component: call-next and /matters/{code} were documented with
    the other app's response."""
    from openapi_spec_validator import validate

    from servicehall.api import api

    seen = {}
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                models = []
                for response_model in operation.response_models.values():
                    models.append(response_model)
                for model in models:
                    if model is None:
                        continue
                    for sub in _models(model):
                        name = sub.__name__
                        where = f"{sub.__module__}.{sub.__qualname__}"
                        assert seen.setdefault(name, where) == where, (name, seen[name], where)
    schema = client.get("/api/v1/openapi.json").json()
    validate(schema)
    call_next = _documented(schema, "/api/v1/windows/{window_id}/call-next", "post")
    assert set(call_next["properties"]) == {"ticket"}
    ticket = _resolve(schema, call_next["properties"]["ticket"]["anyOf"][0])
    assert {"label", "queue", "calls"} <= set(ticket["properties"])
    matter = _documented(schema, "/api/v1/matters/{code}", "get")
    step = _resolve(schema, matter["properties"]["steps"]["items"])
    assert {"role", "limit_n", "pausable"} <= set(step["properties"])
    case = _documented(schema, "/api/v1/cases/{case_id}", "get")
    case_step = _resolve(schema, case["properties"]["steps"]["items"])
    assert {"due_state", "performer"} <= set(case_step["properties"])
    call = _documented(schema, "/api/v1/hotline/calls/{call_id}", "get")
    assert {"caller_number", "ring_seconds"} <= set(call["properties"])


def _models(model):
    """A response model and every pydantic model inside it."""
    import typing

    from pydantic import BaseModel

    found, todo = [], [model]
    while todo:
        item = todo.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            if item in found:
                continue
            found.append(item)
            for field in item.model_fields.values():
                todo.append(field.annotation)
        else:
            todo.extend(typing.get_args(item))
    return found


@pytest.mark.parametrize("value", [str(HUGE), str(BIG), "-1"])
def test_query_numbers_beyond_the_database_answer_4xx(demo, value):
    client = token_client("leader")
    for path in (
        f"/api/v1/units/{demo.pk}/ledger?window={value}",
        f"/api/v1/units/{demo.pk}/ledger/statistics?window={value}",
        f"/api/v1/audit?unit_id={value}",
        f"/api/v1/calendar/{value}",
    ):
        response = client.get(path)
        assert 400 <= response.status_code < 500, (path, response.content)
