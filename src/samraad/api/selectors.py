"""Reads behind the API's operations: each list in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from samraad.councils.models import CouncilInput, InputVersion
from samraad.meetings.models import Registration, Session
from samraad.meetings.selectors import confirmed_count, waitlisted_count
from samraad.rounds.models import Round


def api_rounds() -> QuerySet[Round]:
    """Every round, newest first, with its meeting (staff tokens see unpublished rounds too)."""
    return Round.objects.select_related("meeting").order_by("-starts_on", "-id")


def api_sessions(*, round: Round) -> QuerySet[Session]:
    """The round's sessions with their confirmed and waitlisted counts, in one query."""
    return (
        Session.objects.filter(meeting__round=round)
        .annotate(registered=confirmed_count(), waitlisted=waitlisted_count())
        .order_by("starts_at", "id")
    )


def api_registrations(*, session: Session, status: str = "") -> QuerySet[Registration]:
    """The session's registrations (optionally of one status) with person and municipality."""
    registrations = (
        Registration.objects.filter(session=session)
        .select_related("person__municipality__region")
        .order_by("created_at", "id")
    )
    if status:
        registrations = registrations.filter(status=status)
    return registrations


def api_council_inputs(
    *, round: Round, status: str = "", region_code: int | None = None
) -> QuerySet[CouncilInput]:
    """The round's council inputs with municipality, version count and versions newest first."""
    inputs = (
        CouncilInput.objects.filter(round=round)
        .select_related("municipality__region")
        .annotate(version_count=Count("versions"))
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=InputVersion.objects.order_by("-number"),
                to_attr="versions_newest_first",
            )
        )
        .order_by("municipality__name", "id")
    )
    if status:
        inputs = inputs.filter(status=status)
    if region_code is not None:
        inputs = inputs.filter(municipality__region__code=region_code)
    return inputs
