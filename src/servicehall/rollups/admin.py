from django.contrib import admin

from servicehall.core.admin import ReadOnlyAdmin

from .models import RolledDay, StaffDay, UnitDay, WindowDay


class ReadOnly(ReadOnlyAdmin):
    """Computed rows: redone by the roll-up, never edited by hand."""


@admin.register(WindowDay)
class WindowDayAdmin(ReadOnly):
    list_display = ("day", "unit", "window", "taken", "served", "rated", "good", "bad")
    list_filter = ("day",)
    date_hierarchy = "day"
    list_select_related = ("unit", "window")


@admin.register(UnitDay)
class UnitDayAdmin(ReadOnly):
    list_display = ("day", "unit", "taken", "served", "rated", "good", "bad", "cases_overdue")
    list_filter = ("day",)
    date_hierarchy = "day"
    list_select_related = ("unit",)


@admin.register(StaffDay)
class StaffDayAdmin(ReadOnly):
    list_display = ("day", "unit", "staff", "served", "rated", "good", "bad", "complaints")
    date_hierarchy = "day"
    list_select_related = ("unit", "staff")


@admin.register(RolledDay)
class RolledDayAdmin(ReadOnly):
    list_display = ("day", "rolled_at", "marked_at")
