"""The staff page for API tokens: create (the secret shown once), list, revoke."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samraad.api.models import ApiToken, Scope
from samraad.api.services import api_token_authenticate, api_token_create
from samraad.tests_support.factories import StaffUserFactory, UserFactory
from samraad.tests_support.login import log_in_verified

pytestmark = pytest.mark.django_db

URL = "/staff/api-tokens/"


@pytest.fixture
def english(client):
    client.cookies["samraad_language"] = "en"


def test_the_page_needs_a_staff_login(client):
    assert client.get(URL).status_code == 302
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 403


def test_staff_create_a_token_and_see_its_secret_once(staff_client, staff_user, english):
    response = staff_client.post(
        URL, {"name": "Intranet", "scopes": [Scope.ROUNDS_READ, Scope.COVERAGE_READ]}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    token = ApiToken.objects.get()
    assert token.user == staff_user
    assert token.scopes == [Scope.COVERAGE_READ, Scope.ROUNDS_READ]
    plaintext = response.context["created"].plaintext
    assert plaintext.encode() in response.content
    assert api_token_authenticate(plaintext=plaintext) == token
    later = staff_client.get(URL)
    assert plaintext.encode() not in later.content
    assert f"sam_{token.prefix}_".encode() in later.content
    assert b"Intranet" in later.content


def test_a_token_needs_a_name_and_a_scope(staff_client, english):
    response = staff_client.post(URL, {"name": "", "scopes": []})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert response.context["form"].errors.keys() == {"name", "scopes"}


def test_an_expiry_in_the_past_is_refused(staff_client, english):
    response = staff_client.post(
        URL, {"name": "x", "scopes": [Scope.ROUNDS_READ], "expires_on": "2020-01-01"}
    )
    assert "expires_on" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_an_expiry_date_ends_with_that_day(staff_client):
    staff_client.post(URL, {"name": "x", "scopes": [Scope.ROUNDS_READ], "expires_on": "2099-05-01"})
    token = ApiToken.objects.get()
    assert token.expires_at.isoformat() == "2099-05-01T22:00:00+00:00"  # midnight in Copenhagen


def test_staff_see_and_revoke_only_their_own_tokens(staff_client, staff_user):
    own = api_token_create(user=staff_user, name="Mine", scopes=[Scope.ROUNDS_READ]).token
    other = api_token_create(user=StaffUserFactory(), name="Theirs", scopes=["rounds:read"]).token
    page = staff_client.get(URL)
    assert b"Mine" in page.content
    assert b"Theirs" not in page.content
    refused = staff_client.post(reverse("api_tokens:revoke", args=[other.pk]))
    assert refused.status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None
    done = staff_client.post(reverse("api_tokens:revoke", args=[own.pk]))
    assert done.status_code == 302
    own.refresh_from_db()
    assert own.revoked_at is not None
    assert staff_client.get(reverse("api_tokens:revoke", args=[own.pk])).status_code == 405


def test_an_admin_sees_and_revokes_every_token(client):
    other = api_token_create(user=StaffUserFactory(), name="Theirs", scopes=["rounds:read"]).token
    admin = StaffUserFactory(is_superuser=True)
    log_in_verified(client, admin)
    assert b"Theirs" in client.get(URL).content
    assert client.post(reverse("api_tokens:revoke", args=[other.pk])).status_code == 302
    other.refresh_from_db()
    assert other.revoked_by == admin
