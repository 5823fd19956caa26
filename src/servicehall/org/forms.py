from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import excel
from .choices import CustodyItem
from .models import LeadershipGroup, LeadershipMember, Organization, Staff, Unit, Window


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "kind", "sector", "phone", "address"]


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = [
            "code",
            "name",
            "kind",
            "sector",
            "authority",
            "address",
            "phone",
            "supervision_phone",
            "hours",
            "registered_population",
        ]

    def __init__(self, *args, office=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not office and self.instance.pk:
            # The unit's place in the city and its population are the office's (R-ORG-3).
            for name in ("code", "sector", "authority", "registered_population"):
                self.fields[name].disabled = True


class WindowForm(forms.ModelForm):
    class Meta:
        model = Window
        fields = ["number", "function", "kind", "is_duty_lead", "active"]

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.unit = unit


class StaffForm(forms.ModelForm):
    class Meta:
        model = Staff
        fields = [
            "name",
            "badge_no",
            "role",
            "title",
            "window",
            "party_member",
            "certified_on",
            "phone",
            "photo",
            "on_duty",
            "active",
        ]
        widgets = {"certified_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.unit = unit
        self.fields["window"].queryset = unit.windows.order_by("number")
        self.fields["role"].choices = [
            c for c in self.fields["role"].choices if c[0] in Staff.unit_role_values()
        ]


class LeadershipGroupForm(forms.ModelForm):
    class Meta:
        model = LeadershipGroup
        fields = ["name", "office", "established_on"]
        widgets = {"established_on": forms.DateInput(attrs={"type": "date"})}


MemberFormSet = forms.inlineformset_factory(
    LeadershipGroup,
    LeadershipMember,
    fields=["position", "name", "title", "phone"],
    extra=3,
    can_delete=True,
)


class CustodyForm(forms.Form):
    item = forms.ChoiceField(label=_("item"), choices=CustodyItem.choices)
    holder = forms.ModelChoiceField(label=_("keeper"), queryset=Staff.objects.none())

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        # Every active staff member is listed: the service refuses those who may not keep it,
        # with the reason, rather than hiding them without one.
        self.fields["holder"].queryset = unit.staff.filter(active=True).order_by("badge_no")


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        conf = settings.SERVICEHALL
        self.fields["file"].help_text = _(
            "Fill in the template; every sheet is checked before anything is saved. At most "
            "%(mb)s MB and %(rows)s rows per file; above %(job)s rows the import runs in the "
            "background and shows its progress."
        ) % {
            "mb": f"{conf['IMPORT_MAX_MB']:g}",
            "rows": conf["IMPORT_MAX_ROWS"],
            "job": conf["IMPORT_JOB_ROWS"],
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            excel.check_size(upload.size)  # before anything reads it
        except excel.ImportRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload
