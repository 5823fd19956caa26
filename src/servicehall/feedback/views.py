"""The rating link on a citizen's slip (R-FB-1, R-LAW-2): one visit, one rating, on a phone."""

import uuid

from django.shortcuts import render

from servicehall.errors import ServiceError
from servicehall.org.permissions import actor_for

from . import services
from .models import DIMENSIONS, TAGS, Level


def rate_link(request, token):
    """Rate a visit through the link or QR code on the slip, once."""
    try:
        ticket = services.visit_for_link(token)
    except ServiceError as exc:
        return render(request, "feedback/rate.html", {"error": str(exc)}, status=exc.status)
    context = {
        "ticket": ticket,
        "levels": Level.choices,
        "dimensions": DIMENSIONS,
        "tags": [str(t) for t in TAGS],
        "key": request.POST.get("key") or uuid.uuid4().hex,
        "rated": hasattr(ticket, "rating"),
    }
    if request.method == "POST" and not context["rated"]:
        post = request.POST

        def level(name):
            value = post.get(name, "")
            return int(value) if value.isdigit() else None

        try:
            services.rate(
                actor=actor_for(request.user),
                ticket=ticket,
                overall=level("overall"),
                efficiency=level("efficiency"),
                competence=level("competence"),
                attitude=level("attitude"),
                tags=post.getlist("tags"),
                comment=post.get("comment", ""),
                reason=post.get("reason", ""),
                channel=services.Rating.Channel.LINK,
                idempotency_key=context["key"],
            )
            context["rated"] = context["thanks"] = True
        except ServiceError as exc:
            context["error"] = str(exc)
            context["errors"] = getattr(exc, "errors", {})
            context["posted"] = post
            return render(request, "feedback/rate.html", context, status=exc.status)
    return render(request, "feedback/rate.html", context)
