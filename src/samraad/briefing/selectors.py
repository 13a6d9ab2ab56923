"""Reads for the board briefing: the KKR and speaker tracks, and a round's exports.

Coverage and themes come from their own apps through `briefing.sources`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet

from samraad.briefing.models import BriefingExport
from samraad.regional.models import KkrMeeting, KkrQuote, KkrRecordStatus
from samraad.rounds.models import Round
from samraad.speakers.models import BOOKED_STATUSES, SpeakerRequest, SpeakerStatus


@dataclass(frozen=True)
class KkrQuoteRow:
    text: str
    speaker_role: str
    municipality: str


@dataclass(frozen=True)
class KkrSummary:
    """One KKR's meeting on the round; the record's texts only once it is approved."""

    kkr_name: str
    region: str
    starts_at: datetime.datetime
    place: str
    approved: bool
    approved_at: datetime.datetime | None = None
    summary: str = ""
    challenges: str = ""
    themes: list[str] = field(default_factory=list)
    quotes: list[KkrQuoteRow] = field(default_factory=list)


def kkr_summaries(*, round: Round) -> list[KkrSummary]:
    """Every KKR meeting of `round` by region name (as coverage lists them), in four queries.

    A draft record is what a KKR secretary is still writing, so the briefing
    shows its texts, themes and quotes only when the record is approved.
    """
    meetings = (
        KkrMeeting.objects.filter(round=round)
        .select_related("region", "record")
        .prefetch_related(
            "record__themes",
            Prefetch(
                "record__quotes",
                queryset=KkrQuote.objects.select_related("municipality"),
            ),
        )
        .order_by("region__name")
    )
    summaries = []
    for meeting in meetings:
        record = getattr(meeting, "record", None)
        base = {
            "kkr_name": meeting.region.kkr_name,
            "region": meeting.region.name,
            "starts_at": meeting.starts_at,
            "place": meeting.place,
        }
        if record is None or record.status != KkrRecordStatus.APPROVED:
            summaries.append(KkrSummary(approved=False, **base))
            continue
        summaries.append(
            KkrSummary(
                approved=True,
                approved_at=record.approved_at,
                summary=record.summary,
                challenges=record.challenges,
                themes=[theme.label for theme in record.themes.all()],
                quotes=[
                    KkrQuoteRow(q.text, q.speaker_role, q.municipality.name)
                    for q in record.quotes.all()
                ],
                **base,
            )
        )
    return summaries


@dataclass(frozen=True)
class EngagementRow:
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None
    municipality: str
    region: str
    presenter: str
    presenter_title: str
    topic: str
    meeting_format: str
    status: str


# Engagements are requests with a presenter booked, or held.
ENGAGEMENT_STATUSES = (*BOOKED_STATUSES, SpeakerStatus.HELD)


def speaker_engagements(*, round: Round) -> list[EngagementRow]:
    """The round's assigned, confirmed and held presentations by time, in one query.

    Labels (status, format) are in the active language.
    """
    requests = (
        SpeakerRequest.objects.filter(round=round, status__in=ENGAGEMENT_STATUSES)
        .select_related("municipality__region", "presenter")
        .order_by("starts_at", "id")
    )
    return [
        EngagementRow(
            starts_at=request.starts_at,
            ends_at=request.ends_at,
            municipality=request.municipality.name,
            region=request.municipality.region.name,
            presenter=request.presenter.name if request.presenter else "",
            presenter_title=request.presenter.title if request.presenter else "",
            topic=request.topic,
            meeting_format=request.get_meeting_format_display(),
            status=request.get_status_display(),
        )
        for request in requests
    ]


def speaker_request_counts(*, round: Round) -> dict[str, int]:
    """How many of the round's speaker requests are in each status (every status a key)."""
    counts = dict(
        SpeakerRequest.objects.filter(round=round)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {status: counts.get(status, 0) for status in SpeakerStatus.values}


def briefing_exports_for(*, round: Round) -> QuerySet[BriefingExport]:
    """The round's exports, newest first, without their files (which can be large)."""
    return (
        BriefingExport.objects.filter(round=round)
        .select_related("requested_by")
        .defer("content")
        .order_by("-created_at", "-id")
    )
