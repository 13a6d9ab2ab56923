"""Schemathesis against the API's own OpenAPI document, in-process (WSGI).

For every operation, a bounded number of generated requests (valid and
invalid parameters) with a token holding every scope: no answer may be a
server error, and every answer must match the document (status code, content
type, body schema). Data exists behind the document's examples (round "oa26",
session 1), so the successful answers are checked too, not only the 404s.
"""

from __future__ import annotations

import hashlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings

from samraad.api.models import ApiToken, Scope
from samraad.api.services import api_token_authenticate
from samraad.api.tests.helpers import register
from samraad.councils.models import CouncilInput, InputStatus, InputVersion
from samraad.directory.models import Municipality
from samraad.meetings.models import RegistrationStatus
from samraad.rounds.models import Theme
from samraad.tests_support.factories import (
    MeetingFactory,
    RoundFactory,
    SessionFactory,
    StaffUserFactory,
)
from samraad.wsgi import application

MAX_EXAMPLES = 25


# Loaded when the module is collected (the document needs no database). Not through a
# fixture: schemathesis' lazy loader (`from_fixture`) sets a node attribute pytest 9 lacks.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


# One known token: schemathesis prepares some requests before the test's data exists, so
# the token cannot be a fresh random one; each test stores its row (see `api_data`).
PREFIX, SECRET = "5ea7e57a", "schemathesis-" + "s" * 30
TOKEN = f"sam_{PREFIX}_{SECRET}"


@schema.auth(refresh_interval=None)
class BearerToken:
    """The token as `Authorization: Bearer …`. Registered as authentication (not
    as a plain header) so that schemathesis knows the header is the credentials and leaves
    it out of the invalid requests it makes."""

    def get(self, case, context):
        return TOKEN

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture
def keep_test_connection():
    """As Django's test client does: a request must not close the test's connection, whose
    transaction holds the test data (the WSGI handler closes "old" connections)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_data(db, keep_test_connection):
    """The token with every scope, and a round behind the document's examples."""
    ApiToken.objects.create(
        user=StaffUserFactory(),
        name="schemathesis",
        prefix=PREFIX,
        secret_hash=hashlib.sha256(SECRET.encode()).hexdigest(),
        scopes=list(Scope.values),
    )
    assert api_token_authenticate(plaintext=TOKEN) is not None
    round_ = RoundFactory(slug="oa26", code="ØA26")
    session = SessionFactory(pk=1, meeting=MeetingFactory(round=round_), capacity=1)
    register(session)
    register(session, status=RegistrationStatus.WAITLISTED)
    Theme.objects.create(round=round_, key="health", name="Sundhed", name_en="Health")
    council_input = CouncilInput.objects.create(
        round=round_, municipality=Municipality.objects.get(code=101), status=InputStatus.SUBMITTED
    )
    InputVersion.objects.create(
        council_input=council_input,
        number=1,
        submitted_at=timezone.now(),
        snapshot={"economic_situation": "Stram", "ratings": [], "council_discussed": False},
    )


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_as_documented(case, api_data):
    case.call_and_validate()
