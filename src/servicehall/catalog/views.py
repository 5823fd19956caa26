"""The public service guide and printable service cards (R-CAT-1, R-CAT-2, R-CAT-3)."""

import segno
from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe

from . import services
from .models import Matter


def guide(request):
    q = request.GET.get("q", "")
    matters = list(services.public_matters(q))
    units = {}
    for matter in matters:
        units.setdefault(matter.unit, []).append(matter)
    return render(request, "catalog/guide.html", {"q": q, "units": units, "count": len(matters)})


def _matter(code):
    try:
        return services.matter_detail(code)
    except Matter.DoesNotExist:
        raise Http404(code) from None


def matter(request, code):
    m = _matter(code)
    return render(
        request, "catalog/matter.html", {"matter": m, "promised": services.promised_text(m)}
    )


def card(request, code):
    """A printable service card, A6 (default) or A4, with a QR code to the guide page."""
    m = _matter(code)
    size = "a4" if request.GET.get("size") == "a4" else "a6"
    url = request.build_absolute_uri(m.get_absolute_url())
    qr = segno.make(url, error="m").svg_inline(scale=3 if size == "a6" else 4, dark="#111")
    return render(
        request,
        "catalog/card.html",
        {
            "matter": m,
            "size": size,
            "qr": mark_safe(qr),
            "url": url,
            "promised": services.promised_text(m),
        },  # noqa: S308 - segno's own SVG
    )
