from django import forms
from django.utils.translation import gettext_lazy as _


class RegistrationForm(forms.Form):
    session = forms.ModelChoiceField(
        queryset=None,
        label=_("Choose a session"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the sessions.")},
    )
    question = forms.CharField(
        label=_("A question or theme for the meeting (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, meeting, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = meeting.sessions.order_by("starts_at")
        self.fields["session"].error_messages["invalid_choice"] = _(
            "That session is not one of this meeting's."
        )


class LinkRequestForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"))
