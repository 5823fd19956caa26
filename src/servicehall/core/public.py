"""Links and QR codes that leave the building: printed on paper, scanned by a citizen's phone.

They use settings.SERVICEHALL["PUBLIC_URL"] (env SERVICEHALL_PUBLIC_URL), the address the
public reaches the hall at; left empty, the host the request came to.
"""

from urllib.parse import urljoin

import segno
from django.conf import settings
from django.utils.safestring import mark_safe


def public_url(request, location: str) -> str:
    """The absolute public URL of `location` (a path, or relative to the request's path)."""
    path = urljoin(request.path, location)
    base = (settings.SERVICEHALL.get("PUBLIC_URL") or "").rstrip("/")
    if not base:
        return request.build_absolute_uri(path)
    return base + path


def qr_svg(url: str, scale: int = 3):
    """An inline SVG QR code of `url`, safe to put in a template."""
    return mark_safe(segno.make(url, error="m").svg_inline(scale=scale, dark="#111"))  # noqa: S308 - segno's own SVG
