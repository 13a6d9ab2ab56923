"""Fixtures for the KKR track: a round with its themes and its five KKR meetings."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samraad.directory.models import Region, RoleKind
from samraad.directory.services import person_upsert
from samraad.regional.models import KkrMeeting
from samraad.regional.services import kkr_meetings_ensure
from samraad.rounds.services import round_themes_ensure
from samraad.tests_support.factories import RoundFactory, UserFactory

NORDJYLLAND = 1081
MIDTJYLLAND = 1082


def pdf_bytes() -> bytes:
    """A small but real PDF (one empty page)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_upload(name: str = "referat.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


@pytest.fixture
def round_(db):
    round_ = RoundFactory(code="ØA26", slug="oa26")
    round_themes_ensure(round=round_)
    kkr_meetings_ensure(round=round_)
    return round_


def meeting_of(round_, region_code: int) -> KkrMeeting:
    return KkrMeeting.objects.get(round=round_, region__code=region_code)


@pytest.fixture
def meeting_a(round_) -> KkrMeeting:
    return meeting_of(round_, NORDJYLLAND)


@pytest.fixture
def meeting_b(round_) -> KkrMeeting:
    return meeting_of(round_, MIDTJYLLAND)


def secretary(region_code: int, email: str):
    person = person_upsert(
        email=email,
        name=f"KKR-sekretær {region_code}",
        roles=[RoleKind.KKR_SECRETARY],
        region=Region.objects.get(code=region_code),
    )
    return UserFactory(username=email, email=email, first_name="Sekretær", person=person)


@pytest.fixture
def secretary_a(db):
    return secretary(NORDJYLLAND, "kkr-nord@kl.example")


@pytest.fixture
def secretary_b(db):
    return secretary(MIDTJYLLAND, "kkr-midt@kl.example")
