"""Supervision's pages: the visits one may see, one visit with its findings, publishing it,
and the evidence photos, served only to who may see the visit (R-SUP-2); the inspector's
phone form, which works with no signal, its service worker and its sync."""

import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from servicehall.core.errors import Forbidden, InvalidInput, NotFound, ServiceError
from servicehall.core.params import page_param
from servicehall.core.ratelimits import RateLimited, limit
from servicehall.org.decorators import staff_view
from servicehall.org.permissions import Action

from . import selectors, services
from .models import Inspection, Kind, Photo, Verdict

READERS = _lazy(
    "Inspections are seen by inspectors, the organizing office, and the leaders of the units "
    "and sectors inspected once they are published."
)


@staff_view(allows=[Action.VIEW_INSPECTIONS], refusal=READERS)
def index(request, actor, own):
    show = request.GET.get("show", "all")
    if show not in ("all", "unpublished", "published"):
        show = "all"
    page = Paginator(selectors.inspections_for(actor, show), 50).get_page(page_param(request.GET))
    return render(
        request,
        "supervision/index.html",
        {
            "page": page,
            "show": show,
            "sees_unpublished": selectors.sees_unpublished(actor),
            "tabs": [
                ("all", _("all")),
                ("unpublished", _("not published")),
                ("published", _("published")),
            ],
        },
    )


def _inspection(actor, number) -> Inspection:
    inspection = get_object_or_404(
        Inspection.objects.select_related(
            "unit",
            "window",
            "staff",
            "inspector",
            "second_inspector",
            "version__checklist",
            "published_by",
        ),
        number=number,
    )
    if not selectors.visible(actor, inspection):
        # R-SUP-2: to the unit an unpublished visit does not exist
        raise NotFound(_("No such inspection."))
    return inspection


@staff_view(allows=[Action.VIEW_INSPECTIONS], refusal=READERS)
def detail(request, actor, own, number):
    inspection = _inspection(actor, number)
    findings = list(
        inspection.findings.select_related("item", "staff", "inspector").order_by(
            "item__position", "inspector_id"
        )
    )
    photos = {}
    for p in inspection.photos.all():
        photos.setdefault(p.item_id, []).append(p)
    lead = [f for f in findings if f.inspector_id == inspection.inspector_id]
    second = {f.item_id: f for f in findings if f.inspector_id != inspection.inspector_id}
    rows = [(f, second.get(f.item_id), photos.get(f.item_id, [])) for f in lead]
    return render(
        request,
        "supervision/detail.html",
        {
            "inspection": inspection,
            "rows": rows,
            "deductions": [r for r in rows if r[0].verdict == Verdict.DEDUCT],
            "sealed": services.sealed(inspection),
            "can_publish": actor.can(Action.PUBLISH_INSPECTION, unit=inspection.unit)
            and not inspection.published,
            "notice": getattr(inspection, "notice", None) if inspection.published else None,
            "bars": inspection.awardbar_set.select_related("plan"),
        },
    )


@require_POST
@staff_view(allows=[Action.PUBLISH_INSPECTION], refusal=_lazy("The organizing office publishes."))
def publish(request, actor, own, number):
    inspection = _inspection(actor, number)
    try:
        services.publish(actor=actor, inspection=inspection)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("supervision:inspection", number)
    messages.success(request, _("Published: the unit now sees the visit and its deductions."))
    return redirect("supervision:inspection", number)


