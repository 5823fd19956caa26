"""Facts about a request that views, middleware and rate limits all need."""

from django.conf import settings

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


def events_url(request):
    """Where live pages find the event server: the setting, else this host on PORT + 1 (what
    `servicehall serve` starts, decision 0008)."""
    if settings.SERVICEHALL["EVENTS_URL"]:
        return settings.SERVICEHALL["EVENTS_URL"]
    host, _sep, port = request.get_host().rpartition(":")
    if not host or not port.isdigit():  # no port in the Host header
        host, port = request.get_host(), request.get_port()
    return f"{request.scheme}://{host}:{int(port) + 1}/events"


def events_csp(view):
    """A page with a live stream may connect to the event server (another port, or the
    EVENTS_URL setting): its origin joins the Content-Security-Policy's connect-src."""
    import functools
    from urllib.parse import urlsplit

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        parts = urlsplit(events_url(request))
        if parts.scheme and parts.netloc:
            response._csp_update = {"connect-src": [f"{parts.scheme}://{parts.netloc}"]}
        return response

    return wrapped
