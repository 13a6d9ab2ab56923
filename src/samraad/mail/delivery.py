"""Delivering the outbox over SMTP: claim, send, record, retry.

The worker claims a batch of due messages (SKIP LOCKED on PostgreSQL, the
immediate write lock on SQLite), so two workers never hold the same message;
sends them over one SMTP connection; and records each outcome as soon as it is
known (a "sent" while the next message goes out), so a crash can repeat at most
the one message whose outcome was being written. A message left "sending" by a
killed worker is queued again by `outbox_reap`.

Temporary failures (4xx replies, refused or dropped connections, time-outs)
are retried with exponential back-off and jitter until the horizon; permanent
ones (5xx) mark the message failed with the server's reply.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import logging
import random
import smtplib
import ssl
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from samraad.mail.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)


class TemporaryFailure(Exception):
    """Delivery failed for now; try again later."""


class PermanentFailure(Exception):
    """The server refused the message for good."""


def message_bytes(message: OutboxMessage) -> bytes:
    """The bytes to send for an outbox row: those rendered when it was queued.

    Nothing is rendered here. A row without bytes has nothing to send: one that could
    not be written is stored failed and cannot be resent, and erasure fails unsent
    mail, so this is a guard (a row written by other means, or erased while being
    sent), and raises PermanentFailure.
    """
    if not message.raw:
        raise PermanentFailure(
            "nothing to send: the message could not be written when it was queued, or it was erased"
        )
    return bytes(message.raw)


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


def _quick_commits() -> None:
    """On PostgreSQL, let this connection's commits return before the server flushes them.

    The worker records each send right after it, and waiting for the disk each time
    would cost more than the send. The commits still reach the server before the
    next send, so a killed worker loses none of them; only a crash of the database
    server itself can forget the last fraction of a second of them, and those
    messages are then sent again: a duplicate, never a loss.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")


