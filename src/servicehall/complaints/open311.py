"""Open311 GeoReport v2 over complaints and suggestions.

Any GeoReport v2 client (a city app, the 12345 hotline's system …) lists the services, files
a complaint or suggestion with an API key and follows it by its id, as the spec says
(https://wiki.open311.org/GeoReport_v2). Every resource answers in JSON or XML, chosen by the
extension: services.json, services.xml.

- One service per complaint category (`complaint-attitude` …) and one `suggestion`.
- A request's place is the unit (attribute `unit`); lat, long and address_string are kept as
  given. The window and the person concerned are named by window number and badge number.
- service_request_id is the complaint's lookup code (TS-7K3Q-X9MD): unguessable, so reading a
  request back by id tells nothing its filer does not know already.
- What is read back never names who filed it: the description is masked, the filer's name,
  phone, email and address are neither sent nor left in the text.
- A search without a key is public, as the spec has it, and lists only what the unit
  publishes (decision 0011): each request under a public id (GK-123) that opens the same
  public view, never its code, its text or its answer.
"""

import datetime as dt
import functools
import json
import operator
import re
import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.http import HttpResponse
from django.urls import re_path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from servicehall.core.errors import Forbidden, InvalidInput, ServiceError
from servicehall.core.masking import mask_text
from servicehall.core.public import public_url
from servicehall.core.ratelimits import RateLimited, limit
from servicehall.org.models import Staff, Unit, Window
from servicehall.org.permissions import actor_for

from . import services
from .models import ApiClient, Category, Channel, Complaint, key_digest

SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-27T00:00:00+08:00"  # when this API last changed, for the discovery file
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
SUGGESTION = "suggestion"
COMPLAINT = "complaint-"
MAX_REQUESTS = 1000  # the spec's default ceiling for GET requests
PUBLIC_PAGE = 100  # requests in one page of a public search; `page` asks for the next
KEYLESS_IDS = 10  # ids one may ask for by id without a key
PUBLIC_ID = re.compile(r"^GK-?(\d{1,12})$", re.IGNORECASE)
SPAN = dt.timedelta(days=90)  # the spec's default and largest date range
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'  # as the spec asks: UTF-8, quoted
_CJK = re.compile(r"[\u3400-\u9fff]")


class Refused(Exception):
    """An Open311 error answer: the HTTP status and one description per problem."""

    def __init__(self, status: int, *descriptions):
        self.status = status
        self.descriptions = [str(d) for d in descriptions]
        super().__init__("; ".join(self.descriptions))


# --- services ---------------------------------------------------------------------------


def service_codes() -> dict[str, tuple[str, str]]:
    """service_code → (kind, category) of the complaints it files."""
    codes = {COMPLAINT + c: (Complaint.Kind.COMPLAINT, c) for c in Category.values}
    codes[SUGGESTION] = (Complaint.Kind.SUGGESTION, Category.OTHER)
    return codes


def service_code_of(kind, category) -> str:
    return SUGGESTION if kind == Complaint.Kind.SUGGESTION else COMPLAINT + category


def service_name(kind, category) -> str:
    if kind == Complaint.Kind.SUGGESTION:
        return str(Complaint.Kind.SUGGESTION.label)
    return str(dict(Category.choices).get(category, category))


def service_list() -> list[dict]:
    out, answer = [], services.answer_policy().length
    for code, (kind, category) in service_codes().items():
        name = service_name(kind, category)
        if kind == Complaint.Kind.SUGGESTION:
            description = _("A suggestion to a service unit; answered within %(limit)s.") % {
                "limit": answer
            }
            keywords, group = name, "suggestions"
        else:
            description = _(
                "A complaint about %(category)s at a service unit; answered within %(limit)s."
            ) % {"category": name, "limit": answer}
            keywords, group = f"{Complaint.Kind.COMPLAINT.label}, {name}", "complaints"
        out.append(
            {
                "service_code": code,
                "service_name": name,
                "description": description,
                "metadata": True,
                "type": "batch",  # answered by people within days, not at once
                "keywords": keywords,
                "group": group,
            }
        )
    return out


