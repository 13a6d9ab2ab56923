"""Coverage of a round: how far each municipality and region has taken part in its tracks.

`coverage_for_round` reads everything in a fixed number of aggregate queries
(one per source, grouped by municipality), whatever the number of people,
registrations or attendance rows, and returns plain frozen dataclasses: the
staff dashboard, the map, the board briefing and the API all serialise the same
figures. Nothing here depends on the request or the language; labels live in
`insights.measures`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, Sum

from samraad.councils.models import CouncilInput, InputStatus
from samraad.directory.models import Municipality, Role, RoleKind
from samraad.meetings.models import (
    AttendanceRecord,
    Invitation,
    Registration,
    RegistrationStatus,
)
from samraad.regional.models import KkrMeeting, KkrRecordStatus
from samraad.rounds.models import Round
from samraad.speakers.models import SpeakerRequest, SpeakerStatus

# Input statuses that mean the council has sent its input.
SUBMITTED_STATUSES = frozenset({InputStatus.SUBMITTED, InputStatus.RECEIVED, InputStatus.USED})


class KkrStatus:
    """Where the municipality's region's KKR stands with the round (plain strings)."""

    NO_MEETING = "no_meeting"  # the round has no meeting of this KKR
    PLANNED = "planned"  # a meeting, but nothing recorded yet
    DRAFT = "draft"  # a discussion recorded, not yet approved
    APPROVED = "approved"  # the record of the discussion is approved: discussed

    ORDER = (NO_MEETING, PLANNED, DRAFT, APPROVED)


@dataclass(frozen=True)
class MunicipalityCoverage:
    code: int
    official_code: str
    name: str
    region_code: int
    region_name: str
    latitude: float
    longitude: float
    # Seats on the council; where the directory does not know them, the number of
    # council members it holds for the municipality.
    council: int
    invited: int  # council members invited to the round's virtual large meeting
    registered: int  # confirmed registrations
    attended: int  # people matched to a row of a current attendance report
    attended_share: float | None  # attended / council, None without a council size
    minutes: int  # minutes in the meeting, all attendees together
    input_status: str  # an InputStatus value
    input_submitted: bool
    kkr_status: str  # a KkrStatus value, for the municipality's region
    kkr_discussed: bool
    speaker_requested: int  # speaker requests not cancelled
    speaker_held: int  # presentations held


@dataclass(frozen=True)
class RegionCoverage:
    code: int
    name: str
    kkr_name: str
    municipalities: int
    council: int
    invited: int
    registered: int
    attended: int
    attended_share: float | None
    minutes: int
    inputs_submitted: int  # municipalities that have sent their input
    kkr_status: str
    kkr_discussed: bool
    speaker_requested: int
    speaker_held: int


@dataclass(frozen=True)
class CoverageTotal:
    municipalities: int
    council: int
    invited: int
    registered: int
    attended: int
    attended_share: float | None
    minutes: int
    inputs_submitted: int
    kkr_discussed: int  # regions whose KKR has discussed the round
    regions: int
    speaker_requested: int
    speaker_held: int


@dataclass(frozen=True)
class Coverage:
    round_code: str
    round_slug: str
    municipalities: tuple[MunicipalityCoverage, ...]  # by name
    regions: tuple[RegionCoverage, ...]  # by name
    total: CoverageTotal

    @property
    def is_empty(self) -> bool:
        """True while the round has no data at all: nobody invited, no input, no KKR record,
        no speaker request."""
        return not (
            self.total.invited
            or self.total.registered
            or self.total.attended
            or self.total.speaker_requested
            or any(m.input_status != InputStatus.NOT_STARTED for m in self.municipalities)
            or any(r.kkr_status in (KkrStatus.DRAFT, KkrStatus.APPROVED) for r in self.regions)
        )

    def municipality(self, code: int) -> MunicipalityCoverage | None:
        return next((m for m in self.municipalities if m.code == code), None)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _summed(rows: list[MunicipalityCoverage]) -> dict[str, Any]:
    """The figures a region's row and the total add up from their municipalities' rows."""
    council = sum(r.council for r in rows)
    attended = sum(r.attended for r in rows)
    return {
        "municipalities": len(rows),
        "council": council,
        "invited": sum(r.invited for r in rows),
        "registered": sum(r.registered for r in rows),
        "attended": attended,
        "attended_share": _share(attended, council),
        "minutes": sum(r.minutes for r in rows),
        "inputs_submitted": sum(r.input_submitted for r in rows),
        "speaker_requested": sum(r.speaker_requested for r in rows),
        "speaker_held": sum(r.speaker_held for r in rows),
    }


def _minutes(seconds: int) -> int:
    return round(seconds / 60)


def _by_municipality(rows) -> dict[int, int]:
    return {key: n for key, n in rows if key is not None}


def coverage_for_round(round: Round) -> Coverage:
    """Every municipality's and region's coverage of `round`, in eight queries whatever the data.

    Registered counts confirmed registrations; attended counts people matched to
    a row of a session's current attendance report (registered or not); the
    share is of the council's seats. A region's KKR has discussed the round when
    its record of the discussion is approved.
    """
    municipalities = list(
        Municipality.objects.order_by("name").values(
            "pk",
            "code",
            "name",
            "latitude",
            "longitude",
            "council_size",
            "region_id",
            "region__code",
            "region__name",
            "region__kkr_name",
        )
    )
    # A person holds a role once (unique constraint): roles are people.
    members = _by_municipality(
        Role.objects.filter(kind=RoleKind.COUNCIL_MEMBER)
        .order_by()
        .values_list("person__municipality_id")
        .annotate(n=Count("id"))
    )
    # A round has one meeting, and a person one invitation and one registration for it
    # (unique constraints), so rows are people.
    invited = _by_municipality(
        Invitation.objects.filter(meeting__round=round)
        .order_by()
        .values_list("person__municipality_id")
        .annotate(n=Count("id"))
    )
    registered = _by_municipality(
        Registration.objects.filter(meeting__round=round, status=RegistrationStatus.CONFIRMED)
        .order_by()
        .values_list("person__municipality_id")
        .annotate(n=Count("id"))
    )
    attended: dict[int, tuple[int, int]] = {
        municipality_id: (people, seconds or 0)
        for municipality_id, people, seconds in AttendanceRecord.objects.filter(
            session__meeting__round=round,
            attendance_import__replaced_at__isnull=True,
            person__isnull=False,
        )
        .order_by()
        .values_list("person__municipality_id")
        .annotate(n=Count("person_id", distinct=True), seconds=Sum("seconds"))
        if municipality_id is not None
    }
    inputs = dict(
        CouncilInput.objects.filter(round=round).order_by().values_list("municipality_id", "status")
    )
    kkr: dict[int, str] = {}
    for region_id, status, has_text in (
        KkrMeeting.objects.filter(round=round)
        .order_by()
        .annotate(
            has_text=ExpressionWrapper(
                ~Q(record__summary="") | ~Q(record__challenges=""), output_field=BooleanField()
            )
        )
        .values_list("region_id", "record__status", "has_text")
    ):
        if status == KkrRecordStatus.APPROVED:
            kkr[region_id] = KkrStatus.APPROVED
        elif status == KkrRecordStatus.DRAFT and has_text:
            kkr[region_id] = KkrStatus.DRAFT
        else:
            kkr[region_id] = KkrStatus.PLANNED
    speakers = {
        municipality_id: (requested, held)
        for municipality_id, requested, held in SpeakerRequest.objects.filter(round=round)
        .order_by()
        .values_list("municipality_id")
        .annotate(
            requested=Count("id", filter=~Q(status=SpeakerStatus.CANCELLED)),
            held=Count("id", filter=Q(status=SpeakerStatus.HELD)),
        )
    }

    rows: list[MunicipalityCoverage] = []
    for m in municipalities:
        pk = m["pk"]
        council = m["council_size"] or members.get(pk, 0)
        people, seconds = attended.get(pk, (0, 0))
        status = inputs.get(pk, InputStatus.NOT_STARTED)
        kkr_status = kkr.get(m["region_id"], KkrStatus.NO_MEETING)
        requested, held = speakers.get(pk, (0, 0))
        rows.append(
            MunicipalityCoverage(
                code=m["code"],
                official_code=f"{m['code']:04d}",
                name=m["name"],
                region_code=m["region__code"],
                region_name=m["region__name"],
                latitude=float(m["latitude"]),
                longitude=float(m["longitude"]),
                council=council,
                invited=invited.get(pk, 0),
                registered=registered.get(pk, 0),
                attended=people,
                attended_share=_share(people, council),
                minutes=_minutes(seconds),
                input_status=str(status),
                input_submitted=status in SUBMITTED_STATUSES,
                kkr_status=kkr_status,
                kkr_discussed=kkr_status == KkrStatus.APPROVED,
                speaker_requested=requested,
                speaker_held=held,
            )
        )

    grouped: dict[int, list[MunicipalityCoverage]] = defaultdict(list)
    names: dict[int, tuple[str, str, int]] = {}
    for m, row in zip(municipalities, rows, strict=True):
        grouped[m["region__code"]].append(row)
        names[m["region__code"]] = (m["region__name"], m["region__kkr_name"], m["region_id"])
    regions = []
    for code, members_of in grouped.items():
        name, kkr_name, region_id = names[code]
        kkr_status = kkr.get(region_id, KkrStatus.NO_MEETING)
        regions.append(
            RegionCoverage(
                code=code,
                name=name,
                kkr_name=kkr_name,
                kkr_status=kkr_status,
                kkr_discussed=kkr_status == KkrStatus.APPROVED,
                **_summed(members_of),
            )
        )
    regions.sort(key=lambda r: r.name)
    total = CoverageTotal(
        kkr_discussed=sum(r.kkr_discussed for r in regions),
        regions=len(regions),
        **_summed(rows),
    )
    return Coverage(
        round_code=round.code,
        round_slug=round.slug,
        municipalities=tuple(rows),
        regions=tuple(regions),
        total=total,
    )
