"""Fixtures for the speaker-request tests: a round, two municipalities, contacts and presenters."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from samraad.accounts.models import AccessPurpose, User
from samraad.accounts.services import access_link_create
from samraad.directory.models import Municipality, Person, RoleKind
from samraad.directory.services import person_upsert
from samraad.rounds.models import Round
from samraad.speakers.models import MeetingFormat, PresenterKind, SpeakerRequest
from samraad.speakers.services import speaker_request_create
from samraad.tests_support.factories import RoundFactory, UserFactory

PASSWORD = "correct horse battery staple"


def in_days(
    days: int, hour: int = 17, minutes: int = 60
) -> tuple[datetime.datetime, datetime.datetime]:
    """A slot `days` from now at `hour` o'clock Copenhagen time, `minutes` long."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return start, start + datetime.timedelta(minutes=minutes)


@dataclass
class World:
    round: Round
    aarhus: Municipality
    odense: Municipality
    aarhus_contact: Person
    aarhus_contact2: Person
    odense_contact: Person
    board: Person  # on KL's board
    secretariat: Person  # in KL's secretariat
    board_user: User
    secretariat_user: User

    def request(self, municipality: Municipality | None = None, **kwargs) -> SpeakerRequest:
        values = {
            "round": self.round,
            "municipality": municipality or self.aarhus,
            "requested_by": self.aarhus_contact,
            "presenter_kind": PresenterKind.EITHER,
            "meeting_format": MeetingFormat.IN_PERSON,
            "address": "Rådhuspladsen 2, 8000 Aarhus C",
            "topic": "ØA og kommunens økonomi",
            "audience": "Byrådet",
            "slots": [in_days(10)],
        }
        values.update(kwargs)
        return speaker_request_create(**values)

    def contact_token(self, person: Person) -> str:
        return access_link_create(
            round=self.round, person=person, purpose=AccessPurpose.MUNICIPAL_CONTACT
        )


def make_world() -> World:
    today = timezone.localdate()
    round_ = RoundFactory(
        starts_on=today - datetime.timedelta(days=30), ends_on=today + datetime.timedelta(days=120)
    )
    aarhus = Municipality.objects.get(code=751)
    odense = Municipality.objects.get(code=461)
    contact = RoleKind.MUNICIPAL_CONTACT
    board = person_upsert(
        email="borgmester@kl.example", name="Bente Bestyrelse", roles=[RoleKind.BOARD_MEMBER]
    )
    secretariat = person_upsert(
        email="sekretariat@kl.example", name="Søren Sekretariat", roles=[RoleKind.SECRETARIAT]
    )
    return World(
        round=round_,
        aarhus=aarhus,
        odense=odense,
        aarhus_contact=person_upsert(
            email="kontakt@aarhus.dk", name="Karen Kontakt", roles=[contact], municipality=aarhus
        ),
        aarhus_contact2=person_upsert(
            email="kontakt2@aarhus.dk", name="Kurt Kontakt", roles=[contact], municipality=aarhus
        ),
        odense_contact=person_upsert(
            email="kontakt@odense.dk", name="Olga Kontakt", roles=[contact], municipality=odense
        ),
        board=board,
        secretariat=secretariat,
        board_user=UserFactory(username="bente", person=board),
        secretariat_user=UserFactory(username="soeren", person=secretariat),
    )


@pytest.fixture
def world(db) -> World:
    return make_world()
