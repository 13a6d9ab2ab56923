"""Registration for the virtual large meetings: seats, waitlist, deadline, link release."""

from __future__ import annotations

import datetime

import pytest
from icalendar import Calendar

from samraad.core.errors import ServiceError
from samraad.core.timeutils import local_datetime
from samraad.directory.models import RoleKind
from samraad.directory.services import person_upsert
from samraad.mail.models import OutboxMessage
from samraad.meetings.models import LateRegistration, Registration, RegistrationStatus
from samraad.meetings.services import (
    SessionFull,
    links_release_due,
    registration_cancel,
    registration_submit,
)
from samraad.tests_support.factories import MeetingFactory, SessionFactory
from samraad.tests_support.mail import outbox_attachments

PAGE = "https://samraad.example/m/token/"
BEFORE_DEADLINE = local_datetime(2025, 3, 20, 12)
DEADLINE = local_datetime(2025, 3, 26, 23, 59, 59)


@pytest.fixture
def meeting(db):
    meeting = MeetingFactory(registration_deadline=DEADLINE)
    SessionFactory(
        meeting=meeting,
        capacity=2,
        starts_at=local_datetime(2025, 3, 31, 19),
        ends_at=local_datetime(2025, 3, 31, 20, 30),
        join_url="https://teams.example/monday",
    )
    SessionFactory(
        meeting=meeting,
        capacity=2,
        starts_at=local_datetime(2025, 4, 3, 19),
        ends_at=local_datetime(2025, 4, 3, 20, 30),
        join_url="https://teams.example/thursday",
    )
    return meeting


@pytest.fixture
def sessions(meeting):
    return list(meeting.sessions.order_by("starts_at"))


def member(n: int):
    from samraad.directory.models import Municipality

    return person_upsert(
        email=f"medlem{n}@aarhus.dk",
        name=f"Medlem Prøvesen {n}",
        roles=[RoleKind.COUNCIL_MEMBER],
        municipality=Municipality.objects.get(code=751),
    )


def register(meeting, person, session, **kwargs):
    kwargs.setdefault("now", BEFORE_DEADLINE)
    return registration_submit(
        meeting=meeting, person=person, session_id=session.pk, page_url=PAGE, **kwargs
    )


def ics_of(message: OutboxMessage) -> Calendar:
    (attachment,) = outbox_attachments(message)
    return Calendar.from_ical(attachment.get_payload(decode=True))


def mails(purpose: str, person=None) -> list[OutboxMessage]:
    qs = OutboxMessage.objects.filter(purpose=purpose).order_by("id")
    if person is not None:
        qs = qs.filter(to_email=person.email)
    return list(qs)


