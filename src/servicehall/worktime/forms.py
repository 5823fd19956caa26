import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicehall.org.models import Unit

from .models import LimitUnit


class DeadlineForm(forms.Form):
    start = forms.DateTimeField(
        label=_("Started at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    n = forms.IntegerField(label=_("Limit"), min_value=0, max_value=3650, initial=5)
    unit = forms.ChoiceField(
        label=_("Counted in"), choices=LimitUnit.choices, initial="working_days"
    )
    window_unit = forms.ModelChoiceField(
        label=_("Working hours of"),
        queryset=Unit.objects.order_by("name"),
        required=False,
        empty_label=_("the standard hours (9:00–12:00, 13:30–17:30)"),
    )
    pause_from = forms.DateTimeField(
        label=_("Paused from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    pause_to = forms.DateTimeField(
        label=_("Paused until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean(self):
        data = super().clean()
        a, b = data.get("pause_from"), data.get("pause_to")
        if bool(a) != bool(b):
            raise forms.ValidationError(_("Give both ends of the pause, or neither."))
        if a and b and b < a:
            self.add_error("pause_to", _("The pause must end after it starts."))
        start = data.get("start")
        if start and not dt.date(1990, 1, 1) <= timezone.localtime(start).date() <= dt.date(
            2140, 12, 31
        ):
            self.add_error("start", _("Choose a date between 1990 and 2140."))
        return data
