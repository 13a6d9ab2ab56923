"""The local mail catcher: a real SMTP round trip into aiosmtpd on loopback, then the staff pages.

The catcher stores each message from a thread of its own. The test database is shared with
that thread: PostgreSQL is a server, and Django's in-memory SQLite test database is opened
with a shared cache (`file:memorydb_default?mode=memory&cache=shared`), so a second
connection from the same process sees what is committed. The tests therefore use
`transactional_db`: rows written by the catcher are committed, and so are the users the test
creates for the staff pages.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import smtplib
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection
from django.urls import reverse

from samraad.mail.catcher import CatchingHandler, catcher_controller
from samraad.mail.models import CaughtMessage

pytestmark = pytest.mark.django_db(transaction=True)

SUBJECT = "Invitation: Dialogmøde om økonomien på Ærø"
TEXT = "Kære Søren,\n\nVelkommen til mødet om kommunernes økonomi. Vi ses på Ærø.\n"
HTML = "<p>Kære Søren,</p><p>Velkommen til mødet om <b>kommunernes økonomi</b>.</p>"
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Samraad//DA\r\nBEGIN:VEVENT\r\n"
    "UID:oa26-1@samraad\r\nSUMMARY:Dialogmøde på Ærø\r\nDTSTART:20250331T170000Z\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()
ICS_FILENAME = "dialogmøde ærø.ics"


def crlf_to_lf(text: str) -> str:
    """Text as sent: SMTP carries every line ending as CRLF."""
    return text.replace("\r\n", "\n")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def catcher() -> Iterator[Controller]:
    controller = catcher_controller(port=free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def invitation() -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = SUBJECT
    message["From"] = "Samråd <samraad@kl.example>"
    message["To"] = "Søren Ærø <soren@aeroe.example>"
    message.set_content(TEXT)
    message.add_alternative(HTML, subtype="html")
    message.add_attachment(ICS, maintype="text", subtype="calendar", filename=ICS_FILENAME)
    return message


def send(controller: Controller, message: EmailMessage | bytes, *, to: list[str]) -> None:
    with smtplib.SMTP(controller.hostname, controller.port, timeout=30) as smtp:
        if isinstance(message, bytes):
            smtp.sendmail("samraad@kl.example", to, message)
        else:
            smtp.send_message(message, to_addrs=to)


def test_a_message_sent_over_smtp_is_stored_and_shown_to_staff(catcher, staff_client):
    recipients = ["soren@aeroe.example", "sekretariat@kkr.example"]

    send(catcher, invitation(), to=recipients)

    caught = CaughtMessage.objects.get()
    assert caught.subject == SUBJECT
    assert caught.mail_from == "samraad@kl.example"
    assert caught.rcpt_tos == recipients
    parsed = email.message_from_bytes(bytes(caught.raw), policy=email.policy.default)
    assert parsed["Subject"] == SUBJECT

    listing = staff_client.get(reverse("mail:caught_list"))
    assert listing.status_code == 200
    listed = listing.content.decode()
    assert SUBJECT in listed
    assert "soren@aeroe.example, sekretariat@kkr.example" in listed
    assert reverse("mail:caught_detail", args=[caught.pk]) in listed

    detail = staff_client.get(reverse("mail:caught_detail", args=[caught.pk]))
    assert detail.status_code == 200
    shown = detail.content.decode()
    assert "Velkommen til mødet om kommunernes økonomi. Vi ses på Ærø." in shown
    assert reverse("mail:caught_html", args=[caught.pk]) in shown
    assert reverse("mail:caught_part", args=[caught.pk, 0]) in shown
    assert ICS_FILENAME in shown

    html = staff_client.get(reverse("mail:caught_html", args=[caught.pk]))
    assert html.status_code == 200
    assert html["Content-Type"] == "text/html; charset=utf-8"
    assert html.content.decode().strip() == HTML
    assert html["Content-Security-Policy"].split(";")[0].strip() == "sandbox"
    assert "default-src 'none'" in html["Content-Security-Policy"]

    part = staff_client.get(reverse("mail:caught_part", args=[caught.pk, 0]))
    assert part.status_code == 200
    assert part["Content-Type"] == "application/octet-stream"
    assert part["Content-Disposition"] == 'attachment; filename="dialogm_de_r_.ics"'
    assert part.content == ICS


def test_a_message_sent_by_djangos_smtp_backend_is_caught(catcher):
    """The way Samråd itself sends mail: Django's SMTP backend, an HTML alternative, an .ics."""
    mail = EmailMultiAlternatives(
        subject=SUBJECT,
        body=TEXT,
        from_email="Samråd <samraad@kl.example>",
        to=["soren@aeroe.example"],
        bcc=["arkiv@kl.example"],
        connection=get_connection(
            "django.core.mail.backends.smtp.EmailBackend",
            host=catcher.hostname,
            port=catcher.port,
            use_tls=False,
            use_ssl=False,
            username="",
            password="",
        ),
    )
    mail.attach_alternative(HTML, "text/html")
    mail.attach("invitation.ics", ICS.decode(), "text/calendar")

    assert mail.send() == 1

    caught = CaughtMessage.objects.get()
    assert caught.subject == SUBJECT
    assert caught.rcpt_tos == ["soren@aeroe.example", "arkiv@kl.example"]
    message = caught.message
    assert crlf_to_lf(message.get_body(preferencelist=("plain",)).get_content()) == TEXT
    assert crlf_to_lf(message.get_body(preferencelist=("html",)).get_content()) == HTML
    assert "Bcc" not in message


