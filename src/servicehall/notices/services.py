"""The one way to tell people: notify() writes the notifications, who_must_hear() says who
must hear about a unit. Every app tells people through these two (issue 13)."""

from collections.abc import Callable, Iterable
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from servicehall.org.choices import Role
from servicehall.org.models import Staff

from .models import Notification

TEXT_LIMIT = Notification._meta.get_field("text").max_length
LINK_LIMIT = Notification._meta.get_field("link").max_length


def notify(*, recipients: Iterable, kind: str, text: str, link: str = "", case=None) -> int:
    """Tell each recipient (users or user ids; None is skipped) once. Inactive accounts are
    not told; the text is cut to fit its column. `link` is a path the caller made with
    reverse(); with a case and no link, the case's page. Returns how many were told."""
    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    ids = {getattr(r, "pk", r) for r in recipients if r is not None}
    if not ids:
        return 0
    told = (
        get_user_model()
        .objects.filter(pk__in=ids, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not link and case is not None:
        link = case.get_absolute_url()
    if len(link) > LINK_LIMIT:  # a cut path would lead nowhere
        raise ValueError(f"notification link over {LINK_LIMIT} characters: {link!r}")
    rows = Notification.objects.bulk_create(
        Notification(recipient_id=pk, kind=kind, text=str(text)[:TEXT_LIMIT], link=link, case=case)
        for pk in told
    )
    return len(rows)


def who_must_hear(
    unit,
    *,
    day=None,
    leaders: bool = True,
    duty_lead: Callable | None = None,
    authority: bool = False,
) -> list:
    """The users who must hear about `unit`, each once, leaders first:
    - leaders: the unit's active leaders (单位负责人);
    - duty_lead: the day's duty lead. The rota belongs to queueing, above this app, so the
      caller passes its look-up, `duty_lead(unit, day)` → staff (queueing.services.duty_leads);
    - authority: the reviewers of the unit's sector authority (主管部门).
    Staff without an account are left out."""
    audiences = []
    if leaders:
        audiences.append(Q(unit=unit, role=Role.UNIT_LEADER))
    if authority and unit.authority_id:
        audiences.append(Q(organization_id=unit.authority_id, role=Role.SECTOR_REVIEWER))
    staff = []
    if audiences:
        staff = list(
            Staff.objects.filter(reduce(or_, audiences), active=True, user__isnull=False)
            .select_related("user")
            .order_by("pk")
        )
    if duty_lead is not None:
        staff += [s for s in duty_lead(unit, day) if s.user_id]
    users = {}
    for s in staff:
        users.setdefault(s.user_id, s.user)
    return list(users.values())


def mark_read(*, user, notification=None, now=None) -> int:
    """Mark one of the user's notifications read, or all of them; never another's."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification is not None:
        qs = qs.filter(pk=notification.pk)
    return qs.update(read_at=now or timezone.now())
