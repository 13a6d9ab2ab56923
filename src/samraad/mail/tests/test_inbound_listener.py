"""The inbound SMTP listener: real SMTP over loopback into aiosmtpd, with smtplib as the sender.

As for the mail catcher (see test_catcher.py), the listener stores from a thread of its own,
so these tests use a transactional test database that both threads see. Django empties every
table after such a test; the municipalities the migration loaded are loaded again.
"""

from __future__ import annotations

import asyncio
import os
import signal
import smtplib
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from email.message import EmailMessage
from email.policy import SMTP  # CRLF line endings, as SMTP carries them
from pathlib import Path
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import OperationalError, connection

from samraad.directory.models import EmailDomain, Municipality, Region
from samraad.directory.reference import load_reference_data
from samraad.mail import inbound, listener
from samraad.mail.listener import InboundHandler, inbound_controller
from samraad.mail.models import InboundMessage, InboundSource, OutboxMessage, ParseStatus
from samraad.tests_support.factories import RoundFactory

pytestmark = pytest.mark.django_db(transaction=True)

CORPUS = Path(__file__).parent / "corpus"
MAX_BYTES = 64 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def setup_data(transactional_db) -> None:
    load_reference_data(Region, Municipality)
    EmailDomain.objects.create(municipality=Municipality.objects.get(code=751), domain="aarhus.dk")
    RoundFactory(
        code="ØA26",
        slug="oa26",
        starts_on=date(2025, 2, 7),
        ends_on=date(2025, 6, 30),
        input_address="oa26@kl.dk",
    )


@pytest.fixture
def server() -> Iterator[Controller]:
    controller = inbound_controller(host="127.0.0.1", port=free_port(), max_bytes=MAX_BYTES)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def input_mail(subject: str = "Aarhus Kommunes input til ØA26") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Jens Hansen <jens.hansen@aarhus.dk>"
    message["To"] = "ØA26 <oa26@kl.dk>"
    message["Subject"] = subject
    message["Date"] = "Mon, 10 Mar 2025 09:13:58 +0000"
    message.set_content("Kære KL\n\nByrådet peger på ældreområdet og på anlægsloftet.\n")
    message.add_alternative("<p>Kære KL</p><p>Byrådet peger på ældreområdet.</p>", subtype="html")
    message.add_attachment(
        b"%PDF-1.4 input", maintype="application", subtype="pdf", filename="Økonomi 2025.pdf"
    )
    return message


def deliver(server: Controller, raw: bytes, *, mail_from: str, to: list[str]) -> tuple[int, bytes]:
    """MAIL, RCPT and DATA by hand, so the test sees the server's reply to DATA."""
    with smtplib.SMTP(server.hostname, server.port, timeout=30) as smtp:
        smtp.ehlo()
        code, reply = smtp.mail(mail_from)
        assert code == 250, reply
        for address in to:
            code, reply = smtp.rcpt(address)
            assert code == 250, reply
        return smtp.data(raw)


def test_a_message_is_stored_parsed_matched_and_answered(server):
    recipients = ["oa26@kl.dk", "arkiv@kl.dk"]

    with smtplib.SMTP(server.hostname, server.port, timeout=30) as smtp:
        refused = smtp.send_message(input_mail(), to_addrs=recipients)

    assert refused == {}
    message = InboundMessage.objects.get()
    assert message.source == InboundSource.SMTP
    assert message.envelope_from == "jens.hansen@aarhus.dk"
    assert message.envelope_to == recipients
    assert message.parse_status == ParseStatus.PARSED
    assert message.subject == "Aarhus Kommunes input til ØA26"
    assert (message.from_name, message.from_email) == ("Jens Hansen", "jens.hansen@aarhus.dk")
    assert "Byrådet peger på ældreområdet og på anlægsloftet." in message.body_text
    assert "<p>Byrådet peger på ældreområdet.</p>" in message.body_html
    (attachment,) = message.attachments.all()
    assert (attachment.filename, bytes(attachment.content)) == (
        "Økonomi 2025.pdf",
        b"%PDF-1.4 input",
    )
    assert message.municipality.code == 751
    assert message.round.code == "ØA26"
    (receipt,) = OutboxMessage.objects.filter(purpose="inbound_receipt")
    assert receipt.to_email == "jens.hansen@aarhus.dk"
    assert receipt.subject == "Modtaget: Aarhus Kommunes input til ØA26"


def test_250_names_the_stored_message_and_the_raw_bytes_are_kept_as_sent(server):
    raw = (CORPUS / "01_outlook_windows1252_qp.eml").read_bytes()

    code, reply = deliver(server, raw, mail_from="jens.hansen@aarhus.dk", to=["oa26@kl.dk"])

    message = InboundMessage.objects.get()
    assert (code, reply.decode()) == (250, f"2.0.0 Stored as message {message.pk}")
    assert bytes(message.raw) == raw
    assert message.subject == "Input fra Aarhus Kommune til ØA26 – økonomisk situation"


def test_a_message_over_the_size_limit_is_refused_with_552(server):
    big = input_mail()
    big.add_attachment(os.urandom(MAX_BYTES), maintype="application", subtype="octet-stream")

    # smtplib announces the size (SIZE=) and the listener refuses at MAIL FROM …
    with (
        smtplib.SMTP(server.hostname, server.port, timeout=30) as smtp,
        pytest.raises(smtplib.SMTPSenderRefused) as refused,
    ):
        smtp.send_message(big, to_addrs=["oa26@kl.dk"])
    assert refused.value.smtp_code == 552

    # … and a sender that does not announce it is refused after DATA.
    code, _reply = deliver(
        server, big.as_bytes(policy=SMTP), mail_from="jens@aarhus.dk", to=["oa26@kl.dk"]
    )
    assert code == 552
    assert InboundMessage.objects.count() == 0


