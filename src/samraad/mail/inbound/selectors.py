"""Reads for the staff pages: the triage queue and what the detail page shows."""

from __future__ import annotations

import email.policy
from dataclasses import dataclass
from email.parser import BytesHeaderParser

from django.db import models

from samraad.mail.inbound.mime import header_text
from samraad.mail.inbound.receipts import RECEIPT_KEY
from samraad.mail.models import InboundMessage, OutboxMessage, TriageStatus
from samraad.mail.services import dedupe_key


def inbound_triage_queue(*, triage_status: str = "") -> models.QuerySet[InboundMessage]:
    """The triage queue: messages still new first, then newest first; bodies not loaded."""
    messages = (
        InboundMessage.objects.select_related("round", "municipality")
        .defer("raw", "body_text", "body_html")
        .annotate(
            attachment_count=models.Count("attachments"),
            is_new=models.Case(
                models.When(triage_status=TriageStatus.NEW, then=models.Value(0)),
                default=models.Value(1),
            ),
        )
        .order_by("is_new", "-received_at", "-id")
    )
    if triage_status:
        messages = messages.filter(triage_status=triage_status)
    return messages


@dataclass(frozen=True)
class InboundHeaders:
    to: str
    cc: str
    reply_to: str
    date: str


def inbound_message_headers(message: InboundMessage) -> InboundHeaders:
    """The address headers as written, for the detail page (read from the raw message)."""
    try:
        headers = BytesHeaderParser(policy=email.policy.default).parsebytes(bytes(message.raw))
        return InboundHeaders(
            to=header_text(headers, "To"),
            cc=header_text(headers, "Cc"),
            reply_to=header_text(headers, "Reply-To"),
            date=header_text(headers, "Date"),
        )
    except Exception:
        return InboundHeaders(to="", cc="", reply_to="", date="")


def inbound_copies(message: InboundMessage) -> list[InboundMessage]:
    """Other stored messages with the very same raw bytes."""
    return list(
        InboundMessage.objects.filter(raw_sha256=message.raw_sha256)
        .exclude(pk=message.pk)
        .only("pk", "received_at", "source")
        .order_by("pk")
    )


def inbound_receipt(message: InboundMessage) -> OutboxMessage | None:
    """The receipt queued for `message`, if any."""
    if not message.from_email:
        return None
    return OutboxMessage.objects.filter(
        dedupe_key=dedupe_key(RECEIPT_KEY, message.from_email, message)
    ).first()
