"""Privacy: one person's data as JSON, erasing one person, and a round's retention.

Erasing a person anonymises rather than deletes: the person row stays (with
their municipality, region and roles) so that counts of invitations,
registrations and attendance per municipality stay correct, while everything
that identifies them is replaced or cleared. A round's retention does the
same for the personal data tied to the round once its retention date has
passed, and keeps the rows, so the round's figures stay as they were.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from typing import Any

from django.db import transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from samraad.accounts.models import AccessLink
from samraad.audit.models import AuditAction, AuditEvent, RoundAnonymisation
from samraad.audit.registry import plain
from samraad.audit.services import audit_event_record
from samraad.councils.models import CouncilInput, InputAttachment, InputReminder, InputVersion
from samraad.directory.models import Person
from samraad.mail.models import InboundAttachment, InboundMessage, OutboxMessage, OutboxStatus
from samraad.meetings.models import AttendanceRecord, Invitation, Meeting, Registration
from samraad.rounds.models import Round
from samraad.speakers.models import SpeakerRequest

ERASED = "[erased]"
# RFC 2606 reserves .invalid: an address there can never be delivered.
PLACEHOLDER_DOMAIN = "erased.invalid"


def anonymised_name(person: Person) -> str:
    return f"Anonymised person #{person.pk}"


def anonymised_email(person: Person) -> str:
    return f"person-{person.pk}@{PLACEHOLDER_DOMAIN}"


def _when(value: datetime.datetime | datetime.date | None) -> str | None:
    return plain(value)


# --- Export -----------------------------------------------------------------------


def person_data_export(*, person: Person) -> dict[str, Any]:
    """Everything Samråd holds about `person`, as JSON-ready data. Never a link's token or hash.

    Sections: person, user_account, roles, registrations, attendance,
    invitations, access_links, outbox, council_input_versions,
    speaker_engagements, audit_events.
    """
    user = getattr(person, "user", None)
    outbox = OutboxMessage.objects.filter(
        Q(person=person) | Q(to_email__iexact=person.email)
    ).defer("body_text", "body_html", "raw")
    return {
        "generated_at": _when(timezone.now()),
        "person": {
            "id": person.pk,
            "name": person.name,
            "email": person.email,
            "phone": person.phone,
            "municipality": person.municipality.name if person.municipality else None,
            "region": person.region.name if person.region else None,
            "party": person.party,
            "title": person.title,
            "created_at": _when(person.created_at),
            "updated_at": _when(person.updated_at),
        },
        "user_account": None
        if user is None
        else {
            "username": user.username,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "is_staff": user.is_staff,
            "is_active": user.is_active,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
        },
        "roles": [role.kind for role in person.roles.all()],
        "registrations": [
            {
                "round": r.meeting.round.code,
                "meeting": r.meeting.title,
                "session_starts_at": _when(r.session.starts_at),
                "status": r.status,
                "question": r.question,
                "late": r.late,
                "registered_at": _when(r.created_at),
                "changed_at": _when(r.updated_at),
                "join_link_sent_at": _when(r.link_sent_at),
            }
            for r in Registration.objects.filter(person=person).select_related(
                "meeting__round", "session"
            )
        ],
        "attendance": [
            {
                "round": a.session.meeting.round.code,
                "session_starts_at": _when(a.session.starts_at),
                "name_in_report": a.name,
                "email_in_report": a.email,
                "seconds": a.seconds,
                "first_join": _when(a.first_join),
                "last_leave": _when(a.last_leave),
                "role_in_report": a.role,
                "matched_by": a.matched_by,
            }
            for a in AttendanceRecord.objects.filter(person=person).select_related(
                "session__meeting__round"
            )
        ],
        "invitations": [
            {
                "round": i.meeting.round.code,
                "sent_at": _when(i.sent_at),
                "reminded_at": _when(i.reminded_at),
            }
            for i in Invitation.objects.filter(person=person).select_related("meeting__round")
        ],
        "access_links": [
            {
                "round": link.round.code,
                "purpose": link.purpose,
                "created_at": _when(link.created_at),
                "expires_at": _when(link.expires_at),
                "revoked_at": _when(link.revoked_at),
                "first_used_at": _when(link.first_used_at),
                "last_used_at": _when(link.last_used_at),
            }
            for link in AccessLink.objects.filter(person=person).select_related("round")
        ],
        "outbox": [
            {
                "purpose": m.purpose,
                "to_email": m.to_email,
                "to_name": m.to_name,
                "subject": m.subject,
                "status": m.status,
                "created_at": _when(m.created_at),
                "sent_at": _when(m.sent_at),
                "attempts": m.attempts,
            }
            for m in outbox
        ],
        "council_input_versions": [
            {
                "round": v.council_input.round.code,
                "municipality": v.council_input.municipality.name,
                "version": v.number,
                "submitted_at": _when(v.submitted_at),
                "submitted_by_name": v.submitted_by_name,
                "content": v.snapshot,
            }
            for v in InputVersion.objects.filter(submitted_by=person).select_related(
                "council_input__round", "council_input__municipality"
            )
        ],
        "speaker_engagements": [
            {
                "round": s.round.code,
                "municipality": s.municipality.name,
                "as": "presenter" if s.presenter_id == person.pk else "requester",
                "topic": s.topic,
                "status": s.status,
                "starts_at": _when(s.starts_at),
                "ends_at": _when(s.ends_at),
                "presenter_notes": s.presenter_notes if s.presenter_id == person.pk else "",
            }
            for s in SpeakerRequest.objects.filter(
                Q(presenter=person) | Q(requested_by=person)
            ).select_related("round", "municipality")
        ],
        "audit_events": [
            {
                "at": _when(e.at),
                "actor": e.actor_label,
                "action": e.action,
                "object_type": e.object_type,
                "object": e.object_label,
                "changes": e.changes,
                "detail": e.detail,
            }
            for e in AuditEvent.objects.filter(person_id=person.pk).order_by("at", "id")
        ],
    }


def person_data_export_record(*, person: Person) -> AuditEvent:
    """Record that `person`'s data was exported (by the current user)."""
    return audit_event_record(action=AuditAction.PRIVACY_EXPORT, target=person)


