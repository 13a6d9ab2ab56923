"""Bulk data for the coverage dashboard: the query-count test and `make bench-dashboard`.

`coverage_bulk_add` gives a round's meeting `count` more council members spread
over all 98 municipalities, each invited, registered (confirmed) and, every
other one, in the first session's attendance report; it writes with
bulk_create, so 10,000 registrations take seconds.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from samraad.councils.models import CouncilInput, InputStatus
from samraad.directory.models import Municipality, Person, Role, RoleKind
from samraad.meetings.models import (
    AttendanceImport,
    AttendanceRecord,
    Invitation,
    MatchedBy,
    Meeting,
    Registration,
    RegistrationStatus,
    ReportFormat,
    Session,
    SessionFormat,
)
from samraad.regional.models import KkrRecord, KkrRecordStatus
from samraad.regional.services import kkr_meetings_ensure
from samraad.rounds.models import Round
from samraad.speakers.models import MeetingFormat, PresenterKind, SpeakerRequest, SpeakerStatus

BATCH = 2000


def coverage_meeting(round: Round) -> Meeting:
    """The round's meeting with two town-hall sessions (room for 10,000 each)."""
    meeting = Meeting.objects.filter(round=round).first()
    if meeting is not None:
        return meeting
    start = timezone.make_aware(datetime.datetime.combine(round.starts_on, datetime.time(19)))
    meeting = Meeting.objects.create(
        round=round,
        title="Virtuelt stormøde",
        registration_opens_at=start - datetime.timedelta(days=30),
        registration_deadline=start - datetime.timedelta(days=5),
    )
    for day in (0, 3):
        Session.objects.create(
            meeting=meeting,
            starts_at=start + datetime.timedelta(days=day),
            ends_at=start + datetime.timedelta(days=day, minutes=90),
            format=SessionFormat.TEAMS_TOWN_HALL,
            capacity=10000,
        )
    return meeting


@transaction.atomic
def coverage_bulk_add(*, round: Round, count: int, prefix: str = "bulk") -> None:
    """`count` more invited, registered council members (half of them attended)."""
    meeting = coverage_meeting(round)
    sessions = list(meeting.sessions.order_by("starts_at"))
    municipalities = list(Municipality.objects.order_by("code").values_list("pk", flat=True))
    start = Person.objects.filter(email__startswith=f"{prefix}-").count()
    people = Person.objects.bulk_create(
        (
            Person(
                name=f"Medlem {prefix} {number}",
                email=f"{prefix}-{number}@bench.example",
                municipality_id=municipalities[number % len(municipalities)],
            )
            for number in range(start, start + count)
        ),
        batch_size=BATCH,
    )
    if not all(p.pk for p in people):  # backends without RETURNING ids
        people = list(Person.objects.filter(email__startswith=f"{prefix}-").order_by("id")[start:])
    now = timezone.now()
    Role.objects.bulk_create(
        (Role(person=p, kind=RoleKind.COUNCIL_MEMBER) for p in people), batch_size=BATCH
    )
    Invitation.objects.bulk_create(
        (Invitation(meeting=meeting, person=p, sent_at=now) for p in people), batch_size=BATCH
    )
    Registration.objects.bulk_create(
        (
            Registration(
                meeting=meeting,
                session=sessions[index % len(sessions)],
                person=p,
                status=RegistrationStatus.CONFIRMED,
            )
            for index, p in enumerate(people)
        ),
        batch_size=BATCH,
    )
    report = AttendanceImport.objects.filter(session=sessions[0], replaced_at__isnull=True).first()
    if report is None:
        report = AttendanceImport.objects.create(
            session=sessions[0],
            filename="attendance.csv",
            sha256=f"{round.pk:064d}",
            size=1,
            imported_at=now,
            format=ReportFormat.SECTIONS,
            rows=0,
        )
    AttendanceRecord.objects.bulk_create(
        (
            AttendanceRecord(
                attendance_import=report,
                session=sessions[0],
                person=p,
                name=p.name,
                email=p.email,
                key=p.email,
                seconds=3600,
                matched_by=MatchedBy.EMAIL,
            )
            for p in people[::2]
        ),
        batch_size=BATCH,
    )


def coverage_tracks_fill(*, round: Round) -> None:
    """Council input from every other municipality, every KKR record approved, and a speaker
    request from every third municipality: the other tracks, so that every query has rows."""
    now = timezone.now()
    municipalities = list(Municipality.objects.order_by("code"))
    CouncilInput.objects.bulk_create(
        CouncilInput(round=round, municipality=m, status=InputStatus.SUBMITTED, submitted_at=now)
        for m in municipalities[::2]
        if not CouncilInput.objects.filter(round=round, municipality=m).exists()
    )
    kkr_meetings_ensure(round=round)
    KkrRecord.objects.filter(meeting__round=round).update(
        status=KkrRecordStatus.APPROVED, approved_at=now, summary="Drøftet."
    )
    presenter, _ = Person.objects.get_or_create(
        email="oplaeg@bench.example", defaults={"name": "Oplægsholder"}
    )
    held_at = now - datetime.timedelta(days=1)
    SpeakerRequest.objects.bulk_create(
        SpeakerRequest(
            round=round,
            municipality=m,
            presenter_kind=PresenterKind.EITHER,
            meeting_format=MeetingFormat.ONLINE,
            topic="Økonomiaftalen",
            **(
                {
                    "status": SpeakerStatus.HELD,
                    "presenter": presenter,
                    "starts_at": held_at,
                    "ends_at": held_at + datetime.timedelta(hours=1),
                    "held_at": now,
                }
                if index % 2
                else {"status": SpeakerStatus.REQUESTED}
            ),
        )
        for index, m in enumerate(municipalities[::3])
    )
