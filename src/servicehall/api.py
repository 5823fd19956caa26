"""The JSON API at /api/v1/: session login for people, bearer tokens for machines."""

import time

from auditlog.context import auditlog_value
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import RequestDataTooBig
from django.db.models.signals import post_delete, post_save
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, django_auth

from servicehall.core.errors import ServiceError
from servicehall.core.ratelimits import RateLimited
from servicehall.org.models import ApiToken, Staff

# token → (valid until, ApiToken with user and staff); per worker process
_checked: dict[str, tuple[float, ApiToken]] = {}


def forget_tokens(**_kwargs):
    """Any change to a token or an account empties this worker's cache at once."""
    _checked.clear()


class TokenAuth(HttpBearer):
    """`Authorization: Bearer sh_…`: the token acts as its user, audit trail included."""

    openapi_description = "API token issued with `servicehall createtoken USER NAME`."

    def authenticate(self, request, token):
        now = time.monotonic()
        hit = _checked.get(token)
        if hit is not None and hit[0] > now:
            found = hit[1]
        else:
            found = ApiToken.objects.authenticate(token)
            if found is None:
                _checked.pop(token, None)
                return None
            if len(_checked) > 10_000:
                _checked.clear()
            _checked[token] = (now + settings.SERVICEHALL["TOKEN_CACHE_SECONDS"], found)
        request.user = found.user
        context = auditlog_value.get(None)
        if context is not None:  # AuditlogMiddleware ran before we knew who it is
            context["actor"] = found.user
        return found.user


for model in (ApiToken, get_user_model(), Staff):
    post_save.connect(forget_tokens, sender=model, dispatch_uid=f"forget-tokens-{model.__name__}")
    post_delete.connect(forget_tokens, sender=model, dispatch_uid=f"forget-del-{model.__name__}")

# What the error handlers below answer, documented on every operation (issue 12) so that a
# client — and the fuzz run's status code and response schema checks (scripts/fuzz.py) — knows
# every status an operation can give and the body that comes with it.
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "rule": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        # a 422's [{loc, msg, type}], a refused record's {field: [messages]}
        "errors": {"anyOf": [{"type": "array"}, {"type": "object"}]},
        "fields": {"type": "object", "additionalProperties": {"type": "array"}},
    },
    "required": ["detail"],
}
ERRORS = {
    "400": _("The request breaks a rule or cannot be read; nothing was changed."),
    "401": _("No valid session or API token."),
    "403": _("Your role or scope does not allow this."),
    "404": _("No such object, or not one you may see."),
    "413": _("The request body is too large."),
    "422": _("A value does not fit its field."),
}
PUBLIC_ERRORS = ("400", "403", "404", "413", "422")  # no sign-in asked, so never a 401


class ServicehallAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        for operations in schema["paths"].values():
            for operation in operations.values():
                statuses = ERRORS if operation.get("security") else PUBLIC_ERRORS
                responses = operation.setdefault("responses", {})
                documented = {str(code) for code in responses}  # ninja's keys are ints
                for status in statuses:
                    if status in documented:  # the operation's own, as for /authorize
                        continue
                    responses.setdefault(
                        int(status),
                        {
                            "description": str(ERRORS[status]),
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Error"}
                                }
                            },
                        },
                    )
        return schema


