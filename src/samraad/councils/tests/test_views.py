"""The contact's pages, the staff pages and the triage actions, through HTTP."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samraad.accounts.models import AccessLink
from samraad.councils.models import CouncilInput, InputAttachment, InputStatus
from samraad.councils.services import (
    InputData,
    council_input_get,
    council_input_save,
    council_input_submit,
)
from samraad.councils.tests.conftest import PDF
from samraad.directory.models import Municipality, RoleKind
from samraad.directory.services import person_upsert
from samraad.mail.models import OutboxMessage
from samraad.tests_support.factories import StaffUserFactory, UserFactory
from samraad.tests_support.login import log_in_verified

pytestmark = pytest.mark.django_db


def form_data(council_input, **changes) -> dict:
    data = {"version": council_input.version, "economic_situation": "", "proposals": ""}
    data.update(changes)
    return data


@pytest.fixture
def pages(round_, contacts, link):
    """Karen's (Aarhus) and Vera's (Vejle) pages; the input of each exists."""
    karen, vera = link(contacts["karen"]), link(contacts["vera"])
    return {
        "karen": reverse("councils:contact", args=[karen]),
        "karen_token": karen,
        "vera": reverse("councils:contact", args=[vera]),
        "vera_token": vera,
    }


def test_a_forged_link_gets_the_clear_page(client, round_):
    response = client.get(reverse("councils:contact", args=["forged-token"]))
    assert response.status_code == 404
    assert (
        "does not work" in response.content.decode() or "virker ikke" in response.content.decode()
    )


def test_an_expired_link_gets_the_same_page(client, pages):
    AccessLink.objects.update(expires_at="2000-01-01T00:00:00Z")
    forged = client.get(reverse("councils:contact", args=["forged-token"]))
    expired = client.get(pages["karen"])
    assert expired.status_code == 404
    assert expired.context["message"] == forged.context["message"]
    assert "Aarhus" not in expired.content.decode()


def test_the_contact_sees_their_municipality_and_saves_a_draft(client, pages, aarhus):
    page = client.get(pages["karen"]).content.decode()
    assert "Aarhus" in page and "Karen Prøvesen" in page
    council_input = CouncilInput.objects.get(municipality=aarhus)
    theme = council_input.round.themes.first()
    response = client.post(
        pages["karen"],
        form_data(
            council_input,
            economic_situation="Stram økonomi",
            **{f"rating_{theme.pk}": "5", f"text_{theme.pk}": "Mange ældre"},
            attachment=SimpleUploadedFile("notat.pdf", PDF),
            action="save",
        ),
    )
    assert response.status_code == 302
    council_input.refresh_from_db()
    assert council_input.status == InputStatus.DRAFT
    assert council_input.ratings.get().rating == 5
    assert InputAttachment.objects.get().filename == "notat.pdf"


def test_a_rejected_file_keeps_the_typed_text(client, pages, aarhus):
    client.get(pages["karen"])
    council_input = CouncilInput.objects.get(municipality=aarhus)
    response = client.post(
        pages["karen"],
        form_data(
            council_input,
            economic_situation="Tekst jeg ikke vil miste",
            attachment=SimpleUploadedFile("budget.pdf", b"just text, not a PDF"),
            action="save",
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tekst jeg ikke vil miste" in page
    assert "budget.pdf" in page
    council_input.refresh_from_db()
    assert council_input.economic_situation == ""


def test_the_second_editor_is_told_and_keeps_their_text(client, pages, aarhus, contacts, link):
    client.get(pages["karen"])
    council_input = CouncilInput.objects.get(municipality=aarhus)
    opened = council_input.version
    jens = reverse("councils:contact", args=[link(contacts["jens"])])
    client.post(jens, form_data(council_input, economic_situation="Jens' tekst", action="save"))
    response = client.post(
        pages["karen"],
        {"version": opened, "economic_situation": "Karens tekst", "action": "save"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Karens tekst" in page and "Jens&#x27; tekst" in page and "Jens Hansen" in page
    council_input.refresh_from_db()
    assert council_input.economic_situation == "Jens' tekst"
    # The form is now based on the saved version: saving again is deliberate and works.
    assert f'value="{council_input.version}"' in page


def test_submit_from_the_page_sends_receipts(client, pages, aarhus):
    client.get(pages["karen"])
    council_input = CouncilInput.objects.get(municipality=aarhus)
    response = client.post(
        pages["karen"], form_data(council_input, economic_situation="Indsendt", action="submit")
    )
    assert response.status_code == 302
    council_input.refresh_from_db()
    assert council_input.status == InputStatus.SUBMITTED
    assert OutboxMessage.objects.filter(purpose="council_input_receipt").count() == 2
    page = client.get(pages["karen"]).content.decode()
    assert reverse("councils:contact_version", args=[pages["karen_token"], 1]) in page


def test_submitting_empty_says_what_is_missing_and_saves_nothing(client, pages, aarhus):
    client.get(pages["karen"])
    council_input = CouncilInput.objects.get(municipality=aarhus)
    response = client.post(
        pages["karen"], form_data(council_input, proposals="Kun forslag", action="submit")
    )
    assert response.status_code == 200
    assert "Kun forslag" in response.content.decode()
    council_input.refresh_from_db()
    assert council_input.proposals == "" and council_input.status == InputStatus.NOT_STARTED


def test_another_municipalitys_objects_by_id_answer_404(client, round_, pages, aarhus, contacts):
    council_input = council_input_get(round=round_, municipality=aarhus)
    council_input = council_input_save(
        council_input=council_input,
        expected_version=council_input.version,
        data=InputData(economic_situation="Aarhus"),
        files=[SimpleUploadedFile("aarhus.pdf", PDF)],
    )
    council_input_submit(council_input=council_input, expected_version=council_input.version)
    attachment = InputAttachment.objects.get()
    vera = pages["vera_token"]
    for url in (
        reverse("councils:contact_attachment", args=[vera, attachment.pk]),
        reverse("councils:contact_version", args=[vera, 1]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("councils:contact_attachment_delete", args=[vera, attachment.pk]),
        {"version": council_input.version + 1},
    )
    assert response.status_code == 404
    assert InputAttachment.objects.exists()
    karen = pages["karen_token"]
    download = client.get(reverse("councils:contact_attachment", args=[karen, attachment.pk]))
    assert download.status_code == 200 and download.content == PDF
    assert "attachment" in download["Content-Disposition"]
    assert client.get(reverse("councils:contact_version", args=[karen, 1])).status_code == 200


def staff_urls(round_, aarhus) -> list[str]:
    return [
        reverse("councils:staff_roster", args=[round_.slug]),
        reverse("councils:staff_input", args=[round_.slug, aarhus.code]),
    ]


def test_anonymous_users_go_to_login_and_non_staff_are_refused(client, round_, aarhus):
    for url in staff_urls(round_, aarhus):
        assert client.get(url).status_code == 302
    log_in_verified(client, UserFactory())
    for url in staff_urls(round_, aarhus):
        assert client.get(url).status_code == 403


def test_staff_see_the_roster_with_a_constant_query_count(client, round_, aarhus, contacts):
    log_in_verified(client, StaffUserFactory())
    url = reverse("councils:staff_roster", args=[round_.slug])
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="status-') == 98
    for municipality in Municipality.objects.all()[:20]:
        person_upsert(
            email=f"contact@{municipality.slug}.dk",
            name=f"Kontakt {municipality.name}",
            roles=[RoleKind.MUNICIPAL_CONTACT],
            municipality=municipality,
        )
        council_input = council_input_get(round=round_, municipality=municipality)
        council_input = council_input_save(
            council_input=council_input,
            expected_version=0,
            data=InputData(economic_situation="x"),
        )
        council_input_submit(council_input=council_input, expected_version=council_input.version)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    filtered = client.get(url, {"region": aarhus.region_id}).content.decode()
    assert filtered.count('data-testid="status-') < 98


def test_staff_mark_received_and_see_versions(client, round_, aarhus, contacts):
    council_input = council_input_get(round=round_, municipality=aarhus)
    council_input = council_input_save(
        council_input=council_input, expected_version=0, data=InputData(economic_situation="x")
    )
    council_input_submit(council_input=council_input, expected_version=council_input.version)
    log_in_verified(client, StaffUserFactory())
    response = client.post(
        reverse("councils:staff_mark", args=[round_.slug, aarhus.code]), {"status": "received"}
    )
    assert response.status_code == 302
    council_input.refresh_from_db()
    assert council_input.status == InputStatus.RECEIVED
    version = client.get(reverse("councils:staff_version", args=[round_.slug, aarhus.code, 1]))
    assert version.status_code == 200
    missing = client.get(reverse("councils:staff_version", args=[round_.slug, aarhus.code, 9]))
    assert missing.status_code == 404


def test_staff_send_links_and_reminders_now(client, round_, contacts):
    log_in_verified(client, StaffUserFactory())
    client.post(reverse("councils:staff_links", args=[round_.slug]))
    assert OutboxMessage.objects.filter(purpose="contact_invitation").count() == 3
    client.post(reverse("councils:staff_reminders", args=[round_.slug]), {"action": "now"})
    assert OutboxMessage.objects.filter(purpose="council_input_reminder").count() == 3


@pytest.mark.django_db(transaction=True)
def test_staff_attach_and_dismiss_from_the_message_page(client, round_, aarhus, vejle):
    from samraad.councils.tests.test_services import emailed_input
    from samraad.directory.models import EmailDomain
    from samraad.mail.inbound import inbound_receive
    from samraad.mail.models import InboundSource, TriageStatus

    EmailDomain.objects.create(municipality=aarhus, domain="aarhus.dk")

    def receive():
        return inbound_receive(
            raw=emailed_input((PDF, "notat.pdf")),
            source=InboundSource.SMTP,
            envelope_from="jens.hansen@aarhus.dk",
            envelope_to=["input@kl.example"],
        )

    first, second = receive(), receive()
    attach = reverse("councils:triage_attach", args=[first.pk])
    assert client.post(attach, {"round": round_.pk, "municipality": vejle.pk}).status_code == 302
    log_in_verified(client, StaffUserFactory())
    page = client.get(reverse("mail:inbound_detail", args=[first.pk])).content.decode()
    assert 'data-testid="triage-actions"' in page
    assert f'<option value="{aarhus.pk}" selected>' in page  # the suggested municipality
    response = client.post(attach, {"round": round_.pk, "municipality": vejle.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("councils:staff_input", args=[round_.slug, vejle.code])
    first.refresh_from_db()
    assert first.triage_status == TriageStatus.ATTACHED
    assert CouncilInput.objects.get(municipality=vejle).attachments.count() == 1
    page = client.get(reverse("mail:inbound_detail", args=[first.pk])).content.decode()
    assert 'data-testid="triage-actions"' not in page

    dismiss = reverse("councils:triage_dismiss", args=[second.pk])
    client.post(dismiss, {"reason": ""})
    second.refresh_from_db()
    assert second.triage_status == TriageStatus.NEW
    client.post(dismiss, {"reason": "Dublet"})
    second.refresh_from_db()
    assert second.triage_status == TriageStatus.DISMISSED and "Dublet" in second.triage_note
    raw = client.get(reverse("mail:inbound_raw", args=[second.pk]))
    assert raw.status_code == 200 and raw.content == bytes(second.raw)
