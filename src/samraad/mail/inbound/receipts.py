"""Whether the sender of an inbound message gets a receipt (RFC 3834: no reply to machines)."""

from __future__ import annotations

import email.utils
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from samraad.mail.inbound.matching import _null_sender
from samraad.mail.inbound.parsing import ParsedMail
from samraad.mail.models import InboundMessage, OutboxMessage
from samraad.mail.services import dedupe_key
from samraad.rounds.models import Round

RECEIPT_KEY = "inbound_receipt"
# A sender that gets more receipts than this in an hour is most likely an auto-responder
# that sets none of the headers `parsing._machine_sent` looks for: stop answering it
# rather than loop.
RECEIPTS_PER_SENDER_PER_HOUR = 10

_NO_REPLY_LOCAL_PARTS = frozenset(
    {"mailer-daemon", "postmaster", "noreply", "no-reply", "no_reply", "donotreply"}
    | {"do-not-reply", "do_not_reply", "bounce", "bounces", "nobody"}
)


def is_no_reply_address(address: str) -> bool:
    """True for addresses nobody reads replies at: MAILER-DAEMON, postmaster, noreply, …"""
    local = address.strip().strip("<>").rpartition("@")[0].split("+", 1)[0].lower()
    return (
        local in _NO_REPLY_LOCAL_PARTS
        or local.startswith(("noreply", "no-reply", "donotreply", "do-not-reply"))
        or "mailer-daemon" in local
    )


def _our_addresses() -> set[str]:
    ours = {
        address.lower()
        for address in Round.objects.exclude(input_address="").values_list(
            "input_address", flat=True
        )
    }
    ours.add(email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower())
    return ours


def receipt_refusal(*, message: InboundMessage, parsed: ParsedMail) -> str:
    """Why the sender of `message` gets no receipt, or "" when they get one.

    Following RFC 3834, nothing sent by a machine is answered: auto-replies,
    bounces, lists, bulk mail, the null sender and no-reply addresses. Nor is
    mail from Samråd's own addresses, a second copy of the same bytes, or a
    sender who already got many receipts this hour (an auto-responder that
    marks its mail with none of these headers).
    """
    to = parsed.from_email
    if not to:
        return "no sender address"
    if parsed.machine_sent:
        return parsed.machine_sent
    if _null_sender(
        source=message.source, envelope_from=message.envelope_from, return_path=parsed.return_path
    ):
        return "null envelope sender"
    for address in (to, message.envelope_from, parsed.return_path or ""):
        if address and is_no_reply_address(address):
            return f"no-reply address {address}"
    if to.lower() in _our_addresses():
        return "sent from Samråd's own address"
    if InboundMessage.objects.filter(raw_sha256=message.raw_sha256, pk__lt=message.pk).exists():
        return "a copy of a message already received"
    recent = OutboxMessage.objects.filter(
        purpose=RECEIPT_KEY,
        to_email__iexact=to,
        created_at__gte=timezone.now() - timedelta(hours=1),
    ).exclude(dedupe_key=dedupe_key(RECEIPT_KEY, to, message))
    if recent.count() >= RECEIPTS_PER_SENDER_PER_HOUR:
        return "too many receipts to this sender in the last hour"
    return ""
