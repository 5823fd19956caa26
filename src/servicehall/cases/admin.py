from django.contrib import admin

from servicehall.org.admin import ReadOnlyInScope

from .models import Case


@admin.register(Case)
class CaseAdmin(ReadOnlyInScope):
    """Read-only: cases change only through the case pages and the API, which keep the rules
    and write the events."""

    list_display = ["number", "unit", "matter", "status", "outcome", "received_at", "due_state"]
    list_filter = ["status", "outcome", "unit", "green_channel"]
    search_fields = ["number"]
    exclude = ["id_number", "phone", "clock"]
