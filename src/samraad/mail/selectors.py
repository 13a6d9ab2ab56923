"""Reads of mail: caught messages for display, and the outbox for staff."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage

from django.db.models import Count, QuerySet

from samraad.mail.models import OutboxMessage, OutboxStatus


@dataclass(frozen=True)
class Part:
    filename: str
    content_type: str
    payload: bytes

    @property
    def safe_filename(self) -> str:
        return re.sub(r"[^A-Za-z0-9._-]+", "_", self.filename) or "attachment"

    @property
    def size(self) -> int:
        return len(self.payload)


def message_parts(message: EmailMessage) -> list[Part]:
    """The message's attachments (including calendar parts), in order."""
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if filename is None and part.get_content_type() not in {"text/calendar"}:
            continue
        payload = part.get_payload(decode=True) or b""
        parts.append(
            Part(
                filename=filename or "invite.ics",
                content_type=part.get_content_type(),
                payload=payload,
            )
        )
    return parts


def _text_content(part: EmailMessage) -> str:
    """A text part's content; a charset Python does not know is read as UTF-8 instead."""
    try:
        return part.get_content()
    except (LookupError, UnicodeError):
        return (part.get_payload(decode=True) or b"").decode("utf-8", errors="replace")


def message_text(message: EmailMessage) -> str:
    """The plain-text body, or an empty string when the message has none."""
    body = message.get_body(preferencelist=("plain",))
    return _text_content(body) if body is not None else ""


def message_html(message: EmailMessage) -> str | None:
    """The HTML body, or None when the message has none."""
    body = message.get_body(preferencelist=("html",))
    return _text_content(body) if body is not None else None


# --- The outbox -------------------------------------------------------------


def outbox_message_attachments(message: OutboxMessage) -> list[Part]:
    """The attachments of an outgoing message, read from the bytes it is sent as.

    Empty for a message without bytes (they could not be written, or were erased).
    """
    if not message.raw:
        return []
    return message_parts(email.message_from_bytes(bytes(message.raw), policy=email.policy.default))


def outbox_counts() -> dict[str, int]:
    """How many outbox messages are in each status (every status present, zero or more)."""
    counts = dict(OutboxMessage.objects.order_by().values_list("status").annotate(n=Count("id")))
    return {status: counts.get(status, 0) for status in OutboxStatus.values}


def outbox_failed(limit: int = 100) -> QuerySet[OutboxMessage]:
    """The most recent failed messages, newest first."""
    return OutboxMessage.objects.filter(status=OutboxStatus.FAILED).defer("body_text", "body_html")[
        :limit
    ]


def outbox_history(*, email: str, limit: int = 200) -> QuerySet[OutboxMessage]:
    """Every message to `email` (any case), newest first."""
    return OutboxMessage.objects.filter(to_email__iexact=email.strip()).defer(
        "body_text", "body_html"
    )[:limit]