def test_a_message_with_broken_headers_is_still_stored(catcher, staff_client):
    raw = (
        b"From: =?utf-8?q?Broken <<<@@>>>\r\n"
        b"To: ,,,@\r\n"
        b"Subject: M\xf8de om \xf8konomi =?x-unknown?q?=E6?=\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"\r\n"
        b"Body after broken headers.\r\n"
    )

    send(catcher, raw, to=["soren@aeroe.example"])

    caught = CaughtMessage.objects.get()
    assert bytes(caught.raw).replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")
    assert caught.rcpt_tos == ["soren@aeroe.example"]
    assert "de om" in caught.subject
    detail = staff_client.get(reverse("mail:caught_detail", args=[caught.pk]))
    assert detail.status_code == 200
    assert "Body after broken headers." in detail.content.decode()


def test_several_messages_are_listed_newest_first(catcher, staff_client):
    for n in range(3):
        message = EmailMessage()
        message["Subject"] = f"Besked nr. {n}"
        message["From"] = "samraad@kl.example"
        message["To"] = "soren@aeroe.example"
        message.set_content("Hej")
        send(catcher, message, to=["soren@aeroe.example"])

    assert list(CaughtMessage.objects.values_list("subject", flat=True)) == [
        "Besked nr. 2",
        "Besked nr. 1",
        "Besked nr. 0",
    ]
    listed = staff_client.get(reverse("mail:caught_list")).content.decode()
    assert (
        listed.index("Besked nr. 2") < listed.index("Besked nr. 1") < listed.index("Besked nr. 0")
    )


def test_the_handler_stores_what_it_is_given():
    """The handler coroutine alone, as aiosmtpd calls it."""
    raw = invitation().as_bytes()
    envelope = SimpleNamespace(
        mail_from="samraad@kl.example",
        rcpt_tos=["soren@aeroe.example"],
        original_content=raw,
    )

    reply = asyncio.run(CatchingHandler().handle_DATA(None, None, envelope))

    assert reply.startswith("250 ")
    caught = CaughtMessage.objects.get()
    assert caught.subject == SUBJECT
    assert bytes(caught.raw) == raw


def test_the_catcher_keeps_no_database_connection_between_messages(catcher):
    """A connection kept by the catcher's pool thread would never be health-checked or closed."""
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL lists the sessions connected to a database")
    for n in range(3):
        message = EmailMessage()
        message["Subject"] = f"Besked nr. {n}"
        message.set_content("Hej")
        send(catcher, message, to=["soren@aeroe.example"])

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        others = cursor.fetchone()[0]

    assert CaughtMessage.objects.count() == 3
    assert others == 0
