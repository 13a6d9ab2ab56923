"""The bytes mail/mime.py writes, read back with the `email` package."""

from __future__ import annotations

import datetime
import email
import email.policy
from dataclasses import dataclass

import pytest

from samraad.mail.mime import encode_header, render_message

WHEN = datetime.datetime(2025, 3, 26, 12, 0, tzinfo=datetime.UTC)


@dataclass
class File:
    filename: str
    content_type: str
    content: bytes


def render(**overrides) -> bytes:
    values = {
        "message_id": "<abc@samraad.local>",
        "from_email": "Samråd <samraad@kl.example>",
        "to_email": "soren@aeroe.example",
        "to_name": "Søren Ærø",
        "subject": "Tilmelding",
        "text": "Kære Søren",
        "date": WHEN,
    }
    return render_message(**{**values, **overrides})


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_a_long_danish_subject_survives_as_several_encoded_words():
    subject = "Dit link til det virtuelle stormøde om ØA26 – mandag den 31. marts kl. 19.00 " * 3
    raw = render(subject=subject.strip())

    header = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert header.count("=?utf-8?b?") > 3
    assert all(len(line) <= 78 for line in header.split("\r\n") if "=?utf-8?" in line)
    assert parse(raw)["Subject"] == subject.strip()


def test_the_message_is_seven_bit_with_crlf_line_ends_and_short_lines():
    raw = render(text="æøå " * 500, html="<p>" + "Ærø " * 400 + "</p>")

    raw.decode("ascii")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78


def test_text_html_and_attachments_are_where_a_mail_client_looks():
    pdf = File("Høringssvar fra Ærø.pdf", "application/pdf", b"%PDF-1.7 \x00\xff binary")
    ics = File("invite.ics", "text/calendar; charset=utf-8", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR")
    mail = parse(render(text="Kære Søren", html="<p>Kære Søren</p>", attachments=[pdf, ics]))

    assert mail.get_content_type() == "multipart/mixed"
    assert mail.get_body(("plain",)).get_content().strip() == "Kære Søren"
    assert mail.get_body(("html",)).get_content().strip() == "<p>Kære Søren</p>"
    first, second = mail.iter_attachments()
    assert first.get_filename() == "Høringssvar fra Ærø.pdf"
    assert first.get_content_type() == "application/pdf"
    assert first.get_payload(decode=True) == pdf.content
    assert second.get_param("method") == "PUBLISH"
    assert mail["MIME-Version"] == "1.0"
    assert not any(part["MIME-Version"] for part in mail.walk() if part is not mail)


def test_a_plain_message_is_one_part():
    mail = parse(render(text="Hej"))

    assert mail.get_content_type() == "text/plain"
    assert mail.get_content().strip() == "Hej"
    assert mail["To"].addresses[0].display_name == "Søren Ærø"


def test_a_quote_in_a_file_name_is_escaped():
    mail = parse(render(attachments=[File('svar "endelig".txt', "text/plain", b"x")]))

    (part,) = mail.iter_attachments()
    assert part.get_filename() == 'svar "endelig".txt'


@pytest.mark.parametrize("field", ["subject", "to_name", "message_id"])
def test_a_line_break_in_a_header_is_refused(field):
    with pytest.raises(ValueError, match="linefeed"):
        render(**{field: "two\nlines"})


def test_ascii_headers_stay_as_they_are():
    assert encode_header("Invitation") == "Invitation"
