"""Every change to mail: the outbox, staff's mail templates and the local mail catcher."""

from __future__ import annotations

import email
import email.policy
import functools
import hashlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samraad.core.errors import ServiceError
from samraad.mail.mime import render_message
from samraad.mail.models import (
    CaughtMessage,
    MailTemplate,
    OutboxMessage,
    OutboxStatus,
)
from samraad.mail.templating import LANGUAGES, mail_kind, render_mail, unknown_placeholders

if TYPE_CHECKING:
    from samraad.accounts.models import User
    from samraad.directory.models import Person

logger = logging.getLogger(__name__)


def caught_message_store(*, mail_from: str, rcpt_tos: list[str], raw: bytes) -> CaughtMessage:
    """Store one message as received. The raw bytes are kept even when the headers are broken."""
    try:
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        # Django folds a long encoded subject onto a continuation line, which parses with a
        # leading space.
        subject = str(parsed.get("Subject", "")).strip()[:998]
    except Exception:  # a broken header must not lose the message
        subject = ""
    return CaughtMessage.objects.create(
        mail_from=mail_from, rcpt_tos=list(rcpt_tos), subject=subject, raw=raw
    )


# --- The outbox -------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


def dedupe_key(purpose: str, to_email: str, about: models.Model | str | None) -> str:
    """The key that makes a purpose send at most one message to one recipient about one thing."""
    if isinstance(about, models.Model):
        about = f"{about._meta.label_lower}:{about.pk}"
    key = f"{purpose}:{to_email.strip().lower()}:{about or ''}"
    if len(key) <= 255:
        return key
    return f"{purpose}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def _new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{settings.MAIL_MESSAGE_ID_DOMAIN}>"


def mail_queue(
    *,
    purpose: str,
    to_email: str,
    subject: str,
    text: str,
    html: str = "",
    to_name: str = "",
    person: Person | None = None,
    about: models.Model | str | None = None,
    attachments: Sequence[Attachment] = (),
    reply_to: str = "",
    language: str = "da",
) -> OutboxMessage:
    """Put one message in the outbox, in the caller's transaction; the worker delivers it.

    At most one message exists per (purpose, recipient, `about`): calling this
    again, however often and from however many processes, returns the message
    already there and queues nothing new. A message whose bytes cannot be written
    (a line break in a header) raises nothing: it is stored failed, with the reason.
    """
    key = dedupe_key(purpose, to_email, about)
    message_id, now = _new_message_id(), timezone.now()
    to_email = to_email.strip()
    status, reason = OutboxStatus.QUEUED, ""
    try:
        raw = render_message(
            message_id=message_id,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to_email=to_email,
            to_name=to_name,
            subject=subject,
            text=text,
            html=html,
            reply_to=reply_to,
            language=language,
            attachments=attachments,
            date=now,
        )
    except Exception as error:
        # Not the caller's problem (a line break in the subject, an address that is not
        # ASCII): the row is kept, failed at once with the reason for staff to see, and
        # the worker never claims it.
        logger.warning("cannot render outgoing message %s", key, exc_info=True)
        raw, status = b"", OutboxStatus.FAILED
        reason = f"cannot send: {type(error).__name__}: {error}"[:2000]
    message = OutboxMessage(
        dedupe_key=key,
        purpose=purpose,
        message_id=message_id,
        raw=raw,
        to_email=to_email,
        to_name=to_name,
        person=person,
        reply_to=reply_to,
        language=language,
        subject=subject,
        body_text=text,
        body_html=html,
        status=status,
        last_error=reason,
        next_attempt_at=now,
    )
    pk = _insert_unless_queued(message)
    if pk is None:
        # A message with this key was queued before, or by another process a moment ago.
        return OutboxMessage.objects.get(dedupe_key=key)
    message.pk = pk
    message._state.adding, message._state.db = False, connection.alias
    return message


