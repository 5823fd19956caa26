"""Rate limits on what the public may do without a login (decision 0016).

Each rule counts requests per client address (the one servicehall.core.http.client_ip
believes, never a header the client wrote) or per API key, over one or more periods, in a
store every worker process shares: Redis when SERVICEHALL_REDIS_URL is set, else a counter
table in the database (servicehall.core.counters). django-ratelimit keeps the counts.

A view calls `limit(request, "rule")` before it changes or looks up anything; over the limit
it raises RateLimited, which the pages answer with the 429 page and the APIs with JSON, both
with Retry-After, and nothing was changed. Staff signed in are never limited by these rules,
but for a staff endpoint's own rule (`staff=True`, e.g. the inspectors' sync), counted per person.
"""

import hashlib
import logging

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage
from redis import RedisError

from servicehall.core.errors import ServiceError
from servicehall.core.http import MACHINE_PATHS, client_ip

logger = logging.getLogger(__name__)

# What each rule limits, as people read it in the 429 answer.
WHAT = {
    "complaint": _("complaints and suggestions sent from this address"),
    "ticket": _("queue numbers taken from this address"),
    "booking": _("appointments booked from this address"),
    "rating": _("ratings sent from this address"),
    "lookup": _("status look-ups from this address"),
    "search": _("guide searches from this address"),
    "open311": _("Open311 requests sent from this address"),
    "open311_key": _("Open311 requests sent with this api_key"),
    "wrong_code": _("wrong codes tried for this case number"),
    "pairing": _("pairing codes tried from this address"),
    "visit_sync": _("visits synced by this inspector"),
}


def rates(rule: str) -> list[str]:
    """The rule's rates, such as ["5/m", "20/h"]: settings.SERVICEHALL["RATE_LIMITS"]."""
    return [r for r in settings.SERVICEHALL["RATE_LIMITS"].get(rule, "").split(",") if r]


class RateLimited(ServiceError):
    """Too many requests for one rule; `retry_after` seconds until its count starts again."""

    status = 429

    def __init__(self, rule: str, retry_after: int):
        self.retry_after = max(1, int(retry_after))
        minutes = (self.retry_after + 59) // 60
        message = _(
            "Too many %(what)s in a short time. Nothing was sent or changed; try again in "
            "%(minutes)s minute(s)."
        ) % {"what": WHAT.get(rule, rule), "minutes": minutes}
        super().__init__(message, rule=f"rate-limit:{rule}")


def address(group, request) -> str:
    return client_ip(request) or "unknown"


def limit(
    request, rule: str, value: str | None = None, *, count: bool = True, staff: bool = False
) -> None:
    """Count this request against `rule` (per client address, or per `value`, such as an API
    key's digest) and raise RateLimited if any of its periods is over. With count False, only
    check: for rules that count failures, which the caller counts once it knows. With staff
    True the rule is a staff endpoint's and counts signed-in people too (per `value`, their
    user, so colleagues on one office network do not share a count)."""
    signed_in = getattr(request, "user", None) is not None and request.user.is_authenticated
    if signed_in and not staff:
        return  # staff at work: their pages have no public limits
    if value is not None:
        value = hashlib.sha256(value.encode()).hexdigest()
    over = []
    for rate in rates(rule):
        try:
            usage = get_usage(
                request,
                group=rule,
                key=(lambda g, r: value) if value is not None else address,
                rate=rate,
                increment=count,
            )
        except (RedisError, OSError):
            # Redis away: the hall keeps issuing numbers unlimited rather than stop (0016)
            logger.exception("rate limit %s not counted: the store did not answer", rule)
            return
        if usage is not None and usage["should_limit"]:
            over.append(usage["time_left"])
    if over:
        raise RateLimited(rule, max(over))


def response_for(request, exc: RateLimited):
    """The 429 answer: JSON {detail, rule} for the APIs, else the page, with Retry-After."""
    from django.http import JsonResponse
    from django.shortcuts import render

    if request.path_info.startswith(MACHINE_PATHS):
        response = JsonResponse({"detail": str(exc), "rule": exc.rule}, status=429)
    else:
        response = render(request, "429.html", {"exception": str(exc)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response
