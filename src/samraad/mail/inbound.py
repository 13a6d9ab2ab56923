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

The reads for the staff pages are at the end of the module.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import email
import email.errors
import email.policy
import email.utils
import hashlib
import logging
import mimetypes
import quopri
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.parser import BytesHeaderParser
from html.parser import HTMLParser
from pathlib import PurePosixPath

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from samraad.directory.models import EmailDomain, Municipality
from samraad.mail.models import (
    InboundAttachment,
    InboundMessage,
    InboundSource,
    OutboxMessage,
    ParseStatus,
    TriageStatus,
)
from samraad.mail.services import dedupe_key, mail_queue_template
from samraad.rounds.models import Round

logger = logging.getLogger("samraad.mail.inbound")

RECEIPT_KEY = "inbound_receipt"
# A sender that gets more receipts than this in an hour is most likely an auto-responder
# that sets none of the headers below: stop answering it rather than loop.
RECEIPTS_PER_SENDER_PER_HOUR = 10
# How deep forwarded messages (message/rfc822 inside message/rfc822 …) are read.
MAX_FORWARD_DEPTH = 5

# --- Reading bytes and headers --------------------------------------------------

# Declared "latin-1" or "ascii" is, in mail as on the web, very often windows-1252 (Outlook's
# "Western European"): it differs from iso-8859-1 only in 0x80–0x9f, which iso-8859-1 uses for
# control characters no one writes, so reading it as windows-1252 is what browsers do too.
_WINDOWS_1252_ALIASES = {"iso8859-1", "latin-1"}
_SNIFF_ALIASES = {"ascii", ""}  # no real charset: UTF-8 if it is valid UTF-8, else windows-1252


def decode_bytes(data: bytes, charset: str | None) -> str:
    """`data` as text in `charset`; never fails.

    An unknown or missing charset is read as UTF-8 when the bytes are valid
    UTF-8, else as windows-1252; undecodable bytes become U+FFFD.
    """
    name = (charset or "").strip().strip("\"'").lower()
    try:
        name = codecs.lookup(name).name if name else ""
    except LookupError:
        name = ""
    if name in _WINDOWS_1252_ALIASES:
        name = "windows-1252"
    if name not in _SNIFF_ALIASES:
        try:
            return data.decode(name, errors="replace")
        except (LookupError, UnicodeError, TypeError):  # e.g. "hex": not a text encoding
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("windows-1252", errors="replace")