def service_definition(code: str) -> dict:
    if code not in service_codes():
        raise Refused(404, _("There is no service “%(code)s”; see services.json.") % {"code": code})
    units = [{"key": c, "name": n} for c, n in Unit.objects.values_list("code", "name")]
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": "unit",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": None,
                "order": 1,
                "description": _("Which service unit is it about?"),
                "values": units,
            },
            {
                "variable": True,
                "code": "window",
                "datatype": "number",
                "required": False,
                "datatype_description": _("The number above the window, such as 3."),
                "order": 2,
                "description": _("Which window of that unit, if you know?"),
            },
            {
                "variable": True,
                "code": "badge",
                "datatype": "string",
                "required": False,
                "datatype_description": _("The number on the staff badge, such as 041235."),
                "order": 3,
                "description": _("The badge number of the staff member concerned, if you know."),
            },
        ],
    }


# --- filing a request -------------------------------------------------------------------


def client_for(key) -> ApiClient | None:
    """The active client whose key this is. Only the SHA-256 digest is looked up, so the time
    the lookup takes says nothing about how close a guessed key came."""
    if not key:
        return None
    return ApiClient.objects.filter(key_digest=key_digest(key), active=True).first()


def place_of(data) -> tuple[Unit | None, Window | None, Staff | None, list[str]]:
    """The unit, window and staff member the attributes name, and what is wrong with them."""
    errors = []
    unit = window = staff = None
    code = (data.get("attribute[unit]") or "").strip()
    if not code:
        errors.append(_("attribute[unit] is required: a unit's key from the service definition."))
    else:
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            errors.append(
                _("attribute[unit]: no unit “%(code)s”; use a key from the service definition.")
                % {"code": code}
            )
    number = (data.get("attribute[window]") or "").strip()
    if number and unit is not None:
        if number.isdigit() and int(number) < 32768:
            window = Window.objects.filter(unit=unit, number=int(number)).first()
        if window is None:
            errors.append(
                _("attribute[window]: %(unit)s has no window No. %(number)s.")
                % {"unit": unit.name, "number": number}
            )
    badge = (data.get("attribute[badge]") or "").strip()
    if badge and unit is not None:
        staff = Staff.objects.filter(unit=unit, badge_no=badge).first()
        if staff is None:
            errors.append(
                _("attribute[badge]: nobody at %(unit)s has badge number %(badge)s.")
                % {"unit": unit.name, "badge": badge}
            )
    return unit, window, staff, errors


