"""Delivering the outbox to real SMTP servers on loopback (aiosmtpd), in this process.

Each test starts its own server on a free port of 127.0.0.1 and points EMAIL_HOST and
EMAIL_PORT at it. Time is never waited for: a message put back with back-off is made
due by moving its `next_attempt_at` (or its `created_at`, for the horizon) instead.
"""

from __future__ import annotations

import datetime
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django.db.models import F
from django.utils import timezone

from samraad.mail import delivery
from samraad.mail.delivery import (
    RateLimiter,
    message_bytes,
    outbox_deliver_batch,
    outbox_drain,
    outbox_reap,
    retry_delay,
)
from samraad.mail.models import OutboxMessage, OutboxStatus
from samraad.mail.services import Attachment, mail_queue, outbox_message_resend
from samraad.mail.tests.smtp_servers import (
    DROP,
    RunningServer,
    ScriptedHandler,
    free_port,
    password_checker,
    running,
)

pytestmark = pytest.mark.django_db

WORKER = "test-worker"
BASE = 10  # MAIL_RETRY_BASE_SECONDS in these tests

SUBJECT = "Invitation: dialogmøde om økonomien på Ærø – æøå ÆØÅ"
TEXT = (
    "Kære Søren Ærø\n\nVelkommen til dialogmødet om kommunernes økonomi.\nVi ses på Ærø: æøå ÆØÅ.\n"
)
HTML = "<p>Kære Søren Ærø</p>\n<p>Velkommen til <b>dialogmødet</b> på Ærø: æøå ÆØÅ.</p>\n"
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Samraad//DA\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:oa26-1@samraad\r\nSUMMARY:Dialogmøde på Ærø\r\n"
    "DTSTART:20250331T170000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()
ICS_FILENAME = "dialogmøde ærø.ics"


@pytest.fixture(autouse=True)
def mail_settings(settings):
    settings.MAIL_RETRY_BASE_SECONDS = BASE
    settings.MAIL_RETRY_MAX_SECONDS = 3600
    settings.MAIL_RETRY_HORIZON_SECONDS = 2 * 24 * 3600
    settings.MAIL_BATCH_SIZE = 50
    settings.MAIL_RATE_PER_MINUTE = 0
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.DEFAULT_FROM_EMAIL = "Samråd <samraad@kl.example>"
    return settings


def point_at(settings, server: RunningServer) -> RunningServer:
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
    return server


@pytest.fixture
def sink(settings) -> Iterator[RunningServer]:
    """A relay that accepts everything."""
    with running() as server:
        yield point_at(settings, server)


def queue(name: str, **overrides) -> OutboxMessage:
    values = {
        "purpose": "invitation",
        "to_email": f"{name}@aeroe.example",
        "subject": f"Invitation til {name}",
        "text": f"Kære {name}",
        "about": "meeting:1",
    }
    return mail_queue(**(values | overrides))


def deliver(**kwargs) -> delivery.DeliveryReport:
    return outbox_deliver_batch(worker_id=WORKER, **kwargs)


def make_due() -> int:
    """Move the clock past every back-off: what is queued is due now."""
    return OutboxMessage.objects.filter(status=OutboxStatus.QUEUED).update(
        next_attempt_at=timezone.now()
    )


def rows(*messages: OutboxMessage) -> list[OutboxMessage]:
    return [OutboxMessage.objects.get(pk=m.pk) for m in messages]


def assert_backed_off(
    message: OutboxMessage, *, attempts: int, before: datetime.datetime, after: datetime.datetime
) -> None:
    """Queued again, due after base·2^(attempts-1) seconds times a jitter of 0.5–1."""
    assert message.status == OutboxStatus.QUEUED
    assert message.attempts == attempts
    assert message.claimed_by == ""
    assert message.claimed_at is None
    delay = BASE * 2 ** (attempts - 1)
    earliest = before + datetime.timedelta(seconds=delay * 0.5)
    latest = after + datetime.timedelta(seconds=delay)
    assert earliest <= message.next_attempt_at <= latest


# --- (a) A relay that accepts -------------------------------------------------


