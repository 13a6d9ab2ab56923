"""Reads for the meetings' pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from samraad.directory.models import Person
from samraad.meetings.models import Meeting, Registration, RegistrationStatus, Session


@dataclass(frozen=True)
class SessionSeats:
    session: Session
    taken: int
    waiting: int

    @property
    def free(self) -> int:
        return max(self.session.capacity - self.taken, 0)

    @property
    def full(self) -> bool:
        return self.free == 0


def sessions_with_seats(meeting: Meeting) -> list[SessionSeats]:
    """Every session of `meeting` with its confirmed and waitlisted counts, in one query."""
    sessions = meeting.sessions.annotate(
        taken=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)),
        waiting=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
        ),
    ).order_by("starts_at")
    return [SessionSeats(session=s, taken=s.taken, waiting=s.waiting) for s in sessions]


def registration_for(*, meeting: Meeting, person: Person) -> Registration | None:
    """The person's registration for `meeting` (any status), with its session."""
    return (
        Registration.objects.select_related("session")
        .filter(meeting=meeting, person=person)
        .first()
    )
