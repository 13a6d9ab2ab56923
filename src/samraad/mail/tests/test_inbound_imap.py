"""The IMAP poller against a small IMAP4rev1 server on loopback, with imaplib as the real client.

The fake server speaks just enough of RFC 3501 for the poller: CAPABILITY, LOGIN, SELECT
(with UIDVALIDITY), UID SEARCH, UID FETCH (BODY.PEEK[] or RFC822), UID STORE, NOOP and
LOGOUT. It logs every command, so the tests can check the order of fetch and \\Seen.
"""

from __future__ import annotations

import imaplib
import os
import re
import signal
import socket
import socketserver
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from samraad.directory.models import EmailDomain, Municipality, Region
from samraad.directory.reference import load_reference_data
from samraad.mail import imap
from samraad.mail.imap import imap_poll_once, imap_utf7
from samraad.mail.management.commands import inbound_imap
from samraad.mail.models import InboundMessage, InboundSource, OutboxMessage, ParseStatus
from samraad.tests_support.factories import RoundFactory

CORPUS = Path(__file__).parent / "corpus"
USER, PASSWORD = "oa26@kl.dk", 'kodeord med "citat" og \\'
UIDVALIDITY = 1741600000


@dataclass
class Mailbox:
    name: str = "INBOX"
    uidvalidity: int = UIDVALIDITY
    messages: dict[int, bytes] = field(default_factory=dict)
    flags: dict[int, set[str]] = field(default_factory=dict)
    commands: list[str] = field(default_factory=list)
    next_uid: int = 101  # UIDs need not start at 1
    drop_on_store: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, raw: bytes, *, seen: bool = False) -> int:
        with self.lock:
            uid = self.next_uid
            self.next_uid += 7  # UIDs ascend but leave gaps where mail was deleted
            self.messages[uid] = raw
            self.flags[uid] = {r"\Seen"} if seen else set()
            return uid

    def seen(self, uid: int) -> bool:
        return r"\Seen" in self.flags[uid]

    def logged(self, prefix: str) -> list[str]:
        return [command for command in self.commands if command.startswith(prefix)]


_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')


def _tokens(text: str) -> list[str]:
    """Words of a command line; a quoted string is one word, unescaped."""
    return [
        re.sub(r"\\(.)", r"\1", m.group(1)) if m.group(1) is not None else m.group(2)
        for m in _TOKEN.finditer(text)
    ]


