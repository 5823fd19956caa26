import datetime as dt

from ninja import Router, Schema
from ninja.pagination import paginate

from servicehall.core.pagination import Pagination
from servicehall.org.permissions import actor_for

from . import services

router = Router(tags=["audit"])


class EntryOut(Schema):
    id: int
    timestamp: dt.datetime
    actor: str | None
    action: str
    model: str
    object_id: str
    object_repr: str
    changes: list[list]

    @staticmethod
    def resolve_actor(obj):
        return obj.actor.get_username() if obj.actor_id else None

    @staticmethod
    def resolve_action(obj):
        return {0: "create", 1: "update", 2: "delete", 3: "access"}.get(obj.action, str(obj.action))

    @staticmethod
    def resolve_model(obj):
        return f"{obj.content_type.app_label}.{obj.content_type.model}"

    @staticmethod
    def resolve_object_id(obj):
        return obj.object_pk

    @staticmethod
    def resolve_changes(obj):
        return [list(row) for row in services.describe(obj)]


@router.get("", response=list[EntryOut])
@paginate(Pagination)
def entries(request, model: str = "", unit_id: int | None = None):
    """Read-only: there is no endpoint that changes or deletes an entry."""
    from django.shortcuts import get_object_or_404

    from servicehall.org.models import Unit

    unit = get_object_or_404(Unit, pk=unit_id) if unit_id else None
    actor = actor_for(request.auth if request.auth is not None else request.user)
    return services.entries_for(actor, unit=unit, model=model)
