"""Staff login: password, then the second factor; after that each role lands on its own page.

Staff and the roles with a staff login (two_factor.two_factor_required) pass a
second step after the password: the code of their authenticator app, or a
recovery code. Someone without an authenticator app sets one up first. Both
steps are rate-limited per account and per client address (throttle.py).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from samraad.accounts import two_factor
from samraad.accounts.forms import CodeForm, LoginForm, locked_message
from samraad.accounts.throttle import (
    account_key,
    client_address,
    login_failure_record,
    login_failures_clear,
    login_locked,
    user_key,
)
from samraad.directory.models import RoleKind

# Where the recovery codes wait between the step that made them and the page that shows them once.
FRESH_CODES_SESSION_KEY = "samraad_fresh_recovery_codes"


def start_page(user) -> str:
    """Where a user begins: the back office for staff, their own pages for the other roles."""
    if user.is_staff:
        return reverse("core:staff_home")
    person = getattr(user, "person", None)
    kinds = set(person.roles.values_list("kind", flat=True)) if person else set()
    if RoleKind.KKR_SECRETARY in kinds:
        return reverse("regional:index")
    if kinds & {RoleKind.BOARD_MEMBER, RoleKind.SECRETARIAT}:
        return reverse("speakers:engagements")
    return reverse("rounds:current")


def _next_url(request: HttpRequest) -> str:
    """The page to go on to: a safe `next` from the request, or the user's start page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return start_page(request.user)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def second_step_url(request: HttpRequest, next_url: str) -> str:
    """Where a logged-in user goes for the second step: the code, or setting up the app."""
    target = "accounts:verify" if two_factor.app_device(request.user) else "accounts:setup"
    return _with_next(target, next_url)


class LoginView(auth_views.LoginView):
    """The password step. Users who need two factors continue to the code."""

    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return start_page(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEMO_MODE:
            context["demo_totp_secret"] = settings.DEMO_TOTP_SECRET
        return context

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        if two_factor.two_factor_required(user):
            # The account's failures are forgotten only after the second step: a
            # right password must not reset the count of wrong codes.
            return redirect(second_step_url(self.request, self.get_success_url()))
        login_failures_clear(account=account_key(user.get_username()))
        return response


def _second_step_refusal(request: HttpRequest) -> HttpResponse | None:
    """Send away those who have no business with the second step; None for the rest."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not two_factor.two_factor_required(request.user):
        return redirect(_next_url(request))
    return None


def _check_code(request: HttpRequest, form: CodeForm, attempt) -> object | None:
    """Run `attempt(code)` unless locked; count a wrong code. The result, or None (form has why)."""
    account = user_key(request.user)
    client = client_address(request)
    if login_locked(account=account, client=client):
        form.add_error(None, locked_message())
        return None
    result = attempt(form.cleaned_data["code"])
    if not result:
        login_failure_record(account=account, client=client)
        # A wrong code is a failed login like a wrong password (the audit log records both).
        user_login_failed.send(
            sender=__name__,
            credentials={"username": request.user.get_username(), "step": "two-factor code"},
            request=request,
        )
        form.add_error(
            "code",
            _(
                "That code is not right. Type the 6-digit code your app shows now, "
                "or one of your recovery codes."
            ),
        )
        return None
    login_failures_clear(account=account)
    return result


def _demo_code(device) -> str | None:
    return two_factor.current_code(device) if settings.DEMO_MODE and device else None


@sensitive_post_parameters("code")
@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step: the authenticator app's code, or a recovery code."""
    if refusal := _second_step_refusal(request):
        return refusal
    next_url = _next_url(request)
    if two_factor.session_verified(request):
        return redirect(next_url)
    device = two_factor.app_device(request.user)
    if device is None:
        return redirect(_with_next("accounts:setup", next_url))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        used = _check_code(
            request, form, lambda code: two_factor.two_factor_verify(request=request, code=code)
        )
        if used is not None:
            if used.persistent_id != device.persistent_id:
                left = two_factor.recovery_codes_left(request.user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code. You have %(left)d left.",
                        "You used a recovery code. You have %(left)d left.",
                        left,
                    )
                    % {"left": left},
                )
            return redirect(next_url)
    return render(
        request,
        "accounts/verify.html",
        {"form": form, "next": next_url, "demo_code": _demo_code(device)},
    )


@sensitive_post_parameters("code")
@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: its secret as a QR code and as text, confirmed with a code."""
    if refusal := _second_step_refusal(request):
        return refusal
    next_url = _next_url(request)
    if two_factor.app_device(request.user) is not None:
        return redirect(_with_next("accounts:verify", next_url))
    device = two_factor.app_device_pending(request.user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        codes = _check_code(
            request,
            form,
            lambda code: two_factor.app_device_confirm(request=request, device=device, code=code),
        )
        if codes is not None:
            request.session[FRESH_CODES_SESSION_KEY] = codes
            return redirect(_with_next("accounts:recovery_codes", next_url))
    return render(
        request,
        "accounts/setup.html",
        {
            "form": form,
            "next": next_url,
            "secret": two_factor.app_secret(device),
            "config_url": device.config_url,
            "qr_svg": two_factor.app_qr_svg(device),
            "demo_code": _demo_code(device),
        },
    )


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once; making new ones makes the old ones stop working."""
    if refusal := _second_step_refusal(request):
        return refusal
    next_url = _next_url(request)
    if not two_factor.session_verified(request):
        return redirect(second_step_url(request, request.get_full_path()))
    if request.method == "POST":
        request.session[FRESH_CODES_SESSION_KEY] = two_factor.recovery_codes_replace(
            user=request.user
        )
        return redirect(_with_next("accounts:recovery_codes", next_url))
    return render(
        request,
        "accounts/recovery_codes.html",
        {
            "codes": request.session.pop(FRESH_CODES_SESSION_KEY, None),
            "left": two_factor.recovery_codes_left(request.user),
            "next": next_url,
        },
    )
