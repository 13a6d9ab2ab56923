"""Track 3 in the browser: a municipal contact opens their link from the mail catcher, fills
the input with an attachment, saves a draft, submits and finds the receipt in the catcher;
staff turn an emailed input into a municipality's draft from the triage page."""

from __future__ import annotations

import datetime
from email.message import EmailMessage

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from samraad.councils.models import CouncilInput, InputStatus
from samraad.councils.services import contact_invitations_send
from samraad.directory.models import EmailDomain, Municipality, RoleKind
from samraad.directory.services import person_upsert
from samraad.mail.delivery import outbox_drain
from samraad.mail.inbound import inbound_receive
from samraad.mail.models import InboundSource, TriageStatus
from samraad.rounds.services import round_themes_ensure
from samraad.tests_support.factories import RoundFactory, StaffUserFactory
from samraad.tests_support.login import browser_log_in
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_registration_journey import caught_mail_text, mail_to_catcher

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["mail_to_catcher"]  # the fixture, shared with the registration journey

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def round_():
    now = timezone.now()
    round_ = RoundFactory(
        code="ØA99",
        slug="oa99",
        starts_on=(now - datetime.timedelta(days=20)).date(),
        ends_on=(now + datetime.timedelta(days=120)).date(),
        input_deadline=now + datetime.timedelta(days=30),
        input_address="oa99@kl.example",
    )
    round_themes_ensure(round=round_)
    return round_


def staff_login(browser: Browser, base: str) -> Page:
    staff = browser.new_context().new_page()
    user = StaffUserFactory()
    staff.goto(base + "/accounts/login/")
    browser_log_in(staff, user)  # password, then the code
    return staff


def test_contact_fills_saves_and_submits_the_input(
    browser: Browser, page: Page, live_server, mail_to_catcher, round_
) -> None:
    base = live_server.url
    aarhus = Municipality.objects.get(code=751)
    for email, name in (("karen@aarhus.dk", "Karen Prøvesen"), ("jens@aarhus.dk", "Jens Hansen")):
        person_upsert(
            email=email, name=name, roles=[RoleKind.MUNICIPAL_CONTACT], municipality=aarhus
        )
    assert contact_invitations_send(round=round_) == 2
    assert outbox_drain(worker_id="e2e").sent == 2

    staff = staff_login(browser, base)
    invitation = caught_mail_text(staff, base, "ØA99: kommunalbestyrelsens input fra Aarhus")
    link = next(word for word in invitation.split() if "/c/" in word)

    page.goto(link)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Input from Aarhus for ØA99")
    expect(page.get_by_test_id("input-status")).to_have_text("Not started")
    assert_accessible(page)

    page.get_by_label("The municipality's economic situation and challenges").fill(
        "Stigende udgifter til ældreområdet."
    )
    page.get_by_label("Pressure (1 little, 5 very much)").first.select_option("5")
    page.get_by_label("Proposals for the negotiations").fill("Løft af serviceniveauet.")
    page.get_by_label("The municipal council has discussed this input").check()
    page.get_by_label("Add an attachment (PDF, Word, Excel or OpenDocument)").set_input_files(
        {"name": "notat.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("The draft is saved.")
    expect(page.get_by_test_id("input-status")).to_have_text("Draft")
    expect(page.get_by_test_id("attachments")).to_contain_text("notat.pdf")
    expect(page.get_by_label("Proposals for the negotiations")).to_have_value(
        "Løft af serviceniveauet."
    )

    page.get_by_role("button", name="Submit the input").click()
    expect(page.get_by_test_id("input-status")).to_have_text("Submitted")
    expect(page.get_by_test_id("versions")).to_contain_text("Version 1")
    assert_accessible(page)

    assert outbox_drain(worker_id="e2e").sent == 2  # the receipt to both contacts
    receipt = caught_mail_text(staff, base, "Kvittering: input fra Aarhus til ØA99 (version 1)")
    assert "Karen Prøvesen" in receipt
    staff.context.close()


def emailed_input() -> bytes:
    message = EmailMessage()
    message["From"] = "Jens Hansen <jens.hansen@aarhus.dk>"
    message["To"] = "ØA99 <oa99@kl.example>"
    message["Subject"] = "Aarhus Kommunes input til ØA99"
    message.set_content("Kære KL\n\nByrådet peger på det specialiserede socialområde.\n")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="bilag.pdf")
    return message.as_bytes()


def test_staff_turn_an_emailed_input_into_a_draft(browser: Browser, live_server, round_) -> None:
    base = live_server.url
    aarhus = Municipality.objects.get(code=751)
    EmailDomain.objects.create(municipality=aarhus, domain="aarhus.dk")
    message = inbound_receive(
        raw=emailed_input(),
        source=InboundSource.SMTP,
        envelope_from="jens.hansen@aarhus.dk",
        envelope_to=["oa99@kl.example"],
    )
    assert message.municipality == aarhus

    staff = staff_login(browser, base)
    staff.goto(f"{base}/staff/mail/inbound/{message.pk}/")
    staff.get_by_role("button", name="English").click()
    triage = staff.get_by_test_id("triage-actions")
    expect(triage.get_by_label("Attach as input from")).to_have_value(str(aarhus.pk))
    assert_accessible(staff)
    triage.get_by_role("button", name="Attach to the municipality's input").click()

    expect(staff.get_by_role("heading", level=1)).to_have_text("Input from Aarhus for ØA99")
    expect(staff.get_by_test_id("input-status")).to_have_text("Draft")
    expect(staff.get_by_test_id("email-notes")).to_contain_text("det specialiserede socialområde")
    expect(staff.get_by_test_id("attachments")).to_contain_text("bilag.pdf")
    assert_accessible(staff)

    message.refresh_from_db()
    assert message.triage_status == TriageStatus.ATTACHED
    assert CouncilInput.objects.get(municipality=aarhus).status == InputStatus.DRAFT
    staff.goto(f"{base}/staff/mail/inbound/{message.pk}/")
    expect(staff.get_by_test_id("triage-actions")).to_have_count(0)
    staff.context.close()
