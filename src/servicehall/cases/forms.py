from django import forms
from django.utils.translation import gettext_lazy as _

from servicehall.org.models import Staff, Unit, Window

from .models import IdType, MaterialCheck, Outcome


class ApplicantForm(forms.Form):
    applicant_name = forms.CharField(label=_("Applicant"), max_length=50)
    id_type = forms.ChoiceField(label=_("ID type"), choices=IdType.choices, initial="resident_id")
    id_number = forms.CharField(label=_("ID number"), max_length=40)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    green_channel = forms.BooleanField(label=_("Green channel"), required=False)
    green_reason = forms.CharField(label=_("Green-channel reason"), max_length=100, required=False)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    rejection_basis = forms.CharField(
        label=_("Legal basis of the refusal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    rejection_reason = forms.CharField(
        label=_("Reason for refusal"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def material_fields(matter, data=None, initial=None):
    """One (state, note) pair of fields per material, named m<ID> and n<ID>."""
    rows = []
    initial = initial or {}
    for material in matter.materials.all():
        choices = [
            c
            for c in MaterialCheck.State.choices
            if material.conditional or c[0] != "not_applicable"
        ]
        state = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, label=material.name)
        note = forms.CharField(required=False, max_length=200, label=_("What is wrong"))
        key = f"m{material.pk}"
        rows.append(
            {
                "material": material,
                "key": key,
                "note_key": f"n{material.pk}",
                "value": (data or {}).get(key) or initial.get(material.pk, ("", ""))[0],
                "note": (data or {}).get(f"n{material.pk}")
                or initial.get(material.pk, ("", ""))[1],
                "choices": choices,
                "state_field": state,
                "note_field": note,
            }
        )
    return rows


def checks_from(matter, data) -> dict:
    out = {}
    for material in matter.materials.all():
        state = data.get(f"m{material.pk}")
        if state:
            out[material.pk] = (state, data.get(f"n{material.pk}", ""))
    return out


class ReferralForm(forms.Form):
    to_staff = forms.ModelChoiceField(
        label=_("To a colleague"), queryset=Staff.objects.none(), required=False
    )
    to_window = forms.ModelChoiceField(
        label=_("Or to a window"), queryset=Window.objects.none(), required=False
    )
    to_unit = forms.ModelChoiceField(
        label=_("Or to another unit"), queryset=Unit.objects.none(), required=False
    )
    task = forms.CharField(label=_("What the receiver is to do"), max_length=200)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_staff"].queryset = case.unit.staff.filter(active=True).exclude(
            role="auxiliary"
        )
        self.fields["to_window"].queryset = case.unit.windows.filter(active=True)
        self.fields["to_unit"].queryset = Unit.objects.exclude(pk=case.unit_id)


class LedgerFilter(forms.Form):
    window = forms.ModelChoiceField(
        label=_("Window"), queryset=Window.objects.none(), required=False
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    matter = forms.ModelChoiceField(label=_("Matter"), queryset=None, required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—")] + Outcome.choices, required=False
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    green_channel = forms.BooleanField(label=_("Green channel only"), required=False)

    def __init__(self, *args, unit, **kwargs):
        from .models import Status

        super().__init__(*args, **kwargs)
        self.fields["window"].queryset = unit.windows.order_by("number")
        self.fields["matter"].queryset = unit.matters.order_by("order")
        self.fields["status"].choices = [("", "—")] + Status.choices
