"""Reads for the meetings' pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from samraad.accounts.models import AccessLink, AccessPurpose
from samraad.core.compiled import CompiledQuery
from samraad.directory.models import Municipality, Person, Region, RoleKind
from samraad.meetings.models import Invitation, Meeting, Registration, RegistrationStatus, Session


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


def confirmed_count() -> Count:
    """A session's confirmed registrations, as an annotation on sessions."""
    return Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED))


def waitlisted_count() -> Count:
    """A session's waitlisted registrations, as an annotation on sessions."""
    return Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED))


# Both on every opening of a member's page (samraad.core.compiled says why compiled).
_SESSIONS_WITH_SEATS = CompiledQuery(
    lambda meeting_id: (
        Session.objects.filter(meeting_id=meeting_id)
        .annotate(taken=confirmed_count(), waiting=waitlisted_count())
        .order_by("starts_at", "id")
    ),
    meeting_id=int,
)
_REGISTRATION_FOR = CompiledQuery(
    lambda meeting_id, person_id: (
        Registration.objects.select_related("session")
        .filter(meeting_id=meeting_id, person_id=person_id)
        .order_by()[:1]
    ),  # one at most: a person registers once per meeting
    meeting_id=int,
    person_id=int,
)


def sessions_with_seats(meeting: Meeting) -> list[SessionSeats]:
    """Every session of `meeting` with its confirmed and waitlisted counts, in one query."""
    sessions = _SESSIONS_WITH_SEATS.run(meeting_id=meeting.pk)
    for session in sessions:
        session.meeting = meeting
    return [SessionSeats(session=s, taken=s.taken, waiting=s.waiting) for s in sessions]


def registration_for(*, meeting: Meeting, person: Person) -> Registration | None:
    """The person's registration for `meeting` (any status), with its session."""
    registration = _REGISTRATION_FOR.first(meeting_id=meeting.pk, person_id=person.pk)
    if registration is not None:
        registration.meeting, registration.person = meeting, person
    return registration


def meeting_figures(meeting: Meeting) -> dict[str, int]:
    """Invited, links used, and registrations by status, for the staff overview."""
    by_status = dict(
        Registration.objects.filter(meeting=meeting)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    used = (
        AccessLink.objects.filter(
            round=meeting.round, purpose=AccessPurpose.MEMBER, first_used_at__isnull=False
        )
        .values("person")
        .distinct()
        .count()
    )
    return {
        "invited": meeting.invitations.count(),
        "links_used": used,
        **{status: by_status.get(status, 0) for status in RegistrationStatus.values},
    }


def registrations_by_area(meeting: Meeting, *, level: str) -> list[dict]:
    """Per region or per municipality (`level`): council members, invited, registered and
    waitlisted, in four queries whatever the numbers."""
    if level == "region":
        areas = Region.objects.valid_on(meeting.round.starts_on).order_by("name")
        path = "municipality__region"
    elif level == "municipality":
        areas = Municipality.objects.select_related("region").order_by("name")
        path = "municipality"
    else:
        raise ValueError(level)
    members = dict(
        Person.objects.with_role(RoleKind.COUNCIL_MEMBER)
        .order_by()
        .values_list(path)
        .annotate(n=Count("id", distinct=True))
    )
    invited = dict(
        meeting.invitations.order_by().values_list(f"person__{path}").annotate(n=Count("id"))
    )
    regs = {}
    for area_id, status, n in (
        Registration.objects.filter(meeting=meeting)
        .order_by()
        .values_list(f"person__{path}", "status")
        .annotate(n=Count("id"))
    ):
        regs[(area_id, status)] = n
    return [
        {
            "area": area,
            "members": members.get(area.pk, 0),
            "invited": invited.get(area.pk, 0),
            "confirmed": regs.get((area.pk, RegistrationStatus.CONFIRMED), 0),
            "waitlisted": regs.get((area.pk, RegistrationStatus.WAITLISTED), 0),
        }
        for area in areas
    ]


def people_status(meeting: Meeting):
    """Every council member with their invitation, link use and registration, for staff."""
    invitation = Invitation.objects.filter(meeting=meeting, person=OuterRef("pk"))
    registration = Registration.objects.filter(meeting=meeting, person=OuterRef("pk"))
    link_used = AccessLink.objects.filter(
        round=meeting.round,
        person=OuterRef("pk"),
        purpose=AccessPurpose.MEMBER,
        first_used_at__isnull=False,
    )
    return (
        Person.objects.with_role(RoleKind.COUNCIL_MEMBER)
        .select_related("municipality__region")
        .annotate(
            invited_at=Subquery(invitation.values("sent_at")[:1]),
            reminded_at=Subquery(invitation.values("reminded_at")[:1]),
            link_used=Exists(link_used),
            registration_status=Subquery(registration.values("status")[:1]),
            session_starts_at=Subquery(registration.values("session__starts_at")[:1]),
        )
        .order_by("municipality__name", "name")
    )


def registrations_for_export(meeting: Meeting):
    """Every registration of `meeting` with what an export shows, in one query."""
    return (
        Registration.objects.filter(meeting=meeting)
        .select_related("person__municipality__region", "session")
        .order_by("session__starts_at", "person__municipality__name", "person__name")
    )
