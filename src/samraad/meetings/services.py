"""Every change to the virtual large meetings: registration, waitlist, link release."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from samraad.accounts.models import AccessPurpose
from samraad.accounts.services import access_link_create
from samraad.core.calendar import CalendarEvent, event_ics
from samraad.core.compiled import CompiledQuery
from samraad.core.errors import ServiceError
from samraad.directory.models import Person
from samraad.mail.delivery import envelope_sender
from samraad.mail.services import Attachment, mail_queue_template
from samraad.meetings.models import (
    LateRegistration,
    Meeting,
    Registration,
    RegistrationStatus,
    Session,
)
from samraad.meetings.selectors import confirmed_count


class SessionFull(ServiceError):
    """The chosen session has no free seat; the member may take another or the waitlist."""

    def __init__(self, session: Session, alternatives: list[Session]) -> None:
        super().__init__(
            _("The session %(session)s is full.") % {"session": session_label(session)},
            code="session_full",
        )
        self.session = session
        self.alternatives = alternatives


def session_label(session: Session) -> str:
    """ "mandag den 31. marts 2025 kl. 19.00–20.30" in the active language."""
    start = timezone.localtime(session.starts_at)
    end = timezone.localtime(session.ends_at)
    return _("%(date)s %(start)s–%(end)s") % {
        "date": formats.date_format(start, "DATE_FORMAT"),
        "start": formats.time_format(start, "TIME_FORMAT"),
        "end": formats.time_format(end, "TIME_FORMAT"),
    }


def seats_taken(session: Session) -> int:
    """Confirmed registrations for `session`, read now (after its lock, when there is one)."""
    return _SEATS_TAKEN.first(session_id=session.pk).taken


def _deadline_check(meeting: Meeting, now: datetime.datetime) -> bool:
    """Whether a registration made `now` is late; refuse one that is not allowed at all."""
    if now < meeting.registration_opens_at:
        raise ServiceError(
            _("Registration opens %(when)s.")
            % {
                "when": formats.date_format(
                    timezone.localtime(meeting.registration_opens_at), "DATETIME_FORMAT"
                )
            },
            code="not_open",
        )
    if now <= meeting.registration_deadline:
        return False
    if meeting.late_registration == LateRegistration.OPEN_WITH_LINK:
        return True
    raise ServiceError(
        _("The registration deadline was %(when)s. Please contact the secretariat.")
        % {
            "when": formats.date_format(
                timezone.localtime(meeting.registration_deadline), "DATETIME_FORMAT"
            )
        },
        code="deadline_passed",
    )


# A registration's two locking reads (samraad.core.compiled says why compiled).
_SESSION_LOCK = CompiledQuery(
    lambda session_id, meeting_id: Session.objects.select_for_update().filter(
        pk=session_id, meeting_id=meeting_id
    ),
    session_id=int,
    meeting_id=int,
)
# Its own statement, after the session's lock: in READ COMMITTED it then sees every
# registration committed by whoever held the lock before.
_SEATS_TAKEN = CompiledQuery(
    lambda session_id: Session.objects.filter(pk=session_id).annotate(taken=confirmed_count()),
    session_id=int,
)
_REGISTRATION_LOCK = CompiledQuery(
    lambda meeting_id, person_id: (
        Registration.objects.select_for_update()
        .filter(meeting_id=meeting_id, person_id=person_id)
        .order_by()
    ),  # one at most: a person registers once per meeting
    meeting_id=int,
    person_id=int,
)


def _lock_session(session_id: int, meeting: Meeting | None = None) -> Session:
    # PostgreSQL: the session row is the lock every registration for it queues on (only
    # that row: `of` keeps the meeting's row free). SQLite: the immediate transaction
    # already serialises writers.
    if meeting is not None:
        session = _SESSION_LOCK.first(session_id=session_id, meeting_id=meeting.pk)
        if session is None:
            raise Session.DoesNotExist
        session.meeting = meeting
        return session
    return (
        Session.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=session_id)
    )


def member_page_url(token: str) -> str:
    return f"{settings.BASE_URL}/m/{token}/"


def _ics(
    registration: Registration, *, cancelled: bool = False, with_link: bool = False
) -> Attachment:
    session = registration.session
    meeting = registration.meeting
    contact = meeting.round.contact
    event = CalendarEvent(
        uid=registration.ics_uid,
        sequence=registration.sequence,
        summary=meeting.title,
        start=session.starts_at,
        end=session.ends_at,
        description=meeting.round.text("meetings_text"),
        location="Microsoft Teams",
        url=session.join_url if with_link else "",
        # An invitation needs an organiser (RFC 5546): the round's contact, else Samråd itself.
        organizer_email=contact.email if contact else envelope_sender(),
        organizer_name=contact.name if contact else settings.ASSOCIATION_NAME,
        attendee_email=registration.person.email,
        attendee_name=registration.person.name,
        cancelled=cancelled,
    )
    return Attachment(filename="invite.ics", content_type="text/calendar", content=event_ics(event))


def personal_page_url(registration: Registration) -> str:
    """A fresh personal link for mail sent without the member's own (a promotion, a release)."""
    token = access_link_create(
        round=registration.meeting.round, person=registration.person, purpose=AccessPurpose.MEMBER
    )
    return member_page_url(token)


