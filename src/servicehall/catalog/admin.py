from django.contrib import admin

from servicehall.org.admin import ServiceAdmin

from .models import Material, Matter, Step


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0


class StepInline(admin.TabularInline):
    model = Step
    extra = 0


@admin.register(Matter)
class MatterAdmin(ServiceAdmin):
    list_display = [
        "name",
        "unit",
        "promised_n",
        "promised_unit",
        "statutory_n",
        "fee_fen",
        "max_visits",
        "green_channel",
        "active",
    ]
    list_filter = ["unit", "active", "green_channel"]
    search_fields = ["name", "code"]
    inlines = [MaterialInline, StepInline]

    def save_formset(self, request, form, formset, change):
        from django.core.exceptions import PermissionDenied

        from servicehall.core.errors import ServiceError
        from servicehall.org import services
        from servicehall.org.permissions import actor_for

        actor = actor_for(request.user)
        instances = formset.save(commit=False)
        try:
            for obj in formset.deleted_objects:
                services.delete_record(actor=actor, instance=obj)
            for obj in instances:
                services.save_record(actor=actor, instance=obj)
        except ServiceError as exc:
            raise PermissionDenied(str(exc)) from exc
