"""Reading what the outbox will send, for tests (not used by the product itself)."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

from samraad.mail.models import OutboxMessage


def outbox_attachments(message: OutboxMessage) -> list[EmailMessage]:
    """The attachments of an outgoing message, parsed from the bytes it goes out as."""
    parsed = email.message_from_bytes(bytes(message.raw), policy=email.policy.default)
    return list(parsed.iter_attachments())