def _notify(
    registration: Registration,
    key: str,
    *,
    page_url: str,
    about: str | None = None,
    **extra: str,
) -> None:
    """Queue mail `key` about the registration: once per version, or once per `about`."""
    person = registration.person
    with override("da"):
        values = {
            "name": person.name,
            "meeting": registration.meeting.title,
            "session": session_label(registration.session),
            "page": page_url,
            "deadline": formats.date_format(
                timezone.localtime(registration.meeting.registration_deadline), "DATETIME_FORMAT"
            ),
            **extra,
        }
        mail_queue_template(
            key=key,
            to_email=person.email,
            to_name=person.name,
            person=person,
            values=values,
            about=about or f"registration:{registration.pk}:{registration.sequence}",
            attachments=[
                _ics(
                    registration,
                    cancelled=registration.status == RegistrationStatus.CANCELLED,
                    with_link=key == "join_link",
                )
            ],
        )


def links_released(meeting: Meeting, now: datetime.datetime | None = None) -> bool:
    return (now or timezone.now()) >= meeting.effective_link_release_at


@transaction.atomic
def registration_submit(
    *,
    meeting: Meeting,
    person: Person,
    session_id: int,
    page_url: str,
    question: str = "",
    waitlist: bool = False,
    now: datetime.datetime | None = None,
) -> Registration:
    """Register `person` for the session `session_id`, or move their registration there.

    Guarantees: never more confirmed registrations than the session's
    capacity, even under concurrent requests; one registration per person and
    meeting; the deadline holds to the second (late registration only where
    the meeting allows it, and then the join link goes out at once). A full
    session raises SessionFull naming the alternatives, unless `waitlist`.
    Each change raises the registration's sequence and mails a confirmation
    with a calendar file.
    """
    now = now or timezone.now()
    late = _deadline_check(meeting, now)
    try:
        # The lock's query is also the check that the session is one of the meeting's.
        session = _lock_session(session_id, meeting)
    except Session.DoesNotExist:
        raise ServiceError(
            _("That session does not belong to this meeting."), code="bad_session"
        ) from None
    existing = _REGISTRATION_LOCK.first(meeting_id=meeting.pk, person_id=person.pk)
    if existing is not None:
        existing.meeting, existing.person = meeting, person
    question = question.strip()[:4000]
    if (
        existing
        and existing.session_id == session.pk
        and existing.status != RegistrationStatus.CANCELLED
    ):
        if existing.question != question:
            existing.question = question
            existing.save(update_fields=["question", "updated_at"])
        return existing

    if seats_taken(session) < session.capacity:
        status = RegistrationStatus.CONFIRMED
    elif waitlist:
        status = RegistrationStatus.WAITLISTED
    else:
        others = [
            other
            for other in meeting.sessions.exclude(pk=session.pk)
            if seats_taken(other) < other.capacity
        ]
        raise SessionFull(session, others)

    freed = (
        existing.session if existing and existing.status == RegistrationStatus.CONFIRMED else None
    )
    registration = existing or Registration(meeting=meeting, person=person)
    registration.session = session
    registration.status = status
    registration.question = question
    registration.late = late
    registration.waitlisted_at = now if status == RegistrationStatus.WAITLISTED else None
    registration.sequence = (registration.sequence + 1) if existing else 0
    registration.link_sent_at = None
    registration.save()
    if status == RegistrationStatus.CONFIRMED:
        _notify(registration, "registration_confirmed", page_url=page_url)
        if links_released(meeting, now):
            join_link_send(registration=registration, page_url=page_url, now=now)
    else:
        _notify(registration, "registration_waitlisted", page_url=page_url)
    if freed is not None:
        waitlist_promote(session=freed, now=now)
    return registration


