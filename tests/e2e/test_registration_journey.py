"""Track 1 in the browser: a council member opens the invitation link from the mail
catcher, registers, changes session, learns that the join link comes after the deadline,
and after the release (the clock moved by the test) sees the link on the page and in mail."""

from __future__ import annotations

import datetime
import socket
from collections.abc import Iterator

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from samraad.directory.models import Municipality, RoleKind
from samraad.directory.services import person_upsert
from samraad.mail.catcher import catcher_controller
from samraad.mail.delivery import outbox_drain
from samraad.meetings.invitations import Audience, invitations_send
from samraad.meetings.services import links_release_due
from samraad.tests_support.factories import (
    MeetingFactory,
    RoundFactory,
    SessionFactory,
    StaffUserFactory,
)
from samraad.tests_support.login import browser_log_in
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def mail_to_catcher(live_server) -> Iterator[None]:
    port = free_port()
    controller = catcher_controller(port=port)
    controller.start()
    try:
        with override_settings(EMAIL_HOST="127.0.0.1", EMAIL_PORT=port, BASE_URL=live_server.url):
            yield
    finally:
        controller.stop()


@pytest.fixture
def meeting():
    now = timezone.now()
    round_ = RoundFactory(
        starts_on=(now - datetime.timedelta(days=20)).date(),
        ends_on=(now + datetime.timedelta(days=120)).date(),
    )
    meeting = MeetingFactory(
        round=round_,
        title="Virtuelt stormøde om ØA99",
        registration_opens_at=now - datetime.timedelta(days=10),
        registration_deadline=now + datetime.timedelta(days=7),
    )
    for days, name in ((12, "monday"), (15, "thursday")):
        start = (now + datetime.timedelta(days=days)).replace(hour=18, minute=0, second=0)
        SessionFactory(
            meeting=meeting,
            starts_at=start,
            ends_at=start + datetime.timedelta(minutes=90),
            join_url=f"https://teams.example/{name}",
        )
    return meeting


def caught_mail_text(staff: Page, base: str, subject_start: str) -> str:
    staff.goto(base + "/staff/mail/caught/")
    staff.get_by_role("link", name=subject_start).first.click()
    return staff.locator("pre.mail-text").inner_text()


def test_member_registers_changes_session_and_gets_the_link_after_release(
    browser: Browser, page: Page, live_server, mail_to_catcher, meeting, monkeypatch
) -> None:
    base = live_server.url
    person_upsert(
        email="karen.proevesen@aarhus.dk",
        name="Karen Prøvesen",
        roles=[RoleKind.COUNCIL_MEMBER],
        municipality=Municipality.objects.get(code=751),
    )
    assert invitations_send(meeting=meeting, audience=Audience()) == 1
    assert outbox_drain(worker_id="e2e").sent == 1

    staff_context = browser.new_context()
    staff = staff_context.new_page()
    user = StaffUserFactory()
    staff.goto(base + "/accounts/login/")
    browser_log_in(staff, user)  # password, then the code
    invitation = caught_mail_text(staff, base, "Invitation: Virtuelt stormøde om ØA99")
    link = next(word for word in invitation.split() if "/m/" in word)

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Virtuelt stormøde om ØA99")
    expect(page.get_by_test_id("registration-status")).to_have_text("Du er ikke tilmeldt endnu.")
    assert_accessible(page)
    sessions = page.get_by_role("radio")
    sessions.first.check()
    page.get_by_label("Et spørgsmål eller tema til mødet (frivilligt)").fill("Ældreområdet")
    page.get_by_role("button", name="Tilmeld").click()
    expect(page.get_by_role("status")).to_contain_text("Du er tilmeldt")
    expect(page.get_by_test_id("link-pending")).to_contain_text("efter tilmeldingsfristen")

    sessions.nth(1).check()
    page.get_by_role("button", name="Gem ændringen").click()
    expect(page.get_by_test_id("registration-status")).to_contain_text("Du er tilmeldt")
    expect(page.get_by_test_id("join-link")).to_have_count(0)
    assert_accessible(page)

    # Move the clock past the deadline (the release time) and let the worker do its job.
    later = meeting.registration_deadline + datetime.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert links_release_due() == 1
    assert outbox_drain(worker_id="e2e").sent == 3  # two confirmations and the link

    page.reload()
    expect(page.get_by_test_id("join-link")).to_have_attribute(
        "href", "https://teams.example/thursday"
    )
    link_mail = caught_mail_text(staff, base, "Link til Virtuelt stormøde om ØA99")
    assert "https://teams.example/thursday" in link_mail
    assert "https://teams.example/monday" not in link_mail
    staff_context.close()
