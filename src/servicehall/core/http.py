"""Facts about a request that views, middleware and rate limits all need."""

# the paths machines call: they get JSON answers and follow Accept-Language
MACHINE_PATHS = ("/api/", "/open311/")


def client_ip(request) -> str | None:
    """The client's address (for django-axes): behind N trusted proxies, the N-th address
    from the right of X-Forwarded-For (each proxy appends the address it was called from, so
    whatever the client wrote itself stands further left); without proxies, the connection's."""
    from django.conf import settings

    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
