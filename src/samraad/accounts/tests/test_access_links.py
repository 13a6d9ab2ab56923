"""Personal links: what resolving one records, and how often it writes."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samraad.accounts.models import AccessLink, AccessPurpose
from samraad.accounts.services import access_link_create, access_link_resolve
from samraad.directory.models import Municipality, RoleKind
from samraad.directory.services import person_upsert
from samraad.tests_support.factories import RoundFactory


@pytest.fixture
def token(db):
    today = timezone.localdate()
    round_ = RoundFactory(
        starts_on=today - datetime.timedelta(days=30), ends_on=today + datetime.timedelta(days=90)
    )
    person = person_upsert(
        email="karen@aarhus.dk",
        name="Karen Prøvesen",
        roles=[RoleKind.COUNCIL_MEMBER],
        municipality=Municipality.objects.get(code=751),
    )
    return access_link_create(round=round_, person=person, purpose=AccessPurpose.MEMBER)


def resolve(token: str) -> list[str]:
    """Resolve `token`; the SQL of the writes it made."""
    with CaptureQueriesContext(connection) as queries:
        access_link_resolve(token=token, purpose=AccessPurpose.MEMBER)
    return [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]


def test_the_first_use_is_recorded_and_kept(token):
    assert len(resolve(token)) == 1
    link = AccessLink.objects.get()
    assert link.first_used_at is not None
    assert link.last_used_at == link.first_used_at
    first = link.first_used_at
    AccessLink.objects.update(last_used_at=first - datetime.timedelta(minutes=5))
    assert len(resolve(token)) == 1
    link.refresh_from_db()
    assert link.first_used_at == first
    assert link.last_used_at > first


def test_uses_within_a_minute_write_nothing_more(token):
    # Opening the page and registering from it: one write, not one per request.
    assert len(resolve(token)) == 1
    assert resolve(token) == []
    assert resolve(token) == []
