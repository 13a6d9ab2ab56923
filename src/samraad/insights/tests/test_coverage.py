"""Coverage figures against a hand-built round: two municipalities and every track."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samraad.councils.models import CouncilInput, InputStatus
from samraad.directory.models import Municipality, RoleKind
from samraad.directory.services import person_upsert
from samraad.insights.coverage import KkrStatus, coverage_for_round
from samraad.meetings.models import (
    AttendanceImport,
    AttendanceRecord,
    Invitation,
    MatchedBy,
    Registration,
    RegistrationStatus,
    ReportFormat,
)
from samraad.regional.models import KkrRecord, KkrRecordStatus
from samraad.regional.services import kkr_meetings_ensure
from samraad.speakers.models import MeetingFormat, PresenterKind, SpeakerRequest, SpeakerStatus
from samraad.tests_support.factories import MeetingFactory, RoundFactory, SessionFactory

pytestmark = pytest.mark.django_db

AARHUS, ODENSE = 751, 461
MIDTJYLLAND, SYDDANMARK, NORDJYLLAND = 1082, 1083, 1081


def _member(municipality: Municipality, n: int):
    return person_upsert(
        email=f"medlem{n}@{municipality.slug}.example",
        name=f"Medlem {n}",
        roles=[RoleKind.COUNCIL_MEMBER],
        municipality=municipality,
    )


def _report(session, *, replaced: bool = False, sha: str = "a"):
    return AttendanceImport.objects.create(
        session=session,
        filename="report.csv",
        sha256=sha * 64,
        size=10,
        imported_at=timezone.now(),
        format=ReportFormat.SECTIONS,
        rows=1,
        replaced_at=timezone.now() if replaced else None,
    )


def _attended(report, person, seconds: int):
    return AttendanceRecord.objects.create(
        attendance_import=report,
        session=report.session,
        person=person,
        name=person.name if person else "Ukendt",
        key=person.email if person else "name:ukendt",
        seconds=seconds,
        matched_by=MatchedBy.EMAIL if person else "",
    )


def _speaker(round_, municipality, status=SpeakerStatus.REQUESTED, presenter=None):
    start = timezone.now() - datetime.timedelta(days=2)
    booked = status != SpeakerStatus.REQUESTED and status != SpeakerStatus.CANCELLED
    return SpeakerRequest.objects.create(
        round=round_,
        municipality=municipality,
        presenter_kind=PresenterKind.BOARD,
        meeting_format=MeetingFormat.ONLINE,
        topic="Økonomien",
        status=status,
        presenter=presenter if booked else None,
        starts_at=start if booked else None,
        ends_at=start + datetime.timedelta(hours=1) if booked else None,
    )


@pytest.fixture
def scenario(db):
    round_ = RoundFactory()
    meeting = MeetingFactory(round=round_)
    first = SessionFactory(meeting=meeting)
    second = SessionFactory(
        meeting=meeting,
        starts_at=first.starts_at + datetime.timedelta(days=3),
        ends_at=first.ends_at + datetime.timedelta(days=3),
    )
    aarhus = Municipality.objects.get(code=AARHUS)
    odense = Municipality.objects.get(code=ODENSE)
    Municipality.objects.filter(pk=aarhus.pk).update(council_size=31)  # Odense: size unknown
    a1, a2, a3, a4 = (_member(aarhus, n) for n in range(1, 5))
    o1, o2 = (_member(odense, n) for n in range(1, 3))
    now = timezone.now()
    for person in (a1, a2, a3, o1, o2):
        Invitation.objects.create(meeting=meeting, person=person, sent_at=now)
    for person, session, status in (
        (a1, first, RegistrationStatus.CONFIRMED),
        (a2, second, RegistrationStatus.CONFIRMED),
        (a3, first, RegistrationStatus.WAITLISTED),
        (o1, first, RegistrationStatus.CANCELLED),
        (o2, second, RegistrationStatus.CONFIRMED),
    ):
        Registration.objects.create(meeting=meeting, session=session, person=person, status=status)
    report_first, report_second = _report(first), _report(second, sha="b")
    _attended(report_first, a1, 3600)
    _attended(report_second, a1, 600)  # the same person in both sessions counts once
    _attended(report_second, a2, 1200)
    _attended(report_second, o2, 1800)
    _attended(report_first, None, 5000)  # not matched: nobody's
    _attended(_report(first, replaced=True, sha="c"), a4, 900)  # a replaced report: ignored
    CouncilInput.objects.create(round=round_, municipality=aarhus, status=InputStatus.SUBMITTED)
    CouncilInput.objects.create(round=round_, municipality=odense, status=InputStatus.DRAFT)
    kkr_meetings_ensure(round=round_)
    KkrRecord.objects.filter(meeting__round=round_, meeting__region__code=MIDTJYLLAND).update(
        status=KkrRecordStatus.APPROVED, approved_at=now, summary="Drøftet"
    )
    KkrRecord.objects.filter(meeting__round=round_, meeting__region__code=SYDDANMARK).update(
        summary="Udkast"
    )
    presenter = person_upsert(
        email="bestyrelse@kl.example", name="Bente", roles=[RoleKind.BOARD_MEMBER]
    )
    _speaker(round_, aarhus)
    _speaker(round_, aarhus, SpeakerStatus.HELD, presenter)
    _speaker(round_, aarhus, SpeakerStatus.CANCELLED)
    _speaker(round_, odense, SpeakerStatus.CONFIRMED, presenter)
    return round_


def test_municipality_figures(scenario):
    coverage = coverage_for_round(scenario)
    aarhus, odense = coverage.municipality(AARHUS), coverage.municipality(ODENSE)

    assert (aarhus.invited, aarhus.registered, aarhus.attended) == (3, 2, 2)
    assert aarhus.council == 31
    assert aarhus.attended_share == pytest.approx(2 / 31)
    assert aarhus.minutes == (3600 + 600 + 1200) // 60
    assert (aarhus.input_status, aarhus.input_submitted) == (InputStatus.SUBMITTED, True)
    assert (aarhus.kkr_status, aarhus.kkr_discussed) == (KkrStatus.APPROVED, True)
    assert (aarhus.speaker_requested, aarhus.speaker_held) == (2, 1)
    assert aarhus.region_code == MIDTJYLLAND and aarhus.official_code == "0751"

    # Odense's council size is unknown: the directory's two council members stand in.
    assert (odense.invited, odense.registered, odense.attended, odense.council) == (2, 1, 1, 2)
    assert odense.attended_share == pytest.approx(0.5)
    assert odense.minutes == 30
    assert (odense.input_status, odense.input_submitted) == (InputStatus.DRAFT, False)
    assert (odense.kkr_status, odense.kkr_discussed) == (KkrStatus.DRAFT, False)
    assert (odense.speaker_requested, odense.speaker_held) == (1, 0)

    aalborg = coverage.municipality(851)
    assert (aalborg.invited, aalborg.registered, aalborg.attended, aalborg.council) == (0, 0, 0, 0)
    assert aalborg.attended_share is None
    assert (aalborg.input_status, aalborg.kkr_status) == (InputStatus.NOT_STARTED, "planned")
    assert len(coverage.municipalities) == 98


def test_region_figures_and_total(scenario):
    coverage = coverage_for_round(scenario)
    regions = {r.code: r for r in coverage.regions}
    midt = regions[MIDTJYLLAND]
    assert (midt.municipalities, midt.invited, midt.registered, midt.attended) == (19, 3, 2, 2)
    assert (midt.inputs_submitted, midt.kkr_discussed, midt.speaker_requested) == (1, True, 2)
    assert regions[SYDDANMARK].kkr_status == KkrStatus.DRAFT
    assert regions[NORDJYLLAND].kkr_status == KkrStatus.PLANNED
    assert sum(r.municipalities for r in coverage.regions) == 98

    total = coverage.total
    assert (total.invited, total.registered, total.attended) == (5, 3, 3)
    assert (total.inputs_submitted, total.kkr_discussed, total.regions) == (1, 1, 5)
    assert (total.speaker_requested, total.speaker_held) == (3, 1)
    assert total.attended_share == pytest.approx(3 / 33)
    assert not coverage.is_empty


def test_coverage_is_plain_data(scenario):
    """The API and the briefing serialise it as it is."""
    data = dataclasses.asdict(coverage_for_round(scenario))
    assert data["round_code"] == scenario.code
    first = data["municipalities"][0]
    assert {"code", "name", "latitude", "longitude", "registered"} <= first.keys()


def test_empty_round():
    coverage = coverage_for_round(RoundFactory())
    assert coverage.is_empty
    assert coverage.total.registered == 0
    assert {m.kkr_status for m in coverage.municipalities} == {KkrStatus.NO_MEETING}


def test_a_fixed_number_of_queries(scenario):
    with CaptureQueriesContext(connection) as queries:
        coverage_for_round(scenario)
    assert len(queries) == 8
