"""Open311 GeoReport v2 (R-FB-2): an Open311 client lists the services, files a complaint with
its API key and follows it by id; what it reads back never names who filed it."""

import datetime as dt
import hashlib
import io
import json
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from servicehall.complaints import open311, services
from servicehall.complaints.models import ApiClient, Category, Channel, Complaint
from servicehall.org.models import Unit
from servicehall.org.permissions import CITIZEN

BASE = "/open311/v2/"


class SpecClient:
    """A minimal GeoReport v2 client, written from the spec (https://wiki.open311.org/GeoReport_v2)
    and not from servicehall's code: it knows only the URLs, parameters and response shapes
    the spec gives. No maintained Python client can file a request (PyPI's `open311` and
    `three` are Python 2 only; `georeport` only reads), so this one stands in for a city app.

    It speaks plain HTTP through urllib: GET with query parameters, POST form-encoded with the
    api_key in the body, and reads JSON or XML (ElementTree) as the format asks.
    """

    def __init__(self, endpoint, api_key=None, fmt="json"):
        self.endpoint = endpoint.rstrip("/") + "/"
        self.api_key = api_key
        self.fmt = fmt

    def _call(self, path, params=None, form=None):
        url = f"{self.endpoint}{path}.{self.fmt}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with urllib.request.urlopen(url, data=body, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def _read(self, status, body, shape):
        if status >= 400:
            raise Open311Error(status, self._errors(body))
        if self.fmt == "json":
            return json.loads(body)
        return shape(ET.fromstring(body))

    def _errors(self, body):
        if self.fmt == "json":
            return [(e["code"], e["description"]) for e in json.loads(body)]
        return [(int(e.findtext("code")), e.findtext("description")) for e in ET.fromstring(body)]

    @staticmethod
    def _flat(element):
        return {child.tag: child.text for child in element}

    def services(self):
        return self._read(*self._call("services"), lambda root: list(map(self._flat, root)))

    def definition(self, service_code):
        def shape(root):
            attributes = []
            for a in root.find("attributes"):
                attribute = self._flat(a)
                values = a.find("values")
                attribute["values"] = [self._flat(v) for v in values] if values is not None else []
                attributes.append(attribute)
            return {"service_code": root.findtext("service_code"), "attributes": attributes}

        return self._read(*self._call(f"services/{service_code}"), shape)

    def create(self, service_code, attributes=None, **fields):
        form = {"service_code": service_code, **fields}
        if self.api_key is not None:
            form["api_key"] = self.api_key
        for code, value in (attributes or {}).items():
            form[f"attribute[{code}]"] = value
        status, body = self._call("requests", form=form)
        return self._read(status, body, lambda root: list(map(self._flat, root)))[0]

    def requests(self, **params):
        if self.api_key is not None:
            params["api_key"] = self.api_key
        return self._read(*self._call("requests", params), lambda root: list(map(self._flat, root)))

    def request(self, service_request_id):
        status, body = self._call(f"requests/{service_request_id}")
        return self._read(status, body, lambda root: list(map(self._flat, root)))[0]


def made_pk(code):
    return Complaint.objects.get(code=code).pk


class Open311Error(Exception):
    def __init__(self, status, errors):
        super().__init__(f"{status}: {errors}")
        self.status, self.errors = status, errors


@pytest.fixture
def key(demo):
    _client, key = ApiClient.issue("开封12345热线")
    return key


def post(client, fmt="json", **data):
    data = {
        "service_code": "complaint-attitude",
        "attribute[unit]": "kf-gulou-hukou",
        "description": "窗口民警态度生硬，不解释材料要求",
    } | data
    return client.post(f"{BASE}requests.{fmt}", data)


def errors_of(response):
    body = response.json()
    assert all(e["code"] == response.status_code for e in body)
    return " ".join(e["description"] for e in body)


