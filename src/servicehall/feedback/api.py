"""Ratings through the API: the rating device at a window, the link on the slip and the link
on a case's receipt post here (R-FB-1, R-LAW-2). Never with a staff login: a paired device
proves its window with the credential its pairing left in its browser (a cookie), a citizen
their visit or case with the link. The answer comes after commit; a retry with the same key
gets the same rating."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from servicehall.core.errors import Forbidden, ServiceError
from servicehall.core.ratelimits import limit
from servicehall.core.schemas import DbId, RateLimitedOut, Short, Text
from servicehall.org.permissions import actor_for

from . import services
from .models import TAGS, Rating

router = Router(tags=["feedback"])


class RatingIn(Schema):
    ticket_id: DbId | None = Field(
        None, description="the visit, from a paired rating device (its cookie names the device)"
    )
    link: Short(200) | None = Field(None, description="the token of the link on the slip")
    case_link: Short(200) | None = Field(
        None, description="the token of the link on a case's receipt or refusal notice (一事一评)"
    )
    overall: int = Field(description="5 very satisfied … 1 very dissatisfied")
    efficiency: int | None = None
    competence: int | None = None
    attitude: int | None = None
    tags: list[Short(20)] = Field([], max_length=len(TAGS))
    comment: Text(Rating, "comment") = ""
    reason: Text(Rating, "reason") = Field("", description="required at 2 or below")
    idempotency_key: Short(64) = Field(description="8–64 characters; a retry sends the same")
    callback_phone: Short(20) = Field(
        "", description="at 2 or below: a phone for the call-back, kept apart, never published"
    )
    callback_consent: bool = Field(False, description="the citizen agreed to be called back")


class RatingOut(Schema):
    id: int
    created: bool


@router.post(
    "/ratings",
    auth=None,
    response={200: RatingOut, 201: RatingOut, 429: RateLimitedOut},
    url_name="rate",
)
def create(request, payload: RatingIn):
    """Rate a finished visit, or a concluded case by its link; 201 when stored now, 200 when
    this key was stored before."""
    if request.user.is_authenticated or "authorization" in request.headers:
        # R-FB-1: staff never rate, whatever else the request carries
        raise Forbidden(
            _("A rating is the citizen's: it is never sent with a staff login."), rule="R-FB-1"
        )
    actor = actor_for(request.user)
    levels = {
        "overall": payload.overall,
        "efficiency": payload.efficiency,
        "competence": payload.competence,
        "attitude": payload.attitude,
        "tags": payload.tags,
        "comment": payload.comment,
        "reason": payload.reason,
    }
    phone = services.check_contact(
        overall=payload.overall, phone=payload.callback_phone, consent=payload.callback_consent
    )
    if payload.case_link:
        limit(request, "rating")  # a citizen's phone, by the case's link: per address
        rating, created = services.rate(
            actor=actor,
            case=services.case_for_link(payload.case_link),
            channel=services.Rating.Channel.LINK,
            idempotency_key=payload.idempotency_key,
            **levels,
        )
    elif payload.link:
        limit(request, "rating")  # a citizen's phone, by the slip's link: per address
        rating, created = services.rate(
            actor=actor,
            ticket=services.visit_for_link(payload.link),
            channel=services.Rating.Channel.LINK,
            idempotency_key=payload.idempotency_key,
            **levels,
        )
    else:
        try:
            rating, created = services.rate_at_device(
                actor=actor,
                credential=request.COOKIES.get(services.DEVICE_COOKIE, ""),
                ticket_id=payload.ticket_id,
                idempotency_key=payload.idempotency_key,
                **levels,
            )
        except ServiceError:
            # A paired device is not limited: R-FB-1 already bounds it (its own window's
            # visits, each once) and its posts are the hot path. A refused post counts against
            # its address, so guessing credentials or visits is.
            limit(request, "rating")
            raise
    services.leave_contact(rating, phone)
    # the answer is as small as RatingOut; written directly, as call-next's (decision 0009)
    return JsonResponse({"id": rating.pk, "created": created}, status=201 if created else 200)
