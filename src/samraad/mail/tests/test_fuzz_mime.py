"""Property tests: the inbound MIME parser reads any bytes into a ParsedMail or refuses them as
NotAnEmail, and everything it reads can be stored (no NUL character, valid UTF-8, within the
columns' lengths), whatever the headers, charsets, encodings and nesting of the message."""

from __future__ import annotations

import base64
import quopri

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from samraad.mail.inbound import inbound_receive
from samraad.mail.inbound.parsing import NotAnEmail, ParsedMail, parse_raw
from samraad.mail.models import InboundSource, ParseStatus

FUZZ = settings(max_examples=300, deadline=None, database=None)

HEADER_NAMES = [
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "Return-Path",
    "Auto-Submitted",
    "Precedence",
    "List-Id",
    "X-Auto-Response-Suppress",
    "Delivered-To",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Content-Disposition",
    "MIME-Version",
]
CHARSETS = ["utf-8", "iso-8859-1", "windows-1252", "us-ascii", "utf-16", "hex", "x-unknown", ""]
CONTENT_TYPES = [
    "text/plain",
    "text/html",
    "application/pdf",
    "message/rfc822",
    "message/delivery-status",
    "multipart/mixed",
    "multipart/alternative",
    "multipart/report",
    "image/png",
    "",
]
ENCODINGS = ["7bit", "8bit", "base64", "quoted-printable", "binary", "x-uuencode", ""]


def _ascii_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


# Header values: plain text, 8-bit bytes (as latin-1 text), and RFC 2047 encoded words in
# any charset with any bytes inside.
ENCODED_WORDS = st.builds(
    lambda charset, kind, data: (
        f"=?{charset or 'x'}?{kind}?"
        + (
            base64.b64encode(data).decode()
            if kind == "B"
            else quopri.encodestring(data, header=True).decode()
        )
        + "?="
    ),
    st.sampled_from(CHARSETS),
    st.sampled_from(["B", "Q"]),
    st.binary(max_size=20),
)
HEADER_VALUES = st.one_of(
    st.text(max_size=40).map(_ascii_line),
    st.binary(max_size=40).map(lambda b: _ascii_line(b.decode("latin-1"))),
    ENCODED_WORDS,
    st.lists(ENCODED_WORDS, min_size=2, max_size=3).map(" ".join),
    st.sampled_from(
        [
            '"Søren" <soren@aarhus.dk>',
            "<>",
            "Mon, 31 Mar 2025 19:00:00 +0200",
            "Thu, 31 Dec 9999 99:99:99 -9999",
            "auto-replied",
            "bulk",
        ]
    ),
)


@st.composite
def headers(draw) -> list[tuple[str, str]]:
    return draw(
        st.lists(st.tuples(st.sampled_from(HEADER_NAMES), HEADER_VALUES), min_size=1, max_size=8)
    )


@st.composite
def parts(draw, depth: int = 0) -> bytes:
    content_type = draw(st.sampled_from(CONTENT_TYPES))
    charset = draw(st.sampled_from(CHARSETS))
    encoding = draw(st.sampled_from(ENCODINGS))
    lines = [f"Content-Type: {content_type}; charset={charset}"]
    if draw(st.booleans()):
        name = draw(st.one_of(ENCODED_WORDS, st.text(max_size=20).map(_ascii_line)))
        lines.append(f'Content-Disposition: attachment; filename="{name}"')
    lines.append(f"Content-Transfer-Encoding: {encoding}")
    head = "\r\n".join(lines).encode("utf-8", "surrogateescape")
    if content_type.startswith("multipart/") and depth < 3:
        boundary = draw(st.sampled_from(["b1", "==x==", "", "a b"]))
        head = head.replace(b"charset=", f'boundary="{boundary}"; charset='.encode())
        children = draw(st.lists(parts(depth + 1), max_size=3))
        body = b"".join(f"--{boundary}\r\n".encode() + child + b"\r\n" for child in children)
        if draw(st.booleans()):
            body += f"--{boundary}--\r\n".encode()
    elif content_type == "message/rfc822" and depth < 3:
        body = draw(messages(depth + 1))
    else:
        body = draw(st.binary(max_size=300))
        if encoding == "base64" and draw(st.booleans()):
            body = base64.encodebytes(body)
    return head + b"\r\n\r\n" + body


@st.composite
def messages(draw, depth: int = 0) -> bytes:
    head = "\r\n".join(f"{name}: {value}" for name, value in draw(headers()))
    raw = head.encode("latin-1", "replace") + b"\r\n"
    if draw(st.booleans()):
        raw += draw(parts(depth))
    else:
        raw += b"\r\n" + draw(st.binary(max_size=300))
    return raw


def _storable(text: str, limit: int | None = None) -> None:
    assert isinstance(text, str)
    assert "\x00" not in text
    text.encode("utf-8")  # no lone surrogates: PostgreSQL and SQLite take it
    if limit is not None:
        assert len(text) <= limit


def parses_or_refuses(raw: bytes) -> ParsedMail | None:
    try:
        parsed = parse_raw(raw)
    except NotAnEmail:
        return None
    # The columns these go to (InboundMessage, InboundAttachment).
    _storable(parsed.message_id, 998)
    _storable(parsed.subject, 998)
    _storable(parsed.from_name, 320)
    _storable(parsed.from_email, 320)
    _storable(parsed.body_text)
    _storable(parsed.body_html)
    for address in [*parsed.recipients, *parsed.forwarded_from]:
        _storable(address)
    for attachment in parsed.attachments:
        _storable(attachment.filename, 255)
        _storable(attachment.content_type, 255)
        assert isinstance(attachment.content, bytes)
    assert all(isinstance(warning, str) for warning in parsed.warnings)
    return parsed


@FUZZ
@given(st.binary(max_size=3000))
def test_any_bytes_are_read_or_refused_as_not_an_email(raw):
    parses_or_refuses(raw)


@FUZZ
@given(messages())
# Found by this test: an encoded word holding a NUL put it into the subject, and PostgreSQL
# refused to store the parsed message.
@example(b"Subject: =?utf-8?B?AA==?=\r\nFrom: =?x?Q?=00?= <a@b.dk>\r\n\r\nbody")
def test_any_message_structure_is_read_into_storable_fields(raw):
    parses_or_refuses(raw)


@pytest.mark.django_db(transaction=True)
def test_a_nul_in_an_encoded_word_does_not_stop_the_message_being_stored_parsed():
    raw = "Subject: Input =?utf-8?B?AA==?=ØA26\r\nFrom: a@b.dk\r\n\r\nbody".encode()
    message = inbound_receive(raw=raw, source=InboundSource.SMTP)
    message.refresh_from_db()
    assert message.parse_status == ParseStatus.PARSED
    assert message.subject == "Input ØA26"
