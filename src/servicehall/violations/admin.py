from django.contrib import admin

from servicehall.org.admin import ReadOnlyInScope

from .models import Violation


@admin.register(Violation)
class ViolationAdmin(ReadOnlyInScope):
    """The ledger, read-only: points are given by their sources' pages and taken back by a
    cancellation (violations.services), never edited here."""

    list_display = (
        "recorded_at",
        "unit",
        "staff",
        "points",
        "source_kind",
        "source_id",
        "cancels",
        "reason",
    )
    list_filter = ("source_kind",)
    search_fields = ("source_id", "reason")
    list_select_related = ("unit", "staff")
    date_hierarchy = "recorded_at"
