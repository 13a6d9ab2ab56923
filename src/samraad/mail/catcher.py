"""The local SMTP catcher: an aiosmtpd server on loopback that stores every message."""

from __future__ import annotations

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.db import connection

from samraad.mail.models import CaughtMessage
from samraad.mail.services import caught_message_store


def _store(*, mail_from: str, rcpt_tos: list[str], raw: bytes) -> CaughtMessage:
    """Store one message from a pool thread, closing that thread's database connection after.

    Nothing else ever closes or health-checks a connection opened in the pool (there are
    no requests here), so a kept connection would outlive a database restart and keep the
    database busy for as long as the catcher runs.
    """
    try:
        return caught_message_store(mail_from=mail_from, rcpt_tos=rcpt_tos, raw=raw)
    finally:
        connection.close()


class CatchingHandler:
    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        await sync_to_async(_store, thread_sensitive=False)(
            mail_from=envelope.mail_from or "",
            rcpt_tos=list(envelope.rcpt_tos),
            raw=raw,
        )
        return "250 Message accepted for delivery"


def catcher_controller(*, host: str = "127.0.0.1", port: int) -> Controller:
    """A controller (not yet started) for the catcher on `host`:`port`."""
    return Controller(CatchingHandler(), hostname=host, port=port)
