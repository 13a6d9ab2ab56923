"""Speaker requests in the browser (issue 5, item 11): staff assign a speaker, a
conflicting assignment is refused with a message, and the presenter logs in and accepts."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from samraad.accounts.models import User
from samraad.mail.models import OutboxMessage
from samraad.speakers.models import SpeakerStatus
from samraad.speakers.services import speaker_assign
from samraad.speakers.tests.conftest import in_days, make_world
from samraad.tests_support.factories import StaffUserFactory
from samraad.tests_support.login import browser_log_in
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page: Page, base: str, username: str, path: str) -> None:
    """Open `path`, log in on the login page it sends to, and choose English."""
    page.goto(base + path)
    browser_log_in(page, User.objects.get(username=username))  # password, then the code
    expect(page).to_have_url(base + path)
    page.get_by_role("button", name="English", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_staff_assign_a_conflict_is_refused_and_the_presenter_accepts(
    browser: Browser, page: Page, live_server
) -> None:
    base = live_server.url
    world = make_world()
    # The board member already presents in Aarhus at 17.00–18.00 …
    booked = world.request(topic="Aarhus: økonomien", slots=[in_days(9, hour=17)])
    speaker_assign(request=booked, presenter=world.board, slot=booked.slots.get())
    # … and Odense asks for 18.00–19.00 the same day, within the travel buffer.
    request = world.request(
        municipality=world.odense,
        requested_by=world.odense_contact,
        topic="Odense: velfærd og anlæg",
        slots=[in_days(9, hour=18)],
    )
    staff = StaffUserFactory()

    log_in(page, base, staff.username, "/staff/speakers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Speaker requests")
    assert_accessible(page)
    page.get_by_role("link", name="Odense: velfærd og anlæg").click()
    expect(page.get_by_test_id("speaker-status")).to_have_text("Requested")
    assert_accessible(page)

    # A conflicting assignment is refused with a message and nothing changes.
    page.get_by_label("Presenter", exact=True).select_option(label="Bente Bestyrelse")
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Bente Bestyrelse is already booked in Aarhus"
    )
    expect(page.get_by_test_id("speaker-status")).to_have_text("Requested")
    assert_accessible(page)

    # Another presenter is free.
    page.get_by_label("Presenter", exact=True).select_option(label="Søren Sekretariat")
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status")).to_contain_text("Søren Sekretariat is assigned")
    expect(page.get_by_test_id("speaker-status")).to_have_text("Assigned")

    # The presenter logs in on their own page and accepts.
    context = browser.new_context(locale="en-US")
    presenter = context.new_page()
    log_in(presenter, base, world.secretariat_user.username, "/speakers/mine/")
    expect(presenter.get_by_role("heading", level=1)).to_have_text("My presentations")
    expect(presenter.get_by_role("link", name="Aarhus: økonomien")).to_have_count(0)
    assert_accessible(presenter)
    presenter.get_by_role("link", name="Odense: velfærd og anlæg").click()
    expect(presenter.get_by_test_id("speaker-status")).to_have_text("Assigned")
    assert_accessible(presenter)
    presenter.get_by_role("button", name="Accept").click()
    expect(presenter.get_by_role("status")).to_contain_text("You have accepted")
    expect(presenter.get_by_test_id("speaker-status")).to_have_text("Confirmed")
    context.close()

    request.refresh_from_db()
    assert (request.status, request.presenter) == (SpeakerStatus.CONFIRMED, world.secretariat)
    confirmed = {m.to_email for m in OutboxMessage.objects.filter(purpose="speaker_confirmed")}
    assert confirmed == {world.secretariat.email, world.odense_contact.email}
