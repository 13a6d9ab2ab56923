from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samraad.councils.services import InputData
from samraad.directory.models import Municipality, Region
from samraad.rounds.models import Round


def _styled(form: forms.Form) -> None:
    """Det Fælles Designsystem's classes on every widget, and error links for screen readers."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-checkbox"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select"
        elif isinstance(widget, forms.FileInput):
            css = "form-file-input"
        else:
            css = "form-input"
        widget.attrs.setdefault("class", css)
        if form.is_bound and form.errors.get(name):
            widget.attrs["aria-describedby"] = f"{name}-error"
            widget.attrs["aria-invalid"] = "true"


RATING_CHOICES = [("", _("Not rated"))] + [(str(n), str(n)) for n in range(1, 6)]


class CouncilInputForm(forms.Form):
    """The contact's form. `version` is the edit version the form was opened at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    economic_situation = forms.CharField(
        label=_("The municipality's economic situation and challenges"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    proposals = forms.CharField(
        label=_("Proposals for the negotiations"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    budget_remarks = forms.CharField(
        label=_("Remarks for the joint budget coordination"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    council_discussed = forms.BooleanField(
        label=_("The municipal council has discussed this input"), required=False
    )
    council_discussed_on = forms.DateField(
        label=_("Date of the council's discussion"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )
    attachment = forms.FileField(
        label=_("Add an attachment (PDF, Word, Excel or OpenDocument)"), required=False
    )

    def __init__(self, *args, themes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.themes = list(themes)
        for theme in self.themes:
            self.fields[f"rating_{theme.pk}"] = forms.TypedChoiceField(
                label=_("Pressure (1 little, 5 very much)"),
                choices=RATING_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.fields[f"text_{theme.pk}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        _styled(self)

    def full_clean(self) -> None:
        super().full_clean()
        _styled(self)

    def theme_fields(self) -> list[tuple]:
        return [
            (theme, self[f"rating_{theme.pk}"], self[f"text_{theme.pk}"]) for theme in self.themes
        ]

    def clean(self) -> dict:
        data = super().clean()
        day = data.get("council_discussed_on")
        if day and not data.get("council_discussed"):
            self.add_error(
                "council_discussed_on",
                _("Tick that the council has discussed the input, or leave the date empty."),
            )
        if day and day > timezone.localdate():
            self.add_error("council_discussed_on", _("The date cannot be in the future."))
        return data

    def input_data(self) -> InputData:
        data = self.cleaned_data
        return InputData(
            economic_situation=data["economic_situation"],
            proposals=data["proposals"],
            budget_remarks=data["budget_remarks"],
            council_discussed=data["council_discussed"],
            council_discussed_on=data["council_discussed_on"],
            ratings={
                theme.pk: (data[f"rating_{theme.pk}"], data[f"text_{theme.pk}"])
                for theme in self.themes
            },
        )


class ContactLinksForm(forms.Form):
    municipalities = forms.ModelMultipleChoiceField(
        queryset=Municipality.objects.order_by("name"),
        required=False,
        label=_("Only these municipalities"),
        help_text=_("Leave empty to send to the contacts of every municipality."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


class InputReminderForm(forms.Form):
    send_at = forms.DateTimeField(
        label=_("Remind those without submitted input at (Copenhagen time)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )


class RosterFilterForm(forms.Form):
    region = forms.ModelChoiceField(
        queryset=Region.objects.none(), required=False, label=_("Region"), empty_label=_("All")
    )

    def __init__(self, *args, round: Round, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.valid_on(round.starts_on)


class TriageAttachForm(forms.Form):
    round = forms.ModelChoiceField(queryset=Round.objects.all(), label=_("Round"), empty_label=None)
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.order_by("name"), label=_("Municipality")
    )


class TriageDismissForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for dismissing"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give a reason for dismissing the message.")},
    )
