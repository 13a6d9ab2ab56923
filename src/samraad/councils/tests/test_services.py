"""Council input services: locking, versions and diffs, receipts, statuses, uploads, triage."""

from __future__ import annotations

import datetime
from email.message import EmailMessage

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from samraad.core.errors import ServiceError
from samraad.core.uploads import UploadRejected
from samraad.councils.models import CouncilInput, InputAttachment, InputStatus, InputVersion
from samraad.councils.selectors import input_roster, text_diff, version_diff
from samraad.councils.services import (
    EditConflict,
    InputData,
    contact_invitations_send,
    council_input_get,
    council_input_mark,
    council_input_save,
    council_input_submit,
    inbound_attach_to_input,
    inbound_dismiss,
    input_reminder_schedule,
    input_reminders_due,
)
from samraad.councils.tests.conftest import PDF
from samraad.directory.models import EmailDomain
from samraad.mail.inbound import inbound_receive
from samraad.mail.models import InboundSource, OutboxMessage, TriageStatus

pytestmark = pytest.mark.django_db


def save(council_input, text="Anstrengt økonomi", *, version=None, files=(), ratings=None):
    return council_input_save(
        council_input=council_input,
        expected_version=council_input.version if version is None else version,
        data=InputData(economic_situation=text, ratings=ratings or {}),
        files=files,
        by_name="Karen Prøvesen",
    )


def test_a_new_input_is_not_started_and_saving_makes_a_draft(round_, aarhus):
    council_input = council_input_get(round=round_, municipality=aarhus)
    assert council_input.status == InputStatus.NOT_STARTED
    theme = round_.themes.get(key="elderly_care")
    saved = save(council_input, ratings={theme.pk: (4, "Flere ældre")})
    assert saved.status == InputStatus.DRAFT
    assert saved.version == 1
    assert saved.ratings.get().rating == 4
    assert council_input_get(round=round_, municipality=aarhus).pk == council_input.pk


def test_the_second_editor_gets_a_conflict_and_nothing_is_overwritten(round_, aarhus):
    council_input = council_input_get(round=round_, municipality=aarhus)
    opened_at = council_input.version
    save(council_input, "Karens tekst", version=opened_at)
    with pytest.raises(EditConflict) as conflict:
        save(council_input, "Jens' tekst", version=opened_at)
    assert "Karen Prøvesen" in conflict.value.message
    assert conflict.value.current.economic_situation == "Karens tekst"
    assert CouncilInput.objects.get().economic_situation == "Karens tekst"


