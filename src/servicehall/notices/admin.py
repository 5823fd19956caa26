from django.contrib import admin

from servicehall.core.admin import ReadOnlyAdmin
from servicehall.org.permissions import actor_for
from servicehall.org.services import units_for

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Read-only: notifications are written by the services that tell people. The list shows
    those of the people in the user's units."""

    list_display = ["created_at", "kind", "recipient", "text", "read_at"]
    list_filter = [
        "kind",
        ("recipient", admin.RelatedOnlyFieldListFilter),
        ("read_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["recipient__username", "recipient__staff__name"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "case"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        actor = actor_for(request.user)
        if request.user.is_superuser:
            return qs
        return qs.filter(recipient__staff__unit__in=units_for(actor))
