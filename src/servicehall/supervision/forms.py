"""The norm library's forms (R-SUP-1): a version's items as a formset, a workbook to import, a
new checklist. The rules are services.item_problems and new_version's; these only read."""

from django import forms
from django.utils.translation import gettext_lazy as _

from servicehall.org.choices import UnitKind, WindowKind
from servicehall.org.models import Sector

from .models import Category, Evidence


class ItemForm(forms.Form):
    code = forms.CharField(label=_("code"), max_length=20, required=False)
    title = forms.CharField(label=_("title"), max_length=60, required=False)
    text = forms.CharField(
        label=_("norm text"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.CharField(label=_("source"), max_length=120, required=False)
    category = forms.ChoiceField(
        label=_("category"), choices=[("", "—"), *Category.choices], required=False
    )
    points = forms.IntegerField(label=_("deduction points"), required=False)
    critical = forms.BooleanField(label=_("critical"), required=False)
    evidence = forms.ChoiceField(
        label=_("evidence needed"), choices=Evidence.choices, initial=Evidence.NOTE
    )

    def item(self) -> dict:
        d = self.cleaned_data
        return {
            "code": d.get("code") or "",
            "title": d.get("title") or "",
            "text": d.get("text") or "",
            "source": d.get("source") or "",
            "category": d.get("category") or "",
            "points": d.get("points"),
            "critical": bool(d.get("critical")),
            "evidence": d.get("evidence") or Evidence.NOTE,
        }


ItemFormSet = forms.formset_factory(ItemForm, extra=1, can_delete=True, max_num=500)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("what changed"),
        max_length=200,
        required=False,
        help_text=_("Kept with the version, e.g. 第十六条 reworded after the 2026 review."),
    )


class ImportForm(NoteForm):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_("One norm a row, the columns of the export."),
    )


class NewChecklistForm(ImportForm):
    code = forms.SlugField(
        label=_("code"), max_length=40, help_text=_("Lowercase letters, digits and hyphens.")
    )
    name = forms.CharField(label=_("name"), max_length=100)
    sector = forms.ModelChoiceField(
        label=_("sector"),
        queryset=Sector.objects.all(),
        required=False,
        empty_label=_("every sector"),
    )
    unit_kind = forms.ChoiceField(
        label=_("unit kind"), choices=[("", "—"), *UnitKind.choices], required=False
    )
    window_kind = forms.ChoiceField(
        label=_("window kind"), choices=[("", "—"), *WindowKind.choices], required=False
    )
    field_order = ["code", "name", "sector", "unit_kind", "window_kind", "file", "note"]