@pytest.mark.django_db(transaction=True)
def test_an_open311_client_not_ours_creates_and_reads_back_a_request(live_server, demo):
    _client, key = ApiClient.issue("开封12345热线")
    app = SpecClient(live_server.url + BASE, api_key=key)
    codes = {s["service_code"] for s in app.services()}
    assert {"complaint-attitude", "complaint-fees", "suggestion"} <= codes
    definition = app.definition("complaint-attitude")
    unit = next(a for a in definition["attributes"] if a["code"] == "unit")
    assert unit["required"] is True and unit["datatype"] == "singlevaluelist"
    assert {"key": "kf-gulou-hukou", "name": demo.name} in unit["values"]

    made = app.create(
        "complaint-attitude",
        {"unit": "kf-gulou-hukou", "window": "2", "badge": "041235"},
        description="2号窗口民警态度生硬，不解释材料要求",
        first_name="明",
        last_name="李",
        phone="13812345678",
        email="liming@example.com",
        lat="34.797000",
        long="114.348000",
        address_string="开封市鼓楼区",
    )
    request_id = made["service_request_id"]
    assert request_id.startswith("TS-") and "答复期限" in made["service_notice"]

    back = app.request(request_id)
    assert back["service_request_id"] == request_id and back["status"] == "open"
    assert back["service_code"] == "complaint-attitude"
    assert back["agency_responsible"] == demo.name
    assert back["requested_datetime"].endswith("+08:00")
    assert (back["lat"], back["long"], back["address"]) == (34.797, 114.348, "开封市鼓楼区")
    assert [r["service_request_id"] for r in app.requests(service_request_id=request_id)] == [
        request_id
    ]
    # the same request in XML
    as_xml = SpecClient(live_server.url + BASE, fmt="xml").request(request_id)
    assert as_xml["service_request_id"] == request_id and as_xml["status"] == "open"
    # a client without a key searches, as the spec allows, and opens what it lists
    for fmt in ("json", "xml"):
        public = SpecClient(live_server.url + BASE, fmt=fmt)
        listed = public.requests(service_code="complaint-attitude")
        assert request_id not in {r["service_request_id"] for r in listed}
        mine = next(r for r in listed if r["service_request_id"] == f"GK-{made_pk(request_id)}")
        assert mine["status"] == "open" and mine["agency_responsible"] == demo.name
        assert public.request(mine["service_request_id"])["service_code"] == "complaint-attitude"

    c = Complaint.objects.get(code=request_id)
    assert (c.channel, c.api_client.name, c.kind, c.category) == (
        Channel.OPEN311,
        "开封12345热线",
        Complaint.Kind.COMPLAINT,
        Category.ATTITUDE,
    )
    assert (c.unit, c.window.number, c.staff.badge_no) == (demo, 2, "041235")
    assert (c.name, c.phone, c.email) == ("李明", "13812345678", "liming@example.com")

    with pytest.raises(Open311Error) as refused:
        SpecClient(live_server.url + BASE, api_key="guessed").create(
            "suggestion", {"unit": "kf-gulou-hukou"}, description="等候区增加饮水机"
        )
    assert refused.value.status == 403


def test_services_one_per_category_and_suggestion(client, demo):
    response = client.get(f"{BASE}services.json")
    assert response["Content-Language"] == "zh-hans"
    services_ = response.json()
    assert [s["service_code"] for s in services_] == [f"complaint-{c}" for c in Category.values] + [
        "suggestion"
    ]
    attitude = services_[0]
    assert attitude["metadata"] is True and attitude["type"] == "batch"
    assert attitude["group"] == "complaints" and services_[-1]["group"] == "suggestions"
    with translation.override("zh-hans"):  # Chinese unless the person switched
        assert attitude["service_name"] == str(Category.ATTITUDE.label)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(f"{BASE}services.json")
    assert english["Content-Language"] == "en"
    assert english.json()[0]["service_name"] == "bad attitude"


def test_service_definition_lists_every_unit(client, demo):
    definition = client.get(f"{BASE}services/complaint-delay.json").json()
    assert definition["service_code"] == "complaint-delay"
    unit, window, badge = definition["attributes"]
    assert (unit["code"], unit["required"], unit["order"]) == ("unit", True, 1)
    assert len(unit["values"]) == Unit.objects.count()
    assert {"key": demo.code, "name": demo.name} in unit["values"]
    assert (window["code"], window["datatype"], window["required"]) == ("window", "number", False)
    assert (badge["code"], badge["datatype"], badge["required"]) == ("badge", "string", False)

    root = ET.fromstring(client.get(f"{BASE}services/complaint-delay.xml").content)
    assert root.tag == "service_definition"
    keys = [v.findtext("key") for v in root.find("attributes/attribute/values")]
    assert keys == [v["key"] for v in unit["values"]]

    missing = client.get(f"{BASE}services/complaint-nonsense.json")
    assert missing.status_code == 404 and "complaint-nonsense" in errors_of(missing)


