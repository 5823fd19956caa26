"""The JSON API at /api/v1/: session login for people, bearer tokens for machines."""

from auditlog.context import auditlog_value
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from servicehall.errors import ServiceError
from servicehall.org.models import ApiToken


class TokenAuth(HttpBearer):
    """`Authorization: Bearer sh_…`: the token acts as its user, audit trail included."""

    openapi_description = "API token issued with `servicehall createtoken USER NAME`."

    def authenticate(self, request, token):
        found = ApiToken.objects.authenticate(token)
        if found is None:
            return None
        request.user = found.user
        context = auditlog_value.get(None)
        if context is not None:  # AuditlogMiddleware ran before we knew who it is
            context["actor"] = found.user
        return found.user


api = NinjaAPI(
    title="servicehall API",
    version="1",
    description=str(
        _(
            "Organization registry, permissions and audit trail of servicehall. Errors come as "
            "{detail, errors, rule} in the language of Accept-Language."
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


from servicehall.audit.api import router as audit_router  # noqa: E402
from servicehall.cases.api import router as cases_router  # noqa: E402
from servicehall.catalog.api import router as catalog_router  # noqa: E402
from servicehall.org.api import router as org_router  # noqa: E402
from servicehall.worktime.api import router as worktime_router  # noqa: E402

api.add_router("/", org_router)
api.add_router("/audit", audit_router)
api.add_router("/", worktime_router)
api.add_router("/", catalog_router)
api.add_router("/", cases_router)
