"""The rating link on a citizen's slip (R-FB-1, R-LAW-2): one visit, one rating, on a phone;
and the unit's page of bad reviews being worked off."""

import datetime as dt
import uuid

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from servicehall.core.errors import ServiceError
from servicehall.core.http import events_csp, events_url
from servicehall.core.params import BadParameter, as_int, int_param, text_param
from servicehall.core.ratelimits import limit
from servicehall.core.views import message_refusal
from servicehall.org.decorators import staff_view
from servicehall.org.models import Unit
from servicehall.org.permissions import Action, actor_for
from servicehall.queueing import services as queueing
from servicehall.queueing.models import Ticket
from servicehall.queueing.selectors import ahead_of, last_event_id

from . import screen, selectors, services
from .models import DIMENSIONS, TAGS, BadReviewFollowUp, Level, Rated, Rating


def rate_link(request, token):
    """Rate a visit through the link or QR code on the slip, once. The POST redirects to the
    page again (?thanks=1), which can be reloaded; the form's key makes a resent POST find the
    stored rating (R-LAW-2 一次一评)."""
    if request.method == "POST":
        limit(request, "rating")
    try:
        ticket = services.visit_for_link(token)
    except ServiceError as exc:
        return render(request, "feedback/rate.html", {"error": str(exc)}, status=exc.status)
    return _rate_page(request, {"ticket": ticket}, rated=hasattr(ticket, "rating"))


def rate_case_link(request, token):
    """Rate a concluded case (done or refused) through the link or QR code on its receipt or
    refusal notice, once (R-LAW-2 一事一评, decision 0028); the same page and rules as a visit's
    link. Before the case is concluded the page says so and takes no rating."""
    if request.method == "POST":
        limit(request, "rating")
    try:
        case = services.case_for_link(token)
    except ServiceError as exc:
        return render(request, "feedback/rate.html", {"error": str(exc)}, status=exc.status)
    from servicehall.cases.services import concluded

    thing = {"case": case, "not_yet": not concluded(case)}
    return _rate_page(request, thing, rated=Rating.objects.filter(case=case).exists())


