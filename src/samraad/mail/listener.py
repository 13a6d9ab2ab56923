"""The inbound SMTP listener: an aiosmtpd server that puts every message in the triage queue.

For tests and small installations; a real mailbox is read by the IMAP poller
(`imap.py`) instead. Every recipient is accepted: mail to an address no round
uses is still stored and shown to staff rather than bounced.

The reply to DATA is the promise to the sending server. "250" is sent only
after the raw message is committed; when it cannot be stored (the database is
down) the reply is "451", a temporary failure, so the sender keeps the message
and tries again later. A message larger than INBOUND_MAX_BYTES is refused with
"552" (aiosmtpd's data size limit, also announced in EHLO as SIZE).
"""

from __future__ import annotations

import logging

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.db import connection

from samraad.mail.inbound import inbound_receive
from samraad.mail.models import InboundMessage, InboundSource

logger = logging.getLogger("samraad.mail.listener")


def _receive(*, mail_from: str, rcpt_tos: list[str], raw: bytes) -> InboundMessage:
    """Store and parse one message from a pool thread, closing that thread's connection after.

    As in the mail catcher: nothing else closes or health-checks a connection opened
    in the pool, so a kept one would outlive a database restart.
    """
    try:
        return inbound_receive(
            raw=raw, source=InboundSource.SMTP, envelope_from=mail_from, envelope_to=rcpt_tos
        )
    finally:
        connection.close()


class InboundHandler:
    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        try:
            message = await sync_to_async(_receive, thread_sensitive=False)(
                mail_from=envelope.mail_from or "",
                rcpt_tos=list(envelope.rcpt_tos),
                raw=envelope.original_content or b"",
            )
        except Exception:
            logger.exception("Could not store an inbound message; the sender will try again")
            return "451 4.3.0 Could not store the message now; please try again later"
        return f"250 2.0.0 Stored as message {message.pk}"


def inbound_controller(*, host: str, port: int, max_bytes: int) -> Controller:
    """A controller (not yet started) for the listener on `host`:`port`."""
    return Controller(
        InboundHandler(), hostname=host, port=port, data_size_limit=max_bytes, ident="Samråd"
    )
