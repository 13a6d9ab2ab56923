from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from samraad.directory.models import Municipality, Person, Region, RoleKind


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (comma, semicolon or tab) or Excel (.xlsx). The first row names the columns: "
            "name, email, municipality (name or code), party, title and optionally phone, "
            "in Danish or English."
        ),
    )


def _person_field(name: str, **kwargs) -> forms.Field:
    """The form field for a Person field, with the model's label, length and blank rule."""
    return Person._meta.get_field(name).formfield(**kwargs)


class PersonForm(forms.Form):
    name = _person_field("name")
    email = _person_field("email")
    municipality = _person_field("municipality", queryset=Municipality.objects.order_by("name"))
    region = _person_field(
        "region",
        queryset=Region.objects.order_by("code"),
        help_text=_("Only for a KKR secretary."),
    )
    party = _person_field("party")
    title = _person_field("title")
    phone = _person_field("phone")
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=RoleKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select"
            elif not isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "form-input"


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or email"), required=False, max_length=200)
    municipality = forms.ModelChoiceField(
        label=capfirst(Municipality._meta.verbose_name),
        queryset=Municipality.objects.order_by("name"),
        required=False,
        empty_label=_("All municipalities"),
    )
    region = forms.ModelChoiceField(
        label=capfirst(Region._meta.verbose_name),
        queryset=Region.objects.order_by("code"),
        required=False,
        empty_label=_("All regions"),
    )
