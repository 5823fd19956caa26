"""Supervision's pages: the visits one may see, one visit with its findings, publishing it,
and the evidence photos, served only to who may see the visit (R-SUP-2); the inspector's
phone form, which works with no signal, its service worker and its sync."""

import datetime as dt
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from servicehall.core.errors import Forbidden, InvalidInput, NotFound, ServiceError
from servicehall.core.params import BadParameter, as_int, date_param, page_param
from servicehall.core.public import public_url, qr_svg
from servicehall.core.ratelimits import RateLimited, limit
from servicehall.core.views import message_refusal
from servicehall.core.xlsx import XLSX
from servicehall.org.decorators import staff_view
from servicehall.org.models import Staff, Unit
from servicehall.org.permissions import Action

from . import agreement, notices, plans, selectors, selfcheck, services
from . import norms as norms_xlsx
from .forms import ImportForm, ItemFormSet, NewChecklistForm, NoteForm
from .models import (
    Answer,
    Bulletin,
    Category,
    Checklist,
    FocusArea,
    Inspection,
    InspectionPlan,
    Kind,
    Notice,
    NoticeStatus,
    Photo,
    SelfFinding,
    SelfInspection,
    Verdict,
)

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
    can_publish = (
        actor.can(Action.PUBLISH_INSPECTION, unit=inspection.unit) and not inspection.published
    )
    return render(
        request,
        "supervision/detail.html",
        {
            "inspection": inspection,
            "rows": rows,
            "deductions": [r for r in rows if r[0].verdict == Verdict.DEDUCT],
            "sealed": services.sealed(inspection),
            "can_publish": can_publish,
            "notice": getattr(inspection, "notice", None) if inspection.published else None,
            "requirements": notices.requirements_from(inspection) if can_publish else "",
            "bars": inspection.awardbar_set.select_related("plan"),
        },
    )


@require_POST
@staff_view(allows=[Action.PUBLISH_INSPECTION], refusal=_lazy("The organizing office publishes."))
def publish(request, actor, own, number):
    inspection = _inspection(actor, number)
    try:
        # R-SUP-3: with deductions, the notice is issued in the same act
        _published, notice = notices.publish_with_notice(
            actor=actor, inspection=inspection, requirements=request.POST.get("requirements")
        )
    except ServiceError as exc:
        message_refusal(request, exc)
        return redirect("supervision:inspection", number)
    messages.success(request, _("Published: the unit now sees the visit and its deductions."))
    if notice is not None:
        return redirect("supervision:notice", notice.number)
    return redirect("supervision:inspection", number)


@staff_view(allows=[Action.VIEW_INSPECTIONS, Action.RECORD_INSPECTION], refusal=READERS)
def photo(request, actor, own, pk):
    p = get_object_or_404(Photo.objects.select_related("inspection__unit"), pk=pk)
    if not selectors.visible(actor, p.inspection):
        raise NotFound(_("No such photo."))
    return _private_file(p.image, p.content_type)


