"""Reads of notifications for pages and jobs; always one recipient's own."""

from .models import Notification


def for_recipient(user):
    return Notification.objects.filter(recipient=user)


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def told_since(user, *, kind: str, text: str, since) -> bool:
    """Whether this person was told this already (jobs that must not repeat themselves)."""
    return Notification.objects.filter(
        recipient=user, kind=kind, text=text, created_at__gte=since
    ).exists()
