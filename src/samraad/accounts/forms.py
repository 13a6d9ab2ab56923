"""The login forms: password (rate-limited) and the two-factor code."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from samraad.accounts.throttle import (
    account_key,
    client_address,
    login_failure_record,
    login_locked,
)


def locked_message() -> ValidationError:
    """The one answer while attempts are locked: it never tells whether the account exists."""
    minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
    return ValidationError(
        ngettext(
            "Too many failed attempts to log in. For your safety, logging in is paused "
            "for a while. Try again in %(minutes)d minute.",
            "Too many failed attempts to log in. For your safety, logging in is paused "
            "for a while. Try again in %(minutes)d minutes.",
            minutes,
        )
        % {"minutes": minutes},
        code="locked",
    )


class LoginForm(AuthenticationForm):
    """Django's login form, refused unchecked while the account or the client is locked."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password")
        if not username or not password:
            return super().clean()
        account = account_key(username)
        client = client_address(self.request)
        if login_locked(account=account, client=client):
            raise locked_message()
        try:
            return super().clean()
        except ValidationError as error:
            if error.code == "invalid_login":
                login_failure_record(account=account, client=client)
            raise


class CodeForm(forms.Form):
    """The code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                "class": "form-input input-width-s",
            }
        ),
    )
