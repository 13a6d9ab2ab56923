"""Tokens and scopes: who may call what, and the problem details every refusal is."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from samraad.api.models import ApiToken, Scope
from samraad.api.services import api_token_authenticate, api_token_create, api_token_revoke
from samraad.api.tests.helpers import bearer, token_for
from samraad.core.errors import ServiceError
from samraad.tests_support.factories import RoundFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

ROUNDS = "/api/rounds"


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = json.loads(response.content)
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["type"]
    return body


def test_a_valid_token_reads_rounds(client):
    RoundFactory(code="ØA26", slug="oa26")
    response = client.get(ROUNDS, **bearer(token_for()))
    assert response.status_code == 200
    assert [r["slug"] for r in response.json()["items"]] == ["oa26"]


def test_no_token_is_401_problem_with_a_challenge(client):
    response = client.get(ROUNDS)
    body = problem(response, 401)
    assert body["type"] == "urn:samraad:problem:invalid-token"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer nonsense",
        "Bearer sam_00000000_" + "x" * 43,
        "Basic dXNlcjpwYXNz",
        "Bearer ",
    ],
)
def test_a_bad_token_is_401_problem(client, header):
    token_for()
    problem(client.get(ROUNDS, HTTP_AUTHORIZATION=header), 401)


def test_the_right_prefix_with_a_wrong_secret_is_401(client):
    plaintext = token_for()
    forged = f"{plaintext[:12]}_{'A' * 43}"  # "sam_" and the 8-character prefix
    assert forged != plaintext
    problem(client.get(ROUNDS, **bearer(forged)), 401)


def test_a_token_without_the_scope_is_403_problem(client):
    round_ = RoundFactory()
    plaintext = token_for(scopes=[Scope.ROUNDS_READ])
    assert client.get(f"/api/rounds/{round_.slug}/sessions", **bearer(plaintext)).status_code == 200
    for path in ("coverage", "inputs", "themes"):
        body = problem(client.get(f"/api/rounds/{round_.slug}/{path}", **bearer(plaintext)), 403)
        assert body["type"] == "urn:samraad:problem:missing-scope"


def test_registrations_need_their_own_scope(client):
    from samraad.api.tests.helpers import meeting_with_registrations

    round_, session, _second = meeting_with_registrations()
    url = f"/api/rounds/{round_.slug}/sessions/{session.pk}/registrations"
    client.cookies["samraad_language"] = "en"
    body = problem(client.get(url, **bearer(token_for(scopes=[Scope.ROUNDS_READ]))), 403)
    assert "registrations:read" in body["detail"]
    ok = client.get(url, **bearer(token_for(scopes=[Scope.REGISTRATIONS_READ])))
    assert ok.status_code == 200


def test_a_revoked_token_stops_working(client):
    user = StaffUserFactory()
    created = api_token_create(user=user, name="x", scopes=[Scope.ROUNDS_READ])
    assert client.get(ROUNDS, **bearer(created.plaintext)).status_code == 200
    api_token_revoke(token=created.token, by=user)
    problem(client.get(ROUNDS, **bearer(created.plaintext)), 401)


def test_an_expired_token_stops_working(client, monkeypatch):
    expires = timezone.now() + datetime.timedelta(hours=1)
    plaintext = token_for(scopes=[Scope.ROUNDS_READ], expires_at=expires)
    assert client.get(ROUNDS, **bearer(plaintext)).status_code == 200
    later = expires + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    problem(client.get(ROUNDS, **bearer(plaintext)), 401)


@pytest.mark.parametrize("change", [{"is_active": False}, {"is_staff": False}])
def test_a_token_works_only_while_its_owner_is_active_staff(client, change):
    user = StaffUserFactory()
    plaintext = token_for(user, scopes=[Scope.ROUNDS_READ])
    assert client.get(ROUNDS, **bearer(plaintext)).status_code == 200
    for name, value in change.items():
        setattr(user, name, value)
    user.save()
    problem(client.get(ROUNDS, **bearer(plaintext)), 401)


def test_an_admin_revokes_another_users_token(client):
    owner = StaffUserFactory()
    created = api_token_create(user=owner, name="x", scopes=[Scope.ROUNDS_READ])
    admin = StaffUserFactory(is_superuser=True)
    api_token_revoke(token=created.token, by=admin)
    created.token.refresh_from_db()
    assert created.token.revoked_by == admin
    problem(client.get(ROUNDS, **bearer(created.plaintext)), 401)


def test_a_colleague_cannot_revoke_someone_elses_token():
    created = api_token_create(user=StaffUserFactory(), name="x", scopes=[Scope.ROUNDS_READ])
    with pytest.raises(ServiceError) as refused:
        api_token_revoke(token=created.token, by=StaffUserFactory())
    assert refused.value.code == "not_found"
    created.token.refresh_from_db()
    assert created.token.revoked_at is None


def test_only_a_hash_of_the_secret_is_stored():
    created = api_token_create(user=StaffUserFactory(), name="x", scopes=[Scope.ROUNDS_READ])
    secret = created.plaintext.split("_", 2)[2]
    row = ApiToken.objects.get()
    assert secret not in json.dumps(
        {f.name: str(getattr(row, f.attname)) for f in ApiToken._meta.fields}
    )
    assert created.plaintext.startswith(f"sam_{row.prefix}_")


def test_authentication_records_last_use_at_most_once_a_minute(django_assert_num_queries):
    created = api_token_create(user=StaffUserFactory(), name="x", scopes=[Scope.ROUNDS_READ])
    with django_assert_num_queries(2):  # the lookup and the update
        assert api_token_authenticate(plaintext=created.plaintext) == created.token
    with django_assert_num_queries(1):
        assert api_token_authenticate(plaintext=created.plaintext) == created.token
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"scopes": []}, "no_scope"),
        ({"scopes": ["rounds:write"]}, "scope"),
        ({"name": "  "}, "name"),
        ({"expires_at": timezone.now() - datetime.timedelta(seconds=1)}, "expiry"),
    ],
)
def test_token_creation_refuses_bad_input(kwargs, code):
    arguments = {"user": StaffUserFactory(), "name": "x", "scopes": [Scope.ROUNDS_READ], **kwargs}
    with pytest.raises(ServiceError) as refused:
        api_token_create(**arguments)
    assert refused.value.code == code


def test_only_staff_get_tokens():
    with pytest.raises(ServiceError):
        api_token_create(user=UserFactory(), name="x", scopes=[Scope.ROUNDS_READ])
