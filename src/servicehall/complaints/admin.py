from django.contrib import admin

from servicehall.org.admin import ReadOnlyInScope

from .models import ApiClient, Complaint, Opening


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyInScope):
    list_display = ("code", "kind", "channel", "unit", "category", "status", "due_at")
    list_filter = ("kind", "channel", "status", "category")
    search_fields = ("code",)
    date_hierarchy = "received_at"
    # the complainant stays out of the admin: the complaint page shows them to its handlers
    exclude = ("name", "phone", "email", "address", "workplace")


@admin.register(Opening)
class OpeningAdmin(ReadOnlyInScope):
    list_display = ("unit", "container", "opened_at", "opened_by", "witnesses", "items_found")
    list_filter = ("container",)


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
