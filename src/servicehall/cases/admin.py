from django.contrib import admin

from servicehall.org import services
from servicehall.org.permissions import actor_for

from .models import Case


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: cases change only through the case pages and the API, which keep the rules
    and write the events."""

    list_display = ["number", "unit", "matter", "status", "outcome", "received_at", "due_state"]
    list_filter = ["status", "outcome", "unit", "green_channel"]
    search_fields = ["number"]
    exclude = ["id_number", "phone", "clock"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(unit__in=services.units_for(actor_for(request.user)))
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
