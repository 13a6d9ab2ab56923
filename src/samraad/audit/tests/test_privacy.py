"""One person's data as JSON, erasing one person, and the privacy notice."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samraad.accounts.models import AccessLink, AccessPurpose
from samraad.accounts.services import access_link_create
from samraad.audit.models import AuditAction, AuditEvent
from samraad.audit.privacy import PLACEHOLDER_DOMAIN, person_data_export, person_erase
from samraad.councils.models import CouncilInput, InputVersion
from samraad.directory.models import Municipality, Person, Role, RoleKind
from samraad.mail.models import OutboxMessage, OutboxStatus
from samraad.mail.services import Attachment, mail_queue
from samraad.meetings.models import (
    AttendanceImport,
    AttendanceRecord,
    Invitation,
    Registration,
)
from samraad.meetings.selectors import registrations_by_area
from samraad.speakers.models import SpeakerRequest
from samraad.tests_support.factories import (
    MeetingFactory,
    PersonFactory,
    RoundFactory,
    SessionFactory,
)
from samraad.tests_support.login import log_in_verified
from samraad.tests_support.mail import outbox_attachments

SECTIONS = {
    "generated_at",
    "person",
    "user_account",
    "roles",
    "registrations",
    "attendance",
    "invitations",
    "access_links",
    "outbox",
    "council_input_versions",
    "speaker_engagements",
    "audit_events",
}


@pytest.fixture
def karen(db):
    """A council member and contact in Aarhus with something in every part of Samråd."""
    aarhus = Municipality.objects.get(code=751)
    person = PersonFactory(
        name="Karen Prøvesen",
        email="karen@aarhus.dk",
        phone="+45 12 34 56 78",
        party="Venstre",
        title="borgmester",
        municipality=aarhus,
    )
    Role.objects.create(person=person, kind=RoleKind.COUNCIL_MEMBER)
    Role.objects.create(person=person, kind=RoleKind.MUNICIPAL_CONTACT)
    meeting = MeetingFactory()
    session = SessionFactory(meeting=meeting, join_url="https://teams.example/secret-join")
    Registration.objects.create(
        meeting=meeting,
        session=session,
        person=person,
        status="confirmed",
        question="Karens spørgsmål om ældreplejen",
    )
    Invitation.objects.create(meeting=meeting, person=person, sent_at=timezone.now())
    token = access_link_create(round=meeting.round, person=person, purpose=AccessPurpose.MEMBER)
    report = AttendanceImport.objects.create(
        session=session,
        filename="report.csv",
        sha256="0" * 64,
        size=10,
        imported_at=timezone.now(),
        format="sections",
        rows=1,
    )
    AttendanceRecord.objects.create(
        attendance_import=report,
        session=session,
        person=person,
        name="Karen Prøvesen",
        email="karen@aarhus.dk",
        key="karen@aarhus.dk",
        seconds=3600,
        matched_by="email",
    )
    mail_queue(
        purpose="invitation",
        to_email=person.email,
        to_name=person.name,
        person=person,
        subject="Invitation til Karen Prøvesen",
        text=f"Kære Karen Prøvesen, dit link: /m/{token}/",
        attachments=[Attachment("invite.ics", "text/calendar", b"ATTENDEE:karen@aarhus.dk")],
        about="test",
    )
    council_input = CouncilInput.objects.create(
        round=meeting.round, municipality=aarhus, updated_by="Karen Prøvesen"
    )
    InputVersion.objects.create(
        council_input=council_input,
        number=1,
        snapshot={"economic_situation": "Stram"},
        submitted_at=timezone.now(),
        submitted_by=person,
        submitted_by_name="Karen Prøvesen",
    )
    SpeakerRequest.objects.create(
        round=meeting.round,
        municipality=aarhus,
        requested_by=person,
        presenter_kind="either",
        meeting_format="online",
        topic="Økonomien",
    )
    AuditEvent.objects.create(
        at=timezone.now(),
        action=AuditAction.UPDATE,
        actor_label="kim",
        object_type="directory.person",
        object_id=str(person.pk),
        object_label="Karen Prøvesen",
        person_id=person.pk,
        changes={"name": ["Karen Hansen", "Karen Prøvesen"]},
    )
    return {"person": person, "meeting": meeting, "token": token, "session": session}


def test_the_export_has_every_section_and_what_samraad_holds(karen):
    data = person_data_export(person=karen["person"])
    assert set(data) == SECTIONS
    assert data["person"]["name"] == "Karen Prøvesen"
    assert data["person"]["phone"] == "+45 12 34 56 78"
    assert sorted(data["roles"]) == ["council_member", "municipal_contact"]
    assert data["registrations"][0]["question"] == "Karens spørgsmål om ældreplejen"
    assert data["attendance"][0]["seconds"] == 3600
    assert len(data["invitations"]) == 1
    assert data["access_links"][0]["purpose"] == "member"
    assert data["outbox"][0]["subject"] == "Invitation til Karen Prøvesen"
    assert data["council_input_versions"][0]["content"] == {"economic_situation": "Stram"}
    assert data["speaker_engagements"][0]["as"] == "requester"
    assert data["audit_events"][0]["changes"] == {"name": ["Karen Hansen", "Karen Prøvesen"]}


def test_the_export_never_holds_a_token_its_hash_a_join_link_or_mail_text(karen):
    text = json.dumps(person_data_export(person=karen["person"]), default=str)
    link = AccessLink.objects.get()
    assert karen["token"] not in text
    assert link.token_hash not in text
    assert "token" not in text
    assert "secret-join" not in text
    assert "dit link" not in text


def test_staff_download_the_export_as_json_and_it_is_audited(karen, staff_client, staff_user):
    person = karen["person"]
    response = staff_client.get(reverse("audit:person_export", args=[person.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert set(json.loads(response.content)) == SECTIONS
    event = AuditEvent.objects.get(action=AuditAction.PRIVACY_EXPORT)
    assert event.actor == staff_user
    assert event.person_id == person.pk
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_an_unknown_person_answers_404(staff_client):
    assert staff_client.get(reverse("audit:person_export", args=[999999])).status_code == 404


def test_the_person_page_offers_export_and_erase_to_those_allowed(karen, staff_client, auditor):
    url = reverse("directory:person_edit", args=[karen["person"].pk])
    page = staff_client.get(url).content.decode()
    assert reverse("audit:person_export", args=[karen["person"].pk]) in page
    assert reverse("audit:person_erase", args=[karen["person"].pk]) not in page
    page = log_in_verified(Client(), auditor).get(url).content.decode()
    assert reverse("audit:person_erase", args=[karen["person"].pk]) in page


def test_erasing_needs_the_permission(karen, staff_client):
    url = reverse("audit:person_erase", args=[karen["person"].pk])
    assert staff_client.get(url).status_code == 403
    assert staff_client.post(url, {"confirm": "erase"}).status_code == 403
    assert Person.objects.get(pk=karen["person"].pk).name == "Karen Prøvesen"


def test_erasing_asks_first(karen, auditor_client):
    url = reverse("audit:person_erase", args=[karen["person"].pk])
    page = auditor_client.get(url).content.decode()
    assert "This cannot be undone." in page
    response = auditor_client.post(url, {})
    assert response.status_code == 200
    assert "Tick the box to confirm the erasure." in response.content.decode()
    assert Person.objects.get(pk=karen["person"].pk).name == "Karen Prøvesen"


def test_erasure_leaves_no_personal_field_and_keeps_the_counts(karen, auditor_client, auditor):
    person = karen["person"]
    meeting = karen["meeting"]
    before = registrations_by_area(meeting, level="municipality")
    assert outbox_attachments(OutboxMessage.objects.get())  # the invitation, before
    response = auditor_client.post(
        reverse("audit:person_erase", args=[person.pk]), {"confirm": "erase"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name == f"Anonymised person #{person.pk}"
    assert person.email.endswith(f"@{PLACEHOLDER_DOMAIN}")
    assert (person.phone, person.party, person.title) == ("", "", "")
    assert person.municipality.code == 751
    assert person.roles.count() == 2
    assert not AccessLink.objects.filter(person=person, revoked_at__isnull=True).exists()
    assert Registration.objects.get(person=person).question == ""
    record = AttendanceRecord.objects.get(person=person)
    assert (record.email, "karen" in record.key) == ("", False)
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.FAILED  # never sent to the placeholder
    assert (message.body_text, message.body_html, message.to_name, message.subject) == (
        "",
        "",
        "",
        "",
    )
    assert bytes(message.raw) == b""  # the message as sent, its attachment with it
    assert outbox_attachments(message) == []
    assert InputVersion.objects.get().submitted_by_name == person.name
    assert CouncilInput.objects.get().updated_by == person.name
    # Nothing anywhere still says who she was.
    everything = json.dumps(person_data_export(person=person), default=str)
    everything += json.dumps(list(AuditEvent.objects.values()), default=str)
    everything += json.dumps(list(OutboxMessage.objects.values()), default=str)
    assert "Karen" not in everything
    assert "karen@aarhus.dk" not in everything
    assert "12 34 56 78" not in everything
    # The figures per municipality are as before.
    assert registrations_by_area(meeting, level="municipality") == before
    assert Registration.objects.count() == 1
    assert AttendanceRecord.objects.filter(person__municipality__code=751).count() == 1
    erase = AuditEvent.objects.get(action=AuditAction.ERASE)
    assert (erase.actor, erase.person_id) == (auditor, person.pk)


def test_erasing_twice_is_harmless(karen):
    person = person_erase(person=karen["person"])
    again = person_erase(person=person)
    assert again.name == f"Anonymised person #{person.pk}"


def test_the_privacy_notice_is_public_and_names_the_rounds_contact(client, db):
    contact = PersonFactory(name="Lise Kontakt", email="lise@kl.example")
    RoundFactory(code="ØA99", contact=contact, retention_date="2031-06-30")
    client.cookies["samraad_language"] = "en"
    response = client.get("/privacy/")
    assert response.status_code == 200
    page = response.content.decode()
    for heading in ("What we collect", "Why", "Who sees it", "How long it is kept", "Your rights"):
        assert heading in page
    assert "lise@kl.example" in page
    assert "ØA99" in page


def test_every_page_links_the_privacy_notice_in_its_footer(client, db):
    assert 'href="/privacy/"' in client.get("/").content.decode()
