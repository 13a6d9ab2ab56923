from django import forms
from django.utils.translation import gettext_lazy as _


class RegistrationForm(forms.Form):
    # The session's id, not a ModelChoiceField: registration_submit checks that it is one
    # of the meeting's in the query that locks it, so the form need not ask the database.
    # The page draws the radio buttons itself, with the seats left.
    session = forms.IntegerField(
        label=_("Choose a session"),
        min_value=1,
        max_value=2**63 - 1,
        error_messages={
            "required": _("Choose one of the sessions."),
            "invalid": _("Choose one of the sessions."),
            "min_value": _("Choose one of the sessions."),
            "max_value": _("Choose one of the sessions."),
        },
    )
    question = forms.CharField(
        label=_("A question or theme for the meeting (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class LinkRequestForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"))


class AudienceForm(forms.Form):
    regions = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Only these regions"),
        widget=forms.CheckboxSelectMultiple,
    )
    municipalities = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Only these municipalities"),
        help_text=_("Leave both empty to invite every council member."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args, round, **kwargs) -> None:
        from samraad.directory.models import Municipality, Region

        super().__init__(*args, **kwargs)
        self.fields["regions"].queryset = Region.objects.valid_on(round.starts_on)
        self.fields["municipalities"].queryset = Municipality.objects.order_by("name")


class ReminderForm(forms.Form):
    reminder_at = forms.DateTimeField(
        label=_("Remind those not registered at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    day_reminder_time = forms.TimeField(
        label=_("Remind registrants on the day of their session at"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts (Copenhagen time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    ends_at = forms.DateTimeField(
        label=_("Ends (Copenhagen time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    format = forms.ChoiceField(label=_("Format"))
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1)
    join_url = forms.URLField(
        label=_("Join link"), required=False, max_length=2000, assume_scheme="https"
    )

    def __init__(self, *args, **kwargs) -> None:
        from samraad.meetings.models import SessionFormat

        super().__init__(*args, **kwargs)
        self.fields["format"].choices = SessionFormat.choices


def _local_datetime_field(label, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M:%S"),
        input_formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"],
    )


class MeetingForm(forms.Form):
    registration_opens_at = _local_datetime_field(_("Registration opens (Copenhagen time)"))
    registration_deadline = _local_datetime_field(_("Registration deadline (Copenhagen time)"))
    link_release_at = _local_datetime_field(
        _("Join links go out (Copenhagen time; empty: at the deadline)"), required=False
    )
    late_registration = forms.ChoiceField(label=_("After the deadline"))

    def __init__(self, *args, **kwargs) -> None:
        from samraad.meetings.models import LateRegistration

        super().__init__(*args, **kwargs)
        self.fields["late_registration"].choices = LateRegistration.choices
