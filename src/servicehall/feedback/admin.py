from django.contrib import admin

from servicehall.org import services
from servicehall.org.permissions import actor_for

from .models import Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    """Read-only, like everywhere else: ratings are append-only (R-LAW-2)."""

    list_display = ["created_at", "unit", "window", "staff", "overall", "channel", "seq"]
    list_filter = ["overall", "channel", "unit"]
    readonly_fields = [f.name for f in Rating._meta.fields]

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
