from csp.middleware import CSPMiddleware
from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from servicehall.core.http import MACHINE_PATHS, client_ip


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Pages are Chinese unless the person chose English with the switch (its cookie).

    A hall's kiosk or a borrowed laptop often sends an English Accept-Language; that must not
    turn a Chinese service hall English. The APIs (ours and Open311) still follow
    Accept-Language, which is how machines ask for a language.
    """

    MACHINE_PATHS = MACHINE_PATHS

    def process_request(self, request):
        if request.path_info.startswith(self.MACHINE_PATHS):
            return super().process_request(request)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class BadParameterMiddleware:
    """Bad values answer 400 naming the parameter, never 500 (servicehall.core.params): a NUL
    byte in any query or form value or name (no database stores one), before the view runs.
    Pages get the 400 page, the APIs JSON."""

    MACHINE_PATHS = ChineseFirstLocaleMiddleware.MACHINE_PATHS
    FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils.translation import gettext as _

        from servicehall.core.params import BadParameter, nul_in

        if "\x00" in request.path_info:  # no object's code or key holds one
            return self.not_found(request)
        from django.http.multipartparser import MultiPartParserError

        name = nul_in(request.GET)
        if name is None and request.method == "POST" and request.content_type in self.FORMS:
            try:
                name = nul_in(request.POST)
            except MultiPartParserError:  # a multipart body without its boundary (issue 12)
                return self.unreadable(request)
        if name is not None:
            return self.answer(request, BadParameter(name, _("it contains a NUL character.")))
        return self.get_response(request)

    def not_found(self, request):
        from django.http import Http404, JsonResponse

        if request.path_info.startswith(self.MACHINE_PATHS):
            from servicehall.api import not_found_body

            return JsonResponse(not_found_body(), status=404)
        raise Http404("NUL in the address")

    def unreadable(self, request):
        from django.http import JsonResponse
        from django.utils.translation import gettext as _

        from servicehall.core.errors import ServiceError
        from servicehall.core.params import bad_request

        message = _("The request body cannot be read: send JSON, or a complete form.")
        if request.path_info.startswith(self.MACHINE_PATHS):
            return JsonResponse({"detail": message, "rule": None}, status=400)
        return bad_request(request, ServiceError(message))

    def answer(self, request, exc):
        from django.http import JsonResponse

        from servicehall.core.params import bad_request

        if request.path_info.startswith("/open311/"):  # GeoReport v2's error list
            return JsonResponse([{"code": 400, "description": str(exc)}], safe=False, status=400)
        if request.path_info.startswith(self.MACHINE_PATHS):
            return JsonResponse(
                {"detail": str(exc), "errors": exc.errors, "rule": None}, status=400
            )
        return bad_request(request, exc)


class ServiceErrorMiddleware:
    """A service's refusal that a view lets through (decision 0024): Forbidden answers the 403
    page, NotFound the 404 page, any other (a BadParameter, a rule) the 400 page, each with
    its message and nothing changed; the APIs get JSON. Views catch only what they show on
    their own page (a form's errors, a message above the list)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.http import JsonResponse
        from django.shortcuts import render

        from servicehall.core.errors import Forbidden, NotFound, ServiceError
        from servicehall.core.params import bad_request
        from servicehall.core.ratelimits import RateLimited

        if not isinstance(exception, ServiceError) or isinstance(exception, RateLimited):
            return None
        if request.path_info.startswith(MACHINE_PATHS):
            body = {"detail": str(exception), "rule": exception.rule}
            if getattr(exception, "errors", None):
                body["errors"] = exception.errors
            return JsonResponse(body, status=exception.status)
        if isinstance(exception, Forbidden):
            return render(request, "403.html", {"exception": str(exception)}, status=403)
        if isinstance(exception, NotFound):
            return render(request, "404.html", {"message": str(exception)}, status=404)
        return bad_request(request, exception)


class DocumentCSPMiddleware(CSPMiddleware):
    """django-csp's policy on every response a browser could run as a document, not on JSON:
    with `nosniff` (SecurityMiddleware) a JSON answer is never one, and building the policy
    twice per response costs an API call more than its own SQL does."""

    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        return super().process_response(request, response)


class AuditContextMiddleware:
    """django-auditlog's middleware with two changes. The address on a log entry is
    client_ip's, the one the trusted proxy saw, not the first of X-Forwarded-For, which the
    client writes. And the receiver that stamps a log entry with the request's actor and
    address is connected once, not per request: auditlog connects and disconnects one on
    every request, and each connect empties Django's receiver caches of every signal."""

    DUID = "servicehall-request"

    def __init__(self, get_response):
        from functools import partial

        from auditlog.context import _set_extra_data
        from auditlog.models import LogEntry
        from django.db.models.signals import pre_save

        self.get_response = get_response
        pre_save.connect(
            partial(_set_extra_data, signal_duid=self.DUID),
            sender=LogEntry,
            dispatch_uid=self.DUID,
            weak=False,
        )

    def __call__(self, request):
        from auditlog.cid import set_cid
        from auditlog.context import auditlog_value

        set_cid(request)
        user = getattr(request, "user", None)
        token = auditlog_value.set(
            {
                "actor": user if user is not None and user.is_authenticated else None,
                "remote_addr": client_ip(request),
                "remote_port": None,
                "signal_duid": self.DUID,
            }
        )
        try:
            return self.get_response(request)
        finally:
            auditlog_value.reset(token)


class RateLimitMiddleware:
    """A request over a rate limit (servicehall.core.ratelimits) answers 429 with Retry-After:
    the page in the reader's language, or JSON for the APIs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from servicehall.core.ratelimits import RateLimited, response_for

        if isinstance(exception, RateLimited):
            return response_for(request, exception)
        return None
