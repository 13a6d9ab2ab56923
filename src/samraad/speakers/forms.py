from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from samraad.speakers.models import MAX_SLOTS, MeetingFormat, PresenterKind, SpeakerRequest
from samraad.speakers.services import presenter_candidates, time_label


class DkfdsForm(forms.Form):
    """Widgets with Det Fælles Designsystem's classes, errors and hints tied to their field."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):
                continue
            widget.attrs["class"] = (
                "form-select" if isinstance(widget, forms.Select) else "form-input"
            )

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"
                self.fields[name].widget.attrs["aria-invalid"] = "true"


def _when(label) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Copenhagen time."),
    )


class SlotFields(DkfdsForm):
    """Start and end of one proposed time, entered in Copenhagen time."""

    starts_at = _when(_("Starts"))
    ends_at = _when(_("Ends"))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("starts_at") or not cleaned.get("ends_at"):
            raise forms.ValidationError(_("Give both the start and the end of the time."))
        return cleaned


class SpeakerRequestForm(DkfdsForm):
    presenter_kind = forms.ChoiceField(
        label=_("Who should give the presentation?"),
        choices=PresenterKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who should give the presentation.")},
    )
    topic = forms.CharField(label=_("Topic"), max_length=300)
    audience = forms.CharField(
        label=_("Audience"),
        max_length=300,
        required=False,
        help_text=_("For example the municipal council and the heads of department."),
    )
    meeting_format = forms.ChoiceField(
        label=_("In person or online"),
        choices=MeetingFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose in person or online.")},
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    online_url = forms.URLField(
        label=_("Link to the online meeting"), required=False, assume_scheme="https"
    )

    # Up to MAX_SLOTS proposed times; the first is required (checked in clean()).
    slot1_start = _when(_("First proposed time: starts"))
    slot1_end = _when(_("First proposed time: ends"))
    slot2_start = _when(_("Second proposed time: starts"))
    slot2_end = _when(_("Second proposed time: ends"))
    slot3_start = _when(_("Third proposed time: starts"))
    slot3_end = _when(_("Third proposed time: ends"))

    def clean(self):
        cleaned = super().clean()
        slots = []
        for n in range(1, MAX_SLOTS + 1):
            start, end = cleaned.get(f"slot{n}_start"), cleaned.get(f"slot{n}_end")
            if start and end:
                slots.append((start, end))
            elif start or end:
                self.add_error(
                    f"slot{n}_end" if start else f"slot{n}_start",
                    _("Give both the start and the end of the time."),
                )
        if not slots and not self.errors:
            self.add_error("slot1_start", _("Propose at least one time."))
        cleaned["slots"] = slots
        return cleaned


class AssignForm(DkfdsForm):
    presenter = forms.ModelChoiceField(
        queryset=None,
        label=_("Presenter"),
        error_messages={"required": _("Choose a presenter.")},
    )
    slot = forms.ModelChoiceField(
        queryset=None,
        label=_("Time"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the proposed times.")},
    )

    def __init__(self, *args, request: SpeakerRequest, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Every possible presenter is listed; the service refuses a kind mismatch with a
        # message, which tells staff more than a missing name would.
        self.fields["presenter"].queryset = presenter_candidates("either")
        self.fields["slot"].queryset = request.slots.order_by("starts_at")
        self.fields["slot"].label_from_instance = lambda s: time_label(s.starts_at, s.ends_at)


class ReasonForm(DkfdsForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class NotesForm(DkfdsForm):
    notes = forms.CharField(
        label=_("Notes from the meeting"),
        help_text=_("They become part of the municipality's input for the round."),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
