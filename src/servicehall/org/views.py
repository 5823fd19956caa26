"""Pages of the registry: the tree, a unit, its edit forms, custody, import/export, the wall."""

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicehall.core.errors import ServiceError
from servicehall.core.views import message_refusal, save_with_service

from . import excel, jobs, services
from .decorators import staff_view
from .forms import (
    CustodyForm,
    ImportForm,
    LeadershipGroupForm,
    MemberFormSet,
    OrganizationForm,
    StaffForm,
    UnitForm,
    WindowForm,
)
from .models import LeadershipGroup, Organization, Staff, Unit, Window
from .permissions import Action, require

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@staff_view
def tree(request, actor, own):
    return render(
        request,
        "org/tree.html",
        {
            "tree": services.registry_tree(actor),
            "groups": services.leadership_groups(),
            "organizations": Organization.objects.select_related("sector"),
            "office": services.is_office(actor),
        },
    )


@staff_view
def unit_detail(request, actor, own, pk):
    unit = get_object_or_404(Unit.objects.select_related("sector", "authority"), pk=pk)
    require(actor, Action.VIEW_REGISTRY, unit=unit)
    staff = list(unit.staff.select_related("window", "user").order_by("badge_no"))
    windows = list(unit.windows.order_by("number"))
    return render(
        request,
        "org/unit.html",
        {
            "unit": unit,
            "staff": staff,
            "windows": windows,
            "findings": services.staffing_findings(unit, staff, windows),
            "groups": services.leadership_groups(unit=unit),
            "custodies": unit.custodies.select_related("holder"),
            "custody_form": CustodyForm(unit=unit),
            "may_manage": actor.can(Action.MANAGE_REGISTRY, unit=unit),
            "may_assign": actor.can(Action.ASSIGN_CUSTODY, unit=unit),
        },
    )


def _form_page(request, *, title, form, instance_url, save, back, formset=None):
    if request.method == "POST":
        ok, response = save_with_service(request, form, save, instance_url)
        if ok:
            return response
    return render(
        request,
        "org/form.html",
        {"title": title, "form": form, "formset": formset, "back": back},
        status=400 if request.method == "POST" else 200,  # refused: what to fix, nothing saved
    )


@staff_view
def unit_edit(request, actor, own, pk=None):
    unit = get_object_or_404(Unit, pk=pk) if pk is not None else Unit()
    if pk is not None:
        require(actor, Action.MANAGE_REGISTRY, unit=unit)
    form = UnitForm(request.POST or None, instance=unit, office=services.is_office(actor))
    return _form_page(
        request,
        title=_("Edit unit") if pk is not None else _("New unit"),
        form=form,
        instance_url=lambda u: u.get_absolute_url(),
        save=lambda f: services.save_record(actor=actor, instance=f.instance),
        back=unit.get_absolute_url() if pk is not None else "/org/",
    )


def _unit_record_page(request, actor, unit_pk, pk, *, model, form_class, titles):
    """New or edit page of a unit's window or staff member; the service decides."""
    unit = get_object_or_404(Unit, pk=unit_pk)
    require(actor, Action.MANAGE_REGISTRY, unit=unit)
    instance = get_object_or_404(model, pk=pk, unit=unit) if pk is not None else None
    form = form_class(request.POST or None, request.FILES or None, instance=instance, unit=unit)
    return _form_page(
        request,
        title=titles[0] if pk is not None else titles[1],
        form=form,
        instance_url=unit.get_absolute_url(),
        save=lambda f: services.save_record(actor=actor, instance=f.instance),
        back=unit.get_absolute_url(),
    )


@staff_view
def window_edit(request, actor, own, unit_pk, pk=None):
    return _unit_record_page(
        request,
        actor,
        unit_pk,
        pk,
        model=Window,
        form_class=WindowForm,
        titles=(_("Edit window"), _("New window")),
    )


@staff_view
def staff_edit(request, actor, own, unit_pk, pk=None):
    return _unit_record_page(
        request,
        actor,
        unit_pk,
        pk,
        model=Staff,
        form_class=StaffForm,
        titles=(_("Edit staff member"), _("New staff member")),
    )