api = ServicehallAPI(
    title="servicehall API",
    version="1",
    description=str(
        _(
            "Organization registry, permissions and audit trail of servicehall. Errors come as "
            "{detail, errors, rule} in the language of Accept-Language; a value that does not "
            "fit its field answers 422 with errors as a list of {loc, msg, type} and fields "
            "mapping each field to its messages."
        )
    ),
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


@api.exception_handler(ServiceError)
def service_error(request, exc: ServiceError):
    body = {"detail": str(exc), "rule": exc.rule}
    if getattr(exc, "errors", None):
        body["errors"] = exc.errors
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(RateLimited)
def rate_limited(request, exc: RateLimited):
    """429 {detail, rule} with Retry-After (decision 0016)."""
    response = api.create_response(request, {"detail": str(exc), "rule": exc.rule}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


# pydantic's error types → a message in the reader's language (issue 12); %(…)s take the
# error's context (ge, le, max_length, expected …)
VALIDATION_MESSAGES = {
    "missing": _("This field is required."),
    "int_parsing": _("Enter a whole number."),
    "int_type": _("Enter a whole number."),
    "int_from_float": _("Enter a whole number."),
    "float_parsing": _("Enter a number."),
    "float_type": _("Enter a number."),
    "string_type": _("Enter text."),
    "string_too_long": _("Enter at most %(max_length)s characters."),
    "string_too_short": _("Enter at least %(min_length)s characters."),
    "too_long": _("Give at most %(max_length)s items."),
    "too_short": _("Give at least %(min_length)s items."),
    "less_than_equal": _("Enter a number no greater than %(le)s."),
    "less_than": _("Enter a number less than %(lt)s."),
    "greater_than_equal": _("Enter a number of at least %(ge)s."),
    "greater_than": _("Enter a number greater than %(gt)s."),
    "bool_parsing": _("Enter true or false."),
    "bool_type": _("Enter true or false."),
    "json_invalid": _("The request body is not valid JSON."),
    "date_parsing": _("Enter a date such as 2026-05-01."),
    "date_from_datetime_parsing": _("Enter a date such as 2026-05-01."),
    "date_type": _("Enter a date such as 2026-05-01."),
    "datetime_parsing": _("Enter a date and time such as 2026-05-01T09:30:00+08:00."),
    "datetime_from_date_parsing": _("Enter a date and time such as 2026-05-01T09:30:00+08:00."),
    "datetime_type": _("Enter a date and time such as 2026-05-01T09:30:00+08:00."),
    "enum": _("Choose one of: %(expected)s."),
    "literal_error": _("Choose one of: %(expected)s."),
    "list_type": _("Enter a list."),
    "tuple_type": _("Enter a list."),
    "dict_type": _("Enter an object."),
    "model_type": _("Enter an object."),
    "model_attributes_type": _("Enter an object."),
}
LOCATIONS = ("body", "query", "path", "header", "cookie", "form", "file")


def _field(loc) -> str:
    """("body", "payload", "checks", 0, "state") → "checks.0.state"; ("path", "unit_id") →
    "unit_id"."""
    parts = list(loc)
    if parts and parts[0] == "body" and len(parts) > 1:
        parts = parts[2:]  # the view's parameter name (payload) means nothing to a client
    elif parts and parts[0] in LOCATIONS:
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or "__all__"


def validation_message(error: dict) -> str:
    template = VALIDATION_MESSAGES.get(error.get("type"))
    if template is None:
        return gettext("This value is not valid.")
    context = {k: v for k, v in (error.get("ctx") or {}).items() if not isinstance(v, Exception)}
    try:
        return str(template) % context if "%(" in str(template) else str(template)
    except (KeyError, TypeError, ValueError):
        return gettext("This value is not valid.")


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    """422 in the reader's language: {detail, errors: [{loc, msg, type}], fields, rule}."""
    errors, fields = [], {}
    for error in exc.errors:
        message = validation_message(error)
        field = _field(error.get("loc", ()))
        loc = list(error.get("loc", ()))
        errors.append({"loc": loc, "msg": message, "type": error.get("type")})
        fields.setdefault(field, []).append(message)
    first = next(iter(fields.items()), None)
    detail = (
        gettext("%(field)s: %(message)s") % {"field": first[0], "message": first[1][0]}
        if first
        else gettext("This value is not valid.")
    )
    body = {"detail": detail, "errors": errors, "fields": fields, "rule": None}
    return api.create_response(request, body, status=422)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    detail = str(exc)
    if detail.startswith("Cannot parse request body"):  # ninja's words for broken JSON
        detail = str(VALIDATION_MESSAGES["json_invalid"])
    elif isinstance(exc, AuthenticationError):  # ninja's "Unauthorized"
        detail = gettext("Sign in, or send a valid API token: Authorization: Bearer sh_….")
    return api.create_response(request, {"detail": detail, "rule": None}, status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request, exc):
    """ninja's plain "Not Found" (get_object_or_404), in the reader's language."""
    return api.create_response(request, not_found_body(), status=404)


def not_found_body():
    return {"detail": gettext("Not found: check the id or code in the address."), "rule": None}


@api.exception_handler(RequestDataTooBig)
def too_big(request, exc):
    """Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE; say so in JSON."""
    megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    body = {
        "detail": gettext("The request is too large: send at most %(mb)s MB.")
        % {"mb": f"{megabytes:g}"},
        "rule": None,
    }
    return api.create_response(request, body, status=413)


from servicehall.audit.api import router as audit_router  # noqa: E402
from servicehall.cases.api import router as cases_router  # noqa: E402
from servicehall.catalog.api import router as catalog_router  # noqa: E402
from servicehall.feedback.api import router as feedback_router  # noqa: E402
from servicehall.hotline.api import router as hotline_router  # noqa: E402
from servicehall.org.api import router as org_router  # noqa: E402
from servicehall.queueing.api import router as queueing_router  # noqa: E402
from servicehall.worktime.api import router as worktime_router  # noqa: E402

# the busiest first, as URLs are matched in order: window consoles call all day, and every
# finished visit is rated
api.add_router("/", queueing_router)
api.add_router("/", feedback_router)
api.add_router("/", org_router)
api.add_router("/audit", audit_router)
api.add_router("/", worktime_router)
api.add_router("/", catalog_router)
api.add_router("/", cases_router)
api.add_router("/", hotline_router)
