from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from samraad.directory.models import Municipality
from samraad.regional.models import KkrMeeting
from samraad.regional.services import QuoteData


def _style(form: forms.Form) -> None:
    """DKFDS classes on the widgets the templates render with `{{ field }}`."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.HiddenInput | forms.FileInput):
            continue
        widget.attrs["class"] = "form-select" if isinstance(widget, forms.Select) else "form-input"


class KkrMeetingForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    agenda = forms.CharField(
        label=_("Agenda"),
        help_text=_("One item a line, in the order of the agenda."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    round_item = forms.IntegerField(
        label=_("Number of the round's item on the agenda"),
        min_value=1,
        help_text=_("The item where the KKR discusses the round: 1 for the first line, and so on."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def agenda_lines(self) -> list[str]:
        return [line for line in self.cleaned_data["agenda"].splitlines() if line.strip()]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class KkrRecordForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    summary = forms.CharField(
        label=_("Summary of the discussion"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    challenges = forms.CharField(
        label=_("Challenges the KKR pointed to"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes discussed"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    minutes = MultipleFileField(
        label=_("Attach minutes"),
        required=False,
        help_text=_(
            "PDF, Word (DOCX), Excel (XLSX) or OpenDocument (ODT). You may choose several."
        ),
    )

    def __init__(self, *args, meeting: KkrMeeting, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = meeting.round.themes.all()
        self.fields["themes"].label_from_instance = lambda theme: theme.label
        self.fields["themes"].error_messages["invalid_choice"] = _(
            "Choose themes from this round's theme list."
        )
        _style(self)


class KkrQuoteForm(forms.Form):
    text = forms.CharField(
        label=_("Quote"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    speaker_role = forms.CharField(label=_("Speaker's role"), required=False, max_length=200)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=None, required=False, empty_label="—"
    )

    def __init__(self, *args, meeting: KkrMeeting, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.filter(
            region_id=meeting.region_id
        ).order_by("name")
        self.fields["municipality"].error_messages["invalid_choice"] = _(
            "Choose a municipality in the KKR's region."
        )
        _style(self)

    def clean(self):
        data = super().clean()
        if data.get("text", "").strip():
            if not data.get("speaker_role", "").strip():
                self.add_error("speaker_role", _("Say who spoke: their role."))
            if not data.get("municipality"):
                self.add_error("municipality", _("Choose the speaker's municipality."))
        return data

    def quote(self) -> QuoteData | None:
        """The quote, or None for an empty row (an emptied row removes the quote)."""
        data = self.cleaned_data
        if not data.get("text", "").strip():
            return None
        return QuoteData(
            text=data["text"], speaker_role=data["speaker_role"], municipality=data["municipality"]
        )


KkrQuoteFormSet = forms.formset_factory(KkrQuoteForm, extra=2, max_num=50, absolute_max=50)
