"""Inbound mail: storing, parsing and matching what arrives at a round's input address.

Mail reaches Samråd through the SMTP listener (`listener.py`) or the IMAP
poller (`imap.py`); both hand the raw bytes to `inbound_receive`, which

1. stores the raw message in a transaction of its own, so that nothing is
   lost whatever happens next, and then
2. parses it (`inbound_parse`): text and HTML bodies, attachments, headers,
   forwarded messages; suggests the round and the municipality; and queues one
   receipt to the sender unless the mail was sent by a machine.

Parsing never raises. Mail from the real world is often broken: a part in an
unknown charset is read with replacement characters, a truncated message is
read as far as it goes (with a warning), and anything that is not an email at
all is flagged `failed` with the reason while its raw bytes stay stored.

Idempotency: a message from IMAP is stored once per (mailbox/UIDVALIDITY,
UID). Over SMTP there is no such identity: if a sender re-delivers the same
bytes (because it never saw our 250), the message is stored again. Merging
identical raw bytes would risk hiding a message a person really sent twice,
and a copy too many in the triage queue is cheap, whereas a lost one is not;
staff see the copies (same SHA-256) on the detail page, and a copy never gets
a second receipt. Parsing the same message again replaces its parsed fields
and attachments and never queues a second receipt (the outbox's dedupe key).

The package: `mime.py` reads bytes and headers (charsets, RFC 2047 words, HTML
as text, forwarded-message markers, file names); `parsing.py` turns the raw
bytes into a `ParsedMail`; `matching.py` suggests the round and the
municipality; `receipts.py` decides whether the sender gets a receipt; the
services are in this module, and the reads for the staff pages are in
`selectors.py`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from samraad.mail.inbound.matching import (
    _null_sender,
    municipality_for_address,
    round_for_recipients,
)
from samraad.mail.inbound.mime import (
    clean_text,
    decode_bytes,
    decode_header_value,
    header_address,
    header_addresses,
    header_text,
    html_to_text,
    inline_forwarded_from,
    safe_filename,
)
from samraad.mail.inbound.parsing import (
    MAX_FORWARD_DEPTH,
    NotAnEmail,
    ParsedAttachment,
    ParsedMail,
    parse_raw,
)
from samraad.mail.inbound.receipts import (
    RECEIPT_KEY,
    RECEIPTS_PER_SENDER_PER_HOUR,
    is_no_reply_address,
    receipt_refusal,
)
from samraad.mail.inbound.selectors import (
    InboundHeaders,
    inbound_copies,
    inbound_message_headers,
    inbound_receipt,
    inbound_triage_queue,
)
from samraad.mail.models import (
    InboundAttachment,
    InboundMessage,
    ParseStatus,
)
from samraad.mail.services import mail_queue_template

__all__ = [
    "MAX_FORWARD_DEPTH",
    "RECEIPTS_PER_SENDER_PER_HOUR",
    "RECEIPT_KEY",
    "InboundHeaders",
    "NotAnEmail",
    "ParsedAttachment",
    "ParsedMail",
    "clean_text",
    "decode_bytes",
    "decode_header_value",
    "header_address",
    "header_addresses",
    "header_text",
    "html_to_text",
    "inbound_copies",
    "inbound_message_headers",
    "inbound_parse",
    "inbound_parse_pending",
    "inbound_receipt",
    "inbound_receive",
    "inbound_triage_queue",
    "inline_forwarded_from",
    "is_no_reply_address",
    "municipality_for_address",
    "parse_raw",
    "receipt_refusal",
    "round_for_recipients",
    "safe_filename",
]

logger = logging.getLogger("samraad.mail.inbound")

# --- Services -------------------------------------------------------------------
# They live in the package itself rather than in a module of their own: tests replace
# `parse_raw`, `_receipt_queue` and `mail_queue_template` on `samraad.mail.inbound`,
# and these functions look those names up here.


def inbound_receive(
    *,
    raw: bytes,
    source: str,
    envelope_from: str = "",
    envelope_to: Sequence[str] = (),
    imap_mailbox: str = "",
    imap_uid: str = "",
) -> InboundMessage:
    """Store one arriving message, then parse it.

    When this returns, the raw bytes are committed, whatever the parsing did
    (parsing never raises; a failure is recorded on the message). It raises
    only when the raw bytes could not be stored: the caller must then make the
    sender try again (SMTP 451, IMAP: not marked seen). Must not be called
    inside a transaction, so that "stored" really means committed.

    A message from IMAP is stored once per (`imap_mailbox`, `imap_uid`); asking
    again returns the stored one (parsing it if an earlier run died before).
    """
    raw = bytes(raw)
    if imap_uid:
        existing = InboundMessage.objects.filter(
            imap_mailbox=imap_mailbox, imap_uid=imap_uid
        ).first()
        if existing is not None:
            if existing.parse_status == ParseStatus.PENDING:
                return inbound_parse(message=existing)
            return existing
    try:
        with transaction.atomic(durable=True):
            message = InboundMessage.objects.create(
                source=source,
                raw=raw,
                raw_sha256=hashlib.sha256(raw).hexdigest(),
                envelope_from=clean_text(envelope_from)[:320],
                envelope_to=[clean_text(address) for address in envelope_to],
                imap_mailbox=imap_mailbox,
                imap_uid=imap_uid,
            )
    except IntegrityError:
        if not imap_uid:
            raise
        # Another poller stored the same message a moment ago.
        return InboundMessage.objects.get(imap_mailbox=imap_mailbox, imap_uid=imap_uid)
    logger.info("Stored inbound message #%s (%s, %d bytes)", message.pk, source, len(raw))
    return inbound_parse(message=message)


def inbound_parse(*, message: InboundMessage) -> InboundMessage:
    """Parse a stored message and fill in its fields, attachments, round and municipality.

    Never raises: on any error the message is marked `failed` with the reason
    and its raw bytes stay as they are. Parsing again replaces the parsed fields
    and attachments; the sender still gets at most one receipt.
    """
    try:
        parsed = parse_raw(bytes(message.raw))
        fields = _parsed_fields(message, parsed)
        with transaction.atomic():
            # The row lock makes two parses of one message (two pollers, a re-parse) take turns.
            InboundMessage.objects.select_for_update().filter(pk=message.pk).values("pk").get()
            InboundAttachment.objects.filter(message=message).delete()
            InboundAttachment.objects.bulk_create(
                InboundAttachment(
                    message=message,
                    filename=attachment.filename,
                    content_type=attachment.content_type,
                    size=len(attachment.content),
                    content=attachment.content,
                )
                for attachment in parsed.attachments
            )
            InboundMessage.objects.filter(pk=message.pk).update(**fields)
            for name, value in fields.items():
                setattr(message, name, value)
            _receipt_queue(message=message, parsed=parsed)
    except Exception as exc:
        logger.exception("Inbound message #%s could not be parsed", message.pk)
        error = clean_text(f"{type(exc).__name__}: {exc}")[:2000]
        try:
            InboundMessage.objects.filter(pk=message.pk).update(
                parse_status=ParseStatus.FAILED, parse_error=error
            )
        except Exception:  # the database is gone too; the message stays "not parsed yet"
            logger.exception("Could not record the parse failure of #%s", message.pk)
            return message
        message.parse_status = ParseStatus.FAILED
        message.parse_error = error
    return message


def _parsed_fields(message: InboundMessage, parsed: ParsedMail) -> dict:
    sender = parsed.from_email
    if not sender and not _null_sender(
        source=message.source, envelope_from=message.envelope_from, return_path=None
    ):
        sender = message.envelope_from.strip("<>")
    municipality = municipality_for_address(sender) if sender else None
    original = parsed.forwarded_from[0] if parsed.forwarded_from else ""
    if municipality is None:  # e.g. a colleague forwarded a municipality's mail
        for address in parsed.forwarded_from:
            if found := municipality_for_address(address):
                municipality, original = found, address
                break
    return {
        "parse_status": ParseStatus.PARSED,
        "parse_error": "; ".join(parsed.warnings)[:1].upper() + "; ".join(parsed.warnings)[1:],
        "message_id": parsed.message_id[:998],
        "from_email": parsed.from_email[:320],
        "from_name": parsed.from_name[:320],
        "original_from_email": original[:320],
        "subject": parsed.subject[:998],
        "sent_at": parsed.sent_at,
        "body_text": clean_text(parsed.body_text),
        "body_html": clean_text(parsed.body_html),
        "round": round_for_recipients([*message.envelope_to, *parsed.recipients]),
        "municipality": municipality,
    }


def _receipt_queue(*, message: InboundMessage, parsed: ParsedMail) -> None:
    """Queue the Danish receipt to the sender, once per message, unless refused.

    A failure here is logged and does not undo the parse (it runs in a savepoint).
    """
    if refusal := receipt_refusal(message=message, parsed=parsed):
        logger.info("No receipt for inbound message #%s: %s", message.pk, refusal)
        return
    try:
        with transaction.atomic(), translation.override("da"):
            mail_queue_template(
                key=RECEIPT_KEY,
                to_email=parsed.from_email,
                to_name=parsed.from_name,
                about=message,
                language="da",
                values={
                    "name": parsed.from_name or parsed.from_email,
                    "subject": parsed.subject or gettext("(no subject)"),
                    "round": message.round.code if message.round else settings.ASSOCIATION_NAME,
                    "received": date_format(
                        timezone.localtime(message.received_at), "DATETIME_FORMAT"
                    ),
                },
            )
    except Exception:
        logger.exception("Could not queue the receipt for inbound message #%s", message.pk)


def inbound_parse_pending() -> int:
    """Parse every message still waiting (its process died while parsing). Returns how many.

    Safe while another process parses: parsing is idempotent.
    """
    pending = list(
        InboundMessage.objects.filter(parse_status=ParseStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in pending:
        inbound_parse(message=InboundMessage.objects.get(pk=pk))
    return len(pending)
