from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext as _

from .models import CalendarDay, CalendarYear, ExtendedSession, SlaPolicy, UnitHours
from .services import calendar_republished


class RepublishingAdmin(admin.ModelAdmin):
    """A day or a year changed in the admin moves the stored due times that depend on it
    (R-LAW-4), once the change is saved."""

    def _year(self, obj) -> int:
        return obj.year if isinstance(obj, CalendarYear) else obj.date.year

    def _republish(self, request, years):
        def after():
            moved = sum(calendar_republished(years).values())
            self.message_user(
                request,
                _("The calendar changed: %(n)s due times recomputed.") % {"n": moved},
                messages.INFO,
            )

        transaction.on_commit(after)

    def save_model(self, request, obj, form, change):
        old = type(obj).objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        self._republish(request, {self._year(obj)} | ({self._year(old)} if old else set()))

    def delete_model(self, request, obj):
        year = self._year(obj)
        super().delete_model(request, obj)
        self._republish(request, {year})

    def delete_queryset(self, request, queryset):
        years = {self._year(obj) for obj in queryset}
        super().delete_queryset(request, queryset)
        if years:
            self._republish(request, years)


@admin.register(CalendarYear)
class CalendarYearAdmin(RepublishingAdmin):
    list_display = ["year", "official", "notice"]


@admin.register(CalendarDay)
class CalendarDayAdmin(RepublishingAdmin):
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
