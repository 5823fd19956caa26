from django import forms
from django.utils.translation import gettext_lazy as _

from servicehall.org.models import Staff, Window

from .models import ContactTask, DutyAssignment, Queue


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


class ReceptionForm(forms.Form):
    """导办台: the queue, the matter if known, and the green channel (staff decide it)."""

    queue = forms.ModelChoiceField(label=_("queue"), queryset=Queue.objects.none())
    matter = forms.ModelChoiceField(
        label=_("matter (if known)"), queryset=Queue.objects.none(), required=False
    )
    green_channel = forms.BooleanField(
        label=_("Green channel (urgent, key project, returnee, hardship)"), required=False
    )

    def __init__(self, *args, unit, **kwargs):
        from servicehall.catalog.models import Matter

        super().__init__(*args, **kwargs)
        self.fields["queue"].queryset = unit.queues.filter(active=True)
        self.fields["matter"].queryset = Matter.objects.filter(
            unit=unit, active=True, queues__isnull=False
        ).distinct()

    def clean(self):
        data = super().clean()
        queue, matter = data.get("queue"), data.get("matter")
        if queue and matter and not queue.matters.filter(pk=matter.pk).exists():
            self.add_error("matter", _("This matter is not served in this queue."))
        return data


class RequestForm(forms.Form):
    """An appointment request taken by phone or in person: who, a number to call back, and
    what they asked for. The service checks and decides (appointments.record_request)."""

    channel = forms.ChoiceField(
        label=_("how the request came"),
        choices=[
            (c.value, c.label) for c in (ContactTask.Channel.PHONE, ContactTask.Channel.IN_PERSON)
        ],
    )
    name = forms.CharField(label=_("citizen's name"), max_length=50)
    phone = forms.CharField(label=_("phone to call back"), max_length=20)
    note = forms.CharField(
        label=_("what they asked for (matter, preferred time)"), max_length=200, required=False
    )
