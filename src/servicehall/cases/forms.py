from django import forms
from django.utils.translation import gettext_lazy as _

from servicehall.core.money import parse_yuan, yuan
from servicehall.org.models import Staff, Unit, Window

from .models import FeeChannel, FineAgency, IdType, MaterialCheck, Outcome


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


class YuanField(forms.Field):
    """An amount typed in yuan (120 or 120.00), cleaned to integer fen."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "maxlength": "14"})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        try:
            return parse_yuan(str(value or "")[:20])
        except ValueError:
            raise forms.ValidationError(
                _("Enter an amount in yuan, such as 20 or 20.00."), code="yuan"
            ) from None


class FeeForm(forms.Form):
    """The fee of a case (R-CASE-6): how it was paid, the amount, or the waiver's basis."""

    fee_channel = forms.ChoiceField(label=_("Fee paid by"), required=False)
    fee_amount = YuanField(label=_("Fee charged (yuan)"), required=False)
    fee_waiver_basis = forms.CharField(
        label=_("Legal basis of the waiver"), max_length=200, required=False
    )

    def __init__(self, *args, matter, later=False, **kwargs):
        super().__init__(*args, **kwargs)
        empty = _("not yet: charged before the case is finished") if later else "—"
        self.fields["fee_channel"].choices = [("", empty), *FeeChannel.choices]
        if matter.fee_fen and not self.is_bound:
            self.fields["fee_amount"].initial = yuan(matter.fee_fen)

    def fee(self) -> dict | None:
        """What the service records, or None when no channel is chosen (the amount alone,
        shown as the catalogue's, is not a fee taken)."""
        data = self.cleaned_data
        if not data.get("fee_channel"):
            return None
        return {
            "channel": data["fee_channel"],
            "amount_fen": data.get("fee_amount"),
            "waiver_basis": data.get("fee_waiver_basis", ""),
        }


class FineForm(forms.Form):
    """A penalty decision (R-CASE-6): paid at the bank or platform it names, never here."""

    fine_number = forms.CharField(label=_("Decision number"), max_length=60)
    fine_amount = YuanField(label=_("Fine (yuan)"))
    fine_basis = forms.CharField(
        label=_("Legal basis of the fine"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    fine_agency = forms.ChoiceField(label=_("To be paid at"), choices=FineAgency.choices)