class FakeImapHandler(socketserver.StreamRequestHandler):
    disable_nagle_algorithm = True  # many small writes per reply

    def send(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:
        box: Mailbox = self.server.mailbox
        self.send("* OK [CAPABILITY IMAP4rev1] Fake IMAP ready")
        authenticated = selected = False
        while line := self.rfile.readline():
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            words = _tokens(rest)
            command = " ".join(words[:2]).upper() if words[0].upper() == "UID" else words[0].upper()
            box.commands.append(
                " ".join([command, *words[2 if command.startswith("UID") else 1 :]])
            )
            if command == "CAPABILITY":
                self.send("* CAPABILITY IMAP4rev1 AUTH=PLAIN")
            elif command == "LOGIN":
                if words[1:] != [USER, PASSWORD]:
                    self.send(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials")
                    continue
                authenticated = True
            elif command == "SELECT" and authenticated:
                if words[1] != box.name:
                    self.send(f"{tag} NO Mailbox does not exist")
                    continue
                selected = True
                self.send(r"* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)")
                self.send(f"* {len(box.messages)} EXISTS")
                self.send("* 0 RECENT")
                self.send(f"* OK [UIDVALIDITY {box.uidvalidity}] UIDs valid")
                self.send(f"* OK [UIDNEXT {box.next_uid}] Predicted next UID")
                self.send(f"{tag} OK [READ-WRITE] SELECT completed")
                continue
            elif command == "UID SEARCH" and selected:
                criterion = words[2].upper()
                uids = [
                    uid
                    for uid in sorted(box.messages)
                    if criterion == "ALL" or (criterion == "UNSEEN" and not box.seen(uid))
                ]
                self.send("* SEARCH" + "".join(f" {uid}" for uid in uids))
            elif command == "UID FETCH" and selected:
                uid, items = int(words[2]), " ".join(words[3:]).upper()
                if uid in box.messages:
                    raw = box.messages[uid]
                    number = sorted(box.messages).index(uid) + 1
                    name = "RFC822" if "RFC822" in items else "BODY[]"
                    self.send(f"* {number} FETCH (UID {uid} {name} {{{len(raw)}}}".encode())
                    self.wfile.write(raw + b")\r\n")
                    if "PEEK" not in items:
                        box.flags[uid].add(r"\Seen")
            elif command == "UID STORE" and selected:
                if box.drop_on_store:  # the poller's process dies here
                    return
                uid, flags = int(words[2]), " ".join(words[4:]).strip("()").split()
                if uid in box.messages:
                    box.flags[uid].update(flags)
            elif command == "NOOP":
                pass
            elif command == "LOGOUT":
                self.send("* BYE Logging out")
                self.send(f"{tag} OK LOGOUT completed")
                return
            else:
                self.send(f"{tag} BAD Unknown or out-of-state command")
                continue
            self.send(f"{tag} OK {command} completed")


class FakeImapServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mailbox: Mailbox) -> None:
        super().__init__(("127.0.0.1", 0), FakeImapHandler)
        self.mailbox = mailbox


@pytest.fixture
def mailbox(settings) -> Iterator[Mailbox]:
    box = Mailbox()
    server = FakeImapServer(box)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    settings.IMAP_HOST = "127.0.0.1"
    settings.IMAP_PORT = server.server_address[1]
    settings.IMAP_USER = USER
    settings.IMAP_PASSWORD = PASSWORD
    settings.IMAP_MAILBOX = "INBOX"
    settings.IMAP_USE_SSL = False
    try:
        yield box
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def committed(transactional_db) -> None:
    """A transactional test database, for the command: it closes its database connection
    after each poll, as a long-running process must. Django empties every table after such
    a test, so the reference data the migration loaded is loaded again (idempotent)."""
    load_reference_data(Region, Municipality)


@pytest.fixture
def rounds(db):
    EmailDomain.objects.create(municipality=Municipality.objects.get(code=751), domain="aarhus.dk")
    return RoundFactory(
        code="ØA26",
        slug="oa26",
        starts_on=date(2025, 2, 7),
        ends_on=date(2025, 6, 30),
        input_address="oa26@kl.dk",
    )


def mail(subject: str, sender: str = "Jens Hansen <jens.hansen@aarhus.dk>") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "oa26@kl.dk"
    message["Subject"] = subject
    message["Message-ID"] = f"<{abs(hash(subject))}@aarhus.dk>"
    message.set_content(f"Indhold af {subject}.\n")
    return message.as_bytes().replace(b"\n", b"\r\n")


def stored() -> list[tuple[str, str, str]]:
    return list(
        InboundMessage.objects.order_by("id").values_list("imap_mailbox", "imap_uid", "subject")
    )


def test_a_poll_stores_every_message_then_marks_it_seen(mailbox, rounds):
    first = mailbox.add(mail("Input fra Aarhus"))
    # Someone read this one in Outlook before Samråd polled: it must not be missed.
    already_read = mailbox.add((CORPUS / "04_attachments_pdf_docx.eml").read_bytes(), seen=True)
    broken = mailbox.add((CORPUS / "13_garbage_not_mime.eml").read_bytes())

    assert imap_poll_once() == 3

    key = f"INBOX/{UIDVALIDITY}"
    assert stored() == [
        (key, str(first), "Input fra Aarhus"),
        (key, str(already_read), "Herning Kommune – økonomisk redegørelse"),
        (key, str(broken), ""),
    ]
    messages = InboundMessage.objects.order_by("id")
    assert [m.source for m in messages] == [InboundSource.IMAP] * 3
    assert [m.parse_status for m in messages] == [
        ParseStatus.PARSED,
        ParseStatus.PARSED,
        ParseStatus.FAILED,
    ]
    assert bytes(messages[0].raw) == mailbox.messages[first]
    assert messages[0].municipality.code == 751
    assert messages[0].round == rounds
    assert all(mailbox.seen(uid) for uid in mailbox.messages)
    # Fetched without setting \Seen, and marked seen only after it was stored.
    fetches = mailbox.logged("UID FETCH")
    assert fetches == [f"UID FETCH {uid} (BODY.PEEK[])" for uid in (first, already_read, broken)]
    for uid in (first, broken):
        assert mailbox.commands.index(f"UID FETCH {uid} (BODY.PEEK[])") < mailbox.commands.index(
            f"UID STORE {uid} +FLAGS.SILENT (\\Seen)"
        )
    assert mailbox.commands[-1] == "LOGOUT"
    assert OutboxMessage.objects.filter(to_email="jens.hansen@aarhus.dk").count() == 1


def test_the_next_poll_fetches_only_new_mail(mailbox, rounds):
    mailbox.add(mail("Første"))
    mailbox.add(mail("Anden"))
    assert imap_poll_once() == 2
    mailbox.commands.clear()

    assert imap_poll_once() == 0
    assert mailbox.logged("UID FETCH") == []

    third = mailbox.add(mail("Tredje"))
    assert imap_poll_once() == 1
    assert mailbox.logged("UID FETCH") == [f"UID FETCH {third} (BODY.PEEK[])"]
    assert [subject for _, _, subject in stored()] == ["Første", "Anden", "Tredje"]


def test_a_crash_between_storing_and_marking_seen_loses_nothing_and_stores_once(mailbox, rounds):
    uid = mailbox.add(mail("Input"))
    mailbox.drop_on_store = True

    with pytest.raises((imaplib.IMAP4.abort, OSError)):
        imap_poll_once()

    assert stored() == [(f"INBOX/{UIDVALIDITY}", str(uid), "Input")]
    assert not mailbox.seen(uid)

    mailbox.drop_on_store = False
    mailbox.commands.clear()
    assert imap_poll_once() == 0

    assert len(stored()) == 1
    assert mailbox.seen(uid)  # the next poll finished the job
    assert mailbox.logged("UID FETCH") == []
    assert OutboxMessage.objects.count() == 1


def test_a_crash_before_the_message_is_committed_fetches_it_again(mailbox, rounds, monkeypatch):
    uid = mailbox.add(mail("Input"))
    real = imap.inbound_receive
    calls = []

    def database_down_once(**kwargs):
        calls.append(kwargs["imap_uid"])
        if len(calls) == 1:
            raise OperationalError("could not connect to server")
        return real(**kwargs)

    monkeypatch.setattr(imap, "inbound_receive", database_down_once)

    with pytest.raises(OperationalError):
        imap_poll_once()
    assert stored() == []
    assert not mailbox.seen(uid)

    assert imap_poll_once() == 1
    assert stored() == [(f"INBOX/{UIDVALIDITY}", str(uid), "Input")]
    assert mailbox.seen(uid)


def test_a_new_uidvalidity_stores_the_mailbox_again_without_new_receipts(mailbox, rounds):
    uid = mailbox.add(mail("Input"))
    assert imap_poll_once() == 1

    mailbox.uidvalidity += 1  # the server renumbered the mailbox
    assert imap_poll_once() == 1

    assert stored() == [
        (f"INBOX/{UIDVALIDITY}", str(uid), "Input"),
        (f"INBOX/{UIDVALIDITY + 1}", str(uid), "Input"),
    ]
    assert OutboxMessage.objects.count() == 1  # the copy is not answered again


def test_a_wrong_password_stores_nothing(mailbox, rounds, settings):
    mailbox.add(mail("Input"))
    settings.IMAP_PASSWORD = "forkert"

    with pytest.raises(imaplib.IMAP4.error, match="Invalid credentials"):
        imap_poll_once()

    assert stored() == []


def test_an_unknown_mailbox_is_an_error(mailbox, rounds, settings):
    settings.IMAP_MAILBOX = "Findes ikke"

    with pytest.raises(imap.ImapError, match="SELECT Findes ikke"):
        imap_poll_once()


def test_a_mailbox_name_with_danish_letters_and_spaces(mailbox, rounds, settings):
    mailbox.name = "Indbakke/&ANg-A26 input"  # on the wire: modified UTF-7
    settings.IMAP_MAILBOX = "Indbakke/ØA26 input"
    mailbox.add(mail("Input"))

    assert imap_poll_once() == 1
    assert stored()[0][0] == f"Indbakke/ØA26 input/{UIDVALIDITY}"
    assert mailbox.logged("SELECT") == ["SELECT Indbakke/&ANg-A26 input"]


@pytest.mark.parametrize(
    ("name", "encoded"),
    [
        ("INBOX", "INBOX"),
        ("Høring", "H&APg-ring"),
        ("ØA26", "&ANg-A26"),
        ("Tom & Jerry", "Tom &- Jerry"),
        ("日本語", "&ZeVnLIqe-"),
    ],
)
def test_imap_utf7(name, encoded):
    assert imap_utf7(name) == encoded


def test_with_ssl_the_poller_insists_on_tls(mailbox, settings):
    settings.IMAP_USE_SSL = True  # the fake server speaks plain IMAP only

    with pytest.raises((ssl.SSLError, OSError)):
        imap_poll_once()


# --- The command ---------------------------------------------------------------------


def test_the_command_without_a_mailbox_says_so(settings):
    settings.IMAP_HOST = ""

    with pytest.raises(CommandError, match="IMAP_HOST is not set"):
        call_command("inbound_imap", "--once")


def test_the_command_polls_once(mailbox, rounds, capsys):
    mailbox.add(mail("Input"))

    call_command("inbound_imap", "--once")

    assert capsys.readouterr().out.strip().endswith("Stored 1 new message(s) from INBOX.")
    assert len(stored()) == 1


def test_the_command_polls_until_sigterm_and_restores_the_signal_handlers(
    committed, mailbox, rounds, settings, capsys
):
    settings.IMAP_POLL_SECONDS = 300  # the stop must not wait for the next poll
    uid = mailbox.add(mail("Input"))
    handlers = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))

    def stop_after_the_first_poll() -> None:
        deadline = time.monotonic() + 20
        while not mailbox.logged("LOGOUT") and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(os.getpid(), signal.SIGTERM)

    stopper = threading.Thread(target=stop_after_the_first_poll)
    started = time.monotonic()
    stopper.start()
    call_command("inbound_imap")
    stopper.join()

    assert time.monotonic() - started < 15
    assert stored() == [(f"INBOX/{UIDVALIDITY}", str(uid), "Input")]
    assert mailbox.seen(uid)
    output = capsys.readouterr().out
    assert "Stored 1 new message(s)." in output
    assert output.strip().endswith("Stopped.")
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers


def test_the_command_keeps_polling_when_the_server_is_away(
    committed, rounds, settings, caplog, monkeypatch
):
    with socket.socket() as unused:  # a port where nothing listens
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings.IMAP_HOST, settings.IMAP_PORT, settings.IMAP_USE_SSL = "127.0.0.1", port, False
    settings.IMAP_POLL_SECONDS = 0
    polls = []

    def counting_poll() -> int:
        polls.append(1)
        if len(polls) == 2:
            os.kill(os.getpid(), signal.SIGTERM)
        return imap_poll_once()

    monkeypatch.setattr(inbound_imap, "imap_poll_once", counting_poll)

    call_command("inbound_imap")

    assert len(polls) == 2
    assert caplog.text.count("IMAP poll failed") == 2
