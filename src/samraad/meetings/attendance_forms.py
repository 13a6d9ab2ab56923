"""Forms of the attendance pages. Sizes and business rules are checked by the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from samraad.directory.models import Person, RoleKind


class AttendanceUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Attendance report"),
        help_text=_(
            "The .csv file Teams downloads under Attendance (UTF-16 or UTF-8, also re-saved "
            "from Excel as CSV)."
        ),
        error_messages={
            "required": _("Choose the report's file."),
            "empty": _("The file is empty."),
        },
    )


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("For example: KL secretariat, not identified, not a council member."),
        error_messages={"required": _("Give a reason for dismissing the row.")},
    )


class MatchForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=Person.objects.with_role(RoleKind.COUNCIL_MEMBER),
        label=_("Council member"),
        error_messages={
            "required": _("Choose the council member."),
            "invalid_choice": _("Choose one of the council members found."),
        },
    )


class MatchSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name or email"), required=False, max_length=200)
