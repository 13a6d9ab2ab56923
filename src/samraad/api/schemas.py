"""What the API answers with: pydantic schemas, documented in the OpenAPI document."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from ninja import Field, Schema


def _municipality(municipality: Any) -> dict | None:
    if municipality is None:
        return None
    return {
        "code": municipality.official_code,
        "name": municipality.name,
        "region_code": municipality.region.code,
        "region_name": municipality.region.name,
    }


class Problem(Schema):
    """An error as RFC 9457 problem details (served as application/problem+json)."""

    type: str = Field(description="A URI naming the kind of problem; about:blank for plain HTTP.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong with this request.")
    errors: list[dict] | None = Field(
        None, description="For a validation problem (422): each invalid parameter."
    )


class MeetingOut(Schema):
    title: str
    registration_opens_at: datetime.datetime
    registration_deadline: datetime.datetime
    link_release_at: datetime.datetime = Field(
        description="When registrants get the join link (the deadline unless set otherwise)."
    )


class RoundOut(Schema):
    slug: str
    code: str
    year: int = Field(description="The year the economic agreement covers.")
    title: str
    title_en: str
    starts_on: datetime.date
    ends_on: datetime.date
    negotiations_start: datetime.date | None
    input_deadline: datetime.datetime | None
    input_address: str
    is_published: bool
    meeting: MeetingOut | None = Field(
        description="The virtual large meeting, if the round has one."
    )

    @staticmethod
    def resolve_meeting(round: Any) -> dict | None:
        try:
            meeting = round.meeting
        except ObjectDoesNotExist:
            return None
        return {
            "title": meeting.title,
            "registration_opens_at": meeting.registration_opens_at,
            "registration_deadline": meeting.registration_deadline,
            "link_release_at": meeting.effective_link_release_at,
        }


class SessionOut(Schema):
    id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    format: str = Field(description="teams_meeting, teams_town_hall or other.")
    capacity: int
    registered: int = Field(description="Confirmed registrations.")
    waitlisted: int
    free: int = Field(description="Seats left: capacity less the confirmed registrations.")

    @staticmethod
    def resolve_free(session: Any) -> int:
        return max(session.capacity - session.registered, 0)


class MunicipalityOut(Schema):
    code: str = Field(description="The official four-digit code, e.g. 0101.")
    name: str
    region_code: int
    region_name: str


class RegistrantOut(Schema):
    name: str
    email: str
    municipality: MunicipalityOut | None


class RegistrationOut(Schema):
    id: int
    session_id: int
    status: str = Field(description="confirmed, waitlisted or cancelled.")
    late: bool = Field(description="Registered after the deadline.")
    registered_at: datetime.datetime
    changed_at: datetime.datetime
    person: RegistrantOut

    @staticmethod
    def resolve_registered_at(registration: Any) -> datetime.datetime:
        return registration.created_at

    @staticmethod
    def resolve_changed_at(registration: Any) -> datetime.datetime:
        return registration.updated_at

    @staticmethod
    def resolve_person(registration: Any) -> dict:
        person = registration.person
        return {
            "name": person.name,
            "email": person.email,
            "municipality": _municipality(person.municipality),
        }


class RatingOut(Schema):
    theme: str = Field(description="The theme's key.")
    name: str
    name_en: str
    rating: int | None = Field(description="Pressure from 1 (little) to 5 (very), if given.")
    text: str


class InputVersionOut(Schema):
    number: int
    submitted_at: datetime.datetime
    submitted_by: str
    economic_situation: str
    ratings: list[RatingOut]
    proposals: str
    budget_remarks: str
    council_discussed: bool
    council_discussed_on: datetime.date | None


class CouncilInputOut(Schema):
    municipality: MunicipalityOut
    status: str = Field(description="not_started, draft, submitted, received or used.")
    submitted_at: datetime.datetime | None
    received_at: datetime.datetime | None
    used_at: datetime.datetime | None
    versions: int = Field(description="How many versions were submitted.")
    latest_version: InputVersionOut | None = Field(
        description="The latest submitted version; drafts are not exposed."
    )

    @staticmethod
    def resolve_municipality(council_input: Any) -> dict | None:
        return _municipality(council_input.municipality)

    @staticmethod
    def resolve_versions(council_input: Any) -> int:
        return council_input.version_count

    @staticmethod
    def resolve_latest_version(council_input: Any) -> dict | None:
        if not council_input.versions_newest_first:
            return None
        version = council_input.versions_newest_first[0]
        snapshot = version.snapshot if isinstance(version.snapshot, dict) else {}
        return {
            "number": version.number,
            "submitted_at": version.submitted_at,
            "submitted_by": version.submitted_by_name,
            "economic_situation": snapshot.get("economic_situation") or "",
            "ratings": [
                {
                    "theme": str(entry.get("theme") or ""),
                    "name": str(entry.get("name") or ""),
                    "name_en": str(entry.get("name_en") or ""),
                    "rating": entry.get("rating"),
                    "text": str(entry.get("text") or ""),
                }
                for entry in snapshot.get("ratings") or []
                if isinstance(entry, dict)
            ],
            "proposals": snapshot.get("proposals") or "",
            "budget_remarks": snapshot.get("budget_remarks") or "",
            "council_discussed": bool(snapshot.get("council_discussed")),
            "council_discussed_on": snapshot.get("council_discussed_on"),
        }


class CoverageOut(Schema):
    municipality: MunicipalityOut
    council_size: int = Field(
        description="Seats on the council; where unknown, its council members in the directory."
    )
    invited: int = Field(description="Council members invited to the virtual large meeting.")
    registered: int = Field(description="Confirmed registrations.")
    attended: int = Field(description="People matched in the sessions' attendance reports.")
    attended_share: float | None = Field(description="Attended as a share of the council's seats.")
    minutes: int = Field(description="Minutes in the meetings, all attendees together.")
    input_status: str = Field(description="not_started, draft, submitted, received or used.")
    input_submitted: bool = Field(description="The council has sent its input.")
    kkr_status: str = Field(
        description="The region's KKR: no_meeting, planned, draft or approved (discussed)."
    )
    kkr_discussed: bool = Field(
        description="The KKR of the municipality's region has an approved discussion record."
    )
    speaker_requested: int = Field(description="Speaker requests that were not cancelled.")
    speaker_held: int = Field(description="Presentations held.")

    @staticmethod
    def resolve_municipality(row: Any) -> dict:
        return {
            "code": row.official_code,
            "name": row.name,
            "region_code": row.region_code,
            "region_name": row.region_name,
        }

    @staticmethod
    def resolve_council_size(row: Any) -> int:
        return row.council


class RegionCoverageOut(Schema):
    code: int = Field(description="The region's DAGI code.")
    name: str
    kkr_name: str
    municipalities: int
    council_size: int = Field(description="Seats on the region's councils together.")
    invited: int
    registered: int
    attended: int
    attended_share: float | None
    minutes: int
    inputs_submitted: int = Field(description="Municipalities that have sent their input.")
    kkr_status: str = Field(description="no_meeting, planned, draft or approved (discussed).")
    kkr_discussed: bool
    speaker_requested: int
    speaker_held: int

    @staticmethod
    def resolve_council_size(row: Any) -> int:
        return row.council


class QuoteOut(Schema):
    text: str
    source: str
    municipality: str | None


class ThemeOut(Schema):
    key: str | None = Field(description="The key of a theme in the round's theme list.")
    name: str
    name_en: str
    source: str = Field(
        description="theme_list (the round's fixed themes) or analysis (reviewed theme analysis)."
    )
    top_terms: list[str]
    municipality_count: int | None
    region_counts: dict[str, int]
    quotes: list[QuoteOut]
