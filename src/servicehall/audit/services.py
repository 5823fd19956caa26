"""Reading the audit trail. Writing happens through django-auditlog on every registered model;
nothing here (nor in the admin or the API) can change or delete an entry."""

import datetime as dt

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext

from servicehall.org.choices import Role
from servicehall.org.permissions import Action, Actor, require
from servicehall.org.services import units_for


def entries_for(actor: Actor, *, unit=None, model=None, action=None):
    """Audit entries the actor may read: the office all, others their units' records."""
    require(actor, Action.VIEW_AUDIT, unit=unit)
    qs = LogEntry.objects.select_related("actor__staff", "content_type").order_by(
        "-timestamp", "-pk"
    )
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
    if action in ("0", "1", "2", 0, 1, 2):  # create, update, delete; anything else: all
        qs = qs.filter(action=int(action))
    return qs


def _is_fk(field):
    return field is not None and field.is_relation and (field.many_to_one or field.one_to_one)


def _blank(value):
    return "" if value in (None, "None", "") else value


def _label(field):
    """The field's verbose name; one Django made from the field's name ("answered by") is
    translated by our catalogue."""
    return gettext(str(field.verbose_name))


def _readable(field, value):
    """A stored value as a person reads it: 是/否, local time to the minute, a local date."""
    if value == "":
        return value
    text = str(value)
    if isinstance(field, models.BooleanField) or text in ("True", "False"):
        return {"True": gettext("Yes"), "False": gettext("No")}.get(text, text)
    moment = parse_datetime(text) if len(text) > 10 else None
    if moment is not None:
        if timezone.is_naive(moment):  # auditlog stores aware times as naive UTC
            moment = moment.replace(tzinfo=dt.UTC)
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
    day = parse_date(text) if len(text) == 10 else None
    if day is not None:
        return formats.date_format(day, "DATE_FORMAT")
    return value


def describe_many(entries):
    """[(entry, [(field label, before, after), …]), …] for display: verbose field names,
    choice labels, related records by name (looked up once per page, not per entry).
    Phones arrive already masked by auditlog."""
    entries = list(entries)
    wanted = {}  # related model → ids to name
    parsed = []
    for entry in entries:
        model = entry.content_type.model_class()
        rows = []
        for name, values in (entry.changes_dict or {}).items():
            if not isinstance(values, list):  # many-to-many changes come as a dict
                rows.append((name, None, "", str(values)))
                continue
            before, after = (list(values) + [None, None])[:2]
            try:
                field = model._meta.get_field(name) if model else None
            except FieldDoesNotExist:
                field = None
            if field is not None and field.auto_created and not field.concrete:
                continue  # a reverse relation: auditlog writes its manager ("cases.Case.None")
            if field is not None and not field.concrete:
                field = None
            if _is_fk(field):
                for v in (before, after):
                    if _blank(v) != "":
                        wanted.setdefault(field.related_model, set()).add(str(v))
            rows.append((name, field, _blank(before), _blank(after)))
        parsed.append((entry, rows))
    names = {
        related: {str(o.pk): str(o) for o in related.objects.filter(pk__in=ids)}
        for related, ids in wanted.items()
    }
    out = []
    for entry, rows in parsed:
        shown = []
        for name, field, before, after in rows:
            label = _label(field) if field is not None else name
            if field is not None and field.choices:
                labels = {str(k): str(v) for k, v in field.flatchoices}
                before, after = labels.get(str(before), before), labels.get(str(after), after)
            elif _is_fk(field):
                known = names.get(field.related_model, {})
                before, after = known.get(str(before), before), known.get(str(after), after)
            else:
                before, after = _readable(field, before), _readable(field, after)
            shown.append((label, before, after))
        out.append((entry, shown))
    return out


def describe(entry: LogEntry):
    """(field label, before, after) rows of one entry."""
    return describe_many([entry])[0][1]