# --- Erasure ----------------------------------------------------------------------


def _hashed_key(key: str) -> str:
    """A dedupe key without the address in it, still unique."""
    return f"erased:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def _scrub_outbox(messages) -> int:
    """Clear addresses, names, text and attachments of `messages`; unsent ones are never sent."""
    ids = list(messages.values_list("pk", flat=True))
    count = 0
    for message in OutboxMessage.objects.filter(pk__in=ids).select_for_update():
        message.dedupe_key = _hashed_key(message.dedupe_key)
        message.to_email = f"erased-{message.pk}@{PLACEHOLDER_DOMAIN}"
        message.to_name = message.subject = message.body_text = message.body_html = ""
        message.reply_to = message.last_error = ""
        message.raw = b""  # the rendered message, attachments included
        fields = ["dedupe_key", "to_email", "to_name", "subject", "body_text", "body_html"]
        fields += ["reply_to", "last_error", "raw"]
        if message.on_its_way:
            message.status = OutboxStatus.FAILED
            message.last_error = ERASED
            fields.append("status")
        message.save(update_fields=fields)
        count += 1
    return count


@transaction.atomic
def person_erase(*, person: Person) -> Person:
    """Anonymise `person` everywhere; keep the rows that counts are made of.

    Afterwards no field says who they were: name and email are placeholders
    (the email cannot be delivered), phone, party and title are empty, their
    personal links are revoked, their advance questions and what attendance
    reports said about them are cleared, and mail to them has no address,
    text or attachments. Their municipality, region, roles, registrations,
    invitations and attendance stay, so every count per municipality is as
    before. Events about them in the audit log keep what happened but no
    longer their name or values. The erasure itself is recorded.
    """
    person = Person.objects.select_for_update().get(pk=person.pk)
    old_name, old_email = person.name, person.email
    new_name, new_email = anonymised_name(person), anonymised_email(person)
    now = timezone.now()

    AccessLink.objects.filter(person=person, revoked_at__isnull=True).update(revoked_at=now)
    Registration.objects.filter(person=person).exclude(question="").update(question="")
    AttendanceRecord.objects.filter(person=person).update(
        name=new_name,
        email="",
        key=Concat(Value("erased:"), Cast("pk", output_field=CharField())),
    )
    _scrub_outbox(OutboxMessage.objects.filter(Q(person=person) | Q(to_email__iexact=old_email)))
    InputVersion.objects.filter(submitted_by=person).update(submitted_by_name=new_name)
    if old_name:
        CouncilInput.objects.filter(updated_by=old_name).update(updated_by=new_name)
        InputAttachment.objects.filter(uploaded_by=old_name).update(uploaded_by=new_name)
    for event in AuditEvent.objects.filter(person_id=person.pk):
        event.object_label = _replace(event.object_label, old_name, old_email, new_name)
        event.changes = {field: [ERASED, ERASED] for field in event.changes}
        event.save(update_fields=["object_label", "changes"])

    # Saved with update(), not save(): the audit log must not copy the old values.
    Person.objects.filter(pk=person.pk).update(
        name=new_name, email=new_email, phone="", party="", title="", updated_at=now
    )
    person.refresh_from_db()
    audit_event_record(action=AuditAction.ERASE, target=person)
    return person