def test_no_key_or_a_wrong_one_is_refused_and_nothing_stored(client, demo, key):
    before = Complaint.objects.count()
    assert post(client).status_code == 403
    wrong = post(client, api_key=key + "x")
    assert wrong.status_code == 403 and "api_key" in errors_of(wrong)
    ApiClient.objects.update(active=False)
    assert post(client, api_key=key).status_code == 403
    refused = post(client, fmt="xml", api_key="guessed")
    root = ET.fromstring(refused.content)
    assert refused.status_code == 403 and root.tag == "errors"
    assert root.findtext("error/code") == "403" and "api_key" in root.findtext("error/description")
    assert Complaint.objects.count() == before


def test_the_key_is_kept_as_a_digest_only(db):
    out = io.StringIO()
    call_command("open311_key", "鼓楼区政务App", stdout=out)
    key = out.getvalue().strip()
    client = ApiClient.objects.get(name="鼓楼区政务App")
    assert client.key_digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {client.name, client.prefix, client.key_digest} and key.startswith(
        client.prefix
    )
    assert open311.client_for(key) == client and open311.client_for(key[:-1]) is None


@pytest.mark.parametrize(
    "data, names",
    [
        ({"description": ""}, "请简要写明事情经过"),
        ({"attribute[unit]": "kf-nowhere"}, "attribute[unit]"),
        ({"attribute[unit]": ""}, "attribute[unit]"),
        ({"attribute[badge]": "999999"}, "attribute[badge]"),
        ({"attribute[window]": "99"}, "attribute[window]"),
        ({"service_code": "complaint-weather"}, "service_code"),
        ({"lat": "north"}, "lat"),
        ({"phone": "call me"}, "电话号码"),
    ],
)
def test_bad_input_says_what_to_fix_and_stores_nothing(client, demo, key, data, names):
    before = Complaint.objects.count()
    response = post(client, api_key=key, **data)
    assert response.status_code == 400 and names in errors_of(response)
    assert Complaint.objects.count() == before


def test_every_problem_at_once(client, demo, key):
    response = post(client, api_key=key, **{"attribute[badge]": "999999", "lat": "91"})
    assert response.status_code == 400 and len(response.json()) == 2


def test_xml_forms_carry_the_same_ids(client, demo, key):
    response = post(client, fmt="xml", api_key=key)
    assert response.status_code == 201 and response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests" and len(root) == 1
    request_id = root.findtext("request/service_request_id")
    assert Complaint.objects.filter(code=request_id, channel=Channel.OPEN311).exists()
    one = ET.fromstring(client.get(f"{BASE}requests/{request_id}.xml").content)
    assert one.findtext("request/service_request_id") == request_id
    assert one.find("request/media_url").text is None  # an empty element: null
    listed = ET.fromstring(client.get(f"{BASE}requests.xml", {"api_key": key}).content)
    assert request_id in [r.findtext("service_request_id") for r in listed.iter("request")]
    as_json = client.get(f"{BASE}requests/{request_id}.json").json()
    assert as_json[0]["service_request_id"] == request_id


def test_requests_never_name_who_filed(client, demo, key):
    posted = post(
        client,
        api_key=key,
        first_name="Wei",
        last_name="Zhang",
        phone="13987654321",
        email="zhangwei@example.com",
        description="Zhang Wei here, call 13987654321 or zhangwei@example.com: 等了两个小时",
    ).json()[0]["service_request_id"]
    web = services.file(
        actor=CITIZEN,
        kind=Complaint.Kind.COMPLAINT,
        channel=Channel.WEB,
        unit=demo,
        category="fees",
        description="收费不开票，我叫欧阳娜娜，身份证410204199001011234",
        name="欧阳娜娜",
        address="开封市鼓楼区书店街8号",
        phone="13711112222",
        email="ouyang@example.com",
    )
    body = client.get(f"{BASE}requests.json", {"api_key": key}).content.decode()
    one = client.get(f"{BASE}requests/{web.code}.json").content.decode()
    for text in (body, one):
        for secret in (
            "Zhang Wei",
            "13987654321",
            "zhangwei@example.com",
            "欧阳娜娜",
            "13711112222",
            "ouyang@example.com",
            "书店街8号",
            "410204199001011234",
        ):
            assert secret not in text
    listed = {r["service_request_id"]: r for r in json.loads(body)}
    assert "等了两个小时" in listed[posted]["description"]
    assert web.code not in listed  # a client's search lists only what it filed
    assert json.loads(one)[0]["description"].startswith("收费不开票")


