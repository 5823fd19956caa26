"""Reads the complaint pages need, in a fixed number of queries whatever their rows."""

from django.db.models import Q
from django.utils import timezone

from servicehall.org import services as org
from servicehall.org.permissions import Actor

from .models import Complaint

# the tabs of the list: open (default), overdue, answered, all
SHOWS = ("open", "overdue", "answered", "all")


def complaints_for(actor: Actor, show: str = "open", now=None):
    """(complaints, show): those of the units in the actor's scope (R-ORG-4), the most urgent
    first (overdue: late to be answered or, if written, acknowledged); answered ones the last
    answered first, all of them the last received first. An unknown tab is the open one."""
    now = now or timezone.now()
    qs = Complaint.objects.filter(unit__in=org.units_for(actor)).select_related(
        "unit", "window", "staff"
    )
    if show == "overdue":
        # past the answer's deadline, or written and past the acknowledgement's
        late = Q(due_at__lt=now) | Q(ack_due_at__lt=now, acknowledged_at__isnull=True)
        return qs.exclude(status=Complaint.Status.ANSWERED).filter(late), show
    if show == "answered":
        return qs.filter(status=Complaint.Status.ANSWERED).order_by("-answered_at"), show
    if show == "all":
        return qs.order_by("-received_at"), show
    return qs.exclude(status=Complaint.Status.ANSWERED), "open"