def _insert_unless_queued(message: OutboxMessage) -> int | None:
    """Insert `message` and return its pk; None (and nothing written) when its key is taken.

    One statement, `INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`, on
    PostgreSQL and SQLite (3.35 and later) alike: a message is queued on every
    registration. On PostgreSQL it waits for another transaction inserting the same
    key, then does nothing if that one commits. Written out because Django cannot say
    it: `bulk_create(ignore_conflicts=True)` returns no pk, and its conflict clause
    names no column, so it would also swallow a clash on `message_id` (and, as SQLite's
    INSERT OR IGNORE, a NOT NULL violation) and make a bug look like a duplicate.
    """
    sql, fields = _insert_unless_queued_sql(connection.vendor)
    values = [field.get_db_prep_save(field.pre_save(message, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    return row[0] if row is not None else None


@functools.cache
def _insert_unless_queued_sql(vendor: str) -> tuple[str, list[models.Field]]:
    meta, quote = OutboxMessage._meta, connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    # Names from the model's own metadata, values as parameters.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({quote(meta.get_field('dedupe_key').column)}) DO NOTHING "
        f"RETURNING {quote(meta.pk.column)}"
    )
    return sql, fields


def mail_queue_template(
    *,
    key: str,
    to_email: str,
    values: dict[str, Any],
    language: str = "da",
    to_name: str = "",
    person: Person | None = None,
    about: models.Model | str | None = None,
    attachments: Sequence[Attachment] = (),
    reply_to: str = "",
    purpose: str | None = None,
) -> OutboxMessage:
    """Render the mail kind `key` (staff's wording, else the default) and queue it.

    `purpose` defaults to `key`; give another when one kind of mail is sent
    for several reasons (a reminder and a second reminder).
    """
    rendered = render_mail(key=key, language=language, values=values)
    return mail_queue(
        purpose=purpose or key,
        to_email=to_email,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        to_name=to_name,
        person=person,
        about=about,
        attachments=attachments,
        reply_to=reply_to,
        language=language,
    )


def outbox_message_resend(*, message: OutboxMessage) -> OutboxMessage:
    """Queue a failed (or sent) message again, as the same message with the same Message-ID.

    A message without bytes to send (they could not be written, or were erased) is refused.
    """
    if message.on_its_way:
        raise ServiceError(_("This message is already on its way."))
    if not message.raw:
        raise ServiceError(
            _(
                "This message cannot be sent: it could not be written when it was queued, "
                "or it was erased."
            ),
            code="nothing_to_send",
        )
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.QUEUED,
        attempts=0,
        next_attempt_at=timezone.now(),
        claimed_at=None,
        claimed_by="",
    )
    message.refresh_from_db()
    return message


def mail_template_check(*, key: str, subject: str, body: str) -> None:
    """Refuse (ServiceError naming them) placeholders that mail `key` does not know.

    Such a mail would go out with `{…}` in it.
    """
    kind = mail_kind(key)
    unknown = unknown_placeholders(subject, kind.allowed) | unknown_placeholders(body, kind.allowed)
    if unknown:
        raise ServiceError(
            _("Unknown placeholders: %(names)s. Use only: %(allowed)s.")
            % {
                "names": ", ".join("{%s}" % name for name in sorted(unknown)),  # noqa: UP031
                "allowed": ", ".join("{%s}" % name for name in sorted(kind.allowed)),  # noqa: UP031
            }
        )


@transaction.atomic
def mail_template_save(
    *, key: str, language: str, subject: str, body: str, user: User | None
) -> MailTemplate:
    """Save staff's wording of mail `key` in `language`, once `mail_template_check` allows it."""
    if language not in LANGUAGES:
        raise ServiceError(_("Unknown language."))
    mail_template_check(key=key, subject=subject, body=body)
    template, _created = MailTemplate.objects.update_or_create(
        key=key, language=language, defaults={"subject": subject, "body": body, "updated_by": user}
    )
    return template


def mail_template_reset(*, key: str, language: str) -> None:
    """Go back to the shipped wording of mail `key` in `language`."""
    MailTemplate.objects.filter(key=key, language=language).delete()
