"""Capacity holds under concurrency (issue 4, item 6): many members race for the last seats.

Fifty members, each with their own personal link and their own HTTP connection, open
their page on a real live server and then post "register" for the same session at the
same moment, when only ten of its twenty seats are free. A member told the session is
full posts again for the waitlist, as the page offers. Afterwards exactly the capacity
is confirmed, everyone else is on the waitlist, and nobody is lost.

The live server answers each request in a thread of its own with its own database
connection, so the test data must be committed (transactional_db). On SQLite that
needs a test database in a file (settings_test.py): with Django's default in-memory
test database, pytest-django hands the test thread's one connection to every server
thread, and concurrent requests would then share one transaction instead of queueing
for the write lock.
"""

from __future__ import annotations

import datetime
import http.client
import re
import threading
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import connection
from django.utils import timezone

from samraad.accounts.models import AccessPurpose
from samraad.accounts.services import access_link_create
from samraad.directory.models import Municipality, Region, RoleKind
from samraad.directory.reference import load_reference_data
from samraad.directory.services import person_upsert
from samraad.meetings.models import Registration, RegistrationStatus
from samraad.meetings.services import registration_submit
from samraad.tests_support.factories import MeetingFactory, RoundFactory, SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)

CAPACITY = 20
TAKEN = 10
RACERS = 50
TIMEOUT = 30  # seconds for one request; the whole race takes a few

_FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Only the "session is full" notice has a waitlist button.
_FULL = 'name="action" value="waitlist"'


@dataclass
class Journey:
    """One member's requests and what the server answered to each."""

    path: str
    answers: list[tuple[str, int, str]] = field(default_factory=list)  # (step, status, location)
    got_full: bool = False
    failure: str = ""


class Member:
    """A browser of one member: its own keep-alive connection and cookie jar."""

    def __init__(self, host: str, port: int, path: str) -> None:
        self.connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
        self.cookies: dict[str, str] = {}
        self.journey = Journey(path=path)
        self.form_token = ""

    def request(self, step: str, method: str, body: dict[str, str] | None = None) -> str:
        headers = {"Accept-Language": "da"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, self.journey.path, body=data, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        location = response.headers.get("Location", "")
        self.journey.answers.append((step, response.status, location))
        return text

    def open_page(self) -> None:
        page = self.request("open", "GET")
        match = _FORM_TOKEN.search(page)
        if "csrftoken" not in self.cookies or match is None:
            raise AssertionError("the page set no CSRF cookie or has no form token")
        self.form_token = match.group(1)

    def post(self, step: str, session_id: int, action: str) -> str:
        return self.request(
            step,
            "POST",
            {
                "csrfmiddlewaretoken": self.form_token,
                "session": str(session_id),
                "question": "Hvordan sikrer vi ældreplejen?",
                "action": action,
            },
        )


def race(base_url: str, paths: list[str], session_id: int) -> list[Journey]:
    """Every member opens the page; then all post "register" at once, and "waitlist" if full."""
    parts = urlsplit(base_url)
    members = [Member(parts.hostname, parts.port, path) for path in paths]
    start = threading.Barrier(len(members), timeout=TIMEOUT)

    def run(member: Member) -> None:
        try:
            member.open_page()
        except Exception as error:
            member.journey.failure = f"open: {error!r}"
            start.abort()
            return
        try:
            start.wait()
            page = member.post("register", session_id, "register")
            if _FULL in page:
                member.journey.got_full = True
                member.post("waitlist", session_id, "waitlist")
        except Exception as error:
            member.journey.failure = repr(error)
        finally:
            member.connection.close()

    threads = [threading.Thread(target=run, args=(member,)) for member in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=3 * TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a member's request never ended"
    return [member.journey for member in members]


@pytest.fixture
def last_seats(transactional_db):
    """A session of 20 seats with 10 taken, and 50 more members with their own links.

    Django empties every table after a transactional test, so the regions and
    municipalities that the migration loaded are loaded again (idempotent).
    """
    load_reference_data(Region, Municipality)
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
    session = SessionFactory(
        meeting=meeting,
        capacity=CAPACITY,
        starts_at=now + datetime.timedelta(days=14),
        ends_at=now + datetime.timedelta(days=14, hours=1, minutes=30),
        join_url="https://teams.example/race",
    )
    aarhus = Municipality.objects.get(code=751)

    def member(n: int):
        return person_upsert(
            email=f"medlem{n}@aarhus.dk",
            name=f"Medlem Prøvesen {n}",
            roles=[RoleKind.COUNCIL_MEMBER],
            municipality=aarhus,
        )

    for n in range(TAKEN):
        registration_submit(
            meeting=meeting, person=member(n), session_id=session.pk, page_url="https://x/m/t/"
        )
    racers = [member(TAKEN + n) for n in range(RACERS)]
    paths = [
        f"/m/{access_link_create(round=round_, person=p, purpose=AccessPurpose.MEMBER)}/"
        for p in racers
    ]
    # The live server's threads open their own connections; this one must hold no lock.
    connection.close()
    return {"meeting": meeting, "session": session, "racers": racers, "paths": paths}


def test_fifty_members_racing_for_the_last_ten_seats(live_server, last_seats):
    session = last_seats["session"]
    journeys = race(live_server.url, last_seats["paths"], session.pk)

    assert [j.failure for j in journeys if j.failure] == []
    answers = [answer for j in journeys for answer in j.answers]
    assert [a for a in answers if a[1] >= 500] == [], "the server failed a request"
    # Every answer is the page, or the redirect back to it after a registration.
    for journey in journeys:
        for step, status, location in journey.answers:
            if step == "open":
                assert status == 200, (step, status)
            elif step == "register" and journey.got_full:
                assert status == 200, (step, status)  # the page, saying the session is full
            else:
                assert (status, location) == (302, journey.path), (step, status, location)

    registrations = Registration.objects.filter(session=session)
    statuses = dict(registrations.values_list("person_id", "status"))
    confirmed = [p for p, s in statuses.items() if s == RegistrationStatus.CONFIRMED]
    waitlisted = [p for p, s in statuses.items() if s == RegistrationStatus.WAITLISTED]
    assert len(confirmed) == CAPACITY
    assert len(waitlisted) == TAKEN + RACERS - CAPACITY
    # None lost: every racer has a registration, and it is what their answers said.
    assert all(racer.pk in statuses for racer in last_seats["racers"])
    for racer, journey in zip(last_seats["racers"], journeys, strict=True):
        expected = (
            RegistrationStatus.WAITLISTED if journey.got_full else RegistrationStatus.CONFIRMED
        )
        assert statuses[racer.pk] == expected
    assert sum(not j.got_full for j in journeys) == CAPACITY - TAKEN
