"""Logging users in for tests, two-factor included (not used by the product itself).

`log_in_verified(client, user)` is `client.force_login(user)` plus a verified
second step: what a staff user has after password and code. Browser journeys
log in through the pages with `browser_log_in(page, user)`.
"""

from __future__ import annotations

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from samraad.accounts.two_factor import APP_DEVICE_NAME

# The password UserFactory gives every user.
PASSWORD = "correct horse battery staple"  # noqa: S105 (the factories' test password)
# The authenticator secret of the test devices (hex), RFC 6238's test key.
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


def verified_device(user) -> TOTPDevice:
    """The user's confirmed authenticator app, created with the test key if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=APP_DEVICE_NAME, key=TEST_TOTP_KEY, confirmed=True
        )
    return device


def totp_code(device: TOTPDevice) -> str:
    """A code the device accepts now: the current one, or the next if the current one was used.

    (A TOTP code works once; a user logging in twice within 30 seconds needs the next.)
    """
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    step = max(totp.t(), device.last_t + 1)
    totp.time = (step - device.drift) * device.step + device.t0
    return f"{totp.token():0{device.digits}d}"


def log_in_verified(client: Client, user) -> Client:
    """Log `user` in on the test client with a verified second factor (like force_login)."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
    session.save()
    return client


def browser_log_in(page, user, *, password: str = PASSWORD) -> None:
    """On the login page the browser shows, log `user` in with password and authenticator code.

    Language-neutral (it finds fields by id), so journeys in Danish and English share it.
    """
    device = verified_device(user)
    page.locator("#id_username").fill(user.get_username())
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").first.click()
    page.locator("#id_code").fill(totp_code(device))
    page.locator("main form button[type=submit]").first.click()