def test_every_message_is_sent_once_over_one_connection(sink):
    messages = [queue(f"person{n}") for n in range(5)]

    report = deliver()

    assert (report.claimed, report.sent, report.retrying, report.failed) == (5, 5, 0, 0)
    for message in rows(*messages):
        assert message.status == OutboxStatus.SENT
        assert message.attempts == 1
        assert message.sent_at is not None
        assert message.last_error == ""
        assert message.claimed_by == ""
    assert sorted(sink.message_ids()) == sorted(m.message_id for m in messages)
    assert sink.sessions == 1
    for received, message in zip(sink.accepted, messages, strict=True):
        assert received.mail_from == "samraad@kl.example"
        assert received.rcpt_tos == (message.to_email,)
        assert received.message_id == message.message_id

    again = deliver()

    assert again.claimed == 0
    assert len(sink.accepted) == 5


def test_a_batch_is_at_most_the_batch_size(sink, settings):
    settings.MAIL_BATCH_SIZE = 3
    for n in range(7):
        queue(f"person{n}")

    first = deliver()
    total = outbox_drain(worker_id=WORKER)

    assert first.claimed == 3
    assert total.claimed == total.sent == 4
    assert len(sink.accepted) == 7
    assert len(set(sink.message_ids())) == 7
    assert sink.sessions == 2  # one for the batch, one kept across the drain's batches
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()


def test_the_message_arrives_as_written(sink):
    """Danish letters in headers and bodies, text and HTML alternatives, an .ics invitation."""
    message = queue(
        "soren",
        to_name="Søren Ærø",
        subject=SUBJECT,
        text=TEXT,
        html=HTML,
        reply_to="svar@kl.example",
        attachments=[Attachment(ICS_FILENAME, "text/calendar", ICS)],
    )

    assert deliver().sent == 1

    (received,) = sink.accepted
    raw_headers = received.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")  # headers are 7-bit
    assert "=?utf-8?" in raw_headers.split("Subject:", 1)[1]  # RFC 2047 encoded words
    mail = received.message
    assert mail["Subject"] == SUBJECT
    assert mail["To"] == "Søren Ærø <soren@aeroe.example>"
    assert mail["To"].addresses[0].display_name == "Søren Ærø"
    assert mail["From"] == "Samråd <samraad@kl.example>"
    assert mail["Reply-To"] == "svar@kl.example"
    assert mail["Message-ID"] == message.message_id
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Content-Language"] == "da"
    assert mail["Date"].datetime is not None

    assert mail.get_content_type() == "multipart/mixed"
    plain = mail.get_body(preferencelist=("plain",))
    html = mail.get_body(preferencelist=("html",))
    assert plain.get_content().replace("\r\n", "\n") == TEXT
    assert html.get_content().replace("\r\n", "\n") == HTML
    assert plain.get_content_charset() == html.get_content_charset() == "utf-8"
    assert {part.get_content_type() for part in mail.get_payload()[0].iter_parts()} == {
        "text/plain",
        "text/html",
    }

    (invitation,) = mail.iter_attachments()
    assert invitation.get_content_type() == "text/calendar"
    assert invitation.get_param("method") == "REQUEST"
    assert invitation.get_filename() == ICS_FILENAME
    assert invitation.get_payload(decode=True) == ICS


def test_an_english_message_says_so(sink):
    queue("mette", language="en", subject="Invitation", text="Dear Mette")

    deliver()

    assert sink.accepted[0].message["Content-Language"] == "en"


def test_a_calendar_without_a_method_is_published(sink):
    queue(
        "soren",
        attachments=[Attachment("event.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR")],
    )

    deliver()

    (invitation,) = sink.accepted[0].message.iter_attachments()
    assert invitation.get_param("method") == "PUBLISH"


def test_every_attempt_sends_the_same_bytes(sink):
    """Rendered once when queued: a retry is the same message, Message-ID and Date included."""
    message = queue("soren")
    first = message_bytes(message)

    OutboxMessage.objects.filter(pk=message.pk).update(subject="Changed after queueing")
    message.refresh_from_db()

    assert message_bytes(message) == first
    assert f"Message-ID: {message.message_id}".encode() in first


