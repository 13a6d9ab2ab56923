"""Tokens and data for the API's tests."""

from __future__ import annotations

import datetime

from samraad.api.models import Scope
from samraad.api.services import api_token_create
from samraad.core.timeutils import local_datetime
from samraad.directory.models import Municipality
from samraad.meetings.models import Registration, RegistrationStatus
from samraad.tests_support.factories import PersonFactory, SessionFactory, StaffUserFactory

ALL_SCOPES = list(Scope.values)


def bearer(plaintext: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def token_for(user=None, *, scopes=ALL_SCOPES, expires_at=None) -> str:
    """The plaintext of a new token (of a new staff user unless `user` is given)."""
    user = user or StaffUserFactory()
    return api_token_create(
        user=user, name="Intranet", scopes=scopes, expires_at=expires_at
    ).plaintext


def register(session, person=None, *, status=RegistrationStatus.CONFIRMED) -> Registration:
    return Registration.objects.create(
        meeting=session.meeting,
        session=session,
        person=person or PersonFactory(),
        status=status,
        waitlisted_at=local_datetime(2025, 3, 1, 12)
        if status == RegistrationStatus.WAITLISTED
        else None,
    )


def meeting_with_registrations():
    """A round whose meeting has two sessions: the first with 2 confirmed, 1 waitlisted and
    1 cancelled registration (one of them from Aarhus), the second empty."""
    first = SessionFactory(capacity=2)
    second = SessionFactory(
        meeting=first.meeting,
        starts_at=first.starts_at + datetime.timedelta(days=3),
        ends_at=first.ends_at + datetime.timedelta(days=3),
    )
    aarhus = Municipality.objects.get(code=751)
    register(
        first, PersonFactory(name="Søren Ågesen", email="soren@aarhus.dk", municipality=aarhus)
    )
    register(first)
    register(first, status=RegistrationStatus.WAITLISTED)
    register(first, status=RegistrationStatus.CANCELLED)
    return first.meeting.round, first, second
