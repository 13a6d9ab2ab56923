"""Delivering the outbox over SMTP: claim, send, record, retry.

The worker claims a batch of due messages (SKIP LOCKED on PostgreSQL, the
immediate write lock on SQLite), so two workers never hold the same message;
sends them over one SMTP connection; and records each outcome right after its
send, so a crash can repeat at most the one message in flight. A message left
"sending" by a killed worker is queued again by `outbox_reap`.

Temporary failures (4xx replies, refused or dropped connections, time-outs)
are retried with exponential back-off and jitter until the horizon; permanent
ones (5xx) mark the message failed with the server's reply.
"""

from __future__ import annotations

import datetime
import logging
import random
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from samraad.mail.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)


class TemporaryFailure(Exception):
    """Delivery failed for now; try again later."""


class PermanentFailure(Exception):
    """The server refused the message for good."""


def build_email(message: OutboxMessage) -> EmailMessage:
    """The MIME message for an outbox row: text and HTML alternatives, attachments, headers."""
    # 7-bit clean (Danish letters quoted-printable or base64): no relay needs 8BITMIME.
    mail = EmailMessage(policy=policy.SMTP.clone(cte_type="7bit"))
    mail["From"] = settings.DEFAULT_FROM_EMAIL
    mail["To"] = (
        formataddr((message.to_name, message.to_email)) if message.to_name else message.to_email
    )
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = message.message_id
    mail["Auto-Submitted"] = "auto-generated"
    if message.reply_to:
        mail["Reply-To"] = message.reply_to
    mail.set_content(message.body_text)
    if message.body_html:
        mail.add_alternative(message.body_html, subtype="html")
    for attachment in message.attachments.all():
        maintype, _, subtype = attachment.content_type.partition("/")
        params = {}
        if attachment.content_type.startswith("text/calendar"):
            # Calendar clients want the method on the part (RFC 6047).
            subtype = "calendar"
            params = {"method": _ics_method(bytes(attachment.content)), "charset": "utf-8"}
        mail.add_attachment(
            bytes(attachment.content),
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
            params=params,
        )
    # Last: set_content() drops every Content-* header set before it.
    mail["Content-Language"] = message.language
    return mail


def message_bytes(mail: EmailMessage) -> bytes:
    """The message as it goes on the wire: CRLF line endings (smtplib sends bytes as they are)."""
    return mail.as_bytes(policy=policy.SMTP)


def _ics_method(content: bytes) -> str:
    for line in content.splitlines():
        if line.upper().startswith(b"METHOD:"):
            return line.split(b":", 1)[1].strip().decode("ascii", "replace")
    return "PUBLISH"


def envelope_sender() -> str:
    from email.utils import parseaddr

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def smtp_connect() -> smtplib.SMTP:
    """A connection to the configured relay, with STARTTLS or TLS and login as configured."""
    host, port, timeout = settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT
    smtp: smtplib.SMTP | None = None
    try:
        if settings.EMAIL_USE_SSL:
            smtp = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
            if settings.EMAIL_USE_TLS:
                smtp.starttls(context=ssl.create_default_context())
        if settings.EMAIL_HOST_USER:
            smtp.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
    except smtplib.SMTPResponseException as error:
        if smtp is not None:
            smtp.close()  # a refused STARTTLS or login leaves the socket open
        # A refusal of the connection or the login (421, 554, 535) is not the messages'
        # fault: they wait (until the horizon) rather than fail.
        reply = error.smtp_error
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        raise TemporaryFailure(f"{error.smtp_code} {text}".strip()) from error
    except (OSError, smtplib.SMTPException, UnicodeError) as error:
        # UnicodeError: a login smtplib cannot encode (non-ASCII, before Python 3.12).
        if smtp is not None:
            smtp.close()
        raise TemporaryFailure(f"cannot connect to {host}:{port}: {error}") from error
    return smtp


def _classify(code: int, reply: bytes | str) -> TemporaryFailure | PermanentFailure:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    detail = f"{code} {text}".strip()
    return PermanentFailure(detail) if 500 <= code < 600 else TemporaryFailure(detail)


