"""Smoke journeys in a real browser: the public round page in Danish and English,
the skip link, staff login and the 404 page, each checked by axe-core."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Locator, Page, expect

from samraad.core.timeutils import local_datetime
from samraad.rounds.models import Round
from samraad.tests_support.factories import (
    KkrMeetingFactory,
    MeetingFactory,
    RoundFactory,
    SessionFactory,
    StaffUserFactory,
)
from samraad.tests_support.login import totp_code, verified_device
from tests.e2e.conftest import assert_accessible

# live_server serves from another thread, so the data must be committed. The
# reference data (regions, municipalities) is reloaded by conftest.reference_data.
pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"  # the factories' password


@pytest.fixture
def published_round() -> Round:
    round_ = RoundFactory(is_published=True)
    meeting = MeetingFactory(round=round_)
    SessionFactory(
        meeting=meeting,
        starts_at=local_datetime(2025, 3, 31, 19),
        ends_at=local_datetime(2025, 3, 31, 20, 30),
    )
    SessionFactory(
        meeting=meeting,
        starts_at=local_datetime(2025, 4, 3, 19),
        ends_at=local_datetime(2025, 4, 3, 20, 30),
    )
    KkrMeetingFactory(round=round_)
    return round_


def tab_to(page: Page, target: Locator, *, max_presses: int = 20) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would."""
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"{target} was not reached with {max_presses} presses of Tab")


def test_round_page_is_danish_and_switches_to_english_by_keyboard(
    page: Page, live_server, published_round: Round
) -> None:
    page.goto(live_server.url + "/")

    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_role("heading", level=1)).to_have_text(published_round.title)
    tracks = page.locator("main section.track")
    expect(tracks.locator("h2")).to_have_text(
        [
            "1. Virtuelle stormøder",
            "2. Drøftelser på KKR-møderne",
            "3. Input fra kommunalbestyrelserne",
        ]
    )
    expect(tracks.nth(0)).to_contain_text("Mandag den 31. marts 2025, kl. 19.00–20.30")
    assert_accessible(page)
    expect(tracks.nth(0).locator("li")).to_have_count(2)  # the two sessions
    expect(tracks.nth(1).locator("tbody tr")).to_have_count(1)  # the KKR meeting

    english = page.get_by_role("button", name="English", exact=True)
    tab_to(page, english)
    page.keyboard.press("Enter")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(published_round.title_en)
    expect(page.locator("main section.track h2")).to_have_text(
        [
            "1. Virtual large meetings",
            "2. Discussions at the KKR meetings",
            "3. Input from the municipal councils",
        ]
    )
    expect(page.get_by_role("button", name="English", exact=True)).to_have_attribute(
        "aria-current", "true"
    )
    assert_accessible(page)


def test_skip_link_moves_focus_to_main_content(
    page: Page, live_server, published_round: Round
) -> None:
    page.goto(live_server.url + "/")

    page.keyboard.press("Tab")
    skip_link = page.locator("a.skipnav")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_have_attribute("href", "#main-content")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"#main-content$"))
    expect(page.locator("main#main-content")).to_be_focused()


def test_staff_login(page: Page, live_server) -> None:
    user = StaffUserFactory()
    device = verified_device(user)

    page.goto(live_server.url + "/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Brugernavn").fill(user.username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()

    # The second step: the authenticator app's code (a wrong one first).
    expect(page).to_have_url(re.compile(r"/accounts/verify/\?next=%2Fstaff%2F$"))
    assert_accessible(page)
    page.locator("#id_code").fill("000000")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#id_code-error")).to_be_visible()
    assert_accessible(page)
    page.locator("#id_code").fill(totp_code(device))
    page.locator("main form button[type=submit]").first.click()

    expect(page).to_have_url(live_server.url + "/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Backoffice")
    assert_accessible(page)
    page.get_by_role("link", name="Worker og kø").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Worker og kø")
    assert_accessible(page)


def test_staff_set_up_two_factor_login_and_get_recovery_codes(page: Page, live_server) -> None:
    user = StaffUserFactory()
    base = live_server.url

    page.goto(base + "/staff/")
    page.get_by_role("button", name="English", exact=True).click()
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor login")
    expect(page.locator("svg.totp-qr")).to_be_visible()
    assert_accessible(page)
    secret = page.get_by_test_id("totp-secret").inner_text()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.time = time.time()
    page.get_by_label("Code").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="I have kept the codes; continue").click()
    expect(page).to_have_url(base + "/staff/")


def test_staff_login_with_wrong_password_shows_error(page: Page, live_server) -> None:
    user = StaffUserFactory()

    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill("not the password")
    page.locator("main form button[type=submit]").click()

    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("alert")).not_to_have_text("")
    expect(page).to_have_url(live_server.url + "/accounts/login/")
    expect(page.locator("#id_username")).to_have_value(user.username)


def test_unknown_url_shows_the_sites_own_404_page(page: Page, live_server) -> None:
    response = page.goto(live_server.url + "/no-such-page/")

    assert response is not None
    assert response.status == 404
    expect(page.locator("header.header")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Siden blev ikke fundet")
    assert_accessible(page)
    expect(page.get_by_text("Using the URLconf defined in")).to_have_count(0)


def test_the_accessibility_check_can_fail(page: Page) -> None:
    page.set_content("<html><body><img src='x.png'><input type='text'></body></html>")
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)
