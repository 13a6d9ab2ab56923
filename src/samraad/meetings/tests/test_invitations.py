"""Invitations, reminders and "send me my link"."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache

from samraad.accounts.models import AccessLink
from samraad.core.timeutils import local_datetime
from samraad.directory.models import Municipality, Region, RoleKind
from samraad.directory.services import person_upsert
from samraad.mail.models import OutboxMessage
from samraad.meetings.invitations import (
    LINKS_PER_PERSON_PER_HOUR,
    REQUESTS_PER_ADDRESS_PER_HOUR,
    Audience,
    day_reminders_due,
    invitation_reminders_due,
    invitations_send,
    member_link_request,
)
from samraad.meetings.models import Invitation
from samraad.meetings.services import registration_submit
from samraad.tests_support.factories import MeetingFactory, RoundFactory, SessionFactory

NOW = local_datetime(2025, 3, 1, 10)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def meeting(db):
    round_ = RoundFactory(starts_on=datetime.date(2025, 2, 7), ends_on=datetime.date(2030, 6, 30))
    meeting = MeetingFactory(round=round_)
    SessionFactory(
        meeting=meeting,
        starts_at=local_datetime(2025, 3, 31, 19),
        ends_at=local_datetime(2025, 3, 31, 20, 30),
        join_url="https://teams.example/monday",
    )
    return meeting


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def member(email: str, code: int):
    return person_upsert(
        email=email,
        name=email.split("@")[0].title(),
        roles=[RoleKind.COUNCIL_MEMBER],
        municipality=Municipality.objects.get(code=code),
    )


def page_url(message: OutboxMessage) -> str:
    return re.search(r"https?://\S+/m/\S+/", message.body_text).group(0)


def test_everyone_in_the_audience_is_invited_once_with_a_working_personal_link(meeting, client):
    aarhus, aalborg = member("a@aarhus.dk", 751), member("b@aalborg.dk", 851)
    person_upsert(
        email="contact@aarhus.dk",
        name="Kontakt",
        roles=[RoleKind.MUNICIPAL_CONTACT],
        municipality=Municipality.objects.get(code=751),
    )
    assert invitations_send(meeting=meeting, audience=Audience(), now=NOW) == 2
    assert invitations_send(meeting=meeting, audience=Audience(), now=NOW) == 0
    mails = OutboxMessage.objects.filter(purpose="invitation")
    assert sorted(mails.values_list("to_email", flat=True)) == sorted([aalborg.email, aarhus.email])
    message = mails.get(to_email=aarhus.email)
    assert "mandag den 31. marts 2025 kl. 19.00–20.30" in message.body_text
    url = page_url(message)
    response = client.get(url.replace("http://127.0.0.1:8000", ""))
    assert response.status_code == 200
    assert aarhus.name in response.content.decode()


def test_an_audience_by_region_or_municipality(meeting):
    member("a@aarhus.dk", 751)
    member("b@aalborg.dk", 851)
    member("c@koebenhavn.dk", 101)
    nordjylland = Region.objects.get(code=1081)
    assert (
        invitations_send(
            meeting=meeting, audience=Audience(region_ids=frozenset({nordjylland.pk})), now=NOW
        )
        == 1
    )
    aarhus = Municipality.objects.get(code=751)
    assert (
        invitations_send(
            meeting=meeting, audience=Audience(municipality_ids=frozenset({aarhus.pk})), now=NOW
        )
        == 1
    )
    assert set(Invitation.objects.values_list("person__email", flat=True)) == {
        "a@aarhus.dk",
        "b@aalborg.dk",
    }


def test_the_reminder_goes_once_to_those_not_registered_when_its_time_comes(meeting):
    registered, silent = member("a@aarhus.dk", 751), member("b@aalborg.dk", 851)
    invitations_send(meeting=meeting, audience=Audience(), now=NOW)
    registration_submit(
        meeting=meeting,
        person=registered,
        session_id=meeting.sessions.get().pk,
        page_url="x",
        now=NOW,
    )
    meeting.reminder_at = NOW + datetime.timedelta(days=3)
    meeting.save()
    assert invitation_reminders_due(now=NOW + datetime.timedelta(days=2)) == 0
    assert invitation_reminders_due(now=NOW + datetime.timedelta(days=3)) == 1
    assert invitation_reminders_due(now=NOW + datetime.timedelta(days=4)) == 0
    (reminder,) = OutboxMessage.objects.filter(purpose="invitation_reminder")
    assert reminder.to_email == silent.email


def test_no_reminder_after_the_deadline(meeting):
    member("b@aalborg.dk", 851)
    invitations_send(meeting=meeting, audience=Audience(), now=NOW)
    meeting.reminder_at = NOW
    meeting.save()
    after = meeting.registration_deadline + datetime.timedelta(seconds=1)
    assert invitation_reminders_due(now=after) == 0


def test_the_day_reminder_goes_once_on_the_sessions_day_from_its_time(meeting):
    person = member("a@aarhus.dk", 751)
    registration_submit(
        meeting=meeting, person=person, session_id=meeting.sessions.get().pk, page_url="x", now=NOW
    )
    meeting.day_reminder_time = datetime.time(12, 0)
    meeting.save()
    assert day_reminders_due(now=local_datetime(2025, 3, 30, 12, 30)) == 0  # the day before
    assert day_reminders_due(now=local_datetime(2025, 3, 31, 11, 59)) == 0  # too early
    assert day_reminders_due(now=local_datetime(2025, 3, 31, 12, 0)) == 1
    assert day_reminders_due(now=local_datetime(2025, 3, 31, 13, 0)) == 0  # only once
    (message,) = OutboxMessage.objects.filter(purpose="meeting_day_reminder")
    assert "https://teams.example/monday" in message.body_text


def test_send_me_my_link_mails_a_known_member_and_says_nothing_about_others(meeting):
    person = member("a@aarhus.dk", 751)
    member_link_request(email="A@Aarhus.dk", client="1.2.3.4", now=NOW)
    member_link_request(email="nobody@example.dk", client="1.2.3.4", now=NOW)
    (message,) = OutboxMessage.objects.filter(purpose="member_link")
    assert message.to_email == person.email
    assert "/m/" in message.body_text


def test_send_me_my_link_is_rate_limited_per_address_across_processes(meeting):
    people = [member(f"m{n}@aarhus.dk", 751) for n in range(REQUESTS_PER_ADDRESS_PER_HOUR + 3)]
    for person in people:
        member_link_request(email=person.email, client="1.2.3.4", now=NOW)
        cache.clear()  # another web process: nothing shared in memory
    assert AccessLink.objects.count() == REQUESTS_PER_ADDRESS_PER_HOUR

    member_link_request(email=people[-1].email, client="5.6.7.8", now=NOW)
    member_link_request(email=people[-2].email, client="1.2.3.4", now=NOW + HOUR)
    assert AccessLink.objects.count() == REQUESTS_PER_ADDRESS_PER_HOUR + 2


def test_send_me_my_link_is_rate_limited_per_person(meeting):
    member("a@aarhus.dk", 751)
    for _ in range(LINKS_PER_PERSON_PER_HOUR + 2):
        member_link_request(email="a@aarhus.dk", client="1.2.3.4", now=NOW)
    assert AccessLink.objects.count() == LINKS_PER_PERSON_PER_HOUR
    assert OutboxMessage.objects.filter(purpose="member_link").count() == LINKS_PER_PERSON_PER_HOUR