def smtp_send(smtp: smtplib.SMTP, *, sender: str, recipient: str, data: bytes) -> None:
    """Send one message; raise TemporaryFailure or PermanentFailure when it is not accepted."""
    try:
        refused = smtp.sendmail(sender, [recipient], data)
    except smtplib.SMTPRecipientsRefused as error:
        code, reply = next(iter(error.recipients.values()))
        raise _classify(code, reply) from error
    except smtplib.SMTPResponseException as error:
        raise _classify(error.smtp_code, error.smtp_error) from error
    except (OSError, smtplib.SMTPException) as error:
        raise TemporaryFailure(f"connection lost: {error or type(error).__name__}") from error
    if refused:
        code, reply = next(iter(refused.values()))
        raise _classify(code, reply)


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential back-off with jitter: base·2^(n-1), capped, times a random 0.5–1."""
    base = settings.MAIL_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    capped = min(base, settings.MAIL_RETRY_MAX_SECONDS)
    return datetime.timedelta(seconds=capped * random.uniform(0.5, 1.0))  # noqa: S311


def outbox_claim(*, worker_id: str, limit: int) -> list[int]:
    """Mark up to `limit` due messages as being sent by `worker_id` and return their ids.

    Rows another worker holds are skipped (PostgreSQL SKIP LOCKED); on SQLite
    the immediate transaction makes claims take turns.
    """
    now = timezone.now()
    with transaction.atomic():
        due = (
            OutboxMessage.objects.filter(status=OutboxStatus.QUEUED, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        ids = list(due)
        if ids:
            OutboxMessage.objects.filter(id__in=ids).update(
                status=OutboxStatus.SENDING, claimed_at=now, claimed_by=worker_id
            )
    return ids


def outbox_reap(*, stale_after: datetime.timedelta | None = None) -> int:
    """Queue again every message whose worker died while sending it; return how many.

    A message stays "sending" only while a worker holds it; one older than the
    stale threshold belongs to a killed worker. It may have reached the relay
    just before the crash, so this is the one place a duplicate can arise.
    """
    stale_after = stale_after or datetime.timedelta(seconds=settings.MAIL_STALE_SECONDS)
    now = timezone.now()
    return OutboxMessage.objects.filter(
        status=OutboxStatus.SENDING, claimed_at__lt=now - stale_after
    ).update(status=OutboxStatus.QUEUED, claimed_at=None, claimed_by="", next_attempt_at=now)


def _renew_claims(ids: list[int], worker_id: str) -> set[int]:
    """Mark this worker's claim on `ids` as fresh; return the ids it still holds."""
    held = OutboxMessage.objects.filter(
        pk__in=ids, status=OutboxStatus.SENDING, claimed_by=worker_id
    )
    held.update(claimed_at=timezone.now())
    return set(held.values_list("pk", flat=True))


def _record_sent(message: OutboxMessage, worker_id: str) -> None:
    OutboxMessage.objects.filter(pk=message.pk, claimed_by=worker_id).update(
        status=OutboxStatus.SENT,
        sent_at=timezone.now(),
        attempts=message.attempts + 1,
        last_error="",
        claimed_by="",
    )


def _record_failure(message: OutboxMessage, worker_id: str, error: Exception) -> str:
    attempts = message.attempts + 1
    now = timezone.now()
    horizon = message.created_at + datetime.timedelta(seconds=settings.MAIL_RETRY_HORIZON_SECONDS)
    retry_at = now + retry_delay(attempts)
    if isinstance(error, PermanentFailure):
        status, reason, next_at = OutboxStatus.FAILED, str(error), message.next_attempt_at
    elif retry_at > horizon:
        status, next_at = OutboxStatus.FAILED, message.next_attempt_at
        reason = f"gave up after {attempts} attempts: {error}"
    else:
        status, reason, next_at = OutboxStatus.QUEUED, str(error), retry_at
    OutboxMessage.objects.filter(pk=message.pk, claimed_by=worker_id).update(
        status=status,
        attempts=attempts,
        last_error=reason[:2000],
        next_attempt_at=next_at,
        claimed_at=None,
        claimed_by="",
    )
    return status


