from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from samraad.accounts.models import AccessPurpose
from samraad.accounts.services import access_link_create
from samraad.directory.models import Municipality, Region, RoleKind
from samraad.directory.reference import load_reference_data
from samraad.directory.services import person_upsert
from samraad.rounds.services import round_themes_ensure
from samraad.tests_support.factories import RoundFactory

# A tiny but real PDF (the signature is what upload_check looks at).
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def round_(db):
    now = timezone.now()
    round_ = RoundFactory(
        code="ØA99",
        slug="oa99",
        starts_on=(now - datetime.timedelta(days=30)).date(),
        ends_on=(now + datetime.timedelta(days=90)).date(),
        input_deadline=now + datetime.timedelta(days=20),
    )
    round_themes_ensure(round=round_)
    return round_


@pytest.fixture(autouse=True)
def reference_data(request):
    """Transactional tests empty every table afterwards; the next one needs the
    regions and municipalities back (loading is idempotent)."""
    if "db" in request.fixturenames or "transactional_db" in request.fixturenames:
        request.getfixturevalue("db")
        if not Municipality.objects.exists():
            load_reference_data(Region, Municipality)


@pytest.fixture
def aarhus(db):
    return Municipality.objects.get(code=751)


@pytest.fixture
def vejle(db):
    return Municipality.objects.get(code=630)


@pytest.fixture
def contacts(aarhus, vejle):
    """Two contacts of Aarhus and one of Vejle."""
    return {
        "karen": person_upsert(
            email="karen@aarhus.dk",
            name="Karen Prøvesen",
            roles=[RoleKind.MUNICIPAL_CONTACT],
            municipality=aarhus,
        ),
        "jens": person_upsert(
            email="jens@aarhus.dk",
            name="Jens Hansen",
            roles=[RoleKind.MUNICIPAL_CONTACT],
            municipality=aarhus,
        ),
        "vera": person_upsert(
            email="vera@vejle.dk",
            name="Vera Vejlesen",
            roles=[RoleKind.MUNICIPAL_CONTACT],
            municipality=vejle,
        ),
    }


@pytest.fixture
def link(round_):
    def make(person) -> str:
        return access_link_create(
            round=round_, person=person, purpose=AccessPurpose.MUNICIPAL_CONTACT
        )

    return make
