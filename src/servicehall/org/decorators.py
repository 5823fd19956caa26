"""The one way a staff page learns who is asking (decision 0024): `@staff_view` signs the
person in, hands the view its actor and unit, and refuses before the view runs what the page's
role rule refuses. A refusal is a Forbidden; the ServiceErrorMiddleware (web) answers it with
the 403 page and its message, as it answers a NotFound with the 404 page."""

from functools import wraps

from django.contrib.auth.decorators import login_required

from servicehall.core.errors import Forbidden

from .permissions import actor_for, require


def staff_view(view=None, *, unit=None, action=None, allows=(), refusal=None):
    """view(request, actor, unit, *args, **kwargs): the actor of request.user and its own unit
    (None for a person without one, such as the office or an authority).

    allows, refusal — the person's role must allow one of these actions somewhere; `refusal`
    says who the page is for.
    unit — the message refusing a person without a unit: the page is a unit's.
    action — what the person must be allowed to do at that unit (require, R-ORG-4).
    """

    def decorate(fn):
        @wraps(fn)
        def wrapped(request, *args, **kwargs):
            actor = actor_for(request.user)
            own = actor.staff.unit if actor.staff and actor.staff.unit_id else None
            if allows and not any(actor.allows(a) for a in allows):
                raise Forbidden(refusal, rule="R-ORG-4")
            if own is None and unit is not None:
                raise Forbidden(unit)
            if action is not None:
                require(actor, action, unit=own)
            return fn(request, actor, own, *args, **kwargs)

        return login_required(wrapped)

    return decorate(view) if view is not None else decorate
