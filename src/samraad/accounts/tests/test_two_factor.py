"""Two-factor login: the code step, recovery codes, setting up the app, and who is let in."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from samraad.accounts import two_factor
from samraad.directory.models import Region, RoleKind
from samraad.directory.services import person_upsert
from samraad.tests_support.factories import StaffUserFactory, UserFactory
from samraad.tests_support.login import PASSWORD, log_in_verified, totp_code, verified_device

VERIFY = reverse("accounts:verify")
SETUP = reverse("accounts:setup")
CODES = reverse("accounts:recovery_codes")
STAFF_HOME = reverse("core:staff_home")


@pytest.fixture
def english(client):
    client.cookies["samraad_language"] = "en"
    return client


def password_step(client, user, next_url=STAFF_HOME):
    return client.post(
        reverse("accounts:login") + f"?next={quote(next_url)}",
        {"username": user.username, "password": PASSWORD, "next": next_url},
    )


def test_staff_with_an_app_enter_its_code_after_the_password(english, db):
    user = StaffUserFactory()
    device = verified_device(user)
    response = password_step(english, user)
    assert response["Location"] == f"{VERIFY}?next=%2Fstaff%2F"
    # Logged in but not verified: the back office sends them back to the code.
    assert english.get(STAFF_HOME)["Location"] == f"{VERIFY}?next=%2Fstaff%2F"

    wrong = english.post(VERIFY, {"code": "000000", "next": STAFF_HOME})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    assert english.get(STAFF_HOME).status_code == 302

    right = english.post(VERIFY, {"code": totp_code(device), "next": STAFF_HOME})
    assert right["Location"] == STAFF_HOME
    assert english.get(STAFF_HOME).status_code == 200


def test_a_code_works_only_once(english, db):
    user = StaffUserFactory()
    device = verified_device(user)
    code = totp_code(device)
    password_step(english, user)
    assert english.post(VERIFY, {"code": code})["Location"] == STAFF_HOME
    english.post(reverse("accounts:logout"))
    password_step(english, user)
    again = english.post(VERIFY, {"code": code})
    assert again.status_code == 200
    assert "That code is not right" in again.content.decode()


def test_the_session_gets_a_new_key_when_verified(client, db):
    user = StaffUserFactory()
    device = verified_device(user)
    password_step(client, user)
    before = client.session.session_key
    client.post(VERIFY, {"code": totp_code(device)})
    assert client.session.session_key != before


def test_a_recovery_code_works_once(english, db):
    user = StaffUserFactory()
    verified_device(user)
    codes = two_factor.recovery_codes_replace(user=user)
    assert len(codes) == 10 == len(set(codes))

    password_step(english, user)
    response = english.post(VERIFY, {"code": codes[3].upper()}, follow=True)
    assert response.redirect_chain[0][0] == STAFF_HOME
    assert "You used a recovery code. You have 9 left." in response.content.decode()

    english.post(reverse("accounts:logout"))
    password_step(english, user)
    reused = english.post(VERIFY, {"code": codes[3]})
    assert reused.status_code == 200
    assert "That code is not right" in reused.content.decode()
    assert english.post(VERIFY, {"code": codes[4]})["Location"] == STAFF_HOME
    assert two_factor.recovery_codes_left(user) == 8


def test_setting_up_the_app_then_recovery_codes_shown_once(english, db):
    user = StaffUserFactory(username="mette@kl.dk")
    response = password_step(english, user)
    assert response["Location"] == f"{SETUP}?next=%2Fstaff%2F"
    assert english.get(VERIFY)["Location"].startswith(SETUP)

    page = english.get(response["Location"]).content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert two_factor.app_secret(device) in page
    assert "otpauth://totp/Samr%C3%A5d%3Amette%40kl.dk?secret=" in page.replace("&amp;", "&")
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert "<path" in svg and "style=" not in svg and "<script" not in svg
    # Reloading keeps the secret the user may already have scanned.
    english.get(response["Location"])
    assert TOTPDevice.objects.get(user=user, confirmed=False).pk == device.pk

    wrong = english.post(SETUP, {"code": "123", "next": STAFF_HOME})
    assert "That code is not right" in wrong.content.decode()
    assert english.get(STAFF_HOME).status_code == 302

    confirmed = english.post(SETUP, {"code": two_factor.current_code(device), "next": STAFF_HOME})
    assert confirmed["Location"] == f"{CODES}?next=%2Fstaff%2F"
    device.refresh_from_db()
    assert device.confirmed
    assert english.get(STAFF_HOME).status_code == 200  # verified by the set-up

    shown = english.get(confirmed["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown)
    assert len(codes) == 10
    assert 'href="/staff/"' in shown
    again = english.get(confirmed["Location"]).content.decode()
    assert not re.findall(r"<li><code>", again)
    assert "You have 10 unused recovery codes." in again

    english.post(reverse("accounts:logout"))
    password_step(english, user)
    assert english.post(VERIFY, {"code": codes[0]})["Location"] == STAFF_HOME


def test_new_recovery_codes_replace_the_old(english, db):
    user = StaffUserFactory()
    old = two_factor.recovery_codes_replace(user=user)
    log_in_verified(english, user)
    response = english.post(CODES, {"next": STAFF_HOME})
    assert response["Location"] == f"{CODES}?next=%2Fstaff%2F"
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", english.get(CODES).content.decode())
    assert len(new) == 10 and not set(new) & set(old)

    english.post(reverse("accounts:logout"))
    password_step(english, user)
    assert english.post(VERIFY, {"code": old[0]}).status_code == 200
    assert english.post(VERIFY, {"code": new[0]})["Location"] == STAFF_HOME


def test_recovery_codes_page_needs_a_verified_session(client, db):
    user = StaffUserFactory()
    verified_device(user)
    client.force_login(user)
    assert client.post(CODES)["Location"].startswith(VERIFY)
    assert two_factor.recovery_codes_left(user) == 0


def test_users_without_a_staff_login_role_need_no_code(client, db):
    person = person_upsert(
        email="m@x.dk",
        name="Medlem",
        roles=[RoleKind.COUNCIL_MEMBER],
        municipality=Region.objects.get(code=1081).municipalities.first(),
    )
    user = UserFactory(person=person)
    response = password_step(client, user, next_url="/")
    assert response["Location"] == "/"
    assert client.get(VERIFY)["Location"] == reverse("rounds:current")


def test_an_unverified_kkr_secretary_is_sent_to_the_code(client, db):
    person = person_upsert(
        email="kkr@kl.dk",
        name="KKR",
        roles=[RoleKind.KKR_SECRETARY],
        region=Region.objects.get(code=1081),
    )
    user = UserFactory(person=person)
    verified_device(user)
    client.force_login(user)
    assert client.get(reverse("regional:index"))["Location"] == f"{VERIFY}?next=%2Fkkr%2F"
    log_in_verified(client, user)
    assert client.get(reverse("regional:index")).status_code == 200


def test_the_admin_needs_a_verified_session(client, db):
    admin = StaffUserFactory(is_superuser=True)
    verified_device(admin)
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    # Its login page hands over to Samråd's login.
    assert client.get("/admin/login/?next=/admin/")["Location"] == (
        reverse("accounts:login") + "?next=/admin/"
    )
    client.force_login(admin)
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/login/?next=/admin/")["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    assert client.get("/admin/accounts/user/").status_code == 302

    log_in_verified(client, admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


def test_the_admin_refuses_verified_users_who_are_not_staff(client, db):
    log_in_verified(client, UserFactory())
    assert client.get("/admin/login/?next=/admin/").status_code == 403


@override_settings(DEMO_MODE=True)
def test_demo_mode_shows_the_code_and_the_demo_key(english, db):
    user = StaffUserFactory()
    device = two_factor.demo_device_ensure(user=user)
    assert two_factor.app_secret(device) == "SAMRAADDEMOSAMRAADDEMOSAMRAADDEM"
    assert two_factor.demo_device_ensure(user=user).pk == device.pk
    assert (
        "SAMRAADDEMOSAMRAADDEMOSAMRAADDEM"
        in english.get(reverse("accounts:login")).content.decode()
    )
    password_step(english, user)
    page = english.get(VERIFY).content.decode()
    assert f"Demo: the code now is {two_factor.current_code(device)}." in page
    assert two_factor.demo_device_ensure(user=UserFactory()) is None


@override_settings(DEMO_MODE=False)
def test_outside_demo_mode_no_code_or_key_is_shown(english, db):
    user = StaffUserFactory()
    verified_device(user)
    assert "SAMRAADDEMO" not in english.get(reverse("accounts:login")).content.decode()
    password_step(english, user)
    assert "Demo:" not in english.get(VERIFY).content.decode()


def test_a_wrong_code_is_a_failed_login_in_the_audit_log(english, db):
    from samraad.audit.models import AuditAction, AuditEvent

    user = StaffUserFactory()
    verified_device(user)
    password_step(english, user)

    english.post(VERIFY, {"code": "000000", "next": STAFF_HOME})

    (event,) = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert event.object_id == str(user.pk)
    assert event.path == VERIFY
