from django import forms
from django.utils.translation import gettext_lazy as _

from servicehall.org.models import Staff, Window

from .models import DutyAssignment


class DutyForm(forms.Form):
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("duty"), choices=DutyAssignment.Kind.choices)
    staff = forms.ModelChoiceField(label=_("staff member"), queryset=Staff.objects.none())
    window = forms.ModelChoiceField(
        label=_("window (for a backup)"), queryset=Window.objects.none(), required=False
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = unit.staff.filter(active=True).order_by("badge_no")
        self.fields["window"].queryset = unit.windows.filter(active=True).order_by("number")
