"""Back-office editing. Saves and deletes go through the same services as the app, so the
admin cannot do what a role may not (R-ORG-4); lists show only the user's own scope."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicehall.core.admin import ReadOnlyAdmin
from servicehall.core.errors import ServiceError
from servicehall.core.masking import mask_phone

from . import services
from .models import (
    ApiToken,
    Custody,
    LeadershipGroup,
    LeadershipMember,
    Organization,
    Sector,
    Staff,
    Unit,
    Window,
)
from .permissions import actor_for


class ReadOnlyInScope(ReadOnlyAdmin):
    """Records kept by the application's own pages (cases, ratings, complaints, calls): the
    admin lists those of the user's units and changes nothing, so every change keeps its rules
    and its events."""

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(unit__in=services.units_for(actor_for(request.user)))
        )


class ServiceAdmin(admin.ModelAdmin):
    unit_path = "unit"  # how a record reaches its unit, for scoping the list

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        actor = actor_for(request.user)
        if self.unit_path is None:
            return qs
        units = services.units_for(actor)
        return qs.filter(**{f"{self.unit_path}__in": units})

    def save_model(self, request, obj, form, change):
        try:
            services.save_record(actor=actor_for(request.user), instance=obj)
        except ServiceError as exc:
            raise PermissionDenied(str(exc)) from exc

    def delete_model(self, request, obj):
        try:
            services.delete_record(actor=actor_for(request.user), instance=obj)
        except ServiceError as exc:
            raise PermissionDenied(str(exc)) from exc

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Sector)
class SectorAdmin(ServiceAdmin):
    unit_path = None
    list_display = ["code", "name_zh", "name_en", "order"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(Organization)
class OrganizationAdmin(ServiceAdmin):
    unit_path = None
    list_display = ["name", "kind", "sector"]
    list_filter = ["kind"]


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0


@admin.register(Unit)
class UnitAdmin(ServiceAdmin):
    unit_path = "pk"
    list_display = ["name", "code", "kind", "sector", "authority"]
    list_filter = ["sector", "kind"]
    search_fields = ["name", "code"]

    def get_queryset(self, request):
        return admin.ModelAdmin.get_queryset(self, request).filter(
            pk__in=services.units_for(actor_for(request.user))
        )


@admin.register(Window)
class WindowAdmin(ServiceAdmin):
    list_display = ["unit", "number", "function", "kind", "is_duty_lead", "active"]
    list_filter = ["unit", "kind", "is_duty_lead"]


@admin.register(Staff)
class StaffAdmin(ServiceAdmin):
    list_display = [
        "name",
        "badge_no",
        "role",
        "unit",
        "window",
        "party_member",
        "certified_on",
        "masked_phone",
        "on_duty",
    ]
    list_filter = ["role", "unit", "party_member", "on_duty"]
    search_fields = ["name", "badge_no"]
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        actor = actor_for(request.user)
        units = services.units_for(actor)
        if services.is_office(actor):
            return qs.filter(Q(unit__in=units) | Q(unit__isnull=True))
        return qs.filter(unit__in=units)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


class MemberInline(admin.TabularInline):
    model = LeadershipMember
    extra = 1


@admin.register(LeadershipGroup)
class LeadershipGroupAdmin(ServiceAdmin):
    list_display = ["name", "unit", "organization", "office"]
    inlines = [MemberInline]

    def get_queryset(self, request):
        actor = actor_for(request.user)
        units = services.units_for(actor)
        office_groups = Q(unit__isnull=True) if services.is_office(actor) else Q(pk__in=[])
        return admin.ModelAdmin.get_queryset(self, request).filter(
            Q(unit__in=units) | office_groups
        )

    def save_formset(self, request, form, formset, change):
        actor = actor_for(request.user)
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.delete_record(actor=actor, instance=obj)
        for obj in instances:
            try:
                services.save_record(actor=actor, instance=obj)
            except ServiceError as exc:
                raise PermissionDenied(str(exc)) from exc


@admin.register(Custody)
class CustodyAdmin(admin.ModelAdmin):
    """Custody is assigned on the unit page (it checks the keeper's role); here it is read."""

    list_display = ["unit", "item", "holder", "since"]
    list_filter = ["item", "unit"]

    def get_queryset(self, request):
        units = services.units_for(actor_for(request.user))
        return super().get_queryset(request).filter(unit__in=units)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a keeper is replaced on the unit page, never left blank by a delete


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(user=request.user)

    def has_add_permission(self, request):
        return False  # issued with `servicehall createtoken`, which shows the key once

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        n = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])  # save(), so the audit trail sees it
            n += 1
        messages.success(request, _("%(n)s tokens revoked.") % {"n": n})
