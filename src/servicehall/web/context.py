from django.conf import settings

from servicehall.org.permissions import Action, actor_for


def servicehall(request):
    """The actor and the actions its role allows, so templates show only usable buttons."""
    actor = actor_for(getattr(request, "user", None))
    return {
        "actor": actor,
        "can": {a.value: actor.allows(a) for a in Action},
        "SUPERVISION_PHONE": settings.SERVICEHALL["SUPERVISION_PHONE"],
    }
