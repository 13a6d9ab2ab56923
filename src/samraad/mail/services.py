"""Storing what the local mail catcher receives."""

from __future__ import annotations

import email
import email.policy

from samraad.mail.models import CaughtMessage


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