def test_status_goes_from_open_to_closed_with_the_answer(client, demo, key, actor):
    request_id = post(client, api_key=key).json()[0]["service_request_id"]
    first = client.get(f"{BASE}requests/{request_id}.json").json()[0]
    assert first["status"] == "open" and first["status_notes"]
    c = Complaint.objects.get(code=request_id)
    leader = actor("leader")
    c = services.investigate(actor=leader, complaint=c, finding="调取录像属实", substantiated=True)
    assert client.get(f"{BASE}requests/{request_id}.json").json()[0]["status"] == "open"
    services.answer(actor=leader, complaint=c, text="已对该民警批评教育，感谢监督。")
    closed = client.get(f"{BASE}requests/{request_id}.json").json()[0]
    assert closed["status"] == "closed"
    assert closed["status_notes"] == "已对该民警批评教育，感谢监督。"
    by_status = client.get(f"{BASE}requests.json", {"status": "closed", "api_key": key}).json()
    assert request_id in [r["service_request_id"] for r in by_status]
    opened = client.get(f"{BASE}requests.json", {"status": "open", "api_key": key}).json()
    assert request_id not in [r["service_request_id"] for r in opened]


def test_filters_and_the_90_day_default(client, demo, key):
    old = services.file(
        actor=CITIZEN,
        kind=Complaint.Kind.SUGGESTION,
        channel=Channel.OPEN311,
        unit=demo,
        description="建议增加周末窗口",
        api_client=ApiClient.objects.get(name="开封12345热线"),
        now=timezone.now() - dt.timedelta(days=120),
    )
    new = post(client, api_key=key).json()[0]["service_request_id"]

    def ids(**params):
        response = client.get(f"{BASE}requests.json", params | {"api_key": key})
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in response.json()}

    assert new in ids() and old.code not in ids()
    start = (timezone.now() - dt.timedelta(days=125)).isoformat()
    end = (timezone.now() - dt.timedelta(days=100)).isoformat()
    assert ids(start_date=start, end_date=end) == {old.code}
    assert old.code in ids(end_date=end)
    assert ids(service_code="suggestion", start_date=start, end_date=end) == {old.code}
    assert new in ids(service_code="complaint-attitude,suggestion")
    assert new not in ids(service_code="suggestion")
    assert ids(service_request_id=f"{old.code},{new.lower()}") == {old.code, new}
    assert {old.code, new} <= ids(start_date=start)
    wide = client.get(
        f"{BASE}requests.json", {"start_date": start, "end_date": timezone.now(), "api_key": key}
    )
    assert wide.status_code == 400 and "90天" in errors_of(wide)
    naive = client.get(
        f"{BASE}requests.json", {"start_date": "2026-10-01T00:00:00", "api_key": key}
    )
    assert naive.status_code == 400 and "start_date" in errors_of(naive)
    for name, value in (
        ("end_date", "0001-01-01T00:00:00-12:00"),
        ("start_date", "0001-01-01T00:00:00+14:00"),
    ):
        far = client.get(f"{BASE}requests.json", {name: value, "api_key": key})
        assert far.status_code == 400 and "2000" in errors_of(far)  # an OverflowError once
    assert (
        client.get(f"{BASE}requests.json", {"status": "pending", "api_key": key}).status_code == 400
    )