def _record_sent(message: OutboxMessage, worker_id: str) -> None:
    """Mark one message sent (if this worker still holds it).

    The one statement per message in the sending loop, written out in SQL: building
    it with the ORM each time costs more than running it.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            _record_sent_sql(connection.vendor),
            [
                OutboxStatus.SENT,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                message.attempts + 1,
                message.pk,
                worker_id,
            ],
        )


@functools.cache
def _record_sent_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    table, status, sent_at, attempts, last_error, claimed_by, pk = (
        quote(name)
        for name in (
            OutboxMessage._meta.db_table,
            *(
                OutboxMessage._meta.get_field(field).column
                for field in ("status", "sent_at", "attempts", "last_error", "claimed_by", "id")
            ),
        )
    )
    # Names from the model's own metadata, values as parameters.
    return (
        f"UPDATE {table} SET {status} = %s, {sent_at} = %s, {attempts} = %s, "  # noqa: S608
        f"{last_error} = '', {claimed_by} = '' WHERE {pk} = %s AND {claimed_by} = %s"
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

    def ready(self) -> bool:
        """Whether `wait` would return at once."""
        return not self.interval or self.clock() >= self.next_at

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


class Relay:
    """One SMTP connection to the relay, opened when first needed and kept across batches.

    A connection kept from an earlier batch is checked (NOOP) before it is used
    again, since relays drop idle connections.
    """

    def __init__(self, connect: Callable[[], smtplib.SMTP] = smtp_connect) -> None:
        self._connect = connect
        self._smtp: smtplib.SMTP | None = None
        self._fresh = False

    def get(self) -> smtplib.SMTP:
        """The connection; raises TemporaryFailure or PermanentFailure when there is none."""
        if self._smtp is not None and not self._fresh:
            try:
                alive = self._smtp.noop()[0] == 250
            except (OSError, smtplib.SMTPException):
                alive = False
            if not alive:
                self.drop()
        if self._smtp is None:
            self._smtp = self._connect()
        self._fresh = True
        return self._smtp

    @property
    def ready(self) -> bool:
        """Whether `get` answers at once (a connection in use in this batch)."""
        return self._smtp is not None and self._fresh

    def batch_done(self) -> None:
        """The next use may come after a pause: check the connection then."""
        self._fresh = False

    def drop(self) -> None:
        """Forget a connection that may be half-dead."""
        if self._smtp is not None:
            _close(self._smtp)
            self._smtp = None

    def close(self) -> None:
        if self._smtp is not None:
            _close(self._smtp, polite=True)
            self._smtp = None


# What the sending loop reads of a row.
_SEND_FIELDS = ("id", "raw", "to_email", "message_id", "attempts", "created_at", "next_attempt_at")


def outbox_deliver_batch(
    *,
    worker_id: str,
    limit: int | None = None,
    limiter: RateLimiter | None = None,
    connect: Callable[[], smtplib.SMTP] = smtp_connect,
    relay: Relay | None = None,
) -> DeliveryReport:
    """Claim up to `limit` due messages and deliver them over one SMTP connection.

    Each outcome is written right after its send. When the relay cannot be
    reached, the whole rest of the batch is put back with back-off. Give a
    `relay` to keep its connection for the next batch; without one the batch
    opens (with `connect`) and closes its own.
    """
    report = DeliveryReport()
    ids = outbox_claim(worker_id=worker_id, limit=limit or settings.MAIL_BATCH_SIZE)
    report.claimed = len(ids)
    if not ids:
        return report
    _quick_commits()
    limiter = limiter or RateLimiter(settings.MAIL_RATE_PER_MINUTE)
    own_relay = relay is None
    relay = relay or Relay(connect)
    sender = envelope_sender()
    pending = list(OutboxMessage.objects.filter(id__in=ids).only(*_SEND_FIELDS).order_by("id"))
    pending.reverse()  # popped from the end, in id order
    # A batch slower than the stale threshold (a low rate cap, a slow relay) renews its
    # claim as it goes, so the reaper does not hand its messages to another worker; a
    # message reaped all the same (this worker stalled) is left to whoever has it now.
    renew_every = settings.MAIL_STALE_SECONDS / 3
    renewed = time.monotonic()
    # The SMTP conversation runs in a thread of its own, so that while one message goes
    # out, the outcome of the one before it is written (in this thread, on this thread's
    # database connection). A message is recorded as soon as the next one is on its way:
    # a crash can still repeat only the message whose "sent" was being written.
    wire = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smtp")
    delivered: OutboxMessage | None = None  # accepted by the relay, not yet recorded

    def record_delivered() -> None:
        nonlocal delivered
        if delivered is not None:
            _record_sent(delivered, worker_id)
            report.sent += 1
            delivered = None

    try:
        while pending:
            message = pending.pop()
            if not (relay.ready and limiter.ready()):
                record_delivered()  # no delivered message waits unrecorded for a connection or pace
            try:
                smtp = relay.get()
            except (TemporaryFailure, PermanentFailure) as error:
                # The relay is unreachable or refuses us: the whole batch waits.
                record_delivered()
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
                data = message_bytes(message)
                sending = wire.submit(
                    smtp_send, smtp, sender=sender, recipient=message.to_email, data=data
                )
            except Exception as error:
                sending = error_future(error)
            try:
                record_delivered()
            except BaseException:
                # The database failed us: let the conversation end, then give up the batch
                # (the reaper queues what is left "sending" again).
                with contextlib.suppress(Exception):
                    sending.result()
                raise
            try:
                sending.result()
            except (TemporaryFailure, PermanentFailure) as error:
                _count(report, _record_failure(message, worker_id, error), error)
                if isinstance(error, TemporaryFailure):
                    relay.drop()  # the connection may be half-dead: start afresh
            except Exception as error:
                # This message cannot be built or sent at all (a header with a line break,
                # an address smtplib cannot encode): it fails alone instead of leaving the
                # rest of the batch "sending" for the reaper, again and again.
                failure = PermanentFailure(f"cannot send: {type(error).__name__}: {error}")
                _count(report, _record_failure(message, worker_id, failure), failure)
                relay.drop()  # it may have stopped half-way through a command
            else:
                delivered = message
        record_delivered()
    finally:
        wire.shutdown(wait=True)
        if own_relay:
            relay.close()
        else:
            relay.batch_done()
    return report


def error_future(error: BaseException) -> Future:
    """A finished Future that raises `error`."""
    future: Future = Future()
    future.set_exception(error)
    return future


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
    """Deliver batches over one connection until nothing is due (or `max_batches`)."""
    total = DeliveryReport()
    limiter = RateLimiter(settings.MAIL_RATE_PER_MINUTE)
    relay = Relay()
    batches = 0
    try:
        while max_batches is None or batches < max_batches:
            report = outbox_deliver_batch(worker_id=worker_id, limiter=limiter, relay=relay)
            batches += 1
            if not report.claimed:
                break
            total.claimed += report.claimed
            total.sent += report.sent
            total.retrying += report.retrying
            total.failed += report.failed
            total.errors += report.errors
    finally:
        relay.close()
    return total