def _degrees(data, name, limit, errors):
    raw = (data.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or abs(value) > limit:
        errors.append(
            _("%(name)s: give degrees between -%(limit)s and %(limit)s (WGS84).")
            % {"name": name, "limit": limit}
        )
        return None
    return value.quantize(Decimal("0.000001"))


def full_name(first, last) -> str:
    """A Chinese name is family name first with no space (李 + 明 = 李明); others as given."""
    first, last = (first or "").strip(), (last or "").strip()
    if _CJK.search(first + last):
        return last + first
    return " ".join(p for p in (first, last) if p)


def file_request(data) -> Complaint:
    """File a complaint or suggestion from a POST requests body; Refused says what to fix and
    nothing is stored."""
    client = client_for(data.get("api_key"))
    if client is None:
        raise Refused(403, _("api_key is missing or not valid: ask the city for a key."))
    errors = []
    code = (data.get("service_code") or "").strip()
    service = service_codes().get(code)
    if service is None:
        errors.append(
            _("service_code: there is no service “%(code)s”; see services.json.") % {"code": code}
        )
    unit, window, staff, problems = place_of(data)
    errors += problems
    lat = _degrees(data, "lat", 90, errors)
    long = _degrees(data, "long", 180, errors)
    if errors:
        raise Refused(400, *errors)
    kind, category = service
    try:
        return services.file(
            actor=actor_for(AnonymousUser()),  # a citizen, like the web form
            kind=kind,
            channel=Channel.OPEN311,  # R-FB-2: a channel of its own, the client named below
            unit=unit,
            window=window,
            staff=staff,
            category=category,
            description=data.get("description") or "",
            name=full_name(data.get("first_name"), data.get("last_name")),
            phone=data.get("phone") or "",
            email=data.get("email") or "",
            api_client=client,
            lat=lat,
            long=long,
            address_string=data.get("address_string") or "",
        )
    except InvalidInput as exc:
        raise Refused(
            400,
            *(
                f"{PARAMETER.get(field, field)}: {' '.join(messages)}"
                for field, messages in exc.errors.items()
            ),
        ) from None
    except Forbidden as exc:
        raise Refused(403, exc) from None
    except ServiceError as exc:
        raise Refused(400, exc) from None


# the request parameter behind each field the complaint service names
PARAMETER = {
    "description": "description",
    "phone": "phone",
    "email": "email",
    "unit": "attribute[unit]",
    "window": "attribute[window]",
    "staff": "attribute[badge]",
    "category": "service_code",
    "kind": "service_code",
}


def service_notice(c: Complaint) -> str:
    # the due time as counted when it was filed: the policy may have changed since
    return _("Answer due %(due)s.") % {
        "due": timezone.localtime(c.due_at).strftime("%Y-%m-%d %H:%M")
    }


def filed(c: Complaint) -> dict:
    return {"service_request_id": c.code, "service_notice": service_notice(c), "account_id": None}


# --- reading requests back --------------------------------------------------------------

# What a request shows, plus what is needed to keep the filer out of the text (_redacted).
_FIELDS = (
    "code",
    "kind",
    "category",
    "status",
    "description",
    "answer",
    "received_at",
    "updated_at",
    "due_at",
    "ack_due_at",
    "acknowledged_at",
    "answered_at",
    "address_string",
    "lat",
    "long",
    "unit__name",
    "name",
    "phone",
    "email",
    "address",
)


def _listed():
    return Complaint.objects.select_related("unit").only(*_FIELDS).order_by("-received_at", "-pk")


# What a public search reads: no code, no text, nobody.
_PUBLISHED = (
    "kind",
    "category",
    "status",
    "received_at",
    "updated_at",
    "due_at",
    "ack_due_at",
    "acknowledged_at",
    "answered_at",
    "unit__name",
)


def _published():
    return (
        Complaint.objects.select_related("unit").only(*_PUBLISHED).order_by("-received_at", "-pk")
    )


def _split(value) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _when(params, name, errors):
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    raw = re.sub(r" (\d{2}:?\d{2})$", r"+\1", raw)  # a '+' sent unencoded arrives as a space
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    # a year the database and the 90-day span can hold (0001-01-01 with an offset overflows)
    if value is not None and not (2000 <= value.year <= 2100):
        errors.append(_("%(name)s: give a date between the years 2000 and 2100.") % {"name": name})
        return None
    if value is None or timezone.is_naive(value):
        errors.append(
            _("%(name)s: give a date and time with its offset, such as 2026-10-01T00:00:00+08:00.")
            % {"name": name}
        )
        return None
    return value


def _page(params, errors) -> int:
    raw = (params.get("page") or "").strip()
    if not raw:
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= 10000:
        errors.append(_("page: give a whole number from 1, such as 2."))
        return 1
    return int(raw)


def _public_pk(value) -> int | None:
    found = PUBLIC_ID.match(value or "")
    return int(found[1]) if found else None


def public_id(c: Complaint) -> str:
    """The id a request is listed under in a public search: it opens the public view only."""
    return f"GK-{c.pk}"


def find_requests(params, now=None) -> list[dict]:
    """GET requests, as service requests: by ids, or by service_code, status and date range
    (the last 90 days unless given), newest first. One query.

    With the client's api_key a search lists the requests that client filed, in full, at most
    1000 a page. Without a key it is public, as the spec makes searches: what the unit
    publishes of every request (public_view), a page of 100 at a time. Each lookup code is
    unguessable and opens its complaint's answer, so no public answer carries one (R-FB-3).
    Asking by id needs no key: by code the full request, by public id the public view."""
    ids = _split(params.get("service_request_id"))
    key = (params.get("api_key") or "").strip()
    client = client_for(key)
    if key and client is None:
        # a client that sent a key means its own requests: say so rather than list others
        raise Refused(403, _("api_key is not valid: ask the city for a key, or send none."))
    if len(ids) > KEYLESS_IDS and client is None:
        # without a key a handful of ids at a time: codes are not to be guessed in bulk
        raise Refused(403, _("Ask for %(n)s ids at most without an api_key.") % {"n": KEYLESS_IDS})
    if ids:
        # the spec: service_request_id overrides every other argument
        ids = ids[:MAX_REQUESTS]
        codes = [c for c in map(services.normalize_code, ids) if c]
        pks = [pk for pk in map(_public_pk, ids) if pk is not None]
        found = [as_request(c) for c in _listed().filter(code__in=codes)] if codes else []
        if pks:
            found += [public_view(c) for c in _published().filter(pk__in=pks)]
        return found
    errors = []
    qs = _listed().filter(api_client=client) if client else _published()
    wanted = _split(params.get("service_code"))
    if wanted:
        known = service_codes()
        unknown = [c for c in wanted if c not in known]
        if unknown:
            errors.append(
                _("service_code: there is no service “%(code)s”; see services.json.")
                % {"code": ", ".join(unknown)}
            )
        else:
            qs = qs.filter(functools.reduce(operator.or_, (_service_q(*known[c]) for c in wanted)))
    statuses = set(_split(params.get("status")))
    if statuses - {"open", "closed"}:
        errors.append(_("status: use open, closed or both, comma-separated."))
    elif statuses == {"open"}:
        qs = qs.exclude(status=Complaint.Status.ANSWERED)
    elif statuses == {"closed"}:
        qs = qs.filter(status=Complaint.Status.ANSWERED)
    start, end = _when(params, "start_date", errors), _when(params, "end_date", errors)
    page = _page(params, errors)
    if errors:
        raise Refused(400, *errors)
    if start is None:
        start = (end or now or timezone.now()) - SPAN
    if end is not None and not (start <= end <= start + SPAN):
        raise Refused(400, _("end_date must follow start_date by 90 days at most."))
    qs = qs.filter(received_at__gte=start)
    if end is not None:
        qs = qs.filter(received_at__lte=end)
    size = MAX_REQUESTS if client else PUBLIC_PAGE
    rows = qs[(page - 1) * size : page * size]
    return [as_request(c) for c in rows] if client else [public_view(c) for c in rows]


def _service_q(kind, category):
    if kind == Complaint.Kind.SUGGESTION:
        return Q(kind=kind)
    return Q(kind=kind, category=category)


def request_by_id(service_request_id) -> dict:
    """GET requests/{id}: by its code the full request, by its public id the public view."""
    pk = _public_pk(service_request_id)
    if pk is not None:
        c = _published().filter(pk=pk).first()
        if c is not None:
            return public_view(c)
    code = services.normalize_code(service_request_id)
    c = _listed().filter(code=code).first() if code else None
    if c is None:
        raise Refused(404, _("There is no request “%(id)s”.") % {"id": service_request_id[:40]})
    return as_request(c)


def _redacted(text: str, c: Complaint) -> str:
    """Masked ID and phone numbers, and whatever the filer gave as name, phone, email or
    address starred out where the text repeats it."""
    text = mask_text(text or "")
    for value in (c.name, c.phone, c.email, c.address):
        value = (value or "").strip()
        if len(value) >= 2:
            text = text.replace(value, "*" * len(value))
    for part in (c.name or "").split():  # "Wei Zhang" written as "Zhang Wei"
        if len(part) >= 2:
            text = re.sub(rf"\b{re.escape(part)}\b", "*" * len(part), text, flags=re.IGNORECASE)
    return text


def _iso(value):
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _float(value):
    return float(value) if value is not None else None


def as_request(c: Complaint) -> dict:
    """A complaint as a GeoReport service request, without its filer."""
    return {
        "service_request_id": c.code,
        "status": "open" if c.is_open else "closed",
        "status_notes": public_notes(c) if c.is_open else _redacted(c.answer, c),
        "service_name": service_name(c.kind, c.category),
        "service_code": service_code_of(c.kind, c.category),
        "description": _redacted(c.description, c),
        "agency_responsible": c.unit.name,
        "service_notice": service_notice(c),
        "requested_datetime": _iso(c.received_at),
        "updated_datetime": _iso(c.updated_at),
        "expected_datetime": _iso(c.due_at),
        "address": _redacted(c.address_string, c),
        "address_id": None,
        "zipcode": None,
        "lat": _float(c.lat),
        "long": _float(c.long),
        "media_url": None,
    }


def _at(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def public_notes(c: Complaint) -> str:
    """Where a request stands in the system's own words (status, acknowledged, answered): no
    text a citizen or a staff member wrote, so there is nothing in it to mask."""
    notes = [str(c.get_status_display())]
    if c.acknowledged_at:
        notes.append(_("acknowledged %(when)s") % {"when": _at(c.acknowledged_at)})
    elif c.ack_due_at and c.is_open:
        notes.append(_("to be acknowledged by %(when)s") % {"when": _at(c.ack_due_at)})
    if c.answered_at:
        notes.append(_("answered %(when)s") % {"when": _at(c.answered_at)})
    return " · ".join(notes)


def public_view(c: Complaint) -> dict:
    """A request as a public search lists it: service, status, unit and dates. Never the
    complainant, the description, the place given or the answer, nor the code that opens
    them (decision 0011)."""
    return {
        "service_request_id": public_id(c),
        "status": "open" if c.is_open else "closed",
        "status_notes": public_notes(c),
        "service_name": service_name(c.kind, c.category),
        "service_code": service_code_of(c.kind, c.category),
        "description": None,
        "agency_responsible": c.unit.name,
        "service_notice": service_notice(c),
        "requested_datetime": _iso(c.received_at),
        "updated_datetime": _iso(c.updated_at),
        "expected_datetime": _iso(c.due_at),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def discovery(base_url: str) -> dict:
    return {
        "changeset": CHANGESET,
        "contact": _("The city's organizing office answers questions about this API."),
        "key_service": _("Ask the city's organizing office for an API key."),
        "endpoints": [
            {
                "specification": SPEC,
                "url": base_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


# --- JSON and XML -----------------------------------------------------------------------

# The element of each item of a list, as the spec's XML examples name them.
_ITEM = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _element(parent, tag, value):
    el = ET.SubElement(parent, tag)
    if isinstance(value, list):
        for item in value:
            _element(el, _ITEM[tag], item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _element(el, key, item)
    elif isinstance(value, bool):
        el.text = "true" if value else "false"
    elif value is not None:
        el.text = str(value)


def to_xml(root: str, payload) -> bytes:
    el = ET.Element(root)
    for key, item in payload.items() if isinstance(payload, dict) else ():
        _element(el, key, item)
    for item in payload if isinstance(payload, list) else ():
        _element(el, _ITEM[root], item)
    return XML_DECLARATION + ET.tostring(el, encoding="unicode").encode()


def _answer(fmt, root, payload, status=200):
    body = to_xml(root, payload) if fmt == "xml" else json.dumps(payload, ensure_ascii=False)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def _errors(fmt, refused: Refused):
    payload = [{"code": refused.status, "description": d} for d in refused.descriptions]
    return _answer(fmt, "errors", payload, refused.status)


def endpoint(*methods):
    """An Open311 view: the format from the extension, Refused as the spec's errors. The view
    returns (root element, payload, HTTP status)."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view):
        @csrf_exempt  # clients post with an api_key, not a session
        @functools.wraps(view)
        def wrapper(request, fmt, **kwargs):
            if fmt not in CONTENT_TYPES:
                return _errors("json", Refused(404, _("Ask for .json or .xml.")))
            if request.method not in allowed:
                response = _errors(fmt, Refused(405, _("Use %(m)s.") % {"m": ", ".join(methods)}))
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                root, payload, status = view(request, **kwargs)
            except Refused as exc:
                return _errors(fmt, exc)
            except RateLimited as exc:
                response = _errors(fmt, Refused(429, exc))
                response["Retry-After"] = str(exc.retry_after)
                return response
            return _answer(fmt, root, payload, status)

        return wrapper

    return decorate


@endpoint("GET")
def discovery_view(request):
    return "discovery", discovery(public_url(request, "./")), 200


@endpoint("GET")
def services_view(request):
    return "services", service_list(), 200


@endpoint("GET")
def service_view(request, service_code):
    return "service_definition", service_definition(service_code), 200


@endpoint("GET", "POST")
def requests_view(request):
    if request.method == "POST":
        limit(request, "open311")
        if request.POST.get("api_key"):  # a key's budget, whichever addresses it comes from
            limit(request, "open311_key", value=request.POST["api_key"])
        return "service_requests", [filed(file_request(request.POST))], 201
    limit(request, "lookup")  # a public search is a look-up like the status page's
    return "service_requests", find_requests(request.GET), 200


@endpoint("GET")
def request_view(request, service_request_id):
    limit(request, "lookup")
    return "service_requests", [request_by_id(service_request_id)], 200


app_name = "open311"
_FMT = r"\.(?P<fmt>[a-z]+)$"
urlpatterns = [
    re_path(r"^discovery" + _FMT, discovery_view, name="discovery"),
    re_path(r"^services" + _FMT, services_view, name="services"),
    re_path(r"^services/(?P<service_code>[\w-]+)" + _FMT, service_view, name="service"),
    re_path(r"^requests" + _FMT, requests_view, name="requests"),
    re_path(r"^requests/(?P<service_request_id>[\w-]+)" + _FMT, request_view, name="request"),
]
