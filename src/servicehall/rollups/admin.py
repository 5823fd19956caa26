from django.contrib import admin

from .models import RolledDay, StaffDay, WindowDay


class ReadOnly(admin.ModelAdmin):
    """Computed rows: redone by the roll-up, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WindowDay)
class WindowDayAdmin(ReadOnly):
    list_display = ("day", "unit", "window", "taken", "served", "rated", "good", "bad")
    list_filter = ("day",)
    date_hierarchy = "day"
    list_select_related = ("unit", "window")


@admin.register(StaffDay)
class StaffDayAdmin(ReadOnly):
    list_display = ("day", "unit", "staff", "served", "rated", "good", "bad", "complaints")
    date_hierarchy = "day"
    list_select_related = ("unit", "staff")


@admin.register(RolledDay)
class RolledDayAdmin(ReadOnly):
    list_display = ("day", "rolled_at", "marked_at")
