from django.contrib import admin

from servicehall.org.admin import ReadOnlyInScope

from .models import Rating


@admin.register(Rating)
class RatingAdmin(ReadOnlyInScope):
    """Read-only, like everywhere else: ratings are append-only (R-LAW-2)."""

    list_display = ["created_at", "unit", "window", "staff", "overall", "channel", "seq"]
    list_filter = ["overall", "channel", "unit"]
    readonly_fields = [f.name for f in Rating._meta.fields]