def test_a_row_without_bytes_fails_with_the_reason_and_is_not_sent(sink):
    """Nothing renders a message again at sending time: a row without its bytes (erased,
    or queued by hand) fails at once, and the rest of the batch goes out."""
    anna, empty = queue("anna"), queue("empty", subject="Tilmelding modtaget")
    OutboxMessage.objects.filter(pk=empty.pk).update(raw=b"")

    report = deliver()

    assert (report.claimed, report.sent, report.failed) == (2, 1, 1)
    empty.refresh_from_db()
    assert empty.status == OutboxStatus.FAILED
    assert empty.attempts == 1
    assert empty.last_error.startswith("nothing to send")
    assert sink.message_ids() == [anna.message_id]


def test_the_relay_login_is_used(settings):
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "samraad", "hemmelig"
    with running(
        authenticator=password_checker("samraad", "hemmelig"),
        auth_require_tls=False,  # loopback only: AUTH offered without STARTTLS
    ) as server:
        point_at(settings, server)
        message = queue("soren")

        assert deliver().sent == 1

    assert server.message_ids() == [message.message_id]
    assert server.accepted[0].authenticated


def test_a_wrong_login_keeps_the_batch_waiting(settings):
    """The relay refusing us is not the messages' fault: they wait for a fixed configuration."""
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "samraad", "wrong"
    with running(
        authenticator=password_checker("samraad", "right"),
        auth_require_tls=False,  # loopback only: AUTH offered without STARTTLS
    ) as server:
        point_at(settings, server)
        messages = [queue(f"person{n}") for n in range(3)]

        before = timezone.now()
        report = deliver()
        after = timezone.now()

        assert (report.sent, report.retrying, report.failed) == (0, 3, 0)
        for message in rows(*messages):
            assert_backed_off(message, attempts=1, before=before, after=after)
            assert message.last_error.startswith("535 ")
        assert server.accepted == []

        settings.EMAIL_HOST_PASSWORD = "right"
        make_due()
        assert deliver().sent == 3

    assert sorted(server.message_ids()) == sorted(m.message_id for m in messages)


def test_a_login_smtplib_cannot_send_keeps_the_batch_waiting_with_the_reason(settings):
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "samraad", "hemmelig-æøå"
    with running(
        authenticator=password_checker("samraad", "hemmelig-æøå"), auth_require_tls=False
    ) as server:
        point_at(settings, server)
        message = queue("soren")

        report = deliver()

    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    message.refresh_from_db()
    assert message.status == OutboxStatus.QUEUED
    assert message.last_error.startswith("cannot connect to")


@pytest.fixture
def certificate(tmp_path) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 (certificate file, key file)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = tmp_path / "relay.pem", tmp_path / "relay.key"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)