def test_a_search_with_a_key_lists_only_the_clients_own_in_full(client, demo, key):
    mine = post(client, api_key=key).json()[0]["service_request_id"]
    listed = client.get(f"{BASE}requests.json", {"api_key": key}).json()
    assert mine in [r["service_request_id"] for r in listed]
    assert all(r["description"] for r in listed)
    _other, other_key = ApiClient.issue("另一个应用")
    theirs = client.get(f"{BASE}requests.json", {"api_key": other_key}).json()
    assert mine not in [r["service_request_id"] for r in theirs]
    # by id it needs no key: the code is the secret the filer holds
    assert (
        client.get(f"{BASE}requests.json", {"service_request_id": mine}).json()[0][
            "service_request_id"
        ]
        == mine
    )
    # a key that is wrong is said to be, not taken for no key
    wrong = client.get(f"{BASE}requests.json", {"api_key": key + "x"})
    assert wrong.status_code == 403 and "api_key" in errors_of(wrong)


def published_pair(client, demo, key, actor):
    """An Open311 request answered and a web complaint acknowledged, with their filers."""
    filed = post(
        client,
        api_key=key,
        first_name="Wei",
        last_name="Zhang",
        phone="13987654321",
        email="zhangwei@example.com",
        address_string="开封市鼓楼区书店街8号",
        lat="34.797000",
        long="114.348000",
        description="Zhang Wei here, call 13987654321: 等了两个小时",
    ).json()[0]["service_request_id"]
    answered = Complaint.objects.get(code=filed)
    leader = actor("leader")
    services.investigate(
        actor=leader, complaint=answered, finding="调取录像属实", substantiated=True
    )
    services.answer(actor=leader, complaint=answered, text="已对王警官批评教育，感谢监督。")
    web = services.file(
        actor=CITIZEN,
        kind=Complaint.Kind.SUGGESTION,
        channel=Channel.WEB,
        unit=demo,
        description="建议等候区增加饮水机，我叫欧阳娜娜",
        name="欧阳娜娜",
        phone="13711112222",
    )
    services.acknowledge(actor=actor("officer"), complaint=web)
    return Complaint.objects.get(code=filed), Complaint.objects.get(pk=web.pk)


def test_a_search_without_a_key_is_public_and_lists_what_the_unit_publishes(
    client, demo, key, actor
):
    # GeoReport v2 makes searches public; decision 0011 (R-FB-3) keeps people out of them
    answered, web = published_pair(client, demo, key, actor)
    response = client.get(f"{BASE}requests.json")
    assert response.status_code == 200, response.content
    body = response.content.decode()
    listed = {r["service_request_id"]: r for r in json.loads(body)}
    closed, open_ = listed[open311.public_id(answered)], listed[open311.public_id(web)]
    assert closed["status"] == "closed" and closed["service_code"] == "complaint-attitude"
    assert closed["agency_responsible"] == demo.name
    assert closed["requested_datetime"].endswith("+08:00") and closed["updated_datetime"]
    assert "已答复" in closed["status_notes"]
    assert open_["status"] == "open" and open_["service_code"] == "suggestion"
    when = timezone.localtime(web.acknowledged_at).strftime("%Y-%m-%d %H:%M")
    assert f"{when} 已确认受理" in open_["status_notes"]
    for r in (closed, open_):
        assert r["description"] is None and r["address"] is None
        assert r["lat"] is None and r["long"] is None
    # never who filed, what they wrote, the answer, or the code that opens them
    for secret in (
        answered.code,
        web.code,
        "Zhang",
        "13987654321",
        "zhangwei@example.com",
        "书店街",
        "等了两个小时",
        "王警官",
        "欧阳娜娜",
        "饮水机",
        "13711112222",
    ):
        assert secret not in body
    # the same in XML, and a listed id opens the same public view, never more
    xml = client.get(f"{BASE}requests.xml").content.decode()
    assert open311.public_id(web) in xml and web.code not in xml
    one = client.get(f"{BASE}requests/{open311.public_id(answered)}.json").json()
    assert one == [closed]
    by_id = client.get(f"{BASE}requests.json", {"service_request_id": open311.public_id(web)})
    assert by_id.json() == [open_]
    # the full answer still needs the code (or the filing client's key)
    full = client.get(f"{BASE}requests/{answered.code}.json").json()[0]
    assert full["status_notes"] == "已对王警官批评教育，感谢监督。"


