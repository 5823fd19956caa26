from django.conf import settings

from servicehall.org.permissions import Action, actor_for


def servicehall(request):
    """The actor and the actions its role allows, so templates show only usable buttons."""
    user = getattr(request, "user", None)
    actor = actor_for(user)
    unread = 0
    if user is not None and user.is_authenticated:
        from servicehall.cases.models import Notification

        unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    return {
        "unread": unread,
        "actor": actor,
        "can": {a.value: actor.allows(a) for a in Action},
        "SUPERVISION_PHONE": settings.SERVICEHALL["SUPERVISION_PHONE"],
    }
