"""Reads of the KKR track, scoped to who is asking."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from samraad.accounts.models import User
from samraad.directory.models import Person, RoleKind
from samraad.regional.models import KkrAgendaItem, KkrMeeting, KkrMinutes, KkrQuote
from samraad.rounds.models import Round


def kkr_meetings_visible(*, user: User, person: Person | None) -> QuerySet[KkrMeeting]:
    """The KKR meetings `user` may see: staff all; a KKR secretary only their own region's;
    anyone else none."""
    meetings = KkrMeeting.objects.select_related("round", "region")
    if user.is_staff:
        return meetings
    if (
        person is None
        or person.region_id is None
        or not person.roles.filter(kind=RoleKind.KKR_SECRETARY).exists()
    ):
        return meetings.none()
    return meetings.filter(region_id=person.region_id)


def kkr_meeting_detail(*, meetings: QuerySet[KkrMeeting], pk: int) -> KkrMeeting | None:
    """Meeting `pk` from `meetings` with its agenda, record, themes, quotes and minutes
    (without the files' bytes), or None."""
    return (
        meetings.select_related("record__approved_by", "record__reopened_by", "record__updated_by")
        .prefetch_related(
            Prefetch("agenda_items", queryset=KkrAgendaItem.objects.order_by("position")),
            "record__themes",
            Prefetch("record__quotes", queryset=KkrQuote.objects.select_related("municipality")),
            Prefetch(
                "record__minutes",
                queryset=KkrMinutes.objects.defer("content").select_related("uploaded_by"),
            ),
        )
        .filter(pk=pk)
        .first()
    )


def kkr_overview(*, round: Round) -> list[KkrMeeting]:
    """The round's KKR meetings with region, record status and the number of minutes attached,
    in a fixed number of queries."""
    return list(
        round.kkr_meetings.select_related("region", "record__approved_by")
        .annotate(minutes_count=Count("record__minutes"))
        .order_by("starts_at", "region__code")
    )


def kkr_meetings_listed(*, meetings: QuerySet[KkrMeeting]) -> list[KkrMeeting]:
    """`meetings` for a list page: newest round first, with their record's status."""
    return list(
        meetings.select_related("record").order_by("-round__starts_on", "starts_at", "region__code")
    )
