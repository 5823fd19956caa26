from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from servicehall.core.errors import Forbidden
from servicehall.core.views import forbidden
from servicehall.org.permissions import Action, actor_for

from . import runner


@login_required
def runs(request):
    """The organizing office sees each background job's last run, duration and error."""
    actor = actor_for(request.user)
    if not actor.allows(Action.VIEW_JOBS):
        return forbidden(
            request, Forbidden(_("The background jobs are for the organizing office."))
        )
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
