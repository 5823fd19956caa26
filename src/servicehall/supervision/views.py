"""Supervision's pages: the visits one may see, one visit with its findings, publishing it,
and the evidence photos, served only to who may see the visit (R-SUP-2)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from servicehall.core.errors import Forbidden, InvalidInput, NotFound, ServiceError
from servicehall.core.params import page_param
from servicehall.core.xlsx import XLSX
from servicehall.org.decorators import staff_view
from servicehall.org.permissions import Action

from . import norms as norms_xlsx
from . import selectors, services
from .forms import ImportForm, ItemFormSet, NewChecklistForm, NoteForm
from .models import Category, Checklist, Inspection, Photo, Verdict

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


# ---- the norm library (R-SUP-1) -------------------------------------------------------------

NORM_READERS = _lazy("The norm library is for inspectors and the organizing office.")
NORM_EDITORS = _lazy("The organizing office edits, imports and exports the norms.")


def _checklist(code) -> Checklist:
    return get_object_or_404(Checklist.objects.select_related("sector"), code=code)


@staff_view(allows=[Action.VIEW_INSPECTIONS, Action.MANAGE_NORMS], refusal=NORM_READERS)
def norms(request, actor, own):
    rows = []
    for c in Checklist.objects.select_related("sector").annotate(n_versions=Count("versions")):
        version = services.current(c)
        rows.append((c, version, version.items.count() if version else 0))
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
        version = checklist.versions.filter(number=_int_or_none(request.GET["v"])).first()
    if version is None:
        raise NotFound(_("This checklist has no such version."))
    response = HttpResponse(content_type=XLSX)
    name = f"{checklist.code}-v{version.number}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    norms_xlsx.export_workbook(version).save(response)
    return response


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


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
