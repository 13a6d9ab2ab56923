"""`parse_raw`: a raw message read into a `ParsedMail`; no database involved."""

from __future__ import annotations

import email
import email.errors
import email.policy
import mimetypes
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message

from samraad.mail.inbound.mime import (
    _filename,
    _raw_header,
    _sent_at,
    clean_text,
    decode_bytes,
    header_address,
    header_addresses,
    header_text,
    html_to_text,
    inline_forwarded_from,
    safe_filename,
)

# How deep forwarded messages (message/rfc822 inside message/rfc822 …) are read.
MAX_FORWARD_DEPTH = 5


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
