"""The public service guide and printable service cards (R-CAT-1, R-CAT-2, R-CAT-3)."""

from django.http import Http404
from django.shortcuts import render

from servicehall.core.params import text_param
from servicehall.core.public import public_url, qr_svg
from servicehall.core.ratelimits import limit

from . import services
from .models import Matter


def guide(request):
    q = text_param(request.GET, "q", max_length=100)
    if q:
        limit(request, "search")
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
    url = public_url(request, m.get_absolute_url())
    return render(
        request,
        "catalog/card.html",
        {
            "matter": m,
            "size": size,
            "qr": qr_svg(url, scale=3 if size == "a6" else 4),
            "url": url,
            "promised": services.promised_text(m),
        },
    )