@transaction.atomic
def registration_cancel(
    *, registration: Registration, page_url: str, now: datetime.datetime | None = None
) -> Registration:
    """Cancel before the deadline; the first on the waitlist takes the seat."""
    now = now or timezone.now()
    if registration.status == RegistrationStatus.CANCELLED:
        return registration
    if now > registration.meeting.registration_deadline:
        raise ServiceError(
            _("After the deadline, please tell the secretariat that you cannot come."),
            code="deadline_passed",
        )
    session = _lock_session(registration.session_id)
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.sequence += 1
    registration.save(update_fields=["status", "sequence", "updated_at"])
    _notify(registration, "registration_cancelled", page_url=page_url)
    if was_confirmed:
        waitlist_promote(session=session, now=now)
    return registration


def waitlist_promote(*, session: Session, now: datetime.datetime | None = None) -> int:
    """Give free seats of `session` to the waitlist, first come first served; return how many."""
    now = now or timezone.now()
    free = session.capacity - seats_taken(session)
    promoted = 0
    waiting = (
        Registration.objects.select_related("person", "meeting__round", "session")
        .filter(session=session, status=RegistrationStatus.WAITLISTED)
        .order_by("waitlisted_at", "id")
    )
    for registration in waiting[: max(free, 0)]:
        registration.status = RegistrationStatus.CONFIRMED
        registration.waitlisted_at = None
        registration.sequence += 1
        registration.save(update_fields=["status", "waitlisted_at", "sequence", "updated_at"])
        page_url = personal_page_url(registration)
        _notify(registration, "waitlist_promoted", page_url=page_url)
        if links_released(registration.meeting, now):
            join_link_send(registration=registration, page_url=page_url, now=now)
        promoted += 1
    return promoted


def join_link_send(
    *, registration: Registration, page_url: str, now: datetime.datetime | None = None
) -> None:
    """Mail the join link of the member's own session, with the calendar entry updated.

    Exactly once per registration and session: the outbox's dedupe key holds
    the session, so a second call (a retried task, two workers) sends nothing.
    """
    if registration.status != RegistrationStatus.CONFIRMED or not registration.session.join_url:
        return
    registration.sequence += 1
    registration.link_sent_at = now or timezone.now()
    registration.save(update_fields=["sequence", "link_sent_at", "updated_at"])
    _notify(
        registration,
        "join_link",
        page_url=page_url,
        about=f"registration:{registration.pk}:session:{registration.session_id}",
        join_url=registration.session.join_url,
    )