def _rate_page(request, thing: dict, *, rated: bool):
    """The rating form of one visit or case ({"ticket": …} or {"case": …}); a POST rates it."""
    context = {
        **thing,
        "levels": Level.choices,
        "low": services.bad_review_level(),
        "dimensions": DIMENSIONS,
        "tags": [str(t) for t in TAGS],
        "key": request.POST.get("key") or uuid.uuid4().hex,
        "rated": rated,
    }
    context["thanks"] = rated and request.GET.get("thanks") == "1"
    if request.method == "POST" and rated:
        return redirect(f"{request.path}?thanks=1")
    if request.method == "POST":
        post = request.POST

        def level(name):
            return as_int(post.get(name), low=0, high=9)

        try:
            phone = services.check_contact(
                overall=level("overall"),
                phone=post.get("callback_phone", ""),
                consent=post.get("callback_consent") == "1",
            )
            rating, _created = services.rate(
                actor=actor_for(request.user),
                ticket=thing.get("ticket"),
                case=thing.get("case"),
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
            services.leave_contact(rating, phone)
        except ServiceError as exc:
            context["error"] = str(exc)
            context["errors"] = getattr(exc, "errors", {})
            context["posted"] = post
            return render(request, "feedback/rate.html", context, status=exc.status)
        return redirect(f"{request.path}?thanks=1")
    return render(request, "feedback/rate.html", context)


@staff_view(
    unit=_lazy("Bad reviews are handled by the staff of a unit."),
    action=Action.HANDLE_BAD_REVIEW,
)
def reviews(request, actor, unit):
    """The unit's bad reviews being worked off, most urgent first, with the step at hand."""
    return _reviews_page(request, actor, unit)


def _reviews_page(request, actor, unit, shown=None):
    return render(
        request,
        "feedback/reviews.html",
        {
            "unit": unit,
            "open": selectors.open_reviews(unit, actor, shown=shown),
            "closed": selectors.closed_reviews(unit),
            "levels": Level.choices,
            "limits": services.step_limits(),
            "kinds": {kind.value: kind.label for kind in Rated},
        },
    )


@require_POST
@staff_view
def review_step(request, actor, own, pk):
    from django.contrib import messages

    rect = get_object_or_404(BadReviewFollowUp.objects.select_related("unit"), pk=pk)
    post = request.POST
    if post.get("step") == "show_contact":
        # R-LAW-2 回访: the number in full for whoever calls back, recorded in the audit trail
        try:
            services.reveal_contact(actor=actor, follow_up=rect)
        except ServiceError as exc:
            message_refusal(request, exc)
            return redirect("reviews")
        return _reviews_page(request, actor, rect.unit, shown=rect.pk)
    steps = {
        "appeal": lambda: services.appeal(
            actor=actor, follow_up=rect, reason=post.get("appeal_reason", "")
        ),
        "verify": lambda: services.verify_review(
            actor=actor, follow_up=rect, finding=post.get("finding", "")
        ),
        "rectify": lambda: services.rectify_review(
            actor=actor, follow_up=rect, measures=post.get("measures", "")
        ),
        "callback": lambda: services.call_back(
            actor=actor,
            follow_up=rect,
            satisfaction=as_int(post.get("satisfaction"), low=0, high=9),
            note=post.get("callback_note", ""),
        ),
    }
    try:
        steps[post.get("step", "")]()
        messages.success(request, _("Saved."))
        if post.get("step") == "appeal":
            return redirect("reviews")
    except KeyError:
        messages.error(request, _("Unknown step."))
    except ServiceError as exc:
        message_refusal(request, exc)
    return redirect("reviews")


def _month(request):
    """The month asked for (?month=2026-11), this month otherwise: (first, last day so far)."""
    import datetime as dt

    today = timezone.localdate()
    month = request.GET.get("month", "")
    try:
        first = dt.date.fromisoformat(f"{month}-01") if month else today.replace(day=1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    except (ValueError, OverflowError):  # not a month, or 9999-12
        first = today.replace(day=1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return first, min(last, today)


def published(request, code):
    """评价公示: a unit's figures for a month, public (R-LAW-2)."""
    from servicehall.org.models import Unit

    from .figures import figures

    unit = get_object_or_404(Unit, code=code)
    first, last = _month(request)
    f = figures(unit, first, last)
    return render(
        request,
        "feedback/published.html",
        {
            "unit": unit,
            "f": f,
            "month": first,
            "total_rows": {unit.name: f["total"]},
            "window_rows": {_("Window %(n)s") % {"n": n}: r for n, r in f["by_window"].items()},
            "case_total_rows": {unit.name: f["cases"]["total"]},
            "case_window_rows": {
                (_("Window %(n)s") % {"n": n} if n is not None else _("no window")): r
                for n, r in f["cases"]["by_window"].items()
            },
            "kinds": {kind.value: kind.label for kind in Rated},
            "checkpoint": _local_checkpoint(services.latest_checkpoint()),
            "link_days": settings.SERVICEHALL["RATING_LINK_DAYS"],
        },
    )


def _local_checkpoint(point):
    if point is None:
        return None
    return {**point, "at_local": timezone.localtime(dt.datetime.fromisoformat(point["at"]))}


def checkpoints(request):
    """The ratings chain's signed checkpoints, public, for anyone to keep copies (R-LAW-2);
    ?after=<seq> for the newer ones, at most 1000 at a time."""
    from django.http import JsonResponse

    from servicehall.core.params import int_param

    after = int_param(request.GET, "after", default=0, low=0)
    points = [p for p in services.checkpoints() if "bad" not in p and p["seq"] > after]
    return JsonResponse({"checkpoints": points[:1000]})


@staff_view(
    allows=[Action.DECIDE_APPEAL], refusal=_lazy("Appeals are decided by the organizing office.")
)
def appeals(request, actor, own):
    """The organizer decides appeals to set aside a rating (R-LAW-2)."""
    from django.contrib import messages

    from servicehall.org import services as org

    pending = BadReviewFollowUp.objects.filter(
        appealed_at__isnull=False, appeal_upheld__isnull=True, unit__in=org.units_for(actor)
    ).select_related("unit", "rating__window", "rating__staff", "appealed_by")
    if request.method == "POST":
        rect_id = int_param(request.POST, "follow_up")
        if rect_id is None:
            raise BadParameter("follow_up", _("choose an appeal from the list."))
        rect = get_object_or_404(pending, pk=rect_id)
        try:
            services.decide_appeal(
                actor=actor, follow_up=rect, upheld=request.POST.get("decision") == "uphold"
            )
            messages.success(request, _("Saved."))
        except ServiceError as exc:
            message_refusal(request, exc)
        return redirect("appeals")
    return render(request, "feedback/appeals.html", {"pending": pending})


@staff_view(
    allows=[Action.AUDIT_RATINGS],
    refusal=_lazy("This report is for the organizing office, inspectors and unit leaders."),
)
def patterns(request, actor, own):
    """Ratings that look made rather than given, for a unit and month (R-FB-1)."""
    from servicehall.org import services as org

    from . import patterns as p

    units = org.units_for(actor).order_by("sector__order", "name")
    unit = units.filter(code=text_param(request.GET, "unit")).first() or units.first()
    first, last = _month(request)
    return render(
        request,
        "feedback/patterns.html",
        {
            "units": units,
            "unit": unit,
            "month": first,
            "last": last,
            "r": p.report(unit, first, last) if unit else None,
            "p": p,
        },
    )


@staff_view(
    unit=_lazy("Rating devices are paired by the leader of a unit."),
    action=Action.PAIR_RATING_DEVICE,
)
def devices(request, actor, unit):
    """The unit leader's rating devices (R-FB-1): enrol one at a window, pair it again to
    rotate its credential, revoke it. A pairing code is shown once, right after it is made."""
    from servicehall.org.models import Window

    from .models import RatingDevice

    error, status = "", 200
    if request.method == "POST":
        act = request.POST.get("act", "")
        try:
            if act == "enroll":
                window = Window.objects.filter(
                    pk=as_int(request.POST.get("window")) or 0, unit=unit, active=True
                ).first()
                if window is None:
                    raise ServiceError(_("Choose one of the unit's windows."))
                device, code = services.enroll_device(
                    actor=actor, window=window, name=request.POST.get("name", "")
                )
            else:
                device = RatingDevice.objects.filter(
                    pk=as_int(request.POST.get("device")) or 0, window__unit=unit
                ).first()
                if device is None or act not in ("pair_again", "revoke"):
                    raise ServiceError(_("Choose one of the unit's rating devices."))
                if act == "revoke":
                    services.revoke_device(actor=actor, device=device)
                    code = ""
                else:
                    code = services.pair_again(actor=actor, device=device)
        except ServiceError as exc:
            error, status = str(exc.message), exc.status
        else:
            if code:  # shown once, on the page the redirect lands on
                request.session["pairing_code"] = [device.pk, code]
            return redirect("rating_devices")
    shown = request.session.pop("pairing_code", None)
    rows = (
        RatingDevice.objects.filter(window__unit=unit)
        .select_related("window", "enrolled_by", "revoked_by")
        .order_by("revoked_at", "window__number", "pk")
    )
    return render(
        request,
        "feedback/devices.html",
        {
            "unit": unit,
            "devices": rows,
            "windows": unit.windows.filter(active=True).order_by("number"),
            "shown": shown,
            "pairing_minutes": settings.SERVICEHALL["DEVICE_PAIRING_MINUTES"],
            "screen_address": request.build_absolute_uri(reverse("screen")),
            "error": error,
        },
        status=status,
    )


# ---- the kiosk's slip and the citizen screen, the two places a visit is rated (R-FB-1) ---

# how long the kiosk shows a slip before it is ready for the next person (time to print it and
# scan its rating code)
KIOSK_SLIP_SECONDS = 60


@never_cache
def kiosk_ticket(request, code, token):
    """The slip of a number just taken, with its rating link: only by the slip's own token,
    never by a number anyone can count through. Never cached, and the kiosk goes back to its
    start by itself, so that the next person at it finds no one else's rating link."""
    unit = get_object_or_404(Unit, code=code)
    ticket_id = queueing.ticket_for_slip(token)
    if ticket_id is None:
        raise Http404("slip")
    ticket = get_object_or_404(
        Ticket.objects.select_related("queue"), pk=ticket_id, queue__unit=unit
    )
    ahead = ahead_of(ticket)
    from servicehall.core.public import public_url, qr_svg

    # R-FB-1: rate the visit later, once, from the slip
    link = public_url(request, reverse("rate_link", args=[services.link_for(ticket)]))
    return render(
        request,
        "feedback/slip.html",
        {
            "unit": unit,
            "ticket": ticket,
            "ahead": ahead,
            "rate_link": link,
            "rate_qr": qr_svg(link),
            "back_after": KIOSK_SLIP_SECONDS,
            "rated": ticket.state == Ticket.State.DONE
            and Rating.objects.filter(ticket_id=ticket.pk).exists(),
        },
    )


@events_csp
def citizen_screen(request):
    """一机双屏: the screen facing the citizen at one window — who serves them, their number,
    what is being entered for them, live on the window's private stream (R-Q-2); and, when a
    visit finishes, the rating device asking about it (R-FB-1). It shows only on a device a
    unit leader has paired; anywhere else it asks for the pairing code."""
    device = services.device_for(request.COOKIES.get(services.DEVICE_COOKIE))
    if device is None or request.method == "POST":
        return _pair_screen(request)
    window = device.window
    state = screen.screen_state(window)  # restored on reload, then followed live
    return render(
        request,
        "feedback/screen.html",
        {
            "levels": Level.choices,
            "low": services.bad_review_level(),
            "dimensions": DIMENSIONS,
            "tags": [str(t) for t in TAGS],
            "window": window,
            "device": device,
            "screen_state": state,
            "stream": screen.screen_stream_token(device),
            "events_url": events_url(request),
            "last_event": last_event_id(window.unit),
        },
    )


def _pair_screen(request):
    """The pairing page of a rating device: the one-time code a unit leader was given."""
    error, status = "", 200
    logged_in = request.user.is_authenticated  # a device never runs with a staff login
    if request.method == "POST" and not logged_in:
        limit(request, "pairing")  # codes are not guessed in their minutes; nor tried at will
        try:
            _device, credential = services.pair_device(request.POST.get("code", ""))
        except ServiceError as exc:
            error, status = str(exc.message), exc.status
        else:
            response = redirect("screen")
            response.set_cookie(
                services.DEVICE_COOKIE,
                credential,
                max_age=10 * 365 * 24 * 3600,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,  # the page's scripts never read it (nor could a script slipped in)
                samesite="Strict",  # no other site can rate with it
            )
            return response
    elif request.method == "POST":
        status = 403
    return render(
        request,
        "feedback/screen_pair.html",
        {"error": error, "logged_in": logged_in, "posted": request.POST.get("code", "")[:20]},
        status=status,
    )
