"""Two-factor login: who needs it, the authenticator app (TOTP) and the recovery codes.

Staff, and users whose person holds a role with a staff login (KKR secretaries,
KL's presenters), log in with their password and then a code: the 6-digit code
of an authenticator app, or one of ten single-use recovery codes. The second
step marks the session verified (django-otp's `is_verified`); every staff page
asks for that (core/permissions.py).
"""

from __future__ import annotations

import base64
import io
import time

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from samraad.directory.models import RoleKind

# Roles that log in as staff do (regional/views.py, speakers/views.py), and so need two factors.
STAFF_LOGIN_ROLES = frozenset({RoleKind.KKR_SECRETARY, RoleKind.BOARD_MEMBER, RoleKind.SECRETARIAT})
RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def two_factor_required(user) -> bool:
    """Whether `user` must pass the second step: staff, and people with a staff-login role."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    person = getattr(user, "person", None)
    if person is None:
        return False
    return person.roles.filter(kind__in=STAFF_LOGIN_ROLES).exists()


def session_verified(request: HttpRequest) -> bool:
    """Whether this request's session passed the second step (django-otp's OTPMiddleware)."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def app_device(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have set one up."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def app_device_pending(user) -> TOTPDevice:
    """The authenticator app being set up: an unconfirmed device with a fresh secret.

    The same device is returned until it is confirmed, so reloading the set-up
    page does not change the secret the user may already have scanned.
    """
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def app_secret(device: TOTPDevice) -> str:
    """The device's secret as the base32 text an authenticator app accepts typed in."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def app_qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as a QR code, an inline SVG element (no script, no style)."""
    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        scale=4,
        border=4,
        dark="#000",
        light="#fff",
        title=_("QR code for your authenticator app"),
        svgclass="totp-qr",
        lineclass=None,
    )
    return out.getvalue().decode("utf-8")


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


@transaction.atomic
def app_device_confirm(*, request: HttpRequest, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the authenticator app being set up with a code it shows, and verify the session.

    Returns the new recovery codes (to show once), or None when the code is wrong.
    """
    if device.user_id != request.user.pk or device.confirmed:
        return None
    if not device.verify_token(_normalise(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One authenticator app per user: a half-finished earlier set-up is dropped.
    TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
    codes = recovery_codes_replace(user=request.user)
    _verify_session(request, device)
    return codes


@transaction.atomic
def two_factor_verify(*, request: HttpRequest, code: str) -> StaticDevice | TOTPDevice | None:
    """Check a code from the authenticator app or a recovery code; verify the session if right.

    A recovery code works once. Returns the device that accepted the code, or None.
    """
    token = _normalise(code)
    if not token:
        return None
    # Locked rows: the same recovery code sent twice at once is accepted once.
    model = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    devices = model.objects.devices_for_user(request.user, confirmed=True).select_for_update()
    for device in devices:
        if device.verify_token(token):
            _verify_session(request, device)
            return device
    return None


def _verify_session(request: HttpRequest, device) -> None:
    # A new session key for the raised privilege, as Django does at login.
    request.session.cycle_key()
    otp_login(request, device)


@transaction.atomic
def recovery_codes_replace(*, user) -> list[str]:
    """Ten new single-use recovery codes for `user`; earlier ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_left(user) -> int:
    """How many unused recovery codes `user` has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def current_code(device: TOTPDevice) -> str:
    """The code the device's app shows now (demo mode's hint, and the tests)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def demo_device_ensure(*, user) -> TOTPDevice | None:
    """Demo mode: give a demo login that needs two factors the demo's known authenticator secret.

    Returns the device, or None for users without two-factor login.
    """
    if not two_factor_required(user):
        return None
    secret = settings.DEMO_TOTP_SECRET.replace(" ", "").upper()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
    device = app_device(user)
    if device is not None and device.key == key:
        return device
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, key=key, confirmed=True)
