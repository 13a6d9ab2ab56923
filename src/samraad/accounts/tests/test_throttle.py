"""The login rate limit: per account and per client, on both steps, with one message."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse

from samraad.accounts.models import LoginFailure
from samraad.accounts.throttle import client_address
from samraad.tests_support.factories import StaffUserFactory, UserFactory
from samraad.tests_support.login import PASSWORD, totp_code, verified_device

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:verify")
LOCKED = "Too many failed attempts to log in."
WRONG = "Please enter a correct username and password."


@pytest.fixture
def english(client):
    client.cookies["samraad_language"] = "en"
    return client


def attempt(client, username, password, address="192.0.2.1"):
    response = client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)
    return response.content.decode() if response.status_code == 200 else response


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(english, db):
    user = UserFactory()
    for _ in range(5):
        assert WRONG in attempt(english, user.username, "wrong")
    locked = attempt(english, user.username, PASSWORD)
    assert LOCKED in locked and WRONG not in locked
    assert "_auth_user_id" not in english.session
    # Locked attempts are not counted: the lock ends when the window has passed.
    assert LoginFailure.objects.count() == 10
    LoginFailure.objects.update(created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    assert attempt(english, user.username, PASSWORD)["Location"] == reverse("rounds:current")


def test_the_answers_are_the_same_for_an_account_that_does_not_exist(english, db):
    user = UserFactory(username="kendt@kl.dk")
    known = [attempt(english, user.username, "wrong") for _ in range(6)]
    unknown = [attempt(english, "ukendt@kl.dk", "wrong") for _ in range(6)]
    for answers in (known, unknown):
        assert all(WRONG in answer and LOCKED not in answer for answer in answers[:5])
        assert LOCKED in answers[5]

    # The pages differ only in the name typed back into the form (and the CSRF token's mask).
    def same(page, name):
        return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", page).replace(name, "X")

    assert same(known[5], "kendt@kl.dk") == same(unknown[5], "ukendt@kl.dk")


def test_the_account_name_is_matched_without_case_or_spaces(english, db):
    user = UserFactory(username="mette@kl.dk")
    for _ in range(5):
        attempt(english, " METTE@kl.dk", "wrong")
    assert LOCKED in attempt(english, user.username, PASSWORD)


@override_settings(LOGIN_FAILURES_PER_CLIENT=3)
def test_one_client_trying_many_accounts_is_locked_and_others_are_not(english, db):
    user = UserFactory()
    for n in range(3):
        assert WRONG in attempt(english, f"guess{n}@kl.dk", "wrong")
    assert LOCKED in attempt(english, user.username, PASSWORD)
    other = attempt(english, user.username, PASSWORD, address="198.51.100.7")
    assert other["Location"] == reverse("rounds:current")


def test_a_successful_login_forgets_the_accounts_failures(english, db):
    user = UserFactory()
    for _ in range(4):
        attempt(english, user.username, "wrong")
    assert attempt(english, user.username, PASSWORD).status_code == 302
    english.post(reverse("accounts:logout"))
    for _ in range(4):
        assert WRONG in attempt(english, user.username, "wrong", address="198.51.100.7")
    assert attempt(english, user.username, PASSWORD, address="203.0.113.9").status_code == 302


def test_five_wrong_codes_lock_the_code_step(english, db):
    user = StaffUserFactory()
    device = verified_device(user)
    assert attempt(english, user.username, PASSWORD)["Location"].startswith(VERIFY)
    for _ in range(5):
        page = english.post(VERIFY, {"code": "000000"}).content.decode()
        assert "That code is not right" in page
    locked = english.post(VERIFY, {"code": totp_code(device)})
    assert locked.status_code == 200
    assert LOCKED in locked.content.decode()
    assert english.get(reverse("core:staff_home")).status_code == 302
    # A right password does not reset the count of wrong codes.
    english.post(reverse("accounts:logout"))
    assert LOCKED in attempt(english, user.username, PASSWORD)


def test_a_wrong_password_then_wrong_codes_add_up(english, db):
    user = StaffUserFactory()
    verified_device(user)
    for _ in range(2):
        attempt(english, user.username, "wrong")
    attempt(english, user.username, PASSWORD)
    for _ in range(3):
        english.post(VERIFY, {"code": "abcdefgh"})
    assert LOCKED in english.post(VERIFY, {"code": "000000"}).content.decode()


@pytest.mark.parametrize(
    "hops,forwarded,expected",
    [
        (0, "203.0.113.5", "10.0.0.1"),
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, "203.0.113.5", "10.0.0.1"),
    ],
)
def test_the_client_address_behind_trusted_proxies(hops, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_COUNT=hops):
        assert client_address(request) == expected
