"""Importing a session's Teams attendance report, and resolving the rows nobody matched.

What an import guarantees:

- The same file for the same session (by SHA-256) is imported once; uploading
  it again returns the earlier import, flagged `already_imported`, and changes
  nothing.
- A report whose times do not fit the session (another session, another
  meeting) is refused and says which time the report has; so is anything the
  parser cannot read, with the parser's message. Nothing is saved then.
- Each participant of the report becomes one `AttendanceRecord`, matched to a
  person where that is unambiguous: first by email (or the UPN Teams gives),
  then by the name's `match_key`. Emails are unique in the directory, so an
  email names at most one person; it counts only if that person is a
  registrant of the meeting or a council member. Names are looked up in
  tiers: the session's registrants, then the meeting's, then all council
  members; the first tier where the name fits anyone decides, and only if it
  fits exactly one person there. Cancelled registrations count as council
  members, not registrants.
- Every report Teams makes covers the whole session, so reports are not added
  up: a newer import of a session replaces the current one. The older import
  stays (file, uploader, warnings) but its records are deleted. Staff's own
  decisions carry over by the row's key (email, else normalised name): a
  dismissal to every row with that key, a manual match to the row when the key
  names exactly one row in both reports. An automatic match by email still
  wins over a carried-over decision, and a carried-over decision over a match
  by name.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from samraad.accounts.models import User
from samraad.core.errors import ServiceError
from samraad.core.timeutils import local_zone
from samraad.directory.models import Person, RoleKind
from samraad.meetings.attendance import (
    AttendanceReport,
    Participant,
    ReportError,
    match_key,
    parse_teams_report,
)
from samraad.meetings.models import (
    AttendanceImport,
    AttendanceRecord,
    MatchedBy,
    Registration,
    RegistrationStatus,
    Session,
)

# How long before a session its report may begin: organisers and presenters
# join early. A report that begins earlier, or does not reach into the
# session's own time, is of another meeting.
EARLY_START = datetime.timedelta(hours=2)


def _local_span(start: datetime.datetime, end: datetime.datetime) -> str:
    """ "31. marts 2025 19.00–20.30" (both dates when the span crosses midnight)."""
    start, end = timezone.localtime(start), timezone.localtime(end)
    if start.date() == end.date():
        return _("%(date)s %(start)s–%(end)s") % {
            "date": formats.date_format(start, "DATE_FORMAT"),
            "start": formats.time_format(start, "TIME_FORMAT"),
            "end": formats.time_format(end, "TIME_FORMAT"),
        }
    first = formats.date_format(start, "DATETIME_FORMAT")
    last = formats.date_format(end, "DATETIME_FORMAT")
    return f"{first} – {last}"


def _fits(session: Session, start: datetime.datetime, end: datetime.datetime) -> bool:
    return session.starts_at - EARLY_START <= start < session.ends_at and end > session.starts_at


def _check_time(session: Session, report: AttendanceReport) -> list[str]:
    """Refuse a report of another meeting; warnings when its time cannot be checked."""
    start = report.start or report.end
    end = report.end or report.start
    if start is None or end is None:
        return [_("The report has no times, so it could not be checked against the session's.")]
    if _fits(session, start, end):
        return []
    message = _(
        "This report is of a meeting held %(report)s, but this session is %(session)s. "
        "Upload the report of this session."
    ) % {
        "report": _local_span(start, end),
        "session": _local_span(session.starts_at, session.ends_at),
    }
    other = next(
        (s for s in session.meeting.sessions.exclude(pk=session.pk) if _fits(s, start, end)),
        None,
    )
    if other is not None:
        message += " " + _("It looks like the report of the session %(other)s.") % {
            "other": _local_span(other.starts_at, other.ends_at)
        }
    raise ServiceError(message, code="other_meeting")


# --- Matching ----------------------------------------------------------------------


def record_key(*, email: str, name: str) -> str:
    """What identifies a report's row across reports of the same session."""
    return email if email else f"name:{match_key(name)}"


@dataclass
class _Tier:
    by_email: dict[str, set[int]] = field(default_factory=dict)
    by_name: dict[str, set[int]] = field(default_factory=dict)

    def add(self, person_id: int, email: str, name: str) -> None:
        self.by_email.setdefault(email, set()).add(person_id)
        if key := match_key(name):
            self.by_name.setdefault(key, set()).add(person_id)


@dataclass
class _Match:
    person_id: int | None = None
    matched_by: str = ""  # MatchedBy, or "" when nobody was found
    namesakes: int = 0  # people the name fitted, when more than one