def test_register_confirms_and_mails_a_calendar_entry_without_the_link(meeting, sessions):
    person = member(1)
    registration = register(meeting, person, sessions[0], question="Ældreområdet")
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.question == "Ældreområdet"
    (mail,) = mails("registration_confirmed", person)
    assert PAGE in mail.body_text
    calendar = ics_of(mail)
    assert str(calendar["METHOD"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event["UID"] == registration.ics_uid
    assert int(event["SEQUENCE"]) == 0
    (attachment,) = outbox_attachments(mail)
    assert b"teams.example" not in attachment.get_payload(decode=True)
    assert event.decoded("DTSTART").astimezone(datetime.UTC) == datetime.datetime(
        2025, 3, 31, 17, 0, tzinfo=datetime.UTC
    )


def test_changing_session_updates_the_same_registration_and_raises_the_sequence(meeting, sessions):
    person = member(1)
    first = register(meeting, person, sessions[0])
    moved = register(meeting, person, sessions[1])
    assert moved.pk == first.pk
    assert moved.session == sessions[1]
    assert moved.sequence == 1
    assert Registration.objects.count() == 1
    second_mail = mails("registration_confirmed", person)[1]
    (event,) = ics_of(second_mail).walk("VEVENT")
    assert int(event["SEQUENCE"]) == 1
    assert event["UID"] == first.ics_uid


def test_registering_again_for_the_same_session_changes_nothing(meeting, sessions):
    person = member(1)
    register(meeting, person, sessions[0])
    register(meeting, person, sessions[0])
    assert Registration.objects.count() == 1
    assert len(mails("registration_confirmed")) == 1


def test_a_full_session_offers_the_other_and_the_waitlist(meeting, sessions):
    register(meeting, member(1), sessions[0])
    register(meeting, member(2), sessions[0])
    with pytest.raises(SessionFull) as full:
        register(meeting, member(3), sessions[0])
    assert full.value.alternatives == [sessions[1]]
    assert not Registration.objects.filter(person__email="medlem3@aarhus.dk").exists()
    waiting = register(meeting, member(3), sessions[0], waitlist=True)
    assert waiting.status == RegistrationStatus.WAITLISTED
    assert len(mails("registration_waitlisted")) == 1
    assert sessions[0].registrations.filter(status=RegistrationStatus.CONFIRMED).count() == 2


def test_a_cancellation_promotes_the_first_on_the_waitlist_and_tells_them(meeting, sessions):
    first = register(meeting, member(1), sessions[0])
    register(meeting, member(2), sessions[0])
    register(meeting, member(3), sessions[0], waitlist=True, now=BEFORE_DEADLINE)
    register(
        meeting,
        member(4),
        sessions[0],
        waitlist=True,
        now=BEFORE_DEADLINE + datetime.timedelta(minutes=1),
    )
    registration_cancel(registration=first, page_url=PAGE, now=BEFORE_DEADLINE)
    statuses = dict(Registration.objects.values_list("person__email", "status"))
    assert statuses["medlem1@aarhus.dk"] == RegistrationStatus.CANCELLED
    assert statuses["medlem3@aarhus.dk"] == RegistrationStatus.CONFIRMED
    assert statuses["medlem4@aarhus.dk"] == RegistrationStatus.WAITLISTED
    (promoted,) = mails("waitlist_promoted")
    assert promoted.to_email == "medlem3@aarhus.dk"
    (cancelled,) = mails("registration_cancelled")
    calendar = ics_of(cancelled)
    assert str(calendar["METHOD"]) == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert int(event["SEQUENCE"]) == 1


def test_moving_to_another_session_gives_the_seat_to_the_waitlist(meeting, sessions):
    mover = member(1)
    register(meeting, mover, sessions[0])
    register(meeting, member(2), sessions[0])
    register(meeting, member(3), sessions[0], waitlist=True)
    register(meeting, mover, sessions[1])
    assert Registration.objects.get(person__email="medlem3@aarhus.dk").status == (
        RegistrationStatus.CONFIRMED
    )


def test_the_deadline_holds_to_the_second(meeting, sessions):
    register(meeting, member(1), sessions[0], now=DEADLINE)
    with pytest.raises(ServiceError) as late:
        register(meeting, member(2), sessions[0], now=DEADLINE + datetime.timedelta(seconds=1))
    assert late.value.code == "deadline_passed"
    assert Registration.objects.count() == 1


def test_the_deadline_across_the_change_to_summer_time(meeting, sessions):
    # Monday 31 March 2025 19.00 in Copenhagen is 17.00 UTC (summer time began on the 30th).
    meeting.registration_deadline = local_datetime(2025, 3, 31, 19)
    meeting.save()
    utc = datetime.UTC
    register(
        meeting, member(1), sessions[1], now=datetime.datetime(2025, 3, 31, 17, 0, 0, tzinfo=utc)
    )
    with pytest.raises(ServiceError):
        register(
            meeting,
            member(2),
            sessions[1],
            now=datetime.datetime(2025, 3, 31, 17, 0, 1, tzinfo=utc),
        )


def test_before_registration_opens(meeting, sessions):
    with pytest.raises(ServiceError) as early:
        register(meeting, member(1), sessions[0], now=local_datetime(2025, 1, 1, 12))
    assert early.value.code == "not_open"


def test_a_session_of_another_meeting_is_refused(meeting):
    other = SessionFactory()
    with pytest.raises(ServiceError) as wrong:
        register(meeting, member(1), other)
    assert wrong.value.code == "bad_session"


def test_late_registration_where_allowed_gets_the_link_at_once(meeting, sessions):
    meeting.late_registration = LateRegistration.OPEN_WITH_LINK
    meeting.save()
    after = DEADLINE + datetime.timedelta(hours=1)
    registration = register(meeting, member(1), sessions[0], now=after)
    assert registration.late
    (link_mail,) = mails("join_link")
    assert "https://teams.example/monday" in link_mail.body_text
    (event,) = ics_of(link_mail).walk("VEVENT")
    assert "https://teams.example/monday" in str(event["URL"])


def test_cancelling_after_the_deadline_is_refused(meeting, sessions):
    registration = register(meeting, member(1), sessions[0])
    with pytest.raises(ServiceError):
        registration_cancel(
            registration=registration, page_url=PAGE, now=DEADLINE + datetime.timedelta(seconds=1)
        )


def test_links_are_released_once_to_the_confirmed_only(meeting, sessions):
    monday, thursday = member(1), member(2)
    register(meeting, monday, sessions[0])
    register(meeting, thursday, sessions[1])
    register(meeting, member(3), sessions[0])
    register(meeting, member(4), sessions[0], waitlist=True)
    cancelled = register(meeting, member(5), sessions[1])
    registration_cancel(registration=cancelled, page_url=PAGE, now=BEFORE_DEADLINE)

    just_before = DEADLINE - datetime.timedelta(seconds=1)
    assert links_release_due(now=just_before) == 0  # the release is at the deadline
    after = DEADLINE
    assert links_release_due(now=after) == 3
    assert links_release_due(now=after) == 0
    by_person = {m.to_email: m for m in mails("join_link")}
    assert set(by_person) == {monday.email, thursday.email, "medlem3@aarhus.dk"}
    assert "https://teams.example/monday" in by_person[monday.email].body_text
    assert "https://teams.example/thursday" not in by_person[monday.email].body_text
    assert "https://teams.example/thursday" in by_person[thursday.email].body_text
    assert "/m/" in by_person[monday.email].body_text  # a fresh personal link


def test_a_changed_join_link_after_release_reaches_those_who_had_it(meeting, sessions):
    from samraad.meetings.services import session_update

    person = member(1)
    register(meeting, person, sessions[0])
    links_release_due(now=DEADLINE)
    monday = sessions[0]
    session_update(
        session=monday,
        starts_at=monday.starts_at,
        ends_at=monday.ends_at,
        format=monday.format,
        capacity=monday.capacity,
        join_url="https://teams.example/monday-new",
        now=DEADLINE + datetime.timedelta(hours=1),
    )
    links = mails("join_link", person)
    assert len(links) == 2
    assert "https://teams.example/monday-new" in links[1].body_text
    (event,) = ics_of(links[1]).walk("VEVENT")
    assert "monday-new" in str(event["URL"])


def test_capacity_cannot_drop_below_the_registered_and_more_seats_serve_the_waitlist(
    meeting, sessions
):
    from samraad.meetings.services import session_update

    monday = sessions[0]
    register(meeting, member(1), monday)
    register(meeting, member(2), monday)
    register(meeting, member(3), monday, waitlist=True)
    kwargs = {
        "starts_at": monday.starts_at,
        "ends_at": monday.ends_at,
        "format": monday.format,
        "join_url": monday.join_url,
        "now": BEFORE_DEADLINE,
    }
    with pytest.raises(ServiceError):
        session_update(session=monday, capacity=1, **kwargs)
    session_update(session=monday, capacity=3, **kwargs)
    assert Registration.objects.get(person__email="medlem3@aarhus.dk").status == (
        RegistrationStatus.CONFIRMED
    )


def test_a_moved_session_sends_an_updated_calendar_entry(meeting, sessions):
    from samraad.meetings.services import session_update

    person = member(1)
    register(meeting, person, sessions[0])
    monday = sessions[0]
    session_update(
        session=monday,
        starts_at=monday.starts_at + datetime.timedelta(hours=1),
        ends_at=monday.ends_at + datetime.timedelta(hours=1),
        format=monday.format,
        capacity=monday.capacity,
        join_url=monday.join_url,
        now=BEFORE_DEADLINE,
    )
    confirmations = mails("registration_confirmed", person)
    assert len(confirmations) == 2
    (event,) = ics_of(confirmations[1]).walk("VEVENT")
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART").astimezone(datetime.UTC).hour == 18