@staff_view
def group_edit(request, actor, own, unit_pk=None, pk=None, org_pk=None):
    """A leadership group of a unit, or (org_pk) of the office or an authority (R-ORG-2)."""
    if org_pk is not None:
        owner = {"organization": get_object_or_404(Organization, pk=org_pk)}
        back = reverse("org:tree")
        services.require_office(actor)
    else:
        owner = {"unit": get_object_or_404(Unit, pk=unit_pk)}
        back = owner["unit"].get_absolute_url()
        require(actor, Action.MANAGE_REGISTRY, unit=owner["unit"])
    group = (
        get_object_or_404(LeadershipGroup, pk=pk, **owner)
        if pk is not None
        else LeadershipGroup(**owner)
    )
    form = LeadershipGroupForm(request.POST or None, instance=group)
    formset = MemberFormSet(request.POST or None, instance=group)

    @transaction.atomic  # the group and its members together, or nothing
    def save(f):
        if not formset.is_valid():
            raise ServiceError(_("Check the members below."))
        services.save_record(actor=actor, instance=f.instance)
        for order, member_form in enumerate(formset.forms):
            if not member_form.has_changed():
                continue
            member = member_form.instance
            if formset.can_delete and formset._should_delete_form(member_form):
                if member.pk:
                    services.delete_record(actor=actor, instance=member)
                continue
            member.group = f.instance
            member.order = order
            services.save_record(actor=actor, instance=member)
        return f.instance

    return _form_page(
        request,
        title=_("Leadership group"),
        form=form,
        formset=formset,
        instance_url=back,
        save=save,
        back=back,
    )


@staff_view
def organization_edit(request, actor, own, pk=None):
    """The office and the sector authorities: the office's to edit (R-ORG-1)."""
    services.require_office(actor)
    organization = get_object_or_404(Organization, pk=pk) if pk is not None else Organization()
    form = OrganizationForm(request.POST or None, instance=organization)
    return _form_page(
        request,
        title=_("Edit organization") if pk is not None else _("New organization"),
        form=form,
        instance_url=reverse("org:tree"),
        save=lambda f: services.save_record(actor=actor, instance=f.instance),
        back=reverse("org:tree"),
    )


@require_POST
@staff_view
def delete(request, actor, own, kind, pk):
    model = {"window": Window, "staff": Staff, "group": LeadershipGroup}.get(kind)
    if model is None:
        raise Http404(kind)
    instance = get_object_or_404(model, pk=pk)
    unit = services.scope_of(instance)
    back = unit.get_absolute_url() if unit else reverse("org:tree")
    try:
        services.delete_record(actor=actor, instance=instance)
        messages.success(request, _("Deleted."))
    except ServiceError as exc:
        message_refusal(request, exc)
    return redirect(back)


@require_POST
@staff_view
def custody_assign(request, actor, own, unit_pk):
    unit = get_object_or_404(Unit, pk=unit_pk)
    form = CustodyForm(request.POST, unit=unit)
    if form.is_valid():
        try:
            custody = services.assign_custody(
                actor=actor,
                unit=unit,
                item=form.cleaned_data["item"],
                holder=form.cleaned_data["holder"],
            )
            messages.success(
                request,
                _("%(item)s is now kept by %(name)s.")
                % {"item": custody.get_item_display(), "name": custody.holder.name},
            )
        except ServiceError as exc:
            # shown above the custody form, a Forbidden too: it is mostly the keeper's role
            # that refuses (an auxiliary never keeps the seal, R-ORG-4), a choice to redo
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Choose an item and a keeper."))
    return redirect(unit.get_absolute_url() + "#custody")


@staff_view(action=Action.IMPORT_REGISTRY)
def import_page(request, actor, own):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            checked = excel.check_file(upload)  # before openpyxl parses anything
            if checked.rows > settings.SERVICEHALL["IMPORT_JOB_ROWS"]:
                job = jobs.submit(actor=actor, upload=upload, rows=checked.read_rows)
                return redirect(job)
            report = excel.import_registry(actor=actor, source=upload, checked=checked)
        except excel.ImportRefused as exc:
            form.add_error("file", str(exc))
        else:
            if report.ok:
                messages.success(request, report.summary())
                return redirect("org:tree")
    status = 400 if request.method == "POST" else 200
    recent = jobs.visible_jobs(actor).filter(user=request.user)[:5]
    return render(
        request,
        "org/import.html",
        {"form": form, "report": report, "jobs": recent},
        status=status,
    )


@staff_view
def import_job(request, actor, own, pk):
    """A background import's progress, then its result; the uploader's and the office's."""
    job = jobs.job_for(actor, pk)
    total = max(job.rows_total, 1)
    done = min(jobs.rows_done(job), job.rows_total)
    return render(
        request,
        "org/import_job.html",
        {
            "job": job,
            "rows_done": done,
            "percent": 100 if job.status == job.Status.DONE else done * 100 // total,
            "more_errors": max(job.error_count - len(job.errors), 0),
        },
    )


@staff_view(action=Action.IMPORT_REGISTRY)
def import_template(request, actor, own):
    return _xlsx(excel.template_workbook(), "servicehall-registry-template.xlsx")


@staff_view
def export(request, actor, own):
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx(excel.export_workbook(actor=actor), f"servicehall-registry-{stamp}.xlsx")


def _xlsx(workbook, filename):
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    workbook.save(response)
    return response


def wall(request, code):
    """Public window wall: windows, who is on duty, badge and party mark (R-CAT-3)."""
    unit = get_object_or_404(Unit.objects.select_related("sector"), code=code)
    return render(request, "org/wall.html", {"unit": unit, "rows": services.window_wall(unit)})
