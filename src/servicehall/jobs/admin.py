from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from servicehall.core.admin import ReadOnlyAdmin
from servicehall.core.tasks import registered
from servicehall.org.permissions import Action, actor_for

from .models import JobRun


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    """Read-only: the runner writes these rows; the office reads them (decision 0020)."""

    list_display = ["name", "title", "started_at", "duration", "outcome", "error_at"]
    list_filter = ["outcome"]
    readonly_fields = [
        "name",
        "title",
        "started_at",
        "duration",
        "outcome",
        "result_text",
        "last_ok_at",
        "error_at",
        "error",
    ]
    exclude = ["result", "seconds"]

    @admin.display(description=_("what it does"))
    def title(self, obj):
        job = _jobs().get(obj.name)
        return job.title if job else "—"

    @admin.display(description=_("duration"))
    def duration(self, obj):
        if obj.seconds is None:
            return "—"
        return _("%(s)s s") % {"s": f"{obj.seconds:.2f}"}

    @admin.display(description=_("result"))
    def result_text(self, obj):
        job = _jobs().get(obj.name)
        return job.describe(obj.result) if job and obj.result is not None else "—"

    def has_module_permission(self, request):
        return actor_for(request.user).allows(Action.VIEW_JOBS)

    def has_view_permission(self, request, obj=None):
        return actor_for(request.user).allows(Action.VIEW_JOBS)


def _jobs():
    from .runner import discover

    discover()
    return {job.name: job for job in registered()}
