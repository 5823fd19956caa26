"""Reads the hall's pages need."""

from .models import BoardEvent, Ticket


def last_event_id(unit) -> int:
    """Where a live page's stream starts: what came before is already on the page."""
    return (
        BoardEvent.objects.filter(unit=unit).order_by("-pk").values_list("pk", flat=True).first()
        or 0
    )


def ahead_of(ticket) -> int:
    """How many numbers of the same queue and day wait ahead of this one."""
    return Ticket.objects.filter(
        queue=ticket.queue,
        day=ticket.day,
        state=Ticket.State.WAITING,
        arrived_at__lt=ticket.arrived_at,
    ).count()