class _Matcher:
    """The people a report of `session` may name, in the tiers the module docstring gives."""

    def __init__(self, session: Session) -> None:
        here, meeting, council = _Tier(), _Tier(), _Tier()
        registrations = (
            Registration.objects.filter(meeting_id=session.meeting_id)
            .exclude(status=RegistrationStatus.CANCELLED)
            .values_list("person_id", "session_id", "person__email", "person__name")
        )
        for person_id, session_id, email, name in registrations:
            if session_id == session.pk:
                here.add(person_id, email, name)
            meeting.add(person_id, email, name)
        members = Person.objects.with_role(RoleKind.COUNCIL_MEMBER).values_list(
            "pk", "email", "name"
        )
        for person_id, email, name in members:
            council.add(person_id, email, name)
        self.tiers = (here, meeting, council)

    @staticmethod
    def _first(found: Iterable[set[int] | None]) -> set[int]:
        """The people of the first tier that knows the key."""
        return next((ids for ids in found if ids), set())

    def match(self, participant: Participant) -> _Match:
        for address in dict.fromkeys(a for a in (participant.email, participant.upn) if a):
            # An email belongs to one person at most (it is unique in the directory).
            if ids := self._first(tier.by_email.get(address) for tier in self.tiers):
                return _Match(next(iter(ids)), MatchedBy.EMAIL)
        ids = self._first(tier.by_name.get(match_key(participant.name)) for tier in self.tiers)
        if len(ids) == 1:
            return _Match(next(iter(ids)), MatchedBy.NAME)
        return _Match(namesakes=len(ids))


def _carry_over(records: list[AttendanceRecord], previous: AttendanceImport) -> None:
    """Apply staff's decisions on the replaced import's rows to the new rows (see above)."""
    decided: dict[str, AttendanceRecord] = {}
    count_before: dict[str, int] = {}
    for old in previous.records.all():
        count_before[old.key] = count_before.get(old.key, 0) + 1
        if old.dismissed or old.matched_by == MatchedBy.STAFF:
            decided[old.key] = old
    count_now: dict[str, int] = {}
    for record in records:
        count_now[record.key] = count_now.get(record.key, 0) + 1
    for record in records:
        old = decided.get(record.key)
        if old is None or record.matched_by == MatchedBy.EMAIL:
            continue
        if old.dismissed:
            record.person_id, record.matched_by = None, ""
            record.dismissed, record.dismissed_reason = True, old.dismissed_reason
        elif count_before[record.key] == 1 and count_now[record.key] == 1:
            record.person_id, record.matched_by = old.person_id, MatchedBy.STAFF
        else:
            continue
        record.resolved_by_id, record.resolved_at = old.resolved_by_id, old.resolved_at


def _replacement_warnings(report: AttendanceReport, previous: AttendanceImport) -> list[str]:
    """Warn when the new report looks less complete than the one it replaces."""
    warnings = []
    if len(report.participants) < previous.rows:
        warnings.append(
            _(
                "This report lists %(now)s participants; the report it replaces (%(file)s) "
                "listed %(before)s. Check that it is the complete report."
            )
            % {"now": len(report.participants), "before": previous.rows, "file": previous.filename}
        )
    if report.end and previous.report_end and report.end < previous.report_end:
        warnings.append(
            _(
                "This report ends at %(now)s, before the report it replaces (%(before)s); "
                "it may have been made during the session."
            )
            % {
                "now": formats.date_format(timezone.localtime(report.end), "DATETIME_FORMAT"),
                "before": formats.date_format(
                    timezone.localtime(previous.report_end), "DATETIME_FORMAT"
                ),
            }
        )
    return warnings


# --- Services ------------------------------------------------------------------------