def test_when_the_database_fails_the_sender_is_told_to_try_again_later(server, monkeypatch):
    def database_down(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(listener, "inbound_receive", database_down)
    raw = input_mail().as_bytes(policy=SMTP)

    code, reply = deliver(server, raw, mail_from="jens.hansen@aarhus.dk", to=["oa26@kl.dk"])

    assert code == 451, reply
    assert reply.startswith(b"4.3.0 ")
    assert InboundMessage.objects.count() == 0

    monkeypatch.undo()  # the database is back; the sender retries
    code, _reply = deliver(server, raw, mail_from="jens.hansen@aarhus.dk", to=["oa26@kl.dk"])

    assert code == 250
    assert InboundMessage.objects.get().subject == "Aarhus Kommunes input til ØA26"


def test_a_crash_while_parsing_still_gets_250_because_the_raw_is_committed(server, monkeypatch):
    def crash(raw: bytes):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(inbound, "parse_raw", crash)
    raw = input_mail().as_bytes(policy=SMTP)

    code, _reply = deliver(server, raw, mail_from="jens.hansen@aarhus.dk", to=["oa26@kl.dk"])

    assert code == 250
    message = InboundMessage.objects.get()
    assert bytes(message.raw) == raw
    assert message.parse_status == ParseStatus.FAILED
    assert message.parse_error == "RecursionError: maximum recursion depth exceeded"
    assert not OutboxMessage.objects.exists()


def test_a_bounce_with_the_null_sender_is_kept_and_not_answered(server):
    raw = (CORPUS / "10_bounce_mailer_daemon.eml").read_bytes()

    code, _reply = deliver(server, raw, mail_from="<>", to=["oa26@kl.dk"])

    assert code == 250
    message = InboundMessage.objects.get()
    assert message.envelope_from == "<>"  # as aiosmtpd reports the null sender
    assert message.parse_status == ParseStatus.PARSED
    assert not OutboxMessage.objects.exists()


def test_bytes_that_are_not_mail_are_accepted_and_flagged(server):
    raw = b"\x89PNG\r\n\x1a\n" + bytes(range(1, 256)).replace(b"\n", b"").replace(b"\r", b"")

    code, _reply = deliver(server, raw, mail_from="scanner@aarhus.dk", to=["oa26@kl.dk"])

    assert code == 250
    message = InboundMessage.objects.get()
    assert message.parse_status == ParseStatus.FAILED
    assert "not an email message" in message.parse_error


def test_the_handler_stores_what_it_is_given():
    """The handler coroutine alone, as aiosmtpd calls it."""
    raw = input_mail().as_bytes(policy=SMTP)
    envelope = SimpleNamespace(
        mail_from="jens.hansen@aarhus.dk", rcpt_tos=["oa26@kl.dk"], original_content=raw
    )

    reply = asyncio.run(InboundHandler().handle_DATA(None, None, envelope))

    message = InboundMessage.objects.get()
    assert reply == f"250 2.0.0 Stored as message {message.pk}"
    assert bytes(message.raw) == raw


def test_the_listener_keeps_no_database_connection_between_messages(server):
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL lists the sessions connected to a database")
    for n in range(3):
        deliver(
            server,
            input_mail(f"Besked {n}").as_bytes(policy=SMTP),
            mail_from="j@aarhus.dk",
            to=["oa26@kl.dk"],
        )

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        others = cursor.fetchone()[0]

    assert InboundMessage.objects.count() == 3
    assert others == 0


def test_the_command_listens_until_sigterm_and_restores_the_signal_handlers(capsys):
    port = free_port()
    handlers = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
    outcome = {}

    def send_then_stop() -> None:
        deadline = time.monotonic() + 20
        try:
            while True:
                try:
                    with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
                        outcome["refused"] = smtp.send_message(
                            input_mail(), to_addrs=["oa26@kl.dk"]
                        )
                    break
                except ConnectionRefusedError:  # not listening yet
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        finally:
            os.kill(os.getpid(), signal.SIGTERM)

    sender = threading.Thread(target=send_then_stop)
    sender.start()
    call_command("inbound_smtp", "--host", "127.0.0.1", "--port", str(port))
    sender.join()

    assert outcome == {"refused": {}}
    assert InboundMessage.objects.get().subject == "Aarhus Kommunes input til ØA26"
    output = capsys.readouterr().out
    assert f"Receiving inbound mail on 127.0.0.1:{port}" in output
    assert output.strip().endswith("Stopped.")
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers
    with pytest.raises(ConnectionRefusedError):  # nothing listens any more
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_the_command_parses_what_an_earlier_run_left_unparsed(capsys):
    port = free_port()
    pending = InboundMessage.objects.create(
        source=InboundSource.SMTP, raw=input_mail().as_bytes(policy=SMTP), raw_sha256="x"
    )
    threading.Timer(0.2, os.kill, args=(os.getpid(), signal.SIGTERM)).start()

    call_command("inbound_smtp", "--port", str(port))

    pending.refresh_from_db()
    assert pending.parse_status == ParseStatus.PARSED
    assert "Parsed 1 message(s) left unparsed by an earlier run." in capsys.readouterr().out
