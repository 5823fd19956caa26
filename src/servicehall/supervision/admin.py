from django.contrib import admin

from servicehall.core.admin import ReadOnlyAdmin
from servicehall.org.admin import ReadOnlyInScope
from servicehall.org.permissions import actor_for

from . import selectors
from .models import Checklist, ChecklistVersion, Inspection, NormItem, Notice


class ItemInline(admin.TabularInline):
    model = NormItem
    fields = ("position", "code", "title", "source", "category", "points", "critical", "evidence")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Checklist)
class ChecklistAdmin(ReadOnlyAdmin):
    """Read-only: a checklist changes by a new version, from the norms pages (R-SUP-1)."""

    list_display = ("code", "name", "sector", "unit_kind", "window_kind")


@admin.register(ChecklistVersion)
class VersionAdmin(ReadOnlyAdmin):
    list_display = ("checklist", "number", "created_at", "created_by", "note")
    list_select_related = ("checklist", "created_by")
    inlines = [ItemInline]


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyInScope):
    """Read-only; a unit's staff see only published visits here too (R-SUP-2)."""

    list_display = ("number", "kind", "unit", "visited_at", "points_kept", "points_applicable")
    list_display += ("critical", "status")
    list_filter = ("kind", "status")
    search_fields = ("number",)
    list_select_related = ("unit",)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if not selectors.sees_unpublished(actor_for(request.user)):
            qs = qs.filter(status="published")
        return qs


@admin.register(Notice)
class NoticeAdmin(ReadOnlyInScope):
    list_display = ("number", "unit", "issued_at", "due_at", "status", "escalated_at")
    list_filter = ("status",)
    list_select_related = ("unit",)
