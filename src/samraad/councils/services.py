"""Every state change of council input: drafts, submission, status, links, reminders, triage.

Decisions worth knowing:

- Optimistic locking: every save names the version it started from; a save
  from an older version is refused with `EditConflict` and writes nothing, so
  the second editor is told and keeps their own text (the view shows it again).
- A change after submission makes the input a draft again until it is
  submitted anew; the submitted versions stay as they were.
- Text that arrives by email (triage) is appended to the input's own "from
  email" field (`email_notes`), never mixed into the council's fields; its
  attachments are copied in when they pass the upload rules, the others are
  named in the triage note and stay available on the message.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from samraad.accounts.models import AccessPurpose
from samraad.accounts.services import access_link_create
from samraad.audit.services import audit_changes_record
from samraad.core.errors import ServiceError
from samraad.core.uploads import CheckedFile, UploadRejected, upload_check
from samraad.councils.models import (
    AttachmentSource,
    CouncilInput,
    InputAttachment,
    InputReminder,
    InputStatus,
    InputVersion,
    ThemeRating,
)
from samraad.directory.models import Municipality, Person, RoleKind
from samraad.mail.inbound import html_to_text
from samraad.mail.models import InboundMessage, OutboxMessage, TriageStatus
from samraad.mail.services import dedupe_key, mail_queue_template
from samraad.rounds.models import Round

CONTENT_FIELDS = ("economic_situation", "proposals", "budget_remarks")


class EditConflict(ServiceError):
    """Someone saved the input after this editor opened it; `current` is what is saved now."""

    def __init__(self, current: CouncilInput) -> None:
        super().__init__(
            _(
                "%(who)s saved this input while you were editing it, so your changes were not "
                "saved. Your text is still in the form below; compare it with the saved input "
                "and save again."
            )
            % {"who": current.updated_by or _("Someone else")},
            code="edit_conflict",
        )
        self.current = current


@dataclass(frozen=True)
class InputData:
    """What a contact writes in the form."""

    economic_situation: str = ""
    proposals: str = ""
    budget_remarks: str = ""
    council_discussed: bool = False
    council_discussed_on: datetime.date | None = None
    # theme id -> (rating 1–5 or None, text)
    ratings: dict[int, tuple[int | None, str]] = field(default_factory=dict)


def contact_page_url(token: str) -> str:
    return f"{settings.BASE_URL}/c/{token}/"


def municipal_contacts(municipality_ids: Collection[int] | None = None) -> QuerySet[Person]:
    """The municipal contacts (of these municipalities), in a stable order."""
    people = Person.objects.with_role(RoleKind.MUNICIPAL_CONTACT).filter(municipality__isnull=False)
    if municipality_ids is not None:
        people = people.filter(municipality_id__in=municipality_ids)
    return people.select_related("municipality").order_by("municipality__name", "name", "id")


def _deadline(round_: Round) -> str:
    if round_.input_deadline is None:
        return "–"
    return formats.date_format(timezone.localtime(round_.input_deadline), "DATETIME_FORMAT")


def _contact(round_: Round) -> str:
    contact = round_.contact
    return f"{contact.name}, {contact.email}" if contact else (round_.input_address or "")


def council_input_get(*, round: Round, municipality: Municipality) -> CouncilInput:
    """The input of `municipality` in `round`, created (not started) when first asked for."""
    try:
        with transaction.atomic():
            council_input, _created = CouncilInput.objects.get_or_create(
                round=round, municipality=municipality
            )
    except IntegrityError:  # another request created it a moment ago
        council_input = CouncilInput.objects.get(round=round, municipality=municipality)
    return council_input


def _check_rating(rating: int | None) -> None:
    if rating is not None and not 1 <= rating <= 5:
        raise ServiceError(_("A rating is a whole number from 1 to 5."))


@transaction.atomic
def council_input_save(
    *,
    council_input: CouncilInput,
    expected_version: int,
    data: InputData,
    files: Sequence[UploadedFile] = (),
    by_name: str = "",
) -> CouncilInput:
    """Save the draft, if nobody saved since `expected_version`; add the checked `files`.

    All or nothing: a refused file (UploadRejected, with the reason) or a
    conflict (EditConflict) writes nothing, so the caller can show the typed
    text again. The input becomes a draft.
    """
    checked: list[CheckedFile] = [upload_check(upload) for upload in files]
    theme_ids = set(council_input.round.themes.values_list("id", flat=True))
    for theme_id, (rating, _text) in data.ratings.items():
        if theme_id not in theme_ids:
            raise ServiceError(_("That service area is not one of this round's."))
        _check_rating(rating)
    if data.council_discussed_on and not data.council_discussed:
        raise ServiceError(_("Give a date only when the council has discussed the input."))
    now = timezone.now()
    changed = CouncilInput.objects.filter(pk=council_input.pk, version=expected_version).update(
        economic_situation=data.economic_situation.strip(),
        proposals=data.proposals.strip(),
        budget_remarks=data.budget_remarks.strip(),
        council_discussed=data.council_discussed,
        council_discussed_on=data.council_discussed_on if data.council_discussed else None,
        status=InputStatus.DRAFT,
        version=F("version") + 1,
        updated_at=now,
        updated_by=by_name[:200],
    )
    if not changed:
        raise EditConflict(CouncilInput.objects.get(pk=council_input.pk))
    ThemeRating.objects.filter(council_input=council_input).delete()
    ThemeRating.objects.bulk_create(
        ThemeRating(
            council_input=council_input, theme_id=theme_id, rating=rating, text=text.strip()
        )
        for theme_id, (rating, text) in sorted(data.ratings.items())
        if rating is not None or text.strip()
    )
    InputAttachment.objects.bulk_create(
        InputAttachment(
            council_input=council_input,
            filename=file.name,
            content_type=file.content_type,
            size=file.size,
            content=file.content,
            source=AttachmentSource.UPLOAD,
            uploaded_by=by_name[:200],
        )
        for file in checked
    )
    council_input.refresh_from_db()
    return council_input


@transaction.atomic
def input_attachment_delete(
    *, attachment: InputAttachment, expected_version: int, by_name: str = ""
) -> None:
    """Remove an attachment from the draft (the submitted versions keep naming it)."""
    council_input = attachment.council_input
    changed = CouncilInput.objects.filter(pk=council_input.pk, version=expected_version).update(
        version=F("version") + 1,
        status=InputStatus.DRAFT,
        updated_at=timezone.now(),
        updated_by=by_name[:200],
    )
    if not changed:
        raise EditConflict(CouncilInput.objects.get(pk=council_input.pk))
    attachment.delete()


def input_snapshot(council_input: CouncilInput) -> dict:
    """Everything in the input as plain JSON: what a submitted version freezes."""
    ratings = {rating.theme_id: rating for rating in council_input.ratings.select_related("theme")}
    return {
        "economic_situation": council_input.economic_situation,
        "ratings": [
            {
                "theme": theme.key,
                "name": theme.name,
                "name_en": theme.name_en,
                "rating": ratings[theme.pk].rating if theme.pk in ratings else None,
                "text": ratings[theme.pk].text if theme.pk in ratings else "",
            }
            for theme in council_input.round.themes.all()
        ],
        "proposals": council_input.proposals,
        "budget_remarks": council_input.budget_remarks,
        "council_discussed": council_input.council_discussed,
        "council_discussed_on": (
            council_input.council_discussed_on.isoformat()
            if council_input.council_discussed_on
            else None
        ),
        "email_notes": council_input.email_notes,
        "attachments": [
            {"id": a.pk, "filename": a.filename, "size": a.size, "source": a.source}
            for a in council_input.attachments.only("id", "filename", "size", "source")
        ],
    }


@transaction.atomic
def council_input_submit(
    *,
    council_input: CouncilInput,
    expected_version: int,
    by: Person | None = None,
    by_name: str = "",
) -> InputVersion:
    """Freeze the draft as the next version; send a receipt to each of the municipality's contacts.

    Refused when someone saved since `expected_version` (EditConflict) and
    when the economic situation is empty. Each version's receipt reaches each
    contact once, however often this is retried.
    """
    locked = (
        CouncilInput.objects.select_for_update(of=("self",))
        .select_related("round__contact", "municipality")
        .get(pk=council_input.pk)
    )
    if locked.version != expected_version:
        raise EditConflict(locked)
    if not locked.economic_situation.strip():
        raise ServiceError(
            _("Describe the municipality's economic situation before you submit the input."),
            code="required",
        )
    now = timezone.now()
    number = (locked.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    name = by.name if by is not None else by_name
    version = InputVersion.objects.create(
        council_input=locked,
        number=number,
        snapshot=input_snapshot(locked),
        submitted_at=now,
        submitted_by=by,
        submitted_by_name=name[:200],
    )
    CouncilInput.objects.filter(pk=locked.pk).update(status=InputStatus.SUBMITTED, submitted_at=now)
    with override("da"):
        values = {
            "municipality": locked.municipality.name,
            "round": locked.round.code,
            "deadline": _deadline(locked.round),
            "contact": _contact(locked.round),
            "version": str(number),
            "submitted_by": name or "–",
            "submitted_at": formats.date_format(timezone.localtime(now), "DATETIME_FORMAT"),
        }
        for person in municipal_contacts([locked.municipality_id]):
            mail_queue_template(
                key="council_input_receipt",
                to_email=person.email,
                to_name=person.name,
                person=person,
                values={**values, "name": person.name},
                about=f"council_input:{locked.pk}:version:{number}",
            )
    council_input.refresh_from_db()
    return version


def council_input_mark(*, council_input: CouncilInput, status: str) -> CouncilInput:
    """Staff mark the submitted input received, or used; refused while nothing is submitted."""
    if status not in (InputStatus.RECEIVED, InputStatus.USED):
        raise ValueError(status)
    if council_input.status not in (InputStatus.SUBMITTED, InputStatus.RECEIVED, InputStatus.USED):
        raise ServiceError(
            _("Only submitted input can be marked. This input is: %(status)s.")
            % {"status": council_input.get_status_display()},
            code="not_submitted",
        )
    now = timezone.now()
    stamp = {"received_at": now} if status == InputStatus.RECEIVED else {"used_at": now}
    if status == InputStatus.USED and council_input.received_at is None:
        stamp["received_at"] = now
    before = council_input.status
    CouncilInput.objects.filter(pk=council_input.pk).update(status=status, **stamp)
    council_input.refresh_from_db()
    audit_changes_record(instance=council_input, changes={"status": [before, status]})
    return council_input


# --- Personal links and reminders ------------------------------------------------


def _contact_mail(*, round: Round, person: Person, key: str, about: str) -> None:
    """Mail `key` to a municipal contact with a fresh personal link, in Danish, once per `about`."""
    with transaction.atomic(), override("da"):
        token = access_link_create(
            round=round, person=person, purpose=AccessPurpose.MUNICIPAL_CONTACT
        )
        mail_queue_template(
            key=key,
            to_email=person.email,
            to_name=person.name,
            person=person,
            values={
                "name": person.name,
                "municipality": person.municipality.name,
                "round": round.code,
                "deadline": _deadline(round),
                "contact": _contact(round),
                "page": contact_page_url(token),
            },
            about=about,
        )


def contact_invitations_send(
    *, round: Round, municipality_ids: Collection[int] | None = None
) -> int:
    """Mail each municipal contact (of these municipalities) a personal link, once per round.

    Returns how many were sent now; contacts who already got theirs are
    skipped, so a re-run reaches only contacts added since. Each mail is its
    own transaction with its link.
    """
    about = f"round:{round.pk}"
    contacts = list(municipal_contacts(municipality_ids))
    keys = {dedupe_key("contact_invitation", person.email, about) for person in contacts}
    sent = set(
        OutboxMessage.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
    )
    count = 0
    for person in contacts:
        if dedupe_key("contact_invitation", person.email, about) in sent:
            continue
        _contact_mail(round=round, person=person, key="contact_invitation", about=about)
        count += 1
    return count


def input_reminder_schedule(
    *, round: Round, send_at: datetime.datetime, by_name: str = ""
) -> InputReminder:
    """Plan a reminder to every municipality without submitted input, at `send_at`."""
    if round.input_deadline is not None and send_at > round.input_deadline:
        raise ServiceError(_("The reminder must go out before the deadline for council input."))
    return InputReminder.objects.create(round=round, send_at=send_at, created_by=by_name[:200])


def input_reminder_send(*, reminder: InputReminder, now: datetime.datetime | None = None) -> int:
    """Send `reminder` once: each contact of a municipality with no submitted version gets one.

    Returns how many mails were queued (0 when another worker got there first).
    """
    now = now or timezone.now()
    claimed = InputReminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(sent_at=now)
    if not claimed:
        return 0
    round_ = Round.objects.select_related("contact").get(pk=reminder.round_id)
    submitted = InputVersion.objects.filter(council_input__round=round_).values(
        "council_input__municipality_id"
    )
    count = 0
    for person in municipal_contacts().exclude(municipality_id__in=submitted):
        _contact_mail(
            round=round_,
            person=person,
            key="council_input_reminder",
            about=f"input_reminder:{reminder.pk}",
        )
        count += 1
    InputReminder.objects.filter(pk=reminder.pk).update(recipients=count)
    return count


def input_reminders_due(*, now: datetime.datetime | None = None) -> int:
    """Send the reminders whose time has come (a worker's periodic job)."""
    now = now or timezone.now()
    due = InputReminder.objects.filter(
        send_at__lte=now, sent_at__isnull=True, round__ends_on__gte=timezone.localdate(now)
    ).order_by("send_at", "id")
    return sum(input_reminder_send(reminder=reminder, now=now) for reminder in due)


# --- Triage of emailed input -----------------------------------------------------


@dataclass(frozen=True)
class AttachResult:
    council_input: CouncilInput
    copied: list[str]
    refused: list[tuple[str, str]]


def _lock_new_message(message: InboundMessage) -> InboundMessage:
    locked = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if locked.triage_status != TriageStatus.NEW:
        raise ServiceError(
            _("This message has already been handled: %(status)s.")
            % {"status": locked.get_triage_status_display()},
            code="already_triaged",
        )
    return locked


def _email_block(message: InboundMessage) -> str:
    sender = message.from_name or message.from_email or message.envelope_from or "–"
    when = timezone.localtime(message.sent_at or message.received_at)
    header = _("Email from %(sender)s, %(when)s: %(subject)s") % {
        "sender": sender,
        "when": formats.date_format(when, "DATETIME_FORMAT"),
        "subject": message.subject or _("(no subject)"),
    }
    body = message.body_text.strip() or html_to_text(message.body_html).strip()
    return f"— {header} —\n{body}".strip()


@transaction.atomic
def inbound_attach_to_input(
    *, message: InboundMessage, round: Round, municipality: Municipality, by_name: str = ""
) -> AttachResult:
    """Put an emailed input into `municipality`'s input for `round`, creating the draft if needed.

    The message's text is appended to the input's "from email" notes; each
    attachment that passes the upload rules is copied in, the others are
    named (with the reason) in the triage note. The message is marked
    attached; its raw bytes and attachments stay on it. The input's version
    grows, so a contact editing at the same time is told rather than
    overwriting the emailed text.
    """
    locked = _lock_new_message(message)
    council_input = council_input_get(round=round, municipality=municipality)
    council_input = CouncilInput.objects.select_for_update().get(pk=council_input.pk)
    notes = "\n\n".join(part for part in (council_input.email_notes, _email_block(locked)) if part)
    CouncilInput.objects.filter(pk=council_input.pk).update(
        email_notes=notes,
        version=F("version") + 1,
        status=(
            InputStatus.DRAFT
            if council_input.status == InputStatus.NOT_STARTED
            else council_input.status
        ),
        updated_at=timezone.now(),
        updated_by=by_name[:200],
    )
    copied: list[str] = []
    refused: list[tuple[str, str]] = []
    for attachment in locked.attachments.all():
        upload = SimpleUploadedFile(attachment.filename, bytes(attachment.content))
        try:
            checked = upload_check(upload)
        except UploadRejected as error:
            refused.append((attachment.filename, error.message))
            continue
        InputAttachment.objects.create(
            council_input=council_input,
            filename=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            content=checked.content,
            source=AttachmentSource.EMAIL,
            inbound_message=locked,
            uploaded_by=by_name[:200],
        )
        copied.append(checked.name)
    note = _("Attached to the input of %(municipality)s (%(round)s) by %(who)s.") % {
        "municipality": municipality.name,
        "round": round.code,
        "who": by_name or "–",
    }
    if refused:
        note += " " + _("Not copied (still on the message): %(files)s") % {
            "files": "; ".join(f"{name}: {reason}" for name, reason in refused)
        }
    InboundMessage.objects.filter(pk=locked.pk).update(
        triage_status=TriageStatus.ATTACHED, triage_note=note
    )
    message.refresh_from_db()
    audit_changes_record(
        instance=message, changes={"triage_status": [locked.triage_status, message.triage_status]}
    )
    council_input.refresh_from_db()
    return AttachResult(council_input=council_input, copied=copied, refused=refused)


@transaction.atomic
def inbound_dismiss(*, message: InboundMessage, reason: str, by_name: str = "") -> InboundMessage:
    """Dismiss an incoming message with a reason; it stays stored, raw bytes and all."""
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("Give a reason for dismissing the message."), code="required")
    locked = _lock_new_message(message)
    note = _("Dismissed by %(who)s: %(reason)s") % {"who": by_name or "–", "reason": reason}
    InboundMessage.objects.filter(pk=locked.pk).update(
        triage_status=TriageStatus.DISMISSED, triage_note=note
    )
    message.refresh_from_db()
    audit_changes_record(
        instance=message, changes={"triage_status": [locked.triage_status, message.triage_status]}
    )
    return message
