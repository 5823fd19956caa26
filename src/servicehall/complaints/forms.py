from django import forms
from django.utils.translation import gettext_lazy as _

from servicehall.org.models import Unit

from .models import Category, Channel, Complaint, Opening

_BLANK = [("", "—")]


class ContactFields(forms.Form):
    """R-FB-3: name, address, work unit and phone, so the answer reaches the person."""

    name = forms.CharField(label=_("Your name"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    workplace = forms.CharField(label=_("Work unit"), max_length=100, required=False)


class ComplaintForm(ContactFields):
    """The public form (and the staff register form, which adds the channel)."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Complaint.Kind.choices,
        widget=forms.RadioSelect,
        initial=Complaint.Kind.COMPLAINT,
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.order_by("sector__order", "name"),
        empty_label="—",
    )
    window_number = forms.IntegerField(
        label=_("Window number"), min_value=1, max_value=999, required=False
    )
    badge_no = forms.CharField(
        label=_("Staff badge number"),
        max_length=20,
        required=False,
        help_text=_(
            "On the staff member's badge or the sign at the window; leave empty if unsure."
        ),
    )
    category = forms.ChoiceField(
        label=_("What is it about"), choices=_BLANK + Category.choices, required=False
    )
    description = forms.CharField(
        label=_("What happened, or what you suggest"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    # a field people never see: robots fill it in
    website = forms.CharField(required=False, widget=forms.HiddenInput)

    field_order = ["kind", "unit", "window_number", "badge_no", "category", "description"]


class RegisterForm(ComplaintForm):
    channel = forms.ChoiceField(
        label=_("Came in by"),
        choices=[
            (c.value, c.label)
            for c in (Channel.PHONE, Channel.MAILBOX, Channel.HOTLINE, Channel.BOOK, Channel.BOX)
        ],
    )
    field_order = ["channel", *ComplaintForm.field_order]


class InvestigateForm(forms.Form):
    finding = forms.CharField(
        label=_("What the investigation found"), widget=forms.Textarea(attrs={"rows": 3})
    )
    substantiated = forms.TypedChoiceField(
        label=_("Substantiated"),
        choices=[("", "—"), ("yes", _("yes")), ("no", _("no"))],
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=False,
    )
    points = forms.IntegerField(
        label=_("Violation points"),
        min_value=1,
        max_value=20,
        required=False,
        help_text=_("Empty: the default for the category."),
    )
    badge_no = forms.CharField(label=_("Staff badge number"), max_length=20, required=False)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer to the citizen"), widget=forms.Textarea(attrs={"rows": 4})
    )


class OpeningForm(forms.Form):
    container = forms.ChoiceField(label=_("Box or book"), choices=Opening.Container.choices)
    opened_at = forms.DateTimeField(
        label=_("Opened at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    witnesses = forms.CharField(
        label=_("Witnesses"),
        max_length=200,
        help_text=_("At least one besides the person opening it; separate names with 、"),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ItemForm(forms.Form):
    """One item found in the box or book; a row left empty is no item."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=Complaint.Kind.choices, initial=Complaint.Kind.COMPLAINT
    )
    category = forms.ChoiceField(
        label=_("What is it about"), choices=_BLANK + Category.choices, required=False
    )
    description = forms.CharField(
        label=_("Content"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)


ItemFormSet = forms.formset_factory(ItemForm, extra=3)
