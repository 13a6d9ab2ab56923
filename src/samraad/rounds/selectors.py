"""Reads of rounds for the public pages and the back office."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from samraad.meetings.models import Session
from samraad.regional.models import KkrMeeting
from samraad.rounds.models import Round


def _with_tracks(rounds: QuerySet[Round]) -> QuerySet[Round]:
    return rounds.select_related("meeting", "contact").prefetch_related(
        Prefetch("meeting__sessions", queryset=Session.objects.order_by("starts_at")),
        Prefetch(
            "kkr_meetings",
            queryset=KkrMeeting.objects.select_related("region").order_by("starts_at"),
        ),
    )


def round_current() -> Round | None:
    """The published round that started last, with its three tracks loaded."""
    return _with_tracks(Round.objects.published()).order_by("-starts_on").first()


def round_published_get(*, slug: str) -> Round | None:
    """The published round `slug` with its three tracks loaded, or None."""
    return _with_tracks(Round.objects.published()).filter(slug=slug).first()


def rounds_for_staff() -> QuerySet[Round]:
    """Every round, newest first, for the back office."""
    return Round.objects.select_related("meeting").order_by("-starts_on")
