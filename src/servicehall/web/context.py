from django.conf import settings

from servicehall.org.permissions import Action, actor_for


def servicehall(request):
    """The actor and the actions its role allows, so templates show only usable buttons."""
    user = getattr(request, "user", None)
    actor = actor_for(user)
    unread = 0
    if user is not None and user.is_authenticated:
        from servicehall.notices.selectors import unread_count

        unread = unread_count(user)

    def has_hotline_seats():  # called by the template only where it matters
        from servicehall.org.models import Window

        unit_id = actor.staff.unit_id if actor.staff else None
        return bool(unit_id) and Window.objects.filter(unit_id=unit_id, kind="hotline").exists()

    def nav():  # called by the template once, when the header is drawn
        from .navigation import links_for

        return links_for(actor)

    return {
        "nav": nav,
        "has_hotline_seats": has_hotline_seats,
        "unread": unread,
        "actor": actor,
        "can": {a.value: actor.allows(a) for a in Action},
        "SUPERVISION_PHONE": settings.SERVICEHALL["SUPERVISION_PHONE"],
        "TIME_ZONE": settings.TIME_ZONE,  # clocks on screens show the hall's time
    }
