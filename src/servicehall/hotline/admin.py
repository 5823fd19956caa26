"""The hotline log in the back office: read only, numbers masked, scoped to the user's units.
Calls are logged through the services (the seat's screen or a CTI system), never edited here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from servicehall.org.admin import ReadOnlyInScope

from .models import HotlineCall


@admin.register(HotlineCall)
class HotlineCallAdmin(ReadOnlyInScope):
    list_display = [
        "rang_at",
        "unit",
        "seat",
        "masked_caller_number",
        "ring_seconds",
        "answered_in_time",
        "kind",
        "outcome",
        "complete",
        "repeat_of",
        "taken_by",
    ]
    list_filter = ["kind", "outcome", "unit"]
    date_hierarchy = "rang_at"
    list_select_related = ["unit", "seat", "taken_by", "repeat_of"]
    exclude = ["caller_number", "callback_number"]
    readonly_fields = ["masked_caller_number", "masked_callback_number"]

    @admin.display(description=_("caller number"))
    def masked_caller_number(self, obj):
        return obj.masked_caller

    @admin.display(description=_("callback number"))
    def masked_callback_number(self, obj):
        return obj.masked_callback

    @admin.display(description=_("ring seconds"))
    def ring_seconds(self, obj):
        return obj.ring_seconds

    @admin.display(description=_("answered within 15 s"), boolean=True)
    def answered_in_time(self, obj):
        return obj.answered_in_time

    @admin.display(description=_("complete"), boolean=True)
    def complete(self, obj):
        return obj.complete
