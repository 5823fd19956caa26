from django.contrib import admin

from .models import ApiClient, Complaint, Opening, Violation


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "channel", "unit", "category", "status", "due_at")
    list_filter = ("kind", "channel", "status", "category")
    search_fields = ("code",)
    date_hierarchy = "received_at"
    raw_id_fields = ("unit", "window", "staff", "opening")
    readonly_fields = ("code", "received_at", "due_at")


@admin.register(Opening)
class OpeningAdmin(admin.ModelAdmin):
    list_display = ("unit", "container", "opened_at", "opened_by", "witnesses", "items_found")
    list_filter = ("container",)
    raw_id_fields = ("unit", "opened_by")


@admin.register(Violation)
class ViolationAdmin(admin.ModelAdmin):
    list_display = ("unit", "staff", "points", "reason", "recorded_at")
    raw_id_fields = ("unit", "staff", "complaint", "recorded_by")


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Open311 clients: switch one off here; new keys come from `servicehall open311_key`."""

    list_display = ("name", "prefix", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("name", "prefix")
    fields = ("name", "prefix", "active", "created_at")
    readonly_fields = ("prefix", "created_at")

    def has_add_permission(self, request):
        return False  # the key is shown once, by the command that issues it
