"""The citizen's screen (一机双屏, R-Q-2) of a paired rating device: what it shows when opened,
and the private event stream of its window (R-FB-1: the rating prompt of the visit just
finished there)."""

import datetime as dt

from django.core import signing

from servicehall.queueing import services as queueing
from servicehall.queueing.models import BoardEvent, Ticket

from .models import Rating, RatingDevice

SCREEN_STREAM_HOURS = 12  # the screen reloads its page for a new stream token after this


def screen_stream_token(device) -> str:
    """What the citizen screen of a paired rating device shows its event stream: signed,
    short-lived, naming the device and its window. The screen's stream is private to that
    window, never the hall's public board stream."""
    return signing.dumps([device.pk, device.window_id], salt="citizen-screen-stream")


def window_for_stream(token: str):
    """The window a stream token opens: signed by us, not older than SCREEN_STREAM_HOURS, its
    device still paired and not revoked; else None."""
    try:
        device_id, window_id = signing.loads(
            token, salt="citizen-screen-stream", max_age=dt.timedelta(hours=SCREEN_STREAM_HOURS)
        )
    except (signing.BadSignature, TypeError, ValueError):
        return None
    device = (
        RatingDevice.objects.select_related("window__unit")
        .filter(pk=device_id, window_id=window_id, paired_at__isnull=False, revoked_at=None)
        .first()
    )
    return device.window if device else None


def screen_state(window) -> dict:
    """What the citizen screen shows when it is (re)opened (R-Q-2, R-FB-1): who is signed in,
    the window's state and current number, the intake mirror of that number if any, and the
    rating prompt of the visit just finished here that is not rated yet."""
    session = queueing.active_session(window)
    current = queueing.current_ticket(window)
    mirror = None
    if current is not None:
        event = (
            BoardEvent.objects.filter(
                unit_id=window.unit_id,
                kind=BoardEvent.Kind.SCREEN,
                data__window_id=window.pk,
                at__gte=current.called_at,
            )
            .order_by("-pk")
            .first()
        )
        mirror = event.data if event else None
    pending = None
    if session is not None:
        last = (
            Ticket.objects.filter(
                window=window, state=Ticket.State.DONE, ended_at__gte=session.signed_in_at
            )
            .order_by("-ended_at", "-pk")
            .first()
        )
        if last is not None and not _rated(last):
            pending = {"id": last.pk, "ticket": last.label}
    return {
        "staff": queueing.staff_card(session.staff if session else None),
        "status": queueing.window_status(window),
        "ticket": current.label if current else None,
        "mirror": mirror,
        "rate": pending,
    }


def _rated(ticket) -> bool:
    return Rating.objects.filter(ticket=ticket).exists()
