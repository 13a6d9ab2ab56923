"""Reads for the attendance pages: imports per session, figures, export rows, people to match.

Only the current import of each session counts (a replaced import has no
records left, and the filters say so again). A person attended when a record
of a current import is matched to them; dismissed and open rows count for
nobody.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from samraad.directory.models import Person, PersonQuerySet, RoleKind
from samraad.meetings.models import (
    AttendanceImport,
    AttendanceRecord,
    MatchedBy,
    Meeting,
    Registration,
    RegistrationStatus,
    Session,
)


def _current_records(meeting: Meeting) -> QuerySet[AttendanceRecord]:
    return AttendanceRecord.objects.filter(
        session__meeting=meeting, attendance_import__replaced_at__isnull=True
    )


# --- Imports ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionAttendance:
    session: Session
    current: AttendanceImport | None  # annotated with the counts of attendance_import_counts


def attendance_import_counts(imports: QuerySet[AttendanceImport]) -> QuerySet[AttendanceImport]:
    """`imports` with the number of their rows matched (by email, name, staff), dismissed, open."""
    return imports.annotate(
        by_email=Count("records", filter=Q(records__matched_by=MatchedBy.EMAIL)),
        by_name=Count("records", filter=Q(records__matched_by=MatchedBy.NAME)),
        by_staff=Count("records", filter=Q(records__matched_by=MatchedBy.STAFF)),
        dismissed_rows=Count("records", filter=Q(records__dismissed=True)),
        open_rows=Count(
            "records", filter=Q(records__person__isnull=True, records__dismissed=False)
        ),
    )


def attendance_by_session(meeting: Meeting) -> list[SessionAttendance]:
    """Every session of `meeting` with its current import and that import's counts (two queries)."""
    current = {
        i.session_id: i
        for i in attendance_import_counts(
            AttendanceImport.objects.filter(
                session__meeting=meeting, replaced_at__isnull=True
            ).select_related("uploaded_by")
        )
    }
    return [
        SessionAttendance(session=session, current=current.get(session.pk))
        for session in meeting.sessions.order_by("starts_at")
    ]


def attendance_import_for(*, meeting: Meeting, pk: int) -> AttendanceImport | None:
    """One import of `meeting`, with its counts, or None."""
    return (
        attendance_import_counts(
            AttendanceImport.objects.filter(session__meeting=meeting, pk=pk).select_related(
                "session", "uploaded_by"
            )
        )
        .order_by()
        .first()
    )


def attendance_records_of(attendance_import: AttendanceImport) -> QuerySet[AttendanceRecord]:
    """The rows of one import in the report's order, with the people they are matched to."""
    return attendance_import.records.select_related("person__municipality", "resolved_by").order_by(
        "id"
    )


# --- Figures ---------------------------------------------------------------------------


@dataclass
class AttendanceFigures:
    label: str
    registered: int = 0  # distinct people with a confirmed registration
    attended: int = 0  # distinct people matched to a record
    attended_registered: int = 0  # of those registered, how many attended
    seconds: int = 0  # time in the meetings, all matched records

    @property
    def minutes(self) -> int:
        return round(self.seconds / 60)

    @property
    def share(self) -> float | None:
        """The share of the registered who attended (0–1), None when nobody registered."""
        return self.attended_registered / self.registered if self.registered else None


@dataclass(frozen=True)
class AttendanceTables:
    total: AttendanceFigures
    by_region: list[AttendanceFigures]
    by_municipality: list[AttendanceFigures]
    by_party: list[AttendanceFigures]
    by_title: list[AttendanceFigures]


# What a figure is grouped on, read from a person's row of _PERSON_FIELDS.
_PERSON_FIELDS = (
    "person_id",
    "person__municipality_id",
    "person__municipality__name",
    "person__municipality__region_id",
    "person__municipality__region__name",
    "person__party",
    "person__title",
)
_Row = tuple
_DIMENSIONS: dict[str, Callable[[_Row], tuple[Hashable, str]]] = {
    "by_region": lambda row: (row[3], row[4] or ""),
    "by_municipality": lambda row: (row[1], row[2] or ""),
    "by_party": lambda row: (row[5].strip().casefold(), row[5].strip()),
    "by_title": lambda row: (row[6].strip().casefold(), row[6].strip()),
}


def attendance_figures(meeting: Meeting) -> AttendanceTables:
    """Registered, attended and minutes for `meeting` in total and by region, municipality,
    party and title, in two queries whatever the number of people.

    Each person is in exactly one group of each kind (their municipality's,
    their party's, …), so the groups of a kind add up to the total. People
    with no municipality, party or title make a group of their own ("Not
    given"). Attended counts everyone matched, registered or not; the share is
    of the registered who attended.
    """
    registered = {
        row[0]: row
        for row in Registration.objects.filter(meeting=meeting, status=RegistrationStatus.CONFIRMED)
        .order_by()
        .values_list(*_PERSON_FIELDS)
    }
    attended: dict[int, tuple[_Row, int]] = {}
    for *row, seconds in (
        _current_records(meeting)
        .filter(person__isnull=False)
        .order_by()
        .values_list(*_PERSON_FIELDS)
        .annotate(seconds=Sum("seconds"))
    ):
        attended[row[0]] = (tuple(row), seconds or 0)

    not_given = _("Not given")
    total = AttendanceFigures(label=_("All"))
    tables: dict[str, dict[Hashable, AttendanceFigures]] = {name: {} for name in _DIMENSIONS}

    def groups(row: _Row) -> list[AttendanceFigures]:
        found = [total]
        for name, dimension in _DIMENSIONS.items():
            key, label = dimension(row)
            found.append(tables[name].setdefault(key, AttendanceFigures(label=label or not_given)))
        return found

    for person_id, row in registered.items():
        for figures in groups(row):
            figures.registered += 1
            figures.attended_registered += person_id in attended
    for row, seconds in attended.values():
        for figures in groups(row):
            figures.attended += 1
            figures.seconds += seconds

    def ordered(name: str) -> list[AttendanceFigures]:
        return sorted(
            tables[name].values(), key=lambda f: (f.label == not_given, f.label.casefold())
        )

    return AttendanceTables(
        total=total,
        by_region=ordered("by_region"),
        by_municipality=ordered("by_municipality"),
        by_party=ordered("by_party"),
        by_title=ordered("by_title"),
    )


# --- Exports and matching ------------------------------------------------------------------


def attendance_records_for_export(meeting: Meeting) -> QuerySet[AttendanceRecord]:
    """Every row of the current imports of `meeting`, with session and person, in one query."""
    return (
        _current_records(meeting)
        .select_related("session", "person__municipality__region")
        .order_by("session__starts_at", "id")
    )


def attendance_match_candidates(*, meeting: Meeting, text: str, limit: int = 20) -> PersonQuerySet:
    """Council members whose name or email contains every word of `text`, by name, each
    with `registered`: whether they are registered for `meeting` (any session)."""
    registered = Registration.objects.filter(
        meeting=meeting, person=OuterRef("pk"), status=RegistrationStatus.CONFIRMED
    )
    people = (
        Person.objects.with_role(RoleKind.COUNCIL_MEMBER)
        .select_related("municipality")
        .annotate(registered=Exists(registered))
    )
    words = text.split()
    if not words:
        return people.none()
    for word in words:
        people = people.filter(Q(name__icontains=word) | Q(email__icontains=word))
    return people.order_by("name", "pk")[:limit]
