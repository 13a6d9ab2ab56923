"""The KKR track in the browser: a KKR secretary records the discussion on the round's item,
attaches the minutes, approves the record and sees it approved; staff see the five."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import Page, expect

from samraad.accounts.models import User
from samraad.directory.models import Region, RoleKind
from samraad.directory.services import person_upsert
from samraad.regional.models import KkrMeeting, KkrRecord, KkrRecordStatus
from samraad.regional.services import kkr_meetings_ensure
from samraad.rounds.services import round_themes_ensure
from samraad.tests_support.factories import RoundFactory, StaffUserFactory, UserFactory
from samraad.tests_support.login import browser_log_in
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def small_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def kkr_round():
    round_ = RoundFactory(code="ØA26", slug="oa26")
    round_themes_ensure(round=round_)
    kkr_meetings_ensure(round=round_)
    return round_


def log_in_in_english(page: Page, base: str, path: str, username: str) -> None:
    page.goto(base + path)  # anonymous: sent to the login page, in Danish
    page.get_by_role("button", name="English", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    browser_log_in(page, User.objects.get(username=username))  # password, then the code
    expect(page).to_have_url(base + path)


def test_a_kkr_secretary_records_and_approves_the_discussion(
    page: Page, live_server, kkr_round
) -> None:
    base = live_server.url
    region = Region.objects.get(code=1081)
    person = person_upsert(
        email="kkr-nord@kl.example",
        name="Karen Sekretær",
        roles=[RoleKind.KKR_SECRETARY],
        region=region,
    )
    UserFactory(username=person.email, first_name="Karen", last_name="Sekretær", person=person)
    other = KkrMeeting.objects.get(round=kkr_round, region__code=1082)

    log_in_in_english(page, base, "/kkr/", person.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("KKR meetings")
    expect(page.locator("main tbody tr")).to_have_count(1)  # only their own region
    assert_accessible(page)

    page.get_by_role("link", name=region.kkr_name).click()
    expect(page.get_by_test_id("record-status")).to_contain_text("Draft")
    assert_accessible(page)

    page.get_by_label("Summary of the discussion").fill(
        "The KKR pointed to pressure on elderly care and on specialised social services."
    )
    page.get_by_label("Challenges the KKR pointed to").fill("Recruitment.")
    page.get_by_role("checkbox", name="Elderly care").check()
    page.get_by_role("checkbox", name="Specialised social services").check()
    quote = page.get_by_test_id("quote-0")
    quote.get_by_label("Quote").fill("We cannot recruit enough care workers.")
    quote.get_by_label("Speaker's role").fill("Mayor")
    quote.get_by_label("Municipality").select_option(label="Aalborg")
    page.get_by_label("Attach minutes").set_input_files(
        {"name": "KKR minutes.pdf", "mimeType": "application/pdf", "buffer": small_pdf()}
    )
    page.get_by_role("button", name="Save the record").click()

    expect(page.get_by_role("status")).to_contain_text("The record is saved.")
    expect(page.get_by_test_id("minutes")).to_contain_text("KKR minutes.pdf")
    expect(page.get_by_role("checkbox", name="Elderly care")).to_be_checked()
    expect(page.get_by_test_id("quote-0").get_by_label("Quote")).to_have_value(
        "We cannot recruit enough care workers."
    )
    assert_accessible(page)

    page.get_by_role("button", name="Approve the record").click()
    expect(page.get_by_role("status")).to_contain_text("The record is approved.")
    expect(page.get_by_test_id("record-status")).to_contain_text("Approved")
    expect(page.get_by_test_id("record-status")).to_contain_text("Karen Sekretær")
    expect(page.get_by_test_id("themes").locator("li")).to_have_text(
        ["Elderly care", "Specialised social services"]
    )
    expect(page.get_by_role("button", name="Reopen the record")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("link", name="KKR minutes.pdf").click()
    assert download.value.suggested_filename == "KKR minutes.pdf"
    assert_accessible(page)

    record = KkrRecord.objects.get(meeting__round=kkr_round, meeting__region=region)
    assert record.status == KkrRecordStatus.APPROVED
    assert record.quotes.get().municipality.name == "Aalborg"

    # Another region's meeting answers as if it did not exist.
    response = page.goto(f"{base}/kkr/{other.pk}/")
    assert response is not None and response.status == 404


def test_staff_see_the_five_kkr_meetings(page: Page, live_server, kkr_round) -> None:
    base = live_server.url
    staff = StaffUserFactory(username="mette@kl.example")
    log_in_in_english(page, base, f"/staff/rounds/{kkr_round.slug}/kkr/", staff.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("KKR meetings of ØA26")
    expect(page.locator("main tbody tr")).to_have_count(5)
    assert_accessible(page)
