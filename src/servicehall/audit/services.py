"""Reading the audit trail. Writing happens through django-auditlog on every registered model;
nothing here (nor in the admin or the API) can change or delete an entry."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from servicehall.org.choices import Role
from servicehall.org.permissions import Action, Actor, require
from servicehall.org.services import units_for


def entries_for(actor: Actor, *, unit=None, model=None, action=None):
    """Audit entries the actor may read: the office all, others their units' records."""
    require(actor, Action.VIEW_AUDIT, unit=unit)
    qs = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    office_wide = actor.role == Role.ORGANIZER_ADMIN and (
        actor.staff is None or actor.staff.organization_id is not None
    )
    if unit is not None:
        qs = qs.filter(additional_data__unit_id=unit.pk)
    elif not office_wide:
        qs = qs.filter(
            additional_data__unit_id__in=list(units_for(actor).values_list("pk", flat=True))
        )
    if model:
        app_label, _, model_name = model.partition(".")
        ct = ContentType.objects.filter(app_label=app_label, model=model_name).first()
        qs = qs.filter(content_type=ct) if ct else qs.none()
    if action is not None and action != "":
        qs = qs.filter(action=int(action))
    return qs


def describe(entry: LogEntry):
    """(field, before, after) rows of one entry, as stored (phones arrive masked)."""
    changes = entry.changes_dict or {}
    rows = []
    for field, values in changes.items():
        if isinstance(values, dict):  # many-to-many changes
            rows.append((field, "", str(values)))
            continue
        before, after = (values + [None, None])[:2] if isinstance(values, list) else (None, values)
        rows.append(
            (
                field,
                "" if before in (None, "None") else before,
                "" if after in (None, "None") else after,
            )
        )
    return rows
