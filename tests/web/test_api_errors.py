"""What the API fuzz run (scripts/fuzz.py, issue 12) found: every error answers JSON in the
reader's language with the documented Error body, and every operation documents the error
statuses it can give, so schemathesis' status code and response schema checks hold."""

import pytest
from django.test import Client

from tests.web.test_api_inputs import token_client

ERROR_FIELDS = {"detail", "rule"}


def _chinese_error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) >= ERROR_FIELDS
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body
    return body


def test_no_token_answers_401_in_chinese(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = _chinese_error(client.get("/api/v1/me"), 401)
    assert "Bearer" in body["detail"]  # says how to send a token
    wrong = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer sh_wrong")
    _chinese_error(wrong, 401)


def test_unknown_id_answers_404_in_chinese(demo):
    """ninja's plain "Not Found" (get_object_or_404) was English."""
    body = _chinese_error(token_client("admin").get("/api/v1/units/2147483647"), 404)
    assert body["detail"] == "未找到：请检查地址中的编号或代码。"
    _chinese_error(Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/api/v1/matters/no-such"), 404)


def test_nul_in_the_api_address_answers_404_in_chinese(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/api/v1/status/C%00")
    _chinese_error(response, 404)


def test_multipart_body_without_boundary_answers_400_json(demo):
    """Django answered its HTML "Bad Request (400)" page: the fuzzer's content type check."""
    client = token_client("admin")
    response = client.post("/api/v1/authorize", "x", content_type="multipart/form-data")
    body = _chinese_error(response, 400)
    assert "JSON" in body["detail"]


def test_multipart_page_without_boundary_answers_the_400_page(db):
    response = Client().post("/accounts/login/", "x", content_type="multipart/form-data")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "无法读取请求内容" in response.content.decode()


@pytest.fixture
def schema(client):
    return client.get("/api/v1/openapi.json").json()


def test_every_operation_documents_its_error_statuses(schema):
    from openapi_spec_validator import validate

    validate(schema)
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            expected = {"400", "403", "404", "413", "422"}
            if operation.get("security"):
                expected.add("401")
            assert expected <= statuses, (method, path, statuses)
            for status in expected - ({"403"} if path == "/api/v1/authorize" else set()):
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"]["$ref"] == "#/components/schemas/Error"
    # an operation's own documented error stays as it was
    authorize = schema["paths"]["/api/v1/authorize"]["post"]["responses"]["403"]
    assert "$ref" not in authorize["content"]["application/json"]["schema"]


def test_the_422_body_matches_the_documented_error(demo, schema):
    """What validation_error answers fits the Error schema the operations document."""
    import jsonschema

    response = token_client("admin").get("/api/v1/units/abc")
    body = _chinese_error(response, 422)
    error = dict(schema["components"]["schemas"]["Error"])
    jsonschema.validate(body, error)


def test_authorize_with_an_unknown_action_answers_in_chinese(demo):
    response = token_client("admin").post(
        "/api/v1/authorize", {"action": "fly"}, content_type="application/json"
    )
    body = _chinese_error(response, 403)
    assert body["detail"] == "未知的操作：fly。"