def links_release_due(*, now: datetime.datetime | None = None) -> int:
    """Send the join link to every confirmed registrant whose meeting's release time has come.

    The worker runs this on every heartbeat, so links go out within seconds of
    the release time; a registrant who already has the link is skipped.
    """
    now = now or timezone.now()
    released = Q(meeting__link_release_at__lte=now) | Q(
        meeting__link_release_at__isnull=True, meeting__registration_deadline__lte=now
    )
    due = (
        Registration.objects.select_related("person", "session", "meeting__round__contact")
        .filter(released, status=RegistrationStatus.CONFIRMED, link_sent_at__isnull=True)
        .exclude(session__join_url="")
        .order_by("id")
    )
    sent = 0
    while batch := list(due[:200]):
        for registration in batch:
            with transaction.atomic():
                # Another worker may have sent it since the read: only the first one sends.
                still_due = (
                    Registration.objects.select_for_update()
                    .filter(pk=registration.pk, link_sent_at__isnull=True)
                    .exists()
                )
                if still_due:
                    join_link_send(
                        registration=registration,
                        page_url=personal_page_url(registration),
                        now=now,
                    )
                    sent += 1
    return sent


@transaction.atomic
def session_update(
    *,
    session: Session,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    format: str,
    capacity: int,
    join_url: str,
    now: datetime.datetime | None = None,
) -> Session:
    """Change a session, keeping what registrants were promised.

    Capacity never drops below the seats already confirmed (more seats go to
    the waitlist at once). A changed time reaches every registrant with an
    updated calendar entry; a changed join link after the release reaches
    those who had the old one.
    """
    now = now or timezone.now()
    session = _lock_session(session.pk)
    if ends_at <= starts_at:
        raise ServiceError(_("The session must end after it starts."), code="bad_times")
    taken = seats_taken(session)
    if capacity < taken:
        raise ServiceError(
            _("%(taken)s members are registered for this session; capacity cannot be lower.")
            % {"taken": taken},
            code="capacity_below_registered",
        )
    changed_link = join_url != session.join_url
    changed_time = starts_at != session.starts_at or ends_at != session.ends_at
    session.starts_at, session.ends_at = starts_at, ends_at
    session.format, session.capacity, session.join_url = format, capacity, join_url
    session.save()
    if capacity > taken:
        waitlist_promote(session=session, now=now)
    released = links_released(session.meeting, now)
    if not (changed_time or (changed_link and released)):
        return session
    confirmed = Registration.objects.select_related("person", "meeting__round__contact").filter(
        session=session, status=RegistrationStatus.CONFIRMED
    )
    for registration in confirmed:
        registration.session = session
        registration.sequence += 1
        registration.save(update_fields=["sequence", "updated_at"])
        has_link = released and registration.link_sent_at is not None
        _notify(
            registration,
            "join_link" if has_link else "registration_confirmed",
            page_url=personal_page_url(registration),
            about=f"registration:{registration.pk}:update:{registration.sequence}",
            join_url=session.join_url,
        )
    return session


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    registration_opens_at: datetime.datetime,
    registration_deadline: datetime.datetime,
    link_release_at: datetime.datetime | None,
    late_registration: str,
) -> Meeting:
    """Change the meeting's registration window, link release and late-registration policy.

    The deadline must come after the opening, and a release time may not come
    before the deadline (links would reach people who could still change
    session). Links already sent stay sent; a later release applies to the rest.
    """
    if registration_deadline <= registration_opens_at:
        raise ServiceError(_("The deadline must come after registration opens."))
    if link_release_at is not None and link_release_at < registration_deadline:
        raise ServiceError(_("The join links cannot go out before the deadline."))
    meeting.registration_opens_at = registration_opens_at
    meeting.registration_deadline = registration_deadline
    meeting.link_release_at = link_release_at
    meeting.late_registration = late_registration
    meeting.save(
        update_fields=[
            "registration_opens_at",
            "registration_deadline",
            "link_release_at",
            "late_registration",
        ]
    )
    return meeting
