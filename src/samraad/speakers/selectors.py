"""Reads of speaker requests used by several pages, and by the council-input work."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from samraad.directory.models import Municipality, Person
from samraad.rounds.models import Round
from samraad.speakers.models import ProposedSlot, SpeakerRequest, SpeakerStatus


def _with_details(queryset: QuerySet[SpeakerRequest]) -> QuerySet[SpeakerRequest]:
    return queryset.select_related(
        "round", "municipality", "presenter", "requested_by"
    ).prefetch_related(Prefetch("slots", queryset=ProposedSlot.objects.order_by("starts_at")))


def speaker_requests_for_staff(*, status: str = "") -> QuerySet[SpeakerRequest]:
    """Every request, newest first, optionally of one status."""
    queryset = SpeakerRequest.objects.all()
    if status:
        queryset = queryset.filter(status=status)
    return _with_details(queryset)


def speaker_requests_for_municipality(
    *, round: Round, municipality: Municipality
) -> QuerySet[SpeakerRequest]:
    """The municipality's own requests in the round: all a contact may see."""
    return _with_details(SpeakerRequest.objects.filter(round=round, municipality=municipality))


def engagements_for_presenter(*, presenter: Person | None) -> QuerySet[SpeakerRequest]:
    """The presenter's own engagements (assigned, confirmed or held), soonest first.

    Staff without a person of their own have none.
    """
    if presenter is None:
        return SpeakerRequest.objects.none()
    return _with_details(
        SpeakerRequest.objects.filter(
            presenter=presenter,
            status__in=(SpeakerStatus.ASSIGNED, SpeakerStatus.CONFIRMED, SpeakerStatus.HELD),
        )
    ).order_by("starts_at", "pk")


def presenter_notes_for(*, round: Round, municipality: Municipality) -> list[SpeakerRequest]:
    """The notes KL's presenters wrote after presenting at this municipality's council.

    Part of the municipality's input for the round (issue 5, item 9): each item is a
    held engagement with non-empty `presenter_notes`, with `presenter`, `starts_at`,
    `ends_at`, `topic` and `held_at` to show beside the council's own input. Oldest
    meeting first.
    """
    return list(
        SpeakerRequest.objects.filter(
            round=round, municipality=municipality, status=SpeakerStatus.HELD
        )
        .exclude(presenter_notes="")
        .select_related("presenter")
        .order_by("starts_at", "pk")
    )
