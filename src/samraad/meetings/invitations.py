"""Services for inviting council members: invitations, reminders, new links on request.

Every council member gets a personal link (accounts.AccessLink) in the
invitation; the link opens their own registration page. Mail goes through the
outbox with dedupe keys, so an invitation or a reminder reaches a person once
however often these run.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import override

from samraad.accounts.models import AccessLink, AccessPurpose
from samraad.accounts.services import access_link_create
from samraad.core.ratelimit import rate_limited
from samraad.directory.models import Person, RoleKind
from samraad.mail.services import mail_queue_template
from samraad.meetings.models import Invitation, Meeting, Registration, RegistrationStatus
from samraad.meetings.services import member_page_url, session_label

# "Send me my link": at most this many new links per person an hour, and this
# many requests per client address an hour (both counted in the database, so all
# web processes share them).
LINKS_PER_PERSON_PER_HOUR = 3
REQUESTS_PER_ADDRESS_PER_HOUR = 20


@dataclass(frozen=True)
class Audience:
    """Who is invited: every council member, or those of some regions or municipalities."""

    region_ids: frozenset[int] = field(default_factory=frozenset)
    municipality_ids: frozenset[int] = field(default_factory=frozenset)

    def people(self) -> Iterable[Person]:
        people = Person.objects.with_role(RoleKind.COUNCIL_MEMBER).select_related("municipality")
        if self.region_ids:
            people = people.filter(municipality__region_id__in=self.region_ids)
        if self.municipality_ids:
            people = people.filter(municipality_id__in=self.municipality_ids)
        return people.order_by("id").distinct()


def _values(meeting: Meeting, person: Person, token: str) -> dict[str, str]:
    contact = meeting.round.contact
    return {
        "name": person.name,
        "meeting": meeting.title,
        "sessions": "\n".join(
            f"- {session_label(session)}" for session in meeting.sessions.order_by("starts_at")
        ),
        "deadline": formats.date_format(
            timezone.localtime(meeting.registration_deadline), "DATETIME_FORMAT"
        ),
        "page": member_page_url(token),
        "contact": f"{contact.name}, {contact.email}" if contact else "",
    }


def _invitation_mail(meeting: Meeting, person: Person, key: str) -> None:
    """A new personal link for `person` and the mail `key` (an invitation or its reminder)."""
    token = access_link_create(round=meeting.round, person=person, purpose=AccessPurpose.MEMBER)
    with override("da"):
        mail_queue_template(
            key=key,
            to_email=person.email,
            to_name=person.name,
            person=person,
            values=_values(meeting, person, token),
            about=f"meeting:{meeting.pk}",
        )


def invitations_send(
    *, meeting: Meeting, audience: Audience, now: datetime.datetime | None = None
) -> int:
    """Invite everyone in `audience` not yet invited to `meeting`; return how many were invited.

    Each invitation is its own transaction (invitation row, personal link and
    mail together), so a crash half-way loses nothing and a re-run continues
    where it stopped.
    """
    now = now or timezone.now()
    invited = set(meeting.invitations.values_list("person_id", flat=True))
    count = 0
    for person in audience.people():
        if person.pk in invited:
            continue
        with transaction.atomic():
            Invitation.objects.create(meeting=meeting, person=person, sent_at=now)
            _invitation_mail(meeting, person, "invitation")
        count += 1
    return count


def invitation_reminders_send(*, meeting: Meeting, now: datetime.datetime | None = None) -> int:
    """Remind every invited member without a registration (waitlist counts), once each."""
    now = now or timezone.now()
    if now > meeting.registration_deadline:
        return 0
    registered = Registration.objects.filter(meeting=meeting).exclude(
        status=RegistrationStatus.CANCELLED
    )
    pending = (
        Invitation.objects.filter(meeting=meeting, reminded_at__isnull=True)
        .exclude(person__in=registered.values("person"))
        .select_related("person")
        .order_by("id")
    )
    count = 0
    for invitation in pending:
        with transaction.atomic():
            _invitation_mail(meeting, invitation.person, "invitation_reminder")
            Invitation.objects.filter(pk=invitation.pk).update(reminded_at=now)
        count += 1
    return count


def invitation_reminders_due(*, now: datetime.datetime | None = None) -> int:
    """Send the reminders whose time has come (a worker's periodic job)."""
    now = now or timezone.now()
    meetings = Meeting.objects.select_related("round__contact").filter(
        reminder_at__lte=now, registration_deadline__gte=now
    )
    return sum(invitation_reminders_send(meeting=meeting, now=now) for meeting in meetings)


def day_reminders_due(*, now: datetime.datetime | None = None) -> int:
    """On a session's day, from the meeting's reminder time, remind its registrants once.

    A worker's periodic job; only sessions later today are looked at.
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    end_of_day = timezone.make_aware(
        datetime.datetime.combine(local.date() + datetime.timedelta(days=1), datetime.time()),
        local.tzinfo,
    )
    due = (
        Registration.objects.filter(
            status=RegistrationStatus.CONFIRMED,
            day_reminder_sent_at__isnull=True,
            meeting__day_reminder_time__lte=local.time(),
            session__starts_at__gt=now,
            session__starts_at__lt=end_of_day,
        )
        .exclude(session__join_url="")
        .select_related("person", "session", "meeting")
        .order_by("id")
    )
    count = 0
    for registration in due:
        with transaction.atomic(), override("da"):
            claimed = Registration.objects.filter(
                pk=registration.pk, day_reminder_sent_at__isnull=True
            ).update(day_reminder_sent_at=now)
            if not claimed:
                continue  # another worker got there first
            mail_queue_template(
                key="meeting_day_reminder",
                to_email=registration.person.email,
                to_name=registration.person.name,
                person=registration.person,
                values={
                    "name": registration.person.name,
                    "meeting": registration.meeting.title,
                    "session": session_label(registration.session),
                    "page": "",
                    "join_url": registration.session.join_url,
                },
                about=f"registration:{registration.pk}:session:{registration.session_id}",
            )
        count += 1
    return count


def member_link_request(*, email: str, client: str, now: datetime.datetime | None = None) -> None:
    """ "Send me my link": mail a new personal link to a known council member, quietly.

    The caller answers the same whether or not the address is known; unknown
    addresses, and requests over the rate limits, do nothing.
    """
    now = now or timezone.now()
    if rate_limited(
        scope="member-link-request",
        key=client,
        limit=REQUESTS_PER_ADDRESS_PER_HOUR,
        window=datetime.timedelta(hours=1),
        now=now,
    ):
        return
    person = (
        Person.objects.with_role(RoleKind.COUNCIL_MEMBER)
        .filter(email=email.strip().lower())
        .first()
    )
    if person is None:
        return
    meeting = (
        Meeting.objects.select_related("round__contact")
        .filter(round__is_published=True, round__ends_on__gte=timezone.localdate(now))
        .order_by("-round__starts_on")
        .first()
    )
    if meeting is None:
        return
    recent = AccessLink.objects.filter(
        person=person, round=meeting.round, created_at__gte=now - datetime.timedelta(hours=1)
    ).count()
    if recent >= LINKS_PER_PERSON_PER_HOUR:
        return
    with transaction.atomic(), override("da"):
        token = access_link_create(round=meeting.round, person=person, purpose=AccessPurpose.MEMBER)
        mail_queue_template(
            key="member_link",
            to_email=person.email,
            to_name=person.name,
            person=person,
            values={"name": person.name, "meeting": meeting.title, "page": member_page_url(token)},
            about=f"link:{token[:16]}",
        )