@transaction.atomic
def attendance_import(
    *,
    session: Session,
    data: bytes,
    filename: str,
    user: User | None,
    now: datetime.datetime | None = None,
) -> AttendanceImport:
    """Import the Teams attendance report in `data` as the current one of `session`.

    All or nothing: on any refusal (ServiceError with a message for staff)
    nothing is saved. The same file twice returns the first import with
    `already_imported` set and changes nothing. See the module docstring for
    matching and for what happens to the import it replaces.
    """
    now = now or timezone.now()
    limit = settings.ATTENDANCE_MAX_BYTES
    if len(data) > limit:
        raise ServiceError(
            _("The file is larger than %(limit)s; an attendance report is far smaller.")
            % {"limit": filesizeformat(limit)},
            code="too_big",
        )
    # Imports of one session queue on the session's row (PostgreSQL; SQLite's
    # immediate transactions already serialise writers).
    session = Session.objects.select_for_update().select_related("meeting").get(pk=session.pk)
    digest = hashlib.sha256(data).hexdigest()
    existing = AttendanceImport.objects.filter(session=session, sha256=digest).first()
    if existing is not None:
        existing.already_imported = True
        return existing
    try:
        report = parse_teams_report(data, tz=local_zone())
    except ReportError as error:
        raise ServiceError(error.message, code="unreadable_report") from None
    warnings = [*report.warnings, *_check_time(session, report)]

    previous = AttendanceImport.objects.filter(session=session, replaced_at__isnull=True).first()
    if previous is not None:
        warnings += _replacement_warnings(report, previous)
        previous.replaced_at = now
        previous.save(update_fields=["replaced_at"])
    new = AttendanceImport.objects.create(
        session=session,
        filename=filename[-255:],
        sha256=digest,
        size=len(data),
        uploaded_by=user,
        imported_at=now,
        title=report.title[:500],
        report_start=report.start,
        report_end=report.end,
        format=report.format,
        warnings=warnings,
        rows=len(report.participants),
    )
    matcher = _Matcher(session)
    records = []
    for participant in report.participants:
        match = matcher.match(participant)
        email = participant.email or participant.upn
        records.append(
            AttendanceRecord(
                attendance_import=new,
                session=session,
                person_id=match.person_id,
                matched_by=match.matched_by,
                namesakes=min(match.namesakes, 32767),
                name=participant.name[:300],
                email=email[:320],
                key=record_key(email=email, name=participant.name)[:400],
                seconds=max(participant.seconds, 0),
                first_join=participant.first_join,
                last_leave=participant.last_leave,
                role=participant.role[:100],
            )
        )
    if previous is not None:
        _carry_over(records, previous)
        previous.records.all().delete()
    AttendanceRecord.objects.bulk_create(records)
    return new


def _current_record(record: AttendanceRecord) -> AttendanceRecord:
    record = (
        AttendanceRecord.objects.select_for_update()
        .select_related("attendance_import", "session")
        .get(pk=record.pk)
    )
    if not record.attendance_import.is_current:
        raise ServiceError(
            _("A newer report of this session replaced this one; resolve its rows there."),
            code="replaced",
        )
    return record


@transaction.atomic
def attendance_record_match(
    *,
    record: AttendanceRecord,
    person: Person,
    user: User | None,
    now: datetime.datetime | None = None,
) -> AttendanceRecord:
    """Staff say who the row is: a council member or a registrant of the meeting.

    Only this row changes (several rows may share a key, such as anonymous
    participants, who are different people). A dismissed row is matched
    instead; a matched row gets the new person.
    """
    record = _current_record(record)
    allowed = (
        person.roles.filter(kind=RoleKind.COUNCIL_MEMBER).exists()
        or person.registrations.filter(meeting_id=record.session.meeting_id).exists()
    )
    if not allowed:
        raise ServiceError(
            _("%(name)s is neither a council member nor registered for this meeting.")
            % {"name": person.name},
            code="not_a_member",
        )
    record.person = person
    record.matched_by = MatchedBy.STAFF
    record.dismissed, record.dismissed_reason = False, ""
    record.resolved_by, record.resolved_at = user, now or timezone.now()
    record.save()
    return record


@transaction.atomic
def attendance_record_dismiss(
    *,
    record: AttendanceRecord,
    reason: str,
    user: User | None,
    now: datetime.datetime | None = None,
) -> int:
    """Staff set the row aside with a reason; it no longer counts as anyone's attendance.

    Every open row of the same report with the same key is dismissed with it
    (all the anonymous participants at once, say). Returns how many rows.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise ServiceError(_("Give a reason for dismissing the row."), code="no_reason")
    if len(reason) > 300:
        raise ServiceError(_("Keep the reason under 300 characters."), code="long_reason")
    record = _current_record(record)
    same_key = AttendanceRecord.objects.filter(
        attendance_import_id=record.attendance_import_id,
        key=record.key,
        person__isnull=True,
        dismissed=False,
    ).exclude(pk=record.pk)
    resolved = {
        "person": None,
        "matched_by": "",
        "dismissed": True,
        "dismissed_reason": reason,
        "resolved_by": user,
        "resolved_at": now or timezone.now(),
    }
    others = same_key.update(**resolved)
    AttendanceRecord.objects.filter(pk=record.pk).update(**resolved)
    return others + 1
