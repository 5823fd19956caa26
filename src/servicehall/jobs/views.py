from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from servicehall.org.decorators import staff_view
from servicehall.org.permissions import Action

from . import runner


@staff_view(
    allows=[Action.VIEW_JOBS], refusal=_("The background jobs are for the organizing office.")
)
def runs(request, actor, own):
    """The organizing office sees each background job's last run, duration and error."""
    rows = [
        {
            "job": job,
            "run": run,
            "result": job.describe(run.result) if run else "",
            "minutes": job.every // 60 if job.every % 60 == 0 else None,
        }
        for job, run in runner.status()
    ]
    return render(request, "jobs/runs.html", {"rows": rows})
