"""The council member's page behind the personal link."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from samraad.accounts.models import AccessLink, AccessPurpose
from samraad.accounts.services import access_link_create, access_links_revoke
from samraad.core.timeutils import local_datetime
from samraad.directory.models import Municipality, RoleKind
from samraad.directory.services import person_upsert
from samraad.meetings.models import Registration, RegistrationStatus
from samraad.tests_support.factories import MeetingFactory, RoundFactory, SessionFactory


@pytest.fixture
def setup(db):
    """A meeting whose registration is open now, two sessions of two seats, and one member."""
    now = timezone.now()
    round_ = RoundFactory(
        starts_on=(now - datetime.timedelta(days=30)).date(),
        ends_on=(now + datetime.timedelta(days=90)).date(),
    )
    meeting = MeetingFactory(
        round=round_,
        registration_opens_at=now - datetime.timedelta(days=10),
        registration_deadline=now + datetime.timedelta(days=10),
    )
    first = SessionFactory(
        meeting=meeting,
        capacity=1,
        starts_at=now + datetime.timedelta(days=14),
        ends_at=now + datetime.timedelta(days=14, hours=1, minutes=30),
        join_url="https://teams.example/first",
    )
    second = SessionFactory(
        meeting=meeting,
        capacity=2,
        starts_at=now + datetime.timedelta(days=17),
        ends_at=now + datetime.timedelta(days=17, hours=1, minutes=30),
        join_url="https://teams.example/second",
    )
    person = person_upsert(
        email="karen@aarhus.dk",
        name="Karen Prøvesen",
        roles=[RoleKind.COUNCIL_MEMBER],
        municipality=Municipality.objects.get(code=751),
    )
    token = access_link_create(round=round_, person=person, purpose=AccessPurpose.MEMBER)
    url = reverse("meetings:member", args=[token])
    return {"meeting": meeting, "first": first, "second": second, "person": person, "url": url}


def test_the_page_greets_the_member_and_lists_the_sessions(client, setup):
    page = client.get(setup["url"]).content.decode()
    assert "Karen Prøvesen" in page
    assert f'value="{setup["first"].pk}"' in page
    assert f'value="{setup["second"].pk}"' in page
    assert "teams.example" not in page
    link = AccessLink.objects.get()
    assert link.first_used_at is not None


@pytest.mark.parametrize("token", ["forged", "x" * 43, "a" * 300])
def test_a_forged_link_gets_a_clear_page_not_an_error(client, setup, token):
    response = client.get(reverse("meetings:member", args=[token]))
    assert response.status_code == 404
    assert "Linket virker ikke" in response.content.decode()


def test_a_revoked_or_expired_link_stops_working(client, setup):
    access_links_revoke(person=setup["person"])
    assert client.get(setup["url"]).status_code == 404


def test_an_expired_link_stops_working(client, setup):
    AccessLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(setup["url"]).status_code == 404


def test_register_change_and_cancel(client, setup):
    response = client.post(setup["url"], {"session": setup["first"].pk, "question": "Skolerne"})
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.question == "Skolerne"
    page = client.get(setup["url"]).content.decode()
    assert 'data-testid="link-pending"' in page
    client.post(setup["url"], {"session": setup["second"].pk, "question": "Skolerne"})
    registration.refresh_from_db()
    assert registration.session == setup["second"]
    client.post(setup["url"], {"action": "cancel"})
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


def test_a_full_session_says_so_and_offers_the_waitlist(client, setup):
    other = person_upsert(
        email="ib@aarhus.dk",
        name="Ib Demo",
        roles=[RoleKind.COUNCIL_MEMBER],
        municipality=Municipality.objects.get(code=751),
    )
    from samraad.meetings.services import registration_submit

    registration_submit(
        meeting=setup["meeting"], person=other, session_id=setup["first"].pk, page_url="x"
    )
    response = client.post(setup["url"], {"session": setup["first"].pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert "er fuldt" in page
    assert 'value="waitlist"' in page
    assert not Registration.objects.filter(person=setup["person"]).exists()
    client.post(setup["url"], {"session": setup["first"].pk, "action": "waitlist"})
    assert Registration.objects.get(person=setup["person"]).status == RegistrationStatus.WAITLISTED


def test_no_session_chosen_is_a_form_error(client, setup):
    response = client.post(setup["url"], {"question": "x"})
    assert response.status_code == 200
    assert "form-error-message" in response.content.decode()
    assert not Registration.objects.exists()


def test_a_session_of_another_meeting_is_refused(client, setup):
    stranger = SessionFactory()
    response = client.post(setup["url"], {"session": stranger.pk})
    assert response.status_code == 200
    assert "Det møde hører ikke til denne mødeserie." in response.content.decode()
    assert not Registration.objects.exists()


@pytest.mark.parametrize("session", ["første", "-1", "0", str(2**63), "1.5", ""])
def test_a_session_that_is_no_session_id_is_a_form_error(client, setup, session):
    response = client.post(setup["url"], {"session": session})
    assert response.status_code == 200
    assert "Vælg et af møderne." in response.content.decode()
    assert not Registration.objects.exists()


def test_after_the_deadline_nothing_is_saved_and_the_page_says_why(client, setup):
    meeting = setup["meeting"]
    meeting.registration_deadline = timezone.now() - datetime.timedelta(seconds=1)
    meeting.registration_opens_at = timezone.now() - datetime.timedelta(days=5)
    meeting.save()
    response = client.post(setup["url"], {"session": setup["first"].pk}, follow=True)
    assert "Tilmeldingsfristen var" in response.content.decode()
    assert not Registration.objects.exists()


def test_the_join_link_shows_only_after_release_and_only_to_the_registrant(client, setup):
    client.post(setup["url"], {"session": setup["second"].pk})
    assert "https://teams.example/second" not in client.get(setup["url"]).content.decode()
    meeting = setup["meeting"]
    meeting.link_release_at = timezone.now() - datetime.timedelta(seconds=1)
    meeting.save()
    page = client.get(setup["url"]).content.decode()
    assert "https://teams.example/second" in page
    assert "https://teams.example/first" not in page


def test_the_page_at_a_dst_boundary_shows_copenhagen_time(client, setup):
    session = setup["first"]
    session.starts_at = local_datetime(2025, 3, 31, 19)
    session.ends_at = local_datetime(2025, 3, 31, 20, 30)
    session.save()
    assert "19.00–20.30" in client.get(setup["url"]).content.decode()


def _statements(queries) -> list[str]:
    """The SQL that did work: not BEGIN, COMMIT or savepoints."""
    skipped = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
    return [q["sql"] for q in queries if not q["sql"].upper().startswith(skipped)]


def test_opening_the_page_and_registering_take_a_fixed_handful_of_queries(client, setup):
    # The busiest path in the product (2,400 members in an evening): four statements to
    # open the page, seven to register, however many sessions and registrations exist.
    for _ in range(3):
        SessionFactory(meeting=setup["meeting"], capacity=10)
    with CaptureQueriesContext(connection) as opening:
        page = client.get(setup["url"])
    assert page.status_code == 200
    # The link, marking it used, the member's registration, the sessions with their seats.
    assert len(_statements(opening)) == 4, _statements(opening)
    with CaptureQueriesContext(connection) as registering:
        answer = client.post(setup["url"], {"session": setup["second"].pk, "action": "register"})
    assert answer.status_code == 302
    # The link; the session and any earlier registration, locked; the seats taken; the
    # registration; staff's wording of the confirmation; the confirmation in the outbox.
    assert len(_statements(registering)) == 7, _statements(registering)
    assert Registration.objects.get(person=setup["person"]).session == setup["second"]