def clean_text(text: str) -> str:
    """Text safe to store on any database.

    Bytes the parser could not decode arrive as lone surrogates (8-bit bytes in a
    header); they are decoded here. PostgreSQL refuses NUL characters; they go.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            text = decode_bytes(text.encode("utf-8", "surrogateescape"), None)
        except UnicodeEncodeError:
            text = text.encode("utf-8", "replace").decode("utf-8")
    return text.replace("\x00", "")


def _one_line(text: str, limit: int) -> str:
    return " ".join(text.split())[:limit]


_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=")


def decode_header_value(value: str) -> str:
    """A raw header value as text: 8-bit bytes decoded, folding undone, RFC 2047 words decoded.

    Adjacent encoded words in one charset are joined before decoding, since some
    mailers split a multi-byte character across two words. A word that cannot be
    decoded stays as written.
    """
    value = clean_text(value)
    value = re.sub(r"\r?\n[ \t]+", " ", value)
    pieces: list[str | list] = []  # text, or [bytes, charset] of one or more joined words
    position = 0
    after_word = False
    for match in _ENCODED_WORD.finditer(value):
        between = value[position : match.start()]
        position = match.end()
        charset, encoding, text = match.groups()
        charset = charset.split("*", 1)[0].lower()  # RFC 2231 may add *language
        try:
            if encoding in "Bb":
                data = base64.b64decode(text + "=" * (-len(text) % 4))
            else:
                data = quopri.decodestring(text.encode("ascii", "replace"), header=True)
        except (ValueError, binascii.Error):
            pieces.append(between + match.group(0))
            after_word = False
            continue
        if after_word and not between.strip():  # RFC 2047 §6.2: space between words goes
            previous = pieces[-1]
            if isinstance(previous, list) and previous[1] == charset:
                previous[0] += data
            else:
                pieces.append([data, charset])
        else:
            pieces.extend([between, [data, charset]])
        after_word = True
    pieces.append(value[position:])
    return "".join(
        piece if isinstance(piece, str) else decode_bytes(piece[0], piece[1]) for piece in pieces
    )


def _raw_header(message: Message, name: str) -> str | None:
    """The first `name` header exactly as written (undecoded), or None."""
    lower = name.lower()
    for key, value in message.raw_items():
        if key.lower() == lower:
            return str(value)
    return None


def _raw_headers(message: Message, name: str) -> list[str]:
    lower = name.lower()
    return [str(value) for key, value in message.raw_items() if key.lower() == lower]


def header_text(message: Message, name: str, *, limit: int = 998) -> str:
    """The decoded `name` header on one line, or an empty string."""
    raw = _raw_header(message, name)
    return _one_line(decode_header_value(raw), limit) if raw is not None else ""


_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def _plausible_email(address: str) -> bool:
    return bool(_EMAIL.fullmatch(address))


def header_address(message: Message, name: str) -> tuple[str, str]:
    """(display name, address) of the first address in header `name`; empty strings if none."""
    raw = _raw_header(message, name)
    if raw is None:
        return "", ""
    # Split addresses before decoding: a decoded name may hold commas or quotes.
    unfolded = re.sub(r"\r?\n[ \t]+", " ", clean_text(raw))
    for display, address in email.utils.getaddresses([unfolded]):
        address = address.strip()
        if _plausible_email(address):
            return _one_line(decode_header_value(display), 320), address[:320]
    decoded = decode_header_value(raw)
    if match := _EMAIL.search(decoded):
        return "", match.group(0)[:320]
    return "", ""


def header_addresses(message: Message, *names: str) -> list[str]:
    """Every address found in the headers `names`, lower-cased, in order."""
    found = []
    for name in names:
        for raw in _raw_headers(message, name):
            found.extend(m.group(0).lower() for m in _EMAIL.finditer(decode_header_value(raw)))
    return found


def _sent_at(message: Message) -> datetime | None:
    raw = _raw_header(message, "Date")
    if not raw:
        return None
    try:
        sent = email.utils.parsedate_to_datetime(" ".join(clean_text(raw).split()))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if sent is None or not 1900 <= sent.year <= 2200:
        return None
    if timezone.is_naive(sent):  # "-0000": the time is UTC, the zone unknown (RFC 5322 §3.3)
        sent = sent.replace(tzinfo=UTC)
    return sent


# --- HTML as text ---------------------------------------------------------------


class _HtmlText(HTMLParser):
    """Just enough of HTML to read a mail as text: blocks become lines, scripts vanish."""

    BLOCKS = frozenset(
        {"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "footer"}
        | {"form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre"}
        | {"section", "table", "tr", "ul"}
    )
    HIDDEN = frozenset({"script", "style", "title", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag in {"td", "th"}:
            self.parts.append(" ")
        if tag == "pre":
            self.pre += 1

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS and tag not in {"br", "li"}:
            self.parts.append("\n")
        if tag == "pre":
            self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data if self.pre else re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> str:
    """A readable plain-text version of an HTML mail body."""
    parser = _HtmlText()
    parser.feed(markup)
    parser.close()
    lines = [line.strip().replace("\xa0", " ") for line in "".join(parser.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- Forwarded messages ---------------------------------------------------------

# Markers that always introduce a forwarded message (Gmail, Apple Mail, Outlook on the web;
# English and Danish).
_FORWARD_MARKER = re.compile(
    r"^[ \t>]*(?:-{2,}\s*(?:Forwarded message|Videresendt (?:meddelelse|besked|e-?mail))\s*-{2,}"
    r"|Begin forwarded message:|Start på videresendt (?:besked|meddelelse):)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
# Outlook writes these above a forwarded message and above the message a reply quotes.
_ORIGINAL_MARKER = re.compile(
    r"^[ \t>]*(?:-{3,}\s*(?:Original Message|Oprindelig meddelelse|Oprindelig besked)\s*-{3,}"
    r"|_{20,})[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_FROM_LINE = re.compile(r"^[ \t>*]*(?:From|Fra)[ \t*]*:[ \t*]*(?P<value>.+)$", re.IGNORECASE)
_REPLY_SUBJECT = re.compile(r"^\s*(?:re|sv|aw|antw)\s*:", re.IGNORECASE)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:fw|fwd|vs|wg|tr|videresend)\s*:", re.IGNORECASE)


def inline_forwarded_from(text: str, subject: str) -> list[str]:
    """The senders of the messages forwarded inline in `text`, outermost first.

    A forward marker counts when it is followed, within the next lines, by a
    "From:"/"Fra:" line with an address. Outlook's "Original Message" line also
    tops the quoted message of a plain reply; it counts unless the subject says
    the mail is a reply (Re:/SV:) and not a forward.
    """
    markers = [m.end() for m in _FORWARD_MARKER.finditer(text)]
    if _FORWARD_SUBJECT.match(subject) or not _REPLY_SUBJECT.match(subject):
        markers += [m.end() for m in _ORIGINAL_MARKER.finditer(text)]
    found = []
    for end in sorted(markers):
        for line in text[end : end + 2000].splitlines()[:12]:
            if from_line := _FROM_LINE.match(line):
                if address := _EMAIL.search(from_line.group("value")):
                    found.append(address.group(0))
                break
    return found


# --- Parsing --------------------------------------------------------------------


class NotAnEmail(ValueError):
    """The bytes have no mail headers at all."""


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass
class ParsedMail:
    """What `parse_raw` reads from a message; no database involved."""

    message_id: str = ""
    from_name: str = ""
    from_email: str = ""
    subject: str = ""
    sent_at: datetime | None = None
    body_text: str = ""
    body_html: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    forwarded_from: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    return_path: str | None = None
    # Why no automatic reply may be sent (RFC 3834), or "" when one may.
    machine_sent: str = ""
    warnings: list[str] = field(default_factory=list)


# Defects worth telling staff about: the message may be incomplete.
_DEFECT_WARNINGS = {
    email.errors.CloseBoundaryNotFoundDefect: "the message ends before its last part is closed "
    "(it may be truncated)",
    email.errors.StartBoundaryNotFoundDefect: "a multipart message has no parts",
    email.errors.NoBoundaryInMultipartDefect: "a multipart message has no boundary",
    email.errors.MultipartInvariantViolationDefect: "a multipart message is not multipart",
    email.errors.InvalidBase64PaddingDefect: "an attachment's base64 is incomplete",
    email.errors.InvalidBase64LengthDefect: "an attachment's base64 is incomplete",
    email.errors.InvalidBase64CharactersDefect: "an attachment's base64 has invalid characters",
    email.errors.MissingHeaderBodySeparatorDefect: "the headers are not followed by a blank line",
}

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


def _machine_sent(message: Message) -> str:
    """Why this message must not get an automatic reply (RFC 3834 §2), or ""."""
    auto_submitted = header_text(message, "Auto-Submitted").split(";", 1)[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = header_text(message, "Precedence").lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return f"Precedence: {precedence}"
    for name in ("List-Id", "List-Unsubscribe", "X-Autoreply", "X-Autorespond"):
        if _raw_header(message, name) is not None:
            return f"{name} header"
    # Exchange: the sender asks not to be answered automatically.
    suppress = {
        t.strip().lower() for t in header_text(message, "X-Auto-Response-Suppress").split(",")
    }
    if suppress & {"all", "autoreply", "oof"}:
        return "X-Auto-Response-Suppress"
    if message.get_content_type() == "multipart/report":  # delivery or read report
        return "multipart/report"
    return ""


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True) or b""
    text = clean_text(decode_bytes(payload, part.get_content_charset()))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # a broken parameter must not stop the rest of the message
        name = None
    if not name:
        return None
    name = clean_text(str(name))
    if "=?" in name:  # Outlook writes RFC 2047 inside the parameter (not standard, but common)
        name = decode_header_value(name)
    return name


def safe_filename(name: str, *, fallback: str = "attachment") -> str:
    """A file name without a path, quotes or control characters, at most 255 characters."""
    name = PurePosixPath(name.replace("\\", "/")).name
    name = re.sub(r'[\x00-\x1f\x7f"*:<>?|]+', "_", name).strip(" .")
    if not name:
        return fallback
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = (
            f"{stem[: 254 - len(extension)]}.{extension}" if dot and len(extension) < 20 else ""
        ) or name[:255]
    return name


_MESSAGE_PART_NAMES = {
    "message/rfc822": "message.eml",
    "message/delivery-status": "delivery-status.txt",
    "message/disposition-notification": "disposition-notification.txt",
}


def _message_bytes(part: Message) -> bytes:
    """The payload of a message/* part (a returned message, a delivery status) as bytes."""
    payload = part.get_payload()
    blocks = payload if isinstance(payload, list) else [payload]
    out = []
    for block in blocks:
        if isinstance(block, Message):
            try:
                out.append(block.as_bytes())
            except Exception:
                out.append(block.as_bytes(policy=email.policy.compat32))
        elif isinstance(block, bytes | str):
            out.append(block if isinstance(block, bytes) else block.encode("utf-8", "replace"))
    return b"\n".join(out)


@dataclass
class _Reading:
    """What one (outer or forwarded) message contributes while it is walked."""

    text: str = ""
    html: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    forwards: list[tuple[Message, int]] = field(default_factory=list)
    extra_text: list[str] = field(default_factory=list)


def _read(message: Message, *, depth: int, is_report: bool) -> _Reading:
    reading = _Reading()
    try:
        plain = message.get_body(preferencelist=("plain",))
    except Exception:
        plain = None
    try:
        html = message.get_body(preferencelist=("html",))
    except Exception:
        html = None
    bodies = [part for part in (plain, html) if part is not None]
    if plain is not None:
        reading.text = _part_text(plain)
    if html is not None:
        reading.html = _part_text(html)

    def walk(part: Message) -> None:
        content_type = part.get_content_type()
        if any(part is body for body in bodies):
            return
        if content_type == "message/rfc822" and not is_report and depth < MAX_FORWARD_DEPTH:
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                reading.forwards.append((inner, depth + 1))
                return
        if part.get_content_maintype() == "multipart":
            payload = part.get_payload()
            for sub in payload if isinstance(payload, list) else []:
                walk(sub)
            return
        filename = _filename(part)
        number = len(reading.attachments) + 1
        if part.get_content_maintype() == "message":
            fallback = _MESSAGE_PART_NAMES.get(content_type, f"attachment-{number}.txt")
            content = _message_bytes(part)
        else:
            is_attachment = filename is not None or part.is_attachment()
            if content_type == "text/plain" and not is_attachment:
                reading.extra_text.append(_part_text(part))  # e.g. Apple Mail's text after a file
                return
            extension = mimetypes.guess_extension(content_type) or ".bin"
            fallback = f"attachment-{number}{extension}"
            content = part.get_payload(decode=True) or b""
        reading.attachments.append(
            ParsedAttachment(
                filename=safe_filename(filename or "", fallback=fallback),
                content_type=content_type[:255],
                content=content,
            )
        )

    walk(message)
    return reading


def parse_raw(raw: bytes) -> ParsedMail:
    """Read a raw message. Raises `NotAnEmail` for bytes without any mail header.

    Everything else is read as far as it goes: unknown charsets with replacement
    characters, broken structure with a warning in `warnings`.
    """
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not message.keys():
        raise NotAnEmail("No mail headers: these bytes are not an email message.")
    is_report = message.get_content_type() == "multipart/report"
    parsed = ParsedMail(
        message_id=header_text(message, "Message-ID"),
        subject=header_text(message, "Subject"),
        sent_at=_sent_at(message),
        recipients=header_addresses(
            message, "To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"
        ),
        machine_sent=_machine_sent(message),
    )
    parsed.from_name, parsed.from_email = header_address(message, "From")
    return_path = _raw_header(message, "Return-Path")
    if return_path is not None:
        parsed.return_path = clean_text(return_path).strip()

    outer = _read(message, depth=0, is_report=is_report)
    text = outer.text or (html_to_text(outer.html) if outer.html else "")
    texts = [text, *outer.extra_text]
    parsed.body_html = outer.html
    parsed.attachments = list(outer.attachments)
    parsed.forwarded_from = inline_forwarded_from(text, parsed.subject)

    pending = list(outer.forwards)
    while pending:  # forwarded messages attached as message/rfc822, outermost first
        inner, depth = pending.pop(0)
        inner_from = header_address(inner, "From")
        reading = _read(inner, depth=depth, is_report=False)
        inner_text = reading.text or (html_to_text(reading.html) if reading.html else "")
        if inner_from[1]:
            parsed.forwarded_from.append(inner_from[1])
        sender = f"{inner_from[0]} <{inner_from[1]}>" if inner_from[0] else inner_from[1]
        texts.append(
            "---------- Forwarded message ----------\n"
            f"From: {sender}\n"
            f"Date: {header_text(inner, 'Date')}\n"
            f"Subject: {header_text(inner, 'Subject')}\n\n"
            f"{inner_text}"
        )
        texts.extend(reading.extra_text)
        parsed.attachments.extend(reading.attachments)
        pending.extend(reading.forwards)
    parsed.body_text = "\n\n".join(t.strip("\n") for t in texts if t.strip())

    seen = set()
    for part in message.walk():
        for defect in part.defects:
            warning = _DEFECT_WARNINGS.get(type(defect))
            if warning and warning not in seen:
                seen.add(warning)
                parsed.warnings.append(warning)
    return parsed


# --- Matching -------------------------------------------------------------------


def round_for_recipients(recipients: Iterable[str]) -> Round | None:
    """The published round whose input address is among `recipients`, else the current one.

    The current round is the published round that started last.
    """
    wanted = {address.strip().strip("<>").lower() for address in recipients if address}
    rounds = list(Round.objects.published().order_by("-starts_on", "-id"))
    for candidate in rounds:
        if candidate.input_address and candidate.input_address.lower() in wanted:
            return candidate
    return rounds[0] if rounds else None


def municipality_for_address(address: str) -> Municipality | None:
    """The municipality whose mail domain the address is in (subdomains included)."""
    domain = address.strip().strip("<>").rpartition("@")[2].lower().rstrip(".")
    labels = [label for label in domain.split(".") if label]
    suffixes = [".".join(labels[i:]) for i in range(len(labels) - 1)]  # never the bare TLD
    if not suffixes:
        return None
    matches = EmailDomain.objects.filter(domain__in=suffixes).select_related("municipality")
    best = max(matches, key=lambda match: len(match.domain), default=None)
    return best.municipality if best else None


def _null_sender(*, source: str, envelope_from: str, return_path: str | None) -> bool:
    """True when the message came with the null envelope sender `<>` (bounces, reports)."""
    if source == InboundSource.SMTP:
        return envelope_from.strip() in {"", "<>"}
    return return_path is not None and return_path.strip() in {"<>", ""}


# --- Services -------------------------------------------------------------------


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


# --- Reads for the staff pages --------------------------------------------------


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