def _private_file(field, content_type):
    """Evidence from PRIVATE_MEDIA, to the one reader the view let through: never cached on
    the way, never sniffed into another type."""
    response = FileResponse(field.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
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
        try:
            draft = json.loads(request.POST.get("draft") or "")
        except ValueError:
            draft = None
        if not isinstance(draft, dict):
            raise InvalidInput({"draft": [_("The visit's draft could not be read.")]})
        inspection, created = services.sync(actor=actor, draft=draft, photos=request.FILES)
    except ServiceError as exc:  # as the API answers: its message, rule and fields, as JSON
        fields = {"errors": exc.errors} if isinstance(exc, InvalidInput) else {}
        response = _json_error(exc, exc.status, **fields)
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(exc.retry_after)
        return response
    return JsonResponse(
        {
            "number": inspection.number,
            "url": reverse("supervision:inspection", args=[inspection.number]),
            "created": created,
        },
        status=201 if created else 200,
    )


# ---- notices, rectification, bulletins (R-SUP-3)

NOTICE_READERS = _lazy(
    "Supervision notices are seen by the units they are issued to, their sector authority, "
    "the inspectors and the organizing office."
)


@staff_view(allows=[Action.VIEW_INSPECTIONS], refusal=NOTICE_READERS)
def notice_list(request, actor, own):
    tab = request.GET.get("tab", "open")
    if tab not in selectors.NOTICE_TABS:
        tab = "open"
    now = timezone.now()
    page = Paginator(selectors.notices_for(actor, tab, now), 50).get_page(page_param(request.GET))
    return render(
        request,
        "supervision/notice_list.html",
        {
            "page": page,
            "tab": tab,
            "now": now,
            "tabs": [
                ("open", _("open")),
                ("overdue", _("past the deadline")),
                ("escalated", _("escalated")),
                ("closed", _("accepted")),
            ],
        },
    )


def _notice(actor, number) -> Notice:
    notice = get_object_or_404(
        Notice.objects.select_related(
            "unit",
            "issued_by__organization",
            "inspection__unit",
            "inspection__window",
            "inspection__inspector",
            "inspection__second_inspector",
        ),
        number=number,
    )
    if not selectors.notice_visible(actor, notice):
        raise NotFound(_("No such supervision notice."))  # another unit's: it does not exist
    return notice


def _findings(notice):
    found = list(services.deductions(notice.inspection))
    photos = {}
    for p in notice.inspection.photos.all():
        photos.setdefault(p.item_id, []).append(p)
    return [(f, photos.get(f.item_id, [])) for f in found]


def _notice_page(request, actor, notice, *, status=200, errors=None, data=None):
    now = timezone.now()
    return render(
        request,
        "supervision/notice_detail.html",
        {
            "notice": notice,
            "findings": _findings(notice),
            "answers": notice.answers.select_related("answered_by", "verified_by"),
            "overdue": notice.overdue(now),
            "can_answer": actor.can(Action.ANSWER_NOTICE, unit=notice.unit)
            and notice.status in notices.AWAITING_UNIT,
            "can_verify": actor.can(Action.VERIFY_RECTIFICATION, unit=notice.unit)
            and notice.status == NoticeStatus.ANSWERED,
            "errors": errors or {},
            "data": data or {},
        },
        status=status,
    )


@staff_view(allows=[Action.VIEW_INSPECTIONS], refusal=NOTICE_READERS)
def notice_detail(request, actor, own, number):
    return _notice_page(request, actor, _notice(actor, number))


@require_POST
@staff_view(allows=[Action.ANSWER_NOTICE], refusal=_lazy("The unit's leader answers a notice."))
def notice_answer(request, actor, own, number):
    notice = _notice(actor, number)
    try:
        notices.answer(
            actor=actor,
            notice=notice,
            measures=request.POST.get("measures"),
            evidence=request.FILES.get("evidence"),
        )
    except InvalidInput as exc:
        return _notice_page(
            request, actor, notice, status=400, errors=exc.errors, data=request.POST
        )
    except Forbidden:
        raise
    except ServiceError as exc:
        message_refusal(request, exc)
        return redirect("supervision:notice", number)
    messages.success(request, _("Answered: the inspectors will verify the rectification."))
    return redirect("supervision:notice", number)


@require_POST
@staff_view(
    allows=[Action.VERIFY_RECTIFICATION], refusal=_lazy("The inspectors verify rectification.")
)
def notice_verify(request, actor, own, number):
    notice = _notice(actor, number)
    verdict = request.POST.get("verdict")
    if verdict not in ("accept", "return"):
        return _notice_page(
            request,
            actor,
            notice,
            status=400,
            errors={"verdict": [_("Choose: accept the rectification or send it back.")]},
            data=request.POST,
        )
    try:
        notices.verify(
            actor=actor,
            notice=notice,
            accepted=verdict == "accept",
            note=request.POST.get("note"),
        )
    except InvalidInput as exc:
        return _notice_page(
            request, actor, notice, status=400, errors=exc.errors, data=request.POST
        )
    except Forbidden:
        raise
    except ServiceError as exc:
        message_refusal(request, exc)
        return redirect("supervision:notice", number)
    messages.success(
        request,
        _("Accepted: the notice is closed.")
        if verdict == "accept"
        else _("Sent back: the unit answers again."),
    )
    return redirect("supervision:notice", number)


@staff_view(allows=[Action.VIEW_INSPECTIONS], refusal=NOTICE_READERS)
def notice_print(request, actor, own, number):
    notice = _notice(actor, number)
    url = public_url(request, reverse("supervision:notice", args=[notice.number]))
    return render(
        request,
        "supervision/notice_print.html",
        {"notice": notice, "findings": _findings(notice), "url": url, "qr": qr_svg(url)},
    )


@staff_view(allows=[Action.VIEW_INSPECTIONS], refusal=NOTICE_READERS)
def notice_evidence(request, actor, own, pk):
    a = get_object_or_404(Answer.objects.select_related("notice__unit"), pk=pk)
    if not a.evidence or not selectors.notice_visible(actor, a.notice):
        raise NotFound(_("No such evidence."))
    # stored under the extension its first bytes proved (notices.answer)
    kind = services.TYPE_OF_EXTENSION.get(
        a.evidence.name.rsplit(".", 1)[-1], "application/octet-stream"
    )
    return _private_file(a.evidence, kind)


def _staff_reader(actor):
    # a published bulletin is read by every staff login; drafts only by the office
    if actor.staff is None and not actor.allows(Action.PUBLISH_BULLETIN):
        raise Forbidden(_("Criticism bulletins are read by the hall's staff."), rule="R-ORG-4")


def _bulletins_page(request, actor, *, status=200, errors=None, data=None):
    drafts = actor.allows(Action.PUBLISH_BULLETIN)
    qs = Bulletin.objects.select_related("created_by", "published_by")
    if not drafts:
        qs = qs.filter(published_at__isnull=False)
    today = timezone.localdate()
    first = today.replace(day=1) - dt.timedelta(days=1)
    return render(
        request,
        "supervision/bulletin_list.html",
        {
            "page": Paginator(qs.order_by("-first_day", "-pk"), 50).get_page(
                page_param(request.GET)
            ),
            "can_draft": drafts,
            "errors": errors or {},
            "data": data
            or {
                "first_day": first.replace(day=1).isoformat(),
                "last_day": first.isoformat(),
                "title": _("Criticism bulletin of %(month)s")
                % {"month": date_format(first, "YEAR_MONTH_FORMAT")},
            },
        },
        status=status,
    )


@staff_view
def bulletin_list(request, actor, own):
    _staff_reader(actor)
    if request.method != "POST":
        return _bulletins_page(request, actor)
    if not actor.allows(Action.PUBLISH_BULLETIN):
        raise Forbidden(_("The organizing office drafts criticism bulletins."), rule="R-ORG-4")
    days, errors = {}, {}
    for name in ("first_day", "last_day"):
        try:
            days[name] = dt.date.fromisoformat(request.POST.get(name) or "")
        except ValueError:
            errors[name] = [_("Give a date such as 2026-01-31.")]
    if not errors:
        try:
            bulletin = notices.draft_bulletin(
                actor=actor,
                first_day=days["first_day"],
                last_day=days["last_day"],
                title=request.POST.get("title"),
                intro=request.POST.get("intro"),
            )
        except InvalidInput as exc:
            errors = exc.errors
    if errors:
        return _bulletins_page(request, actor, status=400, errors=errors, data=request.POST)
    messages.success(request, _("Drafted: check the entries, then publish."))
    return redirect("supervision:bulletin", bulletin.number)


def _bulletin(actor, number) -> Bulletin:
    _staff_reader(actor)
    bulletin = get_object_or_404(
        Bulletin.objects.select_related("created_by", "published_by"), number=number
    )
    if bulletin.published_at is None and not actor.allows(Action.PUBLISH_BULLETIN):
        raise NotFound(_("No such bulletin."))
    return bulletin


@staff_view
def bulletin_detail(request, actor, own, number):
    bulletin = _bulletin(actor, number)
    entries = list(bulletin.entries.select_related("unit", "staff").order_by("-points", "pk"))
    return render(
        request,
        "supervision/bulletin_detail.html",
        {
            "bulletin": bulletin,
            "units": [e for e in entries if e.staff_id is None],
            "people": [e for e in entries if e.staff_id is not None],
            "can_publish": actor.allows(Action.PUBLISH_BULLETIN) and not bulletin.published_at,
        },
    )


@require_POST
@staff_view(allows=[Action.PUBLISH_BULLETIN], refusal=_lazy("The organizing office publishes."))
def bulletin_publish(request, actor, own, number):
    bulletin = _bulletin(actor, number)
    try:
        notices.publish_bulletin(actor=actor, bulletin=bulletin)
    except ServiceError as exc:
        message_refusal(request, exc)
    else:
        messages.success(request, _("Published: every staff login may read the bulletin."))
    return redirect("supervision:bulletin", number)


# ---- the norm library (R-SUP-1) -------------------------------------------------------------

NORM_READERS = _lazy("The norm library is for inspectors and the organizing office.")
NORM_EDITORS = _lazy("The organizing office edits, imports and exports the norms.")


def _checklist(code) -> Checklist:
    return get_object_or_404(Checklist.objects.select_related("sector"), code=code)


@staff_view(allows=[Action.VIEW_INSPECTIONS, Action.MANAGE_NORMS], refusal=NORM_READERS)
def norms(request, actor, own):
    current = {v.checklist_id: v for v in services.current_versions()}
    rows = [
        (c, current.get(c.pk), current[c.pk].n_items if c.pk in current else 0)
        for c in Checklist.objects.select_related("sector").annotate(n_versions=Count("versions"))
    ]
    return render(
        request,
        "supervision/norms/list.html",
        {"rows": rows, "can_manage": actor.allows(Action.MANAGE_NORMS)},
    )


@staff_view(allows=[Action.VIEW_INSPECTIONS, Action.MANAGE_NORMS], refusal=NORM_READERS)
def norm_detail(request, actor, own, code):
    checklist = _checklist(code)
    versions = list(checklist.versions.select_related("created_by").order_by("-number"))
    if not versions:
        raise NotFound(_("This checklist has no version yet."))
    shown = versions[0]
    if "v" in request.GET:
        wanted = request.GET["v"].strip()
        shown = next((v for v in versions if str(v.number) == wanted), None)
        if shown is None:
            raise NotFound(_("This checklist has no version %(v)s.") % {"v": wanted[:10]})
    items = list(shown.items.all())
    groups = [
        (label, [i for i in items if i.category == value])
        for value, label in Category.choices
        if any(i.category == value for i in items)
    ]
    before = next((v for v in versions if v.number == shown.number - 1), None)
    return render(
        request,
        "supervision/norms/detail.html",
        {
            "checklist": checklist,
            "shown": shown,
            "latest": versions[0],
            "versions": versions,
            "groups": groups,
            "count": len(items),
            "before": before,
            "diff": services.version_diff(before, shown) if before else None,
            "can_manage": actor.allows(Action.MANAGE_NORMS),
        },
    )


def _row_errors(formset, kept, exc):
    """Put new_version's "<row>.<field>" errors on the form of that row."""
    for key, said in exc.errors.items():
        row, _dot, field = key.partition(".")
        if row.isdigit() and 0 < int(row) <= len(kept):
            form = kept[int(row) - 1]
            for m in said:
                form.add_error(field if field in form.fields else None, m)
        else:
            formset._non_form_errors = formset.non_form_errors() + list(said)


@staff_view(allows=[Action.MANAGE_NORMS], refusal=NORM_EDITORS)
def norm_edit(request, actor, own, code):
    checklist = _checklist(code)
    latest = services.current(checklist)
    initial = services.item_dicts(latest) if latest else []
    formset = ItemFormSet(request.POST or None, initial=initial, prefix="items")
    note = NoteForm(request.POST or None)
    if request.method == "POST" and formset.is_valid() and note.is_valid():
        extra = set(formset.extra_forms)
        kept = [
            f
            for f in formset.forms
            if not f.cleaned_data.get("DELETE") and (f not in extra or f.has_changed())
        ]
        try:
            version = services.new_version(
                actor=actor,
                checklist=checklist,
                items=[f.item() for f in kept],
                note=note.cleaned_data["note"],
            )
        except InvalidInput as exc:
            _row_errors(formset, kept, exc)
        else:
            messages.success(request, _("Saved as version %(n)s.") % {"n": version.number})
            return redirect("supervision:norm", checklist.code)
    return render(
        request,
        "supervision/norms/edit.html",
        {"checklist": checklist, "latest": latest, "formset": formset, "note": note},
        status=400 if request.method == "POST" else 200,
    )


@staff_view(allows=[Action.VIEW_INSPECTIONS, Action.MANAGE_NORMS], refusal=NORM_READERS)
def norm_export(request, actor, own, code):
    checklist = _checklist(code)
    version = services.current(checklist)
    if "v" in request.GET:
        version = checklist.versions.filter(number=_int(request.GET["v"])).first()
    if version is None:
        raise NotFound(_("This checklist has no such version."))
    response = HttpResponse(content_type=XLSX)
    name = f"{checklist.code}-v{version.number}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    norms_xlsx.export_workbook(version).save(response)
    return response


def _refused_file(form, exc):
    """Where an import's refusal is shown: a row's on the list, a file's on the field."""
    if isinstance(exc, norms_xlsx.RowsRefused):
        return exc.rows
    if isinstance(exc, InvalidInput):
        for key, msgs in exc.errors.items():
            field = key if key in form.fields else None
            for m in msgs:
                form.add_error(field, m)
        return []
    form.add_error("file", str(exc))
    return []


@staff_view(allows=[Action.MANAGE_NORMS], refusal=NORM_EDITORS)
def norm_import(request, actor, own, code):
    checklist = _checklist(code)
    form = ImportForm(request.POST or None, request.FILES or None)
    rows = []
    if request.method == "POST" and form.is_valid():
        try:
            version = norms_xlsx.import_version(
                actor=actor,
                checklist=checklist,
                upload=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as exc:
            if isinstance(exc, Forbidden):
                raise
            rows = _refused_file(form, exc)
        else:
            messages.success(
                request,
                _("Imported %(n)s norms as version %(v)s.")
                % {"n": version.items.count(), "v": version.number},
            )
            return redirect("supervision:norm", checklist.code)
    return render(
        request,
        "supervision/norms/import.html",
        {"checklist": checklist, "form": form, "rows": rows},
        status=400 if request.method == "POST" else 200,
    )


@staff_view(allows=[Action.MANAGE_NORMS], refusal=NORM_EDITORS)
def norm_new(request, actor, own):
    form = NewChecklistForm(request.POST or None, request.FILES or None)
    rows = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            items = norms_xlsx.read_workbook(d["file"])
            checklist = services.new_checklist(
                actor=actor,
                fields={k: d[k] for k in ("code", "name", "sector", "unit_kind", "window_kind")},
                items=items,
                note=d["note"],
            )
        except ServiceError as exc:
            if isinstance(exc, Forbidden):
                raise
            rows = _refused_file(form, exc)
        else:
            messages.success(request, _("The checklist is created with its first version."))
            return redirect("supervision:norm", checklist.code)
    return render(
        request,
        "supervision/norms/new.html",
        {"form": form, "rows": rows},
        status=400 if request.method == "POST" else 200,
    )


# ---- plans, agreement, self-inspection (R-SUP-2, R-SUP-4) ----------------------------------

PLANNERS = _lazy("Inspection plans are for the organizing office and its inspectors.")
AGREEMENT_READERS = _lazy("The inspectors' agreement is for inspectors and the organizing office.")
SELF_READERS = _lazy(
    "Self-inspections are held by a unit's leaders; the office and the sector see them."
)


def _date(value):
    """A YYYY-MM-DD date within the calendar's years (core.params), else None: the form says
    what to fix."""
    try:
        return date_param({"day": value}, "day")
    except BadParameter:
        return None


def _int(value, low=1):
    return as_int(value if isinstance(value, str) else None, low=low)


def _plan_form(request, actor, errors=None, values=None, status=200):
    sectors = {}
    for unit in Unit.objects.select_related("sector").order_by("sector__order", "code"):
        sectors.setdefault(unit.sector, []).append(unit)
    return render(
        request,
        "supervision/plan_list.html",
        {
            "plans": InspectionPlan.objects.select_related("version__checklist")
            .annotate(n_visits=Count("visits", distinct=True))
            .order_by("-starts_on", "name"),
            "can_plan": actor.allows(Action.PLAN_INSPECTIONS),
            "versions": services.current_versions(),
            "sectors": list(sectors.items()),
            "errors": errors or {},
            "values": values or {"min_visits": 1, "undercover_share": 100, "bars_award": True},
        },
        status=status,
    )


@staff_view(allows=[Action.PLAN_INSPECTIONS, Action.RECORD_INSPECTION], refusal=PLANNERS)
def plan_list(request, actor, own):
    if request.method != "POST":
        return _plan_form(request, actor)
    post = request.POST
    chosen = {n for n in map(_int, post.getlist("units")) if n is not None}
    whole = [n for n in map(_int, post.getlist("sectors")) if n is not None]
    chosen |= set(Unit.objects.filter(sector_id__in=whole).values_list("pk", flat=True))
    values = {
        "name": post.get("name", ""),
        "campaign": post.get("campaign", ""),
        "version": _int(post.get("version")),
        "starts_on": post.get("starts_on", ""),
        "ends_on": post.get("ends_on", ""),
        "units": chosen,
        "sectors": set(whole),
        "min_visits": _int(post.get("min_visits")),
        "undercover_share": _int(post.get("undercover_share"), low=0),
        "bars_award": post.get("bars_award") == "on",
    }
    try:
        plan = plans.create(
            actor=actor,
            name=values["name"],
            campaign=values["campaign"],
            version=values["version"],
            starts_on=_date(values["starts_on"]),
            ends_on=_date(values["ends_on"]),
            units=chosen,
            min_visits=values["min_visits"],
            undercover_share=values["undercover_share"],
            bars_award=values["bars_award"],
        )
    except InvalidInput as exc:
        return _plan_form(request, actor, exc.errors, values, status=400)
    messages.success(request, _("The plan is saved: draw its visits."))
    return redirect("supervision:plan", plan.pk)


def _plan_page(request, actor, plan, errors=None, status=200):
    visits = list(
        plan.visits.select_related("unit", "window", "inspection").order_by("on", "unit__code")
    )
    days = {}
    for v in visits:
        days.setdefault(v.on, []).append(v)
    return render(
        request,
        "supervision/plan_detail.html",
        {
            "plan": plan,
            "days": list(days.items()),
            "n_visits": len(visits),
            "n_done": sum(1 for v in visits if hasattr(v, "inspection")),
            "n_units": plan.units.count(),
            "can_plan": actor.allows(Action.PLAN_INSPECTIONS),
            "locked": any(hasattr(v, "inspection") for v in visits),
            "bars": plan.bars.select_related("unit", "inspection").order_by("-recorded_at"),
            "errors": errors or {},
        },
        status=status,
    )


@staff_view(allows=[Action.PLAN_INSPECTIONS, Action.RECORD_INSPECTION], refusal=PLANNERS)
def plan_detail(request, actor, own, pk):
    plan = get_object_or_404(InspectionPlan.objects.select_related("version__checklist"), pk=pk)
    return _plan_page(request, actor, plan)


@require_POST
@staff_view(allows=[Action.PLAN_INSPECTIONS], refusal=PLANNERS)
def plan_draw(request, actor, own, pk):
    plan = get_object_or_404(InspectionPlan, pk=pk)
    try:
        plans.draw(
            actor=actor,
            plan=plan,
            visits_total=request.POST.get("visits_total"),
            seed=request.POST.get("seed"),
        )
    except InvalidInput as exc:
        return _plan_page(request, actor, plan, exc.errors, status=400)
    except ServiceError as exc:
        message_refusal(request, exc)
        return redirect("supervision:plan", plan.pk)
    messages.success(request, _("The visits are drawn."))
    return redirect("supervision:plan", plan.pk)


@require_POST
@staff_view(allows=[Action.PLAN_INSPECTIONS], refusal=PLANNERS)
def plan_award_rule(request, actor, own, pk):
    plan = get_object_or_404(InspectionPlan, pk=pk)
    on = request.POST.get("bars_award") == "on"
    plans.set_award_rule(actor=actor, plan=plan, on=on)
    if on:
        messages.success(request, _("The award rule is on for this plan."))
    else:
        messages.success(request, _("The award rule is off for this plan."))
    return redirect("supervision:plan", plan.pk)


@staff_view(allows=[Action.RECORD_INSPECTION, Action.PUBLISH_INSPECTION], refusal=AGREEMENT_READERS)
def agreement_page(request, actor, own):
    today = timezone.localdate()
    raw_from, raw_to = request.GET.get("from", ""), request.GET.get("to", "")
    start = _date(raw_from) if raw_from else today - dt.timedelta(days=90)
    end = _date(raw_to) if raw_to else today
    errors = []
    if start is None or end is None:
        errors.append(_("Give the dates as YYYY-MM-DD."))
    elif end < start:
        errors.append(_("The last day is not before the first day."))
    if errors:
        return render(
            request,
            "supervision/agreement.html",
            {"errors": errors, "start": raw_from, "end": raw_to, "low": agreement.LOW},
            status=400,
        )
    return render(
        request,
        "supervision/agreement.html",
        {
            "result": selectors.agreement(actor, start=start, end=end),
            "start": start.isoformat(),
            "end": end.isoformat(),
            "low": agreement.LOW,
        },
    )


@staff_view(allows=[Action.SELF_INSPECT, Action.VIEW_INSPECTIONS], refusal=SELF_READERS)
def self_list(request, actor, own):
    page = Paginator(selectors.self_checks_for(actor), 50).get_page(page_param(request.GET))
    return render(
        request,
        "supervision/self_list.html",
        {"page": page, "can_start": own is not None and actor.can(Action.SELF_INSPECT, unit=own)},
    )


@staff_view(
    unit=_lazy("A self-inspection is held by a unit."),
    action=Action.SELF_INSPECT,
    allows=[Action.SELF_INSPECT],
    refusal=SELF_READERS,
)
def self_new(request, actor, own):
    today = timezone.localdate()
    if request.method == "POST":
        raw = request.POST.get("held_on", "")
        try:
            check = selfcheck.start(actor=actor, unit=own, held_on=_date(raw))
        except InvalidInput as exc:
            return render(
                request,
                "supervision/self_new.html",
                {"errors": exc.errors, "held_on": raw, "unit": own},
                status=400,
            )
        except ServiceError as exc:
            message_refusal(request, exc)
            return redirect("supervision:self")
        return redirect("supervision:self_check", check.pk)
    return render(
        request,
        "supervision/self_new.html",
        {"errors": {}, "held_on": today.isoformat(), "unit": own},
    )


def _self_check(actor, pk) -> SelfInspection:
    check = get_object_or_404(
        SelfInspection.objects.select_related("unit", "version__checklist", "by", "signed_off_by"),
        pk=pk,
    )
    if not actor.covers_unit(check.unit):
        raise NotFound(_("No such self-inspection."))
    return check


def _self_page(request, actor, check, errors=None, values=None, status=200):
    today = timezone.localdate()
    findings = list(check.findings.select_related("item", "owner").order_by("pk"))
    items = list(check.version.items.order_by("position"))
    sections = [
        {
            "area": area,
            "label": label,
            "items": [i for i in items if i.focus_area == area],
            "findings": [f for f in findings if f.focus_area == area],
        }
        for area, label in FocusArea.choices
    ]
    planned = [f for f in findings if not f.fixed_now]
    for f in planned:
        f.is_overdue = selfcheck.overdue(f, today)
    may_edit = actor.can(Action.SELF_INSPECT, unit=check.unit)
    return render(
        request,
        "supervision/self_detail.html",
        {
            "check": check,
            "sections": sections,
            "planned": planned,
            "open": [f for f in planned if f.done_at is None],
            "may_edit": may_edit and check.signed_off_at is None,
            "may_mark": may_edit,
            "may_sign": actor.can(Action.SIGN_OFF_SELF_INSPECTION, unit=check.unit)
            and check.signed_off_at is None,
            "staff": Staff.objects.filter(unit=check.unit, active=True).order_by("name"),
            "errors": errors or {},
            "values": values or {},
        },
        status=status,
    )


@staff_view(allows=[Action.SELF_INSPECT, Action.VIEW_INSPECTIONS], refusal=SELF_READERS)
def self_detail(request, actor, own, pk):
    check = _self_check(actor, pk)
    if request.method != "POST":
        return _self_page(request, actor, check)
    post = request.POST
    values = {
        "focus_area": post.get("focus_area", ""),
        "problem": post.get("problem", ""),
        "item": _int(post.get("item")),
        "fixed_now": post.get("fixed_now") == "on",
        "measure": post.get("measure", ""),
        "owner": _int(post.get("owner")),
        "due_on": post.get("due_on", ""),
    }
    try:
        selfcheck.add_finding(
            actor=actor,
            check=check,
            focus_area=values["focus_area"],
            problem=values["problem"],
            item=values["item"],
            fixed_now=values["fixed_now"],
            measure=values["measure"],
            owner=values["owner"],
            due_on=_date(values["due_on"]) if values["due_on"] else None,
        )
    except InvalidInput as exc:
        return _self_page(request, actor, check, exc.errors, values, status=400)
    except ServiceError as exc:
        message_refusal(request, exc)
        return redirect("supervision:self_check", check.pk)
    messages.success(request, _("The problem is recorded."))
    return redirect("supervision:self_check", check.pk)


@require_POST
@staff_view(allows=[Action.SELF_INSPECT], refusal=SELF_READERS)
def self_done(request, actor, own, pk, finding):
    check = _self_check(actor, pk)
    row = get_object_or_404(SelfFinding, pk=finding, check_run=check)
    try:
        selfcheck.mark_done(actor=actor, finding=row, note=request.POST.get("note", ""))
    except ServiceError as exc:
        message_refusal(request, exc)
    else:
        messages.success(request, _("The fix is marked done."))
    return redirect("supervision:self_check", check.pk)


@require_POST
@staff_view(allows=[Action.SIGN_OFF_SELF_INSPECTION], refusal=_lazy("The unit leader signs off."))
def self_sign(request, actor, own, pk):
    check = _self_check(actor, pk)
    try:
        selfcheck.sign_off(actor=actor, check=check)
    except ServiceError as exc:
        message_refusal(request, exc)
    else:
        messages.success(request, _("The self-inspection is signed off."))
    return redirect("supervision:self_check", check.pk)