class RateLimiter:
    """At most `per_minute` sends a minute from this process (0: no cap)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self.clock = clock
        self.next_at = 0.0

    def wait(self) -> None:
        if not self.interval:
            return
        now = self.clock()
        if now < self.next_at:
            time.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = now + self.interval


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def outbox_deliver_batch(
    *,
    worker_id: str,
    limit: int | None = None,
    limiter: RateLimiter | None = None,
    connect: Callable[[], smtplib.SMTP] = smtp_connect,
) -> DeliveryReport:
    """Claim up to `limit` due messages and deliver them over one SMTP connection.

    Each outcome is written right after its send. When the relay cannot be
    reached, the whole rest of the batch is put back with back-off.
    """
    report = DeliveryReport()
    ids = outbox_claim(worker_id=worker_id, limit=limit or settings.MAIL_BATCH_SIZE)
    report.claimed = len(ids)
    if not ids:
        return report
    limiter = limiter or RateLimiter(settings.MAIL_RATE_PER_MINUTE)
    messages = (
        OutboxMessage.objects.filter(id__in=ids).prefetch_related("attachments").order_by("id")
    )
    sender = envelope_sender()
    smtp: smtplib.SMTP | None = None
    pending = list(messages)
    # A batch slower than the stale threshold (a low rate cap, a slow relay) renews its
    # claim as it goes, so the reaper does not hand its messages to another worker; a
    # message reaped all the same (this worker stalled) is left to whoever has it now.
    renew_every = settings.MAIL_STALE_SECONDS / 3
    renewed = time.monotonic()
    try:
        while pending:
            message = pending.pop(0)
            try:
                if smtp is None:
                    smtp = connect()
            except (TemporaryFailure, PermanentFailure) as error:
                # The relay is unreachable or refuses us: the whole batch waits.
                for waiting in [message, *pending]:
                    _count(report, _record_failure(waiting, worker_id, error), error)
                break
            limiter.wait()
            if time.monotonic() - renewed >= renew_every:
                held = _renew_claims([message.pk, *(m.pk for m in pending)], worker_id)
                renewed = time.monotonic()
                pending = [m for m in pending if m.pk in held]
                if message.pk not in held:
                    continue
            try:
                data = message_bytes(build_email(message))
                smtp_send(smtp, sender=sender, recipient=message.to_email, data=data)
            except (TemporaryFailure, PermanentFailure) as error:
                _count(report, _record_failure(message, worker_id, error), error)
                if isinstance(error, TemporaryFailure):
                    _close(smtp)  # the connection may be half-dead: start afresh
                    smtp = None
            except Exception as error:
                # This message cannot be built or sent at all (a header with a line break,
                # an address smtplib cannot encode): it fails alone instead of leaving the
                # rest of the batch "sending" for the reaper, again and again.
                failure = PermanentFailure(f"cannot send: {type(error).__name__}: {error}")
                _count(report, _record_failure(message, worker_id, failure), failure)
                _close(smtp)  # it may have stopped half-way through a command
                smtp = None
            else:
                _record_sent(message, worker_id)
                report.sent += 1
    finally:
        if smtp is not None:
            _close(smtp, polite=True)
    return report


def _count(report: DeliveryReport, outcome: str, error: Exception) -> None:
    report.errors.append(str(error))
    if outcome == OutboxStatus.FAILED:
        report.failed += 1
    else:
        report.retrying += 1


def _close(smtp: smtplib.SMTP, *, polite: bool = False) -> None:
    try:
        if polite:
            smtp.quit()
        else:
            smtp.close()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def outbox_drain(*, worker_id: str, max_batches: int | None = None) -> DeliveryReport:
    """Deliver batches until nothing is due (or `max_batches`); return the totals."""
    total = DeliveryReport()
    limiter = RateLimiter(settings.MAIL_RATE_PER_MINUTE)
    batches = 0
    while max_batches is None or batches < max_batches:
        report = outbox_deliver_batch(worker_id=worker_id, limiter=limiter)
        batches += 1
        if not report.claimed:
            break
        total.claimed += report.claimed
        total.sent += report.sent
        total.retrying += report.retrying
        total.failed += report.failed
        total.errors += report.errors
    return total