@staff_view(allows=[Action.VIEW_INSPECTIONS, Action.RECORD_INSPECTION], refusal=READERS)
def photo(request, actor, own, pk):
    p = get_object_or_404(Photo.objects.select_related("inspection__unit"), pk=pk)
    if not selectors.visible(actor, p.inspection):
        raise NotFound(_("No such photo."))
    response = FileResponse(p.image.open("rb"), content_type=p.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


# ---- the phone form, offline (R-SUP-2) ------------------------------------------------------

INSPECTORS = _lazy("The visit form is for inspectors and the organizing office.")
WORKER = Path(__file__).resolve().parent / "static" / "supervision" / "sw.js"


@require_GET
@staff_view(allows=[Action.RECORD_INSPECTION], refusal=INSPECTORS)
def visit(request, actor, own):
    form = selectors.visit_form(actor)
    form.update(
        {
            "me": actor.staff.pk if actor.staff else None,
            "sync_url": reverse("supervision:sync"),
            "worker_url": reverse("supervision:worker"),
            "scope": reverse("supervision:visit"),
            "csrf_cookie": settings.CSRF_COOKIE_NAME,
            "time_zone": settings.TIME_ZONE,
            "photo_max_bytes": settings.SERVICEHALL["INSPECTION_PHOTO_MAX_BYTES"],
            "photos_per_item": settings.SERVICEHALL["INSPECTION_PHOTOS_PER_ITEM"],
        }
    )
    return render(request, "supervision/visit.html", {"form": form, "labels": _labels()})


def _labels() -> dict:
    """The words the form's script writes, in the reader's language (%(x)s filled in there)."""
    return {
        "online": _("online"),
        "offline": _("offline: drafts are kept on this phone"),
        "waiting": _("Waiting to sync %(n)s"),
        "syncing": _("Syncing…"),
        "retry": _("Not synced yet; trying again in %(s)s s."),
        "login": _("Log in again to sync the drafts waiting."),
        "states": {
            "open": _("in progress"),
            "ready": _("waiting to sync"),
            "rejected": _("to correct"),
            "refused": _("not stored"),
            "synced": _("synced"),
        },
        "kinds": {"open": str(Kind.OPEN.label), "undercover": str(Kind.UNDERCOVER.label)},
        "continue": _("Continue"),
        "correct": _("Correct it"),
        "inspection": _("Inspection %(n)s"),
        "window": _("Window %(n)s"),
        "none": _("None."),
        "progress": _("%(done)s of %(all)s norms judged"),
        "points": _("−%(n)s points"),
        "need": {
            "photo": _("A deduction here needs a photo."),
            "note": _("A deduction here needs a note of what was seen."),
            "none": _("A deduction here needs no evidence."),
        },
        "problem_judge": _("Judge %(code)s: pass, deduct or n/a."),
        "problem_photo": _("A deduction on %(code)s needs a photo."),
        "problem_note": _("A deduction on %(code)s needs a note of what was seen."),
        "problem_second": _("Choose the second inspector, or switch the second scoring off."),
        "problem_second_judge": _("Second inspector: judge %(code)s."),
        "second": _("Second inspector %(name)s:"),
        "photo_big": _("A photo may be at most %(mb)s MB."),
        "photo_many": _("At most %(n)s photos for one norm."),
        "photo_remove": _("Remove photo"),
        "start_unit": _("Choose the unit visited."),
        "start_version": _("Choose the checklist the visit uses."),
        "discard": _("Discard this draft and its photos?"),
        "no_storage": _(
            "This browser cannot keep drafts (private mode?): the form would lose them."
        ),
    }


@cache
def _worker_source() -> bytes:
    return WORKER.read_bytes()


@require_GET
@staff_view(allows=[Action.RECORD_INSPECTION], refusal=INSPECTORS)
def worker(request, actor, own):
    """The form's service worker, served under /supervision/visit/ so that its scope covers
    the form page; its content is the static file's."""
    response = HttpResponse(_worker_source(), content_type="application/javascript")
    response["Service-Worker-Allowed"] = reverse("supervision:visit")
    response["Cache-Control"] = "no-cache"
    return response


def _json_error(exc: ServiceError, status: int, **extra):
    body = {"detail": str(exc), "rule": exc.rule, **extra}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


@require_POST
@staff_view(allows=[Action.RECORD_INSPECTION], refusal=INSPECTORS)
def sync(request, actor, own):
    """One finished draft from the phone (R-SUP-2): multipart, `draft` its JSON and the photos
    named as draft.photos[].name. 201 stored, 200 stored before (the same key), 400 what to fix,
    403 not this inspector's to store, 429 too many at once."""
    try:
        limit(request, "visit_sync", str(request.user.pk), staff=True)
    except RateLimited as exc:
        response = _json_error(exc, 429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    try:
        draft = json.loads(request.POST.get("draft") or "")
    except ValueError:
        draft = None
    try:
        if not isinstance(draft, dict):
            raise InvalidInput({"draft": [_("The visit's draft could not be read.")]})
        inspection, created = services.sync(actor=actor, draft=draft, photos=request.FILES)
    except InvalidInput as exc:
        return _json_error(exc, 400, errors=exc.errors)
    except Forbidden as exc:
        return _json_error(exc, 403)
    except ServiceError as exc:
        return _json_error(exc, exc.status)
    return JsonResponse(
        {
            "number": inspection.number,
            "url": reverse("supervision:inspection", args=[inspection.number]),
            "created": created,
        },
        status=201 if created else 200,
    )