def server_tls(certificate: tuple[str, str]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def test_starttls_and_login(settings, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", certificate[0])  # the relay's certificate is trusted
    settings.EMAIL_USE_TLS = True
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "samraad", "hemmelig"
    with running(
        tls_context=server_tls(certificate),
        require_starttls=True,  # nothing but STARTTLS before it
        authenticator=password_checker("samraad", "hemmelig"),  # AUTH only after STARTTLS
    ) as server:
        point_at(settings, server)
        message = queue("soren")

        assert deliver().sent == 1

    (received,) = server.accepted
    assert received.message_id == message.message_id
    assert received.tls
    assert received.authenticated


def test_implicit_tls(settings, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", certificate[0])
    settings.EMAIL_USE_SSL = True
    with running(ssl_context=server_tls(certificate)) as server:
        point_at(settings, server)
        message = queue("soren")

        assert deliver().sent == 1

    assert server.message_ids() == [message.message_id]
    assert server.accepted[0].tls


def test_an_untrusted_certificate_keeps_the_batch_waiting(settings, certificate, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)  # the system's bundle: not ours
    settings.EMAIL_USE_TLS = True
    with running(tls_context=server_tls(certificate), require_starttls=True) as server:
        point_at(settings, server)
        message = queue("soren")

        report = deliver()

    assert (report.sent, report.retrying) == (0, 1)
    message.refresh_from_db()
    assert message.status == OutboxStatus.QUEUED
    assert "CERTIFICATE_VERIFY_FAILED" in message.last_error
    assert server.accepted == []


# --- (b) A relay that answers 421 and 451 for a while, then accepts -------------


GREYLISTED = "451 4.7.1 Greylisted, please try again later"
BUSY = "421 4.3.2 Service not available, closing transmission channel"


def test_temporary_refusals_are_retried_with_back_off_until_sent(settings):
    names = ["anna", "bent", "carl"]
    handler = ScriptedHandler(
        greetings=[BUSY],
        data={f"{name}@aeroe.example": [GREYLISTED, GREYLISTED] for name in names},
    )
    with running(handler) as server:
        point_at(settings, server)
        messages = [queue(name) for name in names]

        # 1: the connection is refused with 421; the whole batch waits.
        before = timezone.now()
        report = deliver()
        after = timezone.now()
        assert (report.claimed, report.sent, report.retrying, report.failed) == (3, 0, 3, 0)
        for message in rows(*messages):
            assert_backed_off(message, attempts=1, before=before, after=after)
            assert message.last_error == BUSY
        assert server.sessions == 1
        assert server.attempts == []

        # Not due yet: nothing is claimed.
        assert deliver().claimed == 0

        # 2 and 3: every message is answered 451, twice, and backs off further each time.
        for attempts in (2, 3):
            make_due()
            before = timezone.now()
            report = deliver()
            after = timezone.now()
            assert (report.sent, report.retrying, report.failed) == (0, 3, 0)
            for message in rows(*messages):
                assert_backed_off(message, attempts=attempts, before=before, after=after)
                assert message.last_error == GREYLISTED
            assert deliver().claimed == 0

        # 4: accepted.
        make_due()
        report = deliver()
        assert (report.sent, report.retrying, report.failed) == (3, 0, 0)

    for message in rows(*messages):
        assert message.status == OutboxStatus.SENT
        assert message.attempts == 4
        assert message.last_error == ""
    # Nothing lost, nothing twice; every try carried the row's own Message-ID.
    assert sorted(server.message_ids()) == sorted(m.message_id for m in messages)
    for message in messages:
        tries = [r for r in server.attempts if r.rcpt_tos == (message.to_email,)]
        assert [r.message_id for r in tries] == [message.message_id] * 3


@pytest.mark.parametrize(
    ("where", "reply"),
    [
        ("data", "452 4.2.2 Mailbox full"),
        ("data", "421 4.3.2 Shutting down"),
        ("rcpt", "450 4.2.1 Mailbox temporarily unavailable"),
    ],
)
def test_other_temporary_replies_are_retried(settings, where, reply):
    handler = ScriptedHandler(**{where: {"bent@aeroe.example": [reply]}})
    with running(handler) as server:
        point_at(settings, server)
        anna, bent, carl = queue("anna"), queue("bent"), queue("carl")

        report = deliver()

        assert (report.sent, report.retrying, report.failed) == (2, 1, 0)
        bent = OutboxMessage.objects.get(pk=bent.pk)
        assert bent.status == OutboxStatus.QUEUED
        assert bent.last_error == reply

        make_due()
        assert deliver().sent == 1

    assert sorted(server.message_ids()) == sorted(m.message_id for m in (anna, bent, carl))
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


# --- (c) A relay that drops the connection in the middle of a message -----------


def test_a_dropped_connection_is_retried_and_the_batch_goes_on(settings):
    handler = ScriptedHandler(data={"bent@aeroe.example": [DROP]})
    with running(handler) as server:
        point_at(settings, server)
        anna, bent, carl = queue("anna"), queue("bent"), queue("carl")

        before = timezone.now()
        report = deliver()
        after = timezone.now()

        assert (report.claimed, report.sent, report.retrying, report.failed) == (3, 2, 1, 0)
        anna, bent, carl = rows(anna, bent, carl)
        assert anna.status == carl.status == OutboxStatus.SENT
        assert_backed_off(bent, attempts=1, before=before, after=after)
        assert bent.last_error.startswith("connection lost")
        assert server.sessions == 2  # a fresh connection after the drop
        assert sorted(server.message_ids()) == sorted([anna.message_id, carl.message_id])

        make_due()
        assert deliver().sent == 1

    bent.refresh_from_db()
    assert bent.status == OutboxStatus.SENT
    assert bent.attempts == 2
    assert sorted(server.message_ids()) == sorted(m.message_id for m in (anna, bent, carl))
    assert [r.message_id for r in server.attempts].count(bent.message_id) == 2


# --- (d) A relay that answers 550 --------------------------------------------


UNKNOWN_USER = "550 5.1.1 <bent@aeroe.example>: Recipient address rejected: User unknown"
SPAM = "554 5.7.1 Message rejected as spam"


def test_a_permanent_refusal_fails_the_message_and_the_rest_go_out(settings):
    handler = ScriptedHandler(
        rcpt={"bent@aeroe.example": UNKNOWN_USER}, data={"dora@aeroe.example": [SPAM]}
    )
    with running(handler) as server:
        point_at(settings, server)
        anna, bent, carl, dora, erik = (queue(n) for n in ("anna", "bent", "carl", "dora", "erik"))

        report = deliver()

        assert (report.claimed, report.sent, report.retrying, report.failed) == (5, 3, 0, 2)
        anna, bent, carl, dora, erik = rows(anna, bent, carl, dora, erik)
        assert {anna.status, carl.status, erik.status} == {OutboxStatus.SENT}
        assert (bent.status, bent.attempts, bent.last_error) == (
            OutboxStatus.FAILED,
            1,
            UNKNOWN_USER,
        )
        assert (dora.status, dora.attempts, dora.last_error) == (OutboxStatus.FAILED, 1, SPAM)
        assert server.sessions == 1  # a refused message does not cost the connection
        assert sorted(server.message_ids()) == sorted(m.message_id for m in (anna, carl, erik))

        # Never retried, however late it gets.
        OutboxMessage.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(days=1))
        assert deliver().claimed == 0

        # Staff resend the one the relay now takes: the same message, the same Message-ID.
        outbox_message_resend(message=dora)
        assert deliver().sent == 1

    dora.refresh_from_db()
    assert dora.status == OutboxStatus.SENT
    assert server.message_ids().count(dora.message_id) == 1
    assert len(server.accepted) == 4


# --- (e) An unreachable relay --------------------------------------------------


def test_an_unreachable_relay_puts_the_batch_back_until_the_horizon(settings):
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    settings.MAIL_RETRY_HORIZON_SECONDS = 3600
    messages = [queue(f"person{n}") for n in range(3)]

    before = timezone.now()
    report = deliver()
    after = timezone.now()

    assert (report.claimed, report.sent, report.retrying, report.failed) == (3, 0, 3, 0)
    for message in rows(*messages):
        assert_backed_off(message, attempts=1, before=before, after=after)
        assert message.last_error.startswith(f"cannot connect to 127.0.0.1:{settings.EMAIL_PORT}")

    # Still within the horizon: back again, later.
    make_due()
    before = timezone.now()
    deliver()
    after = timezone.now()
    for message in rows(*messages):
        assert_backed_off(message, attempts=2, before=before, after=after)

    # Past the horizon: failed, with the reason.
    OutboxMessage.objects.update(created_at=timezone.now() - datetime.timedelta(hours=2))
    make_due()
    report = deliver()

    assert (report.sent, report.retrying, report.failed) == (0, 0, 3)
    for message in rows(*messages):
        assert message.status == OutboxStatus.FAILED
        assert message.attempts == 3
        assert message.last_error.startswith("gave up after 3 attempts: cannot connect to")
    assert deliver().claimed == 0


def test_a_relay_that_never_answers_times_out_and_is_retried(settings):
    settings.EMAIL_TIMEOUT = 0.2
    with socket.socket() as silent:  # takes connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.EMAIL_HOST, settings.EMAIL_PORT = silent.getsockname()
        message = queue("soren")

        report = deliver()

    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    message.refresh_from_db()
    assert message.status == OutboxStatus.QUEUED
    assert "timed out" in message.last_error


# --- (f) The reaper ------------------------------------------------------------


def test_the_reaper_queues_a_stale_message_again_and_it_is_sent(sink, settings):
    settings.MAIL_STALE_SECONDS = 300
    now = timezone.now()
    stale, recent = queue("stale"), queue("recent")
    OutboxMessage.objects.filter(pk=stale.pk).update(
        status=OutboxStatus.SENDING,
        claimed_by="killed-worker",
        claimed_at=now - datetime.timedelta(minutes=10),
    )
    OutboxMessage.objects.filter(pk=recent.pk).update(
        status=OutboxStatus.SENDING,
        claimed_by="busy-worker",
        claimed_at=now - datetime.timedelta(minutes=1),
    )

    assert deliver().claimed == 0  # neither is queued
    assert outbox_reap() == 1

    stale, recent = rows(stale, recent)
    assert (stale.status, stale.claimed_by, stale.claimed_at) == (OutboxStatus.QUEUED, "", None)
    assert stale.next_attempt_at <= timezone.now()
    assert (recent.status, recent.claimed_by) == (OutboxStatus.SENDING, "busy-worker")

    assert deliver().sent == 1
    assert sink.message_ids() == [stale.message_id]
    assert OutboxMessage.objects.get(pk=recent.pk).status == OutboxStatus.SENDING
    assert outbox_reap() == 0


def test_a_reaped_message_is_not_recorded_by_the_worker_that_lost_it(sink, settings):
    """A slow worker that comes back after its claim was reaped cannot overwrite the outcome."""
    settings.MAIL_STALE_SECONDS = 300
    message = queue("soren")
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENDING,
        claimed_by="slow-worker",
        claimed_at=timezone.now() - datetime.timedelta(minutes=10),
    )
    slow_copy = OutboxMessage.objects.get(pk=message.pk)
    outbox_reap()
    deliver()

    delivery._record_failure(slow_copy, "slow-worker", delivery.TemporaryFailure("late"))

    message.refresh_from_db()
    assert (message.status, message.last_error) == (OutboxStatus.SENT, "")


# --- (g) Back-off and the rate cap ------------------------------------------------


def test_retry_delay_doubles_up_to_the_cap(settings, monkeypatch):
    settings.MAIL_RETRY_BASE_SECONDS, settings.MAIL_RETRY_MAX_SECONDS = 60, 3600
    monkeypatch.setattr(delivery.random, "uniform", lambda low, high: high)

    assert [retry_delay(n).total_seconds() for n in range(1, 9)] == [
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]
    monkeypatch.setattr(delivery.random, "uniform", lambda low, high: low)
    assert retry_delay(3).total_seconds() == 120


class FakeClock:
    """A monotonic clock that moves only when told to, or when someone sleeps."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    clock = FakeClock()
    monkeypatch.setattr(delivery, "time", SimpleNamespace(sleep=clock.sleep, monotonic=clock))
    return clock


def test_the_rate_limiter_spaces_sends(clock):
    limiter = RateLimiter(120, clock=clock)  # one every half second
    sends = []

    for _ in range(3):
        limiter.wait()
        sends.append(clock.now)
    clock.now += 5  # a quiet spell: no need to wait after it
    limiter.wait()
    sends.append(clock.now)
    limiter.wait()
    sends.append(clock.now)

    assert sends == [1000.0, 1000.5, 1001.0, 1006.0, 1006.5]
    assert clock.slept == [0.5, 0.5, 0.5]


def test_no_cap_never_waits(clock):
    limiter = RateLimiter(0, clock=clock)

    for _ in range(100):
        limiter.wait()

    assert clock.slept == []


def test_a_batch_waits_for_the_limiter_before_each_send(sink, clock):
    limiter = RateLimiter(60, clock=clock)
    for n in range(4):
        queue(f"person{n}")

    deliver(limiter=limiter)

    assert clock.slept == [1.0, 1.0, 1.0]
    assert len(sink.accepted) == 4

    # The next batch keeps to the same pace.
    queue("late")
    deliver(limiter=limiter)
    assert clock.slept == [1.0, 1.0, 1.0, 1.0]


def test_draining_keeps_one_pace_across_batches(sink, clock, settings, monkeypatch):
    settings.MAIL_BATCH_SIZE, settings.MAIL_RATE_PER_MINUTE = 2, 30
    made = []

    def limiter(per_minute: int) -> RateLimiter:
        made.append(RateLimiter(per_minute, clock=clock))
        return made[-1]

    monkeypatch.setattr(delivery, "RateLimiter", limiter)
    for n in range(5):
        queue(f"person{n}")

    report = outbox_drain(worker_id=WORKER)

    assert report.sent == 5
    assert len(made) == 1
    assert clock.slept == [2.0, 2.0, 2.0, 2.0]
    assert sink.sessions == 1  # three batches, one connection


def _time_passes_and_the_reaper_runs(clock: FakeClock):
    """While the limiter waits, as much wall time passes for the claims, and a reaper runs."""

    def sleep(seconds: float) -> None:
        clock.slept.append(seconds)
        clock.now += seconds
        OutboxMessage.objects.filter(status=OutboxStatus.SENDING).update(
            claimed_at=F("claimed_at") - datetime.timedelta(seconds=seconds)
        )
        outbox_reap()

    return sleep


def test_a_batch_slower_than_the_stale_threshold_keeps_its_claim(sink, clock, settings):
    """At 2 a minute, 4 messages take 90 s: longer than the 60 s after which a claim is stale."""
    settings.MAIL_STALE_SECONDS = 60
    delivery.time.sleep = _time_passes_and_the_reaper_runs(clock)
    messages = [queue(f"person{n}") for n in range(4)]

    report = deliver(limiter=RateLimiter(2, clock=clock))

    assert clock.slept == [30.0, 30.0, 30.0]
    assert report.sent == 4
    assert deliver().claimed == 0
    assert sorted(sink.message_ids()) == sorted(m.message_id for m in messages)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_a_worker_that_lost_its_claim_leaves_the_message_to_the_next(sink, clock, settings):
    """The worker stalled past the threshold and its claim was reaped: it must not send."""
    settings.MAIL_STALE_SECONDS = 60
    delivery.time.sleep = _time_passes_and_the_reaper_runs(clock)
    messages = [queue(f"person{n}") for n in range(3)]

    first = deliver(limiter=RateLimiter(0.5, clock=clock))  # 120 s between sends

    assert (first.claimed, first.sent) == (3, 1)
    assert len(sink.accepted) == 1
    assert OutboxMessage.objects.filter(status=OutboxStatus.QUEUED).count() == 2

    assert deliver().sent == 2
    assert sorted(sink.message_ids()) == sorted(m.message_id for m in messages)


# --- A message that cannot be sent at all does not hold up the others -------------


def test_a_message_that_cannot_be_built_is_failed_when_queued_and_never_claimed(sink):
    anna, carl = queue("anna"), queue("carl")
    # A header cannot hold a line break: the row is kept, failed with the reason, without
    # bytes to send.
    broken = queue("broken", subject="Two\nlines")
    assert broken.status == OutboxStatus.FAILED and not broken.raw
    assert "linefeed" in broken.last_error

    report = deliver()

    assert (report.claimed, report.sent, report.failed) == (2, 2, 0)
    broken.refresh_from_db()
    assert broken.status == OutboxStatus.FAILED
    assert broken.attempts == 0
    assert "linefeed" in broken.last_error
    assert sorted(sink.message_ids()) == sorted([anna.message_id, carl.message_id])


def test_a_recipient_smtplib_cannot_encode_fails_and_the_batch_goes_on(sink):
    anna = queue("anna")
    odd = queue("odd")
    carl = queue("carl")
    # mail_queue refuses such an address (stored failed); this is the worker's own guard,
    # for an envelope that smtplib cannot send whatever the bytes are.
    OutboxMessage.objects.filter(pk=odd.pk).update(to_email="søren@ærø.example")

    report = deliver()

    assert (report.sent, report.failed) == (2, 1)
    odd.refresh_from_db()
    assert odd.status == OutboxStatus.FAILED
    assert odd.last_error
    assert sorted(sink.message_ids()) == sorted([anna.message_id, carl.message_id])
    assert not OutboxMessage.objects.filter(status=OutboxStatus.SENDING).exists()