def test_a_rejected_upload_saves_nothing_and_says_why(round_, aarhus):
    council_input = save(council_input_get(round=round_, municipality=aarhus), "Første")
    disguised = SimpleUploadedFile("budget.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(UploadRejected) as rejected:
        save(council_input, "Ændret", files=[disguised])
    assert "budget.pdf" in rejected.value.message
    council_input.refresh_from_db()
    assert council_input.economic_situation == "Første"
    assert council_input.version == 1
    assert not InputAttachment.objects.exists()


def test_an_accepted_upload_is_stored_with_a_clean_name(round_, aarhus):
    council_input = council_input_get(round=round_, municipality=aarhus)
    save(council_input, files=[SimpleUploadedFile("../../budget 2026.PDF", PDF)])
    attachment = InputAttachment.objects.get()
    assert attachment.filename == "budget 2026.pdf"
    assert bytes(attachment.content) == PDF


def test_submit_needs_the_economic_situation(round_, aarhus, contacts):
    council_input = save(council_input_get(round=round_, municipality=aarhus), "  ")
    with pytest.raises(ServiceError) as error:
        council_input_submit(council_input=council_input, expected_version=council_input.version)
    assert error.value.code == "required"
    assert not InputVersion.objects.exists()


def test_submit_makes_versions_and_one_receipt_per_contact_per_version(round_, aarhus, contacts):
    council_input = save(council_input_get(round=round_, municipality=aarhus), "Første udgave")
    first = council_input_submit(
        council_input=council_input, expected_version=council_input.version, by=contacts["karen"]
    )
    assert (first.number, first.submitted_by_name) == (1, "Karen Prøvesen")
    assert first.snapshot["economic_situation"] == "Første udgave"
    council_input.refresh_from_db()
    assert council_input.status == InputStatus.SUBMITTED
    receipts = OutboxMessage.objects.filter(purpose="council_input_receipt")
    assert sorted(receipts.values_list("to_email", flat=True)) == [
        "jens@aarhus.dk",
        "karen@aarhus.dk",
    ]  # Vejle's contact gets none
    assert "version 1" in receipts.first().subject

    council_input = save(council_input, "Anden <b>udgave</b>")
    assert council_input.status == InputStatus.DRAFT
    second = council_input_submit(
        council_input=council_input, expected_version=council_input.version, by=contacts["jens"]
    )
    assert second.number == 2
    assert receipts.count() == 4
    # The first version is unchanged.
    assert InputVersion.objects.get(number=1).snapshot["economic_situation"] == "Første udgave"

    with translation.override("en"):
        diff = {d.label: d for d in version_diff(first.snapshot, second.snapshot)}
    situation = diff["Economic situation"]
    assert situation.changed
    assert "<del>Første</del>" in situation.html
    assert "<ins>Anden</ins>" in situation.html
    assert "&lt;b&gt;" in situation.html and "<b>" not in situation.html
    assert not diff["Proposals for the negotiations"].changed


def test_text_diff_escapes_everything():
    html = text_diff("a <script>", "a <img onerror=x>")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;" in html and "img onerror=x" in html


def test_a_stale_submit_is_a_conflict(round_, aarhus, contacts):
    council_input = save(council_input_get(round=round_, municipality=aarhus))
    with pytest.raises(EditConflict):
        council_input_submit(council_input=council_input, expected_version=0)


def test_staff_mark_received_and_used_only_after_submission(round_, aarhus, contacts):
    council_input = save(council_input_get(round=round_, municipality=aarhus))
    with pytest.raises(ServiceError):
        council_input_mark(council_input=council_input, status=InputStatus.RECEIVED)
    council_input_submit(council_input=council_input, expected_version=council_input.version)
    council_input = council_input_mark(council_input=council_input, status=InputStatus.RECEIVED)
    assert council_input.status == InputStatus.RECEIVED and council_input.received_at
    council_input = council_input_mark(council_input=council_input, status=InputStatus.USED)
    assert council_input.status == InputStatus.USED and council_input.used_at


def test_contact_links_go_once_to_each_contact(round_, aarhus, vejle, contacts):
    assert contact_invitations_send(round=round_, municipality_ids=[vejle.pk]) == 1
    assert contact_invitations_send(round=round_) == 2  # only Aarhus's two are new
    assert contact_invitations_send(round=round_) == 0
    mail = OutboxMessage.objects.get(purpose="contact_invitation", to_email="vera@vejle.dk")
    assert "/c/" in mail.body_text


def test_reminders_go_at_their_time_to_those_without_submitted_input(round_, aarhus, contacts):
    council_input = save(council_input_get(round=round_, municipality=aarhus))
    council_input_submit(council_input=council_input, expected_version=council_input.version)
    later = timezone.now() + datetime.timedelta(days=2)
    input_reminder_schedule(round=round_, send_at=later)
    assert input_reminders_due() == 0
    assert input_reminders_due(now=later) == 1  # only Vejle's contact
    assert input_reminders_due(now=later) == 0  # once
    reminder = OutboxMessage.objects.get(purpose="council_input_reminder")
    assert reminder.to_email == "vera@vejle.dk"


def test_a_reminder_after_the_deadline_is_refused(round_):
    with pytest.raises(ServiceError):
        input_reminder_schedule(
            round=round_, send_at=round_.input_deadline + datetime.timedelta(hours=1)
        )


def test_the_roster_lists_every_municipality_with_its_status(round_, aarhus, contacts):
    save(council_input_get(round=round_, municipality=aarhus))
    rows = {row.code: row for row in input_roster(round=round_)}
    assert len(rows) == 98
    assert rows[751].input_status == InputStatus.DRAFT
    assert rows[751].contact_count == 2
    assert rows[101].input_status == InputStatus.NOT_STARTED
    assert [row.code for row in input_roster(round=round_, status="draft")] == [751]
    assert len(input_roster(round=round_, region_id=aarhus.region_id)) < 98


def emailed_input(*attachments: tuple[bytes, str]) -> bytes:
    message = EmailMessage()
    message["From"] = "Jens Hansen <jens.hansen@aarhus.dk>"
    message["To"] = "input@kl.example"
    message["Subject"] = "Aarhus Kommunes input"
    message.set_content("Kære KL\n\nByrådet peger på ældreområdet.\n")
    for data, filename in attachments:
        message.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    return message.as_bytes()


@pytest.fixture
def inbound(round_, aarhus):
    EmailDomain.objects.create(municipality=aarhus, domain="aarhus.dk")
    return inbound_receive(
        raw=emailed_input((PDF, "notat.pdf"), (b"MZ not a pdf", "virus.pdf")),
        source=InboundSource.SMTP,
        envelope_from="jens.hansen@aarhus.dk",
        envelope_to=["input@kl.example"],
    )


@pytest.mark.django_db(transaction=True)
def test_triage_attaches_the_text_and_the_good_attachments(round_, aarhus, inbound):
    assert inbound.municipality == aarhus
    council_input = save(council_input_get(round=round_, municipality=aarhus), "Vores egen tekst")
    result = inbound_attach_to_input(
        message=inbound, round=round_, municipality=aarhus, by_name="Staff"
    )
    council_input = result.council_input
    assert council_input.economic_situation == "Vores egen tekst"
    assert "Byrådet peger på ældreområdet." in council_input.email_notes
    assert "Aarhus Kommunes input" in council_input.email_notes
    assert council_input.version == 2  # a contact's open form now conflicts
    assert result.copied == ["notat.pdf"]
    assert [name for name, _reason in result.refused] == ["virus.pdf"]
    inbound.refresh_from_db()
    assert inbound.triage_status == TriageStatus.ATTACHED
    assert "virus.pdf" in inbound.triage_note and "Aarhus" in inbound.triage_note
    assert inbound.attachments.count() == 2 and bytes(inbound.raw)  # the message keeps all
    with pytest.raises(ServiceError):
        inbound_attach_to_input(message=inbound, round=round_, municipality=aarhus)


@pytest.mark.django_db(transaction=True)
def test_triage_creates_the_draft_when_there_is_none(round_, aarhus, inbound):
    result = inbound_attach_to_input(message=inbound, round=round_, municipality=aarhus)
    assert result.council_input.status == InputStatus.DRAFT


@pytest.mark.django_db(transaction=True)
def test_dismiss_needs_a_reason_and_keeps_the_message(round_, inbound):
    with pytest.raises(ServiceError):
        inbound_dismiss(message=inbound, reason="  ")
    inbound_dismiss(message=inbound, reason="Nyhedsbrev", by_name="Staff")
    inbound.refresh_from_db()
    assert inbound.triage_status == TriageStatus.DISMISSED
    assert "Nyhedsbrev" in inbound.triage_note
    assert bytes(inbound.raw)