def _replace(text: str, old_name: str, old_email: str, new_name: str) -> str:
    for old in (old_name, old_email):
        if old:
            text = re.sub(re.escape(old), new_name, text, flags=re.IGNORECASE)
    return text


# --- Retention --------------------------------------------------------------------

# What an outgoing message's dedupe key says it is about: "<kind>:<id>".
_ABOUT = re.compile(r"^(?P<kind>[a-z_.-]+):(?P<id>\d+)")


def round_outbox_messages(round: Round):
    """The outbox rows about `round`: its registrations, meeting, council input, reminders,
    speaker requests and incoming messages, as their dedupe keys name them."""
    ids: dict[str, set[int]] = {
        "registration": set(
            Registration.objects.filter(meeting__round=round).values_list("pk", flat=True)
        ),
        "meeting": set(Meeting.objects.filter(round=round).values_list("pk", flat=True)),
        "council_input": set(CouncilInput.objects.filter(round=round).values_list("pk", flat=True)),
        "input_reminder": set(
            InputReminder.objects.filter(round=round).values_list("pk", flat=True)
        ),
        "speaker-request": set(
            SpeakerRequest.objects.filter(round=round).values_list("pk", flat=True)
        ),
        "mail.inboundmessage": set(
            InboundMessage.objects.filter(round=round).values_list("pk", flat=True)
        ),
        "round": {round.pk},
    }
    ids["meetings.registration"] = ids["registration"]
    ids["speakers.speakerrequest"] = ids["speaker-request"]
    ids["councils.councilinput"] = ids["council_input"]
    wanted = []
    keys = OutboxMessage.objects.exclude(dedupe_key__startswith="erased:").values_list(
        "pk", "dedupe_key"
    )
    for pk, key in keys.iterator(chunk_size=2000):
        parts = key.split(":", 2)
        if len(parts) < 3 or not (match := _ABOUT.match(parts[2])):
            continue
        if int(match["id"]) in ids.get(match["kind"], ()):
            wanted.append(pk)
    return OutboxMessage.objects.filter(pk__in=wanted)


@transaction.atomic
def round_anonymise(*, round: Round) -> RoundAnonymisation:
    """Anonymise the personal data tied to `round`, once; counts stay as they were.

    Advance questions are cleared; attendance rows lose the name and email
    the report gave (the person they were matched to, and so every figure,
    stays); incoming mail of the round loses its raw bytes, senders, text and
    attachments (the rows and their triage stay); outgoing mail about the
    round loses addresses, text and attachments. Calling it again for the
    same round changes nothing.
    """
    round = Round.objects.select_for_update().get(pk=round.pk)
    if done := RoundAnonymisation.objects.filter(round=round).first():
        return done
    counts = {
        "questions": Registration.objects.filter(meeting__round=round)
        .exclude(question="")
        .update(question=""),
        "attendance_records": AttendanceRecord.objects.filter(session__meeting__round=round)
        .exclude(key__startswith="anonymised:")
        .update(
            name="",
            email="",
            key=Concat(Value("anonymised:"), Cast("pk", output_field=CharField())),
        ),
    }
    inbound = InboundMessage.objects.filter(round=round)
    InboundAttachment.objects.filter(message__in=inbound).delete()
    counts["inbound_messages"] = inbound.update(
        raw=b"",
        envelope_from="",
        envelope_to=[],
        from_email="",
        from_name="",
        original_from_email="",
        subject="",
        body_text="",
        body_html="",
        parse_error="",
    )
    counts["outbox_messages"] = _scrub_outbox(round_outbox_messages(round))
    anonymisation = RoundAnonymisation.objects.create(
        round=round, anonymised_at=timezone.now(), counts=counts
    )
    audit_event_record(
        action=AuditAction.RETENTION,
        target=round,
        changes={name: [None, count] for name, count in counts.items()},
        detail=f"retention date {round.retention_date}",
        label="retention",
        actor=None,
    )
    return anonymisation


def rounds_retention_due(*, today: datetime.date | None = None) -> int:
    """Anonymise every round whose retention date has passed (the day after it); return how many.

    A periodic job of the worker (settings.WORKER_PERIODIC_JOBS) and
    `samraad retention`: cheap when nothing is due, and idempotent.
    """
    today = today or timezone.localdate()
    due = Round.objects.filter(retention_date__lt=today, anonymisation__isnull=True)
    count = 0
    for round in due:
        round_anonymise(round=round)
        count += 1
    return count
