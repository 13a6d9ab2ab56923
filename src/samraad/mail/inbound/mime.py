"""Reading mail without any database: bytes and headers, HTML as text, forwards, file names."""

from __future__ import annotations

import base64
import binascii
import codecs
import email.utils
import quopri
import re
from datetime import UTC, datetime
from email.message import Message
from html.parser import HTMLParser
from pathlib import PurePosixPath

from django.utils import timezone

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
    # clean_text again: an encoded word may decode to a NUL, which PostgreSQL refuses.
    return clean_text(
        "".join(
            piece if isinstance(piece, str) else decode_bytes(piece[0], piece[1])
            for piece in pieces
        )
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


# --- File names -----------------------------------------------------------------


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