def test_a_public_search_filters_and_pages(client, demo, key, actor, monkeypatch):
    answered, web = published_pair(client, demo, key, actor)

    def ids(**params):
        response = client.get(f"{BASE}requests.json", params)
        assert response.status_code == 200, response.content
        return [r["service_request_id"] for r in response.json()]

    assert open311.public_id(answered) in ids(status="closed")
    assert open311.public_id(web) not in ids(status="closed")
    assert open311.public_id(web) in ids(service_code="suggestion")
    assert open311.public_id(answered) not in ids(service_code="suggestion")
    monkeypatch.setattr(open311, "PUBLIC_PAGE", 1)
    first, second = ids(), ids(page="2")
    assert len(first) == len(second) == 1 and first != second
    assert first == [open311.public_id(web)]  # newest first
    assert ids(page="10000") == []
    for page in ("0", "two", "-1", "10001"):
        bad = client.get(f"{BASE}requests.json", {"page": page})
        assert bad.status_code == 400 and "page" in errors_of(bad)


def test_a_public_page_is_at_most_100_in_one_query(client, demo, key):
    assert open311.PUBLIC_PAGE == 100 < open311.MAX_REQUESTS
    post(client, api_key=key)
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"{BASE}requests.json").status_code == 200
    for _ in range(4):
        post(client, api_key=key, **{"attribute[window]": "2"})
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(f"{BASE}requests.json").json()) >= 5
    assert len(five) == len(one) <= 2


def test_public_searches_are_rate_limited_as_look_ups(client, demo, settings):
    settings.SERVICEHALL = {
        **settings.SERVICEHALL,
        "RATE_LIMITS": {**settings.SERVICEHALL["RATE_LIMITS"], "lookup": "2/h"},
    }
    for _ in range(2):
        assert client.get(f"{BASE}requests.json").status_code == 200
    refused = client.get(f"{BASE}requests.json")
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "查询" in errors_of(refused)


def test_one_request_by_id_or_404(client, demo, key):
    request_id = post(client, api_key=key).json()[0]["service_request_id"]
    assert len(client.get(f"{BASE}requests/{request_id}.json").json()) == 1
    missing = client.get(f"{BASE}requests/TS-2222-2222.json")
    assert missing.status_code == 404 and "TS-2222-2222" in errors_of(missing)
    assert client.get(f"{BASE}requests/{request_id}.csv").status_code == 404
    assert client.delete(f"{BASE}requests/{request_id}.json").status_code == 405


def test_listing_costs_the_same_queries_for_1_or_20_requests(client, demo, key):
    post(client, api_key=key)
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"{BASE}requests.json", {"api_key": key}).status_code == 200
    for _ in range(19):
        post(client, api_key=key, **{"attribute[window]": "2"})
    with CaptureQueriesContext(connection) as twenty:
        assert len(client.get(f"{BASE}requests.json", {"api_key": key}).json()) >= 20
    assert len(twenty) == len(one) <= 2


def test_discovery(client, demo):
    found = client.get(f"{BASE}discovery.json").json()
    endpoint = found["endpoints"][0]
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = ET.fromstring(client.get(f"{BASE}discovery.xml").content)
    assert [f.text for f in root.iter("format")] == ["text/xml", "application/json"]


def test_service_names_follow_accept_language(client, demo):
    def name(language):
        rows = client.get(f"{BASE}services.json", HTTP_ACCEPT_LANGUAGE=language).json()
        return next(r["service_name"] for r in rows if r["service_code"] == "complaint-attitude")

    assert "态度" in name("zh-hans")
    assert "attitude" in name("en")


def test_ids_in_bulk_need_a_key_and_errors_name_the_parameter(client, demo, key):
    many = ",".join(f"TS-2222-{n:04d}" for n in range(11))
    refused = client.get(f"{BASE}requests.json", {"service_request_id": many})
    assert refused.status_code == 403
    assert (
        client.get(f"{BASE}requests.json", {"service_request_id": many, "api_key": key}).status_code
        == 200
    )
    bad = post(client, api_key=key, description="", phone="call me")
    assert bad.status_code == 400
    text = errors_of(bad)
    assert "description:" in text and "phone:" in text


def test_a_nul_in_a_search_is_answered_as_open311_errors(client, demo):
    response = client.get("/open311/v2/requests.json", {"page": "2\x00"})
    assert response.status_code == 400
    (error,) = response.json()
    assert error["code"] == 400 and "page" in error["description"]
