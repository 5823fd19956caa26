from django.contrib import admin

from .models import CalendarDay, CalendarYear, ExtendedSession, SlaPolicy, UnitHours


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "official", "notice"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "n", "unit", "warn_before", "warn_ratio", "pausable"]
    list_filter = ["unit", "pausable"]
    search_fields = ["code", "name", "legal_basis"]


@admin.register(UnitHours)
class UnitHoursAdmin(admin.ModelAdmin):
    list_display = [
        "unit",
        "morning_start",
        "morning_end",
        "afternoon_start",
        "afternoon_end",
        "lunch_duty",
    ]


@admin.register(ExtendedSession)
class ExtendedSessionAdmin(admin.ModelAdmin):
    list_display = ["unit", "date", "start", "end", "note"]
    list_filter = ["unit"]
    date_hierarchy = "date"
