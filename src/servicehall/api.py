"""The JSON API at /api/v1/: session login for people, bearer tokens for machines."""

import time

from auditlog.context import auditlog_value
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from servicehall.errors import ServiceError
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
