"""`samraad worker` delivering the outbox: in this process, as its own process, and two at once.

The processes run against a database they can reach: a migrated SQLite file of their own
(WAL), or the PostgreSQL test database. An aiosmtpd server on loopback is the relay.
Nothing waits a fixed time: each wait polls a condition, with a bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from samraad.core.management.commands import worker as worker_command
from samraad.core.models import WorkerHeartbeat
from samraad.mail.delivery import RateLimiter
from samraad.mail.models import OutboxMessage, OutboxStatus
from samraad.mail.services import Attachment, mail_queue
from samraad.mail.tests.smtp_servers import (
    ACCEPT,
    Received,
    RecordingHandler,
    RunningServer,
    running,
)

SAMRAAD = [sys.executable, "-m", "samraad.cli"]
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
    "SUMMARY:Dialogmøde\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()


def wait_for(condition: Callable[[], object], *, seconds: float, what: str) -> object:
    """Poll `condition` until it returns something true, for at most `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what} after {seconds} s")
        time.sleep(0.05)


@pytest.fixture
def keep_signal_handlers() -> Iterator[None]:
    """The worker installs SIGINT/SIGTERM handlers; give pytest its own back afterwards."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def queue_invitations(count: int, *, prefix: str = "person") -> list[OutboxMessage]:
    with transaction.atomic():
        return [
            mail_queue(
                purpose="invitation",
                to_email=f"{prefix}{n}@aeroe.example",
                subject=f"Invitation nr. {n} til dialogmødet på Ærø",
                text="Kære deltager – æøå",
                about="meeting:1",
                attachments=[Attachment("dialogmøde.ics", "text/calendar", ICS)],
            )
            for n in range(count)
        ]


# --- In this process ---------------------------------------------------------------


@pytest.mark.usefixtures("transactional_db", "keep_signal_handlers")
def test_batch_worker_delivers_the_outbox_and_reaps_what_a_dead_worker_left(settings):
    settings.MAIL_STALE_SECONDS = 300
    with running() as sink:
        settings.EMAIL_HOST, settings.EMAIL_PORT = sink.host, sink.port
        messages = queue_invitations(3)
        left = messages[0]
        OutboxMessage.objects.filter(pk=left.pk).update(
            status=OutboxStatus.SENDING,
            claimed_by="killed-worker",
            claimed_at=timezone.now() - datetime.timedelta(minutes=10),
        )

        call_command("worker", "--batch", "--no-startup-delay", "--worker-id", "batch-1")

    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    assert sorted(sink.message_ids()) == sorted(m.message_id for m in messages)


@pytest.mark.usefixtures("transactional_db", "keep_signal_handlers")
def test_the_mail_thread_keeps_one_rate_cap_across_batches(settings, monkeypatch):
    """The cap is per process: a new limiter per batch would let each batch start at once."""
    settings.MAIL_RATE_PER_MINUTE, settings.MAIL_POLL_SECONDS = 120, 0.05
    limiters: list[RateLimiter] = []
    pytests_own = signal.getsignal(signal.SIGTERM)

    def deliver(*, worker_id: str, limiter: RateLimiter | None = None, **kwargs):
        limiters.append(limiter)
        if len(limiters) == 3:
            # Stop the worker as a supervisor would, once it listens for the signal.
            wait_for(
                lambda: signal.getsignal(signal.SIGTERM) is not pytests_own,
                seconds=30,
                what="the worker's signal handler",
            )
            os.kill(os.getpid(), signal.SIGTERM)
        return SimpleNamespace(claimed=1)  # busy: the next batch at once

    monkeypatch.setattr(worker_command, "outbox_deliver_batch", deliver)
    monkeypatch.setattr(worker_command, "worker_heartbeat_record", lambda **kwargs: None)
    monkeypatch.setattr(worker_command, "outbox_reap", lambda **kwargs: 0)

    with contextlib.suppress(SystemExit):
        call_command("worker", "--no-startup-delay", "--interval", "0.05", "--worker-id", "w")

    assert len(limiters) >= 3
    assert isinstance(limiters[0], RateLimiter)
    assert limiters[0].interval == 0.5
    assert all(limiter is limiters[0] for limiter in limiters)


# --- As its own process, on a SQLite file --------------------------------------------


def _samraad(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*SAMRAAD, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


QUEUE_SCRIPT = """
import json, sys
from django.db import transaction
from samraad.mail.services import Attachment, mail_queue
count, prefix = int(sys.argv[1]), sys.argv[2]
ics = b"BEGIN:VCALENDAR\\r\\nMETHOD:REQUEST\\r\\nEND:VCALENDAR\\r\\n"
with transaction.atomic():
    ids = [
        mail_queue(
            purpose="invitation",
            to_email=f"{prefix}{n}@aeroe.example",
            subject=f"Invitation nr. {n} til dialogmødet på Ærø",
            text="Kære deltager – æøå",
            attachments=[Attachment("dialogmøde.ics", "text/calendar", ics)],
        ).message_id
        for n in range(count)
    ]
print(json.dumps(ids))
"""


def queue_in(env: dict[str, str], count: int, *, prefix: str = "person") -> list[str]:
    """Queue `count` invitations in the database of `env`, from a process of its own."""
    script = Path(env["SAMRAAD_VAR_DIR"]) / "queue_invitations.py"
    script.write_text(QUEUE_SCRIPT, encoding="utf-8")
    command = (
        f"import sys; sys.argv = ['queue', '{count}', '{prefix}']; "
        f"exec(open({str(script)!r}, encoding='utf-8').read())"
    )
    done = _samraad("shell", "-v", "0", "-c", command, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def sqlite_file_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a separate Samråd with its own migrated SQLite file (WAL)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "SECRET_KEY": "test-key-for-the-worker-tests",
        "SAMRAAD_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'samraad.sqlite3'}",
        "EMAIL_HOST": "127.0.0.1",
    }
    migrated = _samraad("migrate", "--no-input", "-v", "0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    return env


def sqlite_rows(env: dict[str, str], sql: str, *params: object) -> list[tuple]:
    database = sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///"), timeout=20)
    try:
        return database.execute(sql, params).fetchall()
    finally:
        database.close()


def statuses(env: dict[str, str]) -> Counter:
    return Counter(
        dict(sqlite_rows(env, "SELECT status, count(*) FROM mail_outboxmessage GROUP BY status"))
    )


def test_worker_process_delivers_queued_mail_on_a_sqlite_file(sqlite_file_env):
    with running() as sink:
        env = {**sqlite_file_env, "EMAIL_PORT": str(sink.port), "MAIL_BATCH_SIZE": "4"}
        message_ids = queue_in(env, 10)

        done = _samraad("worker", "--batch", "--no-startup-delay", "--worker-id", "proc-1", env=env)

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert statuses(env) == {OutboxStatus.SENT: 10}
    assert sorted(sink.message_ids()) == sorted(message_ids)
    received = sink.accepted[0].message
    assert received["Subject"].startswith("Invitation nr. ")
    assert received["Subject"].endswith(" til dialogmødet på Ærø")
    assert received["Auto-Submitted"] == "auto-generated"
    (invitation,) = received.iter_attachments()
    assert invitation.get_content_type() == "text/calendar"
    assert invitation.get_param("method") == "REQUEST"


class HoldFirstMessage(RecordingHandler):
    """Keeps the first message waiting for an answer (a worker is killed meanwhile)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.held: Received | None = None

    async def data_reply(self, received: Received) -> str:
        if self.held is not None:
            return ACCEPT
        self.held = received
        deadline = time.monotonic() + 120
        while not self.release.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return "451 4.4.2 too late"  # the worker that sent it is gone


def test_mail_of_a_killed_worker_is_reaped_and_delivered_by_another(sqlite_file_env):
    """SIGKILL in the middle of a batch: nothing lost; only the message in flight went twice."""
    handler = HoldFirstMessage()
    with running(handler) as relay:
        env = {
            **sqlite_file_env,
            "EMAIL_PORT": str(relay.port),
            "MAIL_BATCH_SIZE": "5",
            "WORKER_HEARTBEAT_SECONDS": "1",
        }
        message_ids = queue_in(env, 12)
        doomed = subprocess.Popen(
            [*SAMRAAD, "worker", "--no-startup-delay", "--worker-id", "doomed"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        rescuer = None
        try:
            wait_for(lambda: handler.held, seconds=60, what="the first message to arrive")
            doomed.kill()
            doomed.wait(30)

            # What a killed worker leaves: its batch "sending", the rest queued.
            assert statuses(env) == {OutboxStatus.SENDING: 5, OutboxStatus.QUEUED: 7}
            assert sqlite_rows(
                env, "SELECT DISTINCT claimed_by FROM mail_outboxmessage WHERE status = 'sending'"
            ) == [("doomed",)]

            rescuer = subprocess.Popen(
                [*SAMRAAD, "worker", "--no-startup-delay", "--worker-id", "rescuer"],
                env={**env, "MAIL_STALE_SECONDS": "1"},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            wait_for(
                lambda: statuses(env) == {OutboxStatus.SENT: 12},
                seconds=60,
                what="every message to be sent",
            )
            rescuer.send_signal(signal.SIGTERM)
            _, stderr = rescuer.communicate(timeout=30)
        finally:
            handler.release.set()
            for process in (doomed, rescuer):
                if process is not None and process.poll() is None:
                    process.kill()
                    process.communicate()

    assert rescuer.returncode == 0, stderr
    assert "Traceback" not in stderr
    accepted = Counter(relay.message_ids())
    assert sorted(accepted) == sorted(message_ids)
    assert set(accepted.values()) == {1}
    # Only the message in flight at the kill reached the relay twice.
    seen = Counter(received.message_id for received in relay.attempts)
    assert seen[handler.held.message_id] == 2
    assert sorted(seen.values()) == [1] * 11 + [2]


# --- Two workers sharing one queue -----------------------------------------------------


class SharedSink(RecordingHandler):
    """Accepts every message and notes which worker had claimed it.

    Until two different workers have been seen, a message waits for its answer (for at
    most a minute), so the test does not depend on how the operating system schedules
    the two processes: one worker holding a batch cannot finish the queue alone.
    """

    def __init__(self, claimed_by: Callable[[str], str]) -> None:
        super().__init__()
        self.claimed_by = claimed_by
        self.workers: Counter = Counter()

    async def data_reply(self, received: Received) -> str:
        worker = self.claimed_by(received.message_id)
        with self.lock:
            self.workers[worker] += 1
        deadline = time.monotonic() + 60
        while len(self.workers) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return ACCEPT


def run_two_workers(
    env: dict[str, str],
    *,
    queue: Callable[[], list[str]],
    count: Callable[[], Counter],
    tmp_path: Path,
) -> list[str]:
    """Start two long-running workers, queue mail, wait until all is sent, stop them."""
    workers: dict[str, subprocess.Popen] = {}
    logs = {name: tmp_path / f"{name}.log" for name in ("worker-1", "worker-2")}
    try:
        for name, log in logs.items():
            with log.open("w") as stderr:
                workers[name] = subprocess.Popen(
                    [*SAMRAAD, "worker", "--no-startup-delay", "--worker-id", name],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                )
        message_ids = queue()
        total = len(message_ids)

        def all_sent() -> bool:
            for name, process in workers.items():
                assert process.poll() is None, f"{name} stopped: {logs[name].read_text()}"
            return count() == {OutboxStatus.SENT: total}

        wait_for(all_sent, seconds=120, what=f"{total} messages to be sent")
        for process in workers.values():
            process.send_signal(signal.SIGTERM)
        for name, process in workers.items():
            process.wait(30)
            stderr = logs[name].read_text()
            assert process.returncode == 0, stderr
            assert "Traceback" not in stderr
    finally:
        for process in workers.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    return message_ids


def assert_each_sent_once_by_both(sink: RunningServer, handler: SharedSink, message_ids):
    accepted = Counter(sink.message_ids())
    assert sorted(accepted) == sorted(message_ids)
    duplicates = {message_id: n for message_id, n in accepted.items() if n > 1}
    assert duplicates == {}
    assert set(handler.workers) == {"worker-1", "worker-2"}
    assert sum(handler.workers.values()) == len(message_ids)


@pytest.mark.usefixtures("transactional_db")
def test_two_worker_processes_share_the_queue_on_postgresql(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip(
            "two worker processes need one database they can both reach; the SQLite test "
            "database is in this process's memory (the SQLite-file variant runs below)"
        )
    import psycopg

    db = connection.settings_dict
    params = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
        "dbname": db["NAME"],
    }
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{params['host']}:{params['port']}/"
        f"{db['NAME']}"
    )
    lookup = psycopg.connect(autocommit=True, **params)

    def claimed_by(message_id: str) -> str:
        row = lookup.execute(
            "SELECT claimed_by FROM mail_outboxmessage WHERE message_id = %s", [message_id]
        ).fetchone()
        return row[0] if row else ""

    handler = SharedSink(claimed_by)
    try:
        with running(handler) as sink:
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "LANG": "C.UTF-8",
                "SECRET_KEY": "test-key-for-the-worker-tests",
                "DATABASE_URL": url,
                "EMAIL_HOST": sink.host,
                "EMAIL_PORT": str(sink.port),
                "MAIL_BATCH_SIZE": "10",
                "WORKER_HEARTBEAT_SECONDS": "1",
            }

            def queue() -> list[str]:
                wait_for(
                    lambda: WorkerHeartbeat.objects.count() == 2,
                    seconds=60,
                    what="both workers to start",
                )
                return [m.message_id for m in queue_invitations(300)]

            def count() -> Counter:
                by_status = OutboxMessage.objects.values("status").annotate(n=Count("id"))
                return Counter({row["status"]: row["n"] for row in by_status})

            message_ids = run_two_workers(env, queue=queue, count=count, tmp_path=tmp_path)
    finally:
        lookup.close()

    assert_each_sent_once_by_both(sink, handler, message_ids)
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()


def test_two_worker_processes_share_the_queue_on_a_sqlite_file(sqlite_file_env, tmp_path):
    env_holder: dict[str, dict[str, str]] = {}

    def claimed_by(message_id: str) -> str:
        rows = sqlite_rows(
            env_holder["env"],
            "SELECT claimed_by FROM mail_outboxmessage WHERE message_id = ?",
            message_id,
        )
        return rows[0][0] if rows else ""

    handler = SharedSink(claimed_by)
    with running(handler) as sink:
        env = {
            **sqlite_file_env,
            "EMAIL_PORT": str(sink.port),
            "MAIL_BATCH_SIZE": "10",
            "WORKER_HEARTBEAT_SECONDS": "1",
        }
        env_holder["env"] = env

        def queue() -> list[str]:
            wait_for(
                lambda: sqlite_rows(env, "SELECT count(*) FROM core_workerheartbeat")[0][0] == 2,
                seconds=60,
                what="both workers to start",
            )
            return queue_in(env, 150)

        message_ids = run_two_workers(
            env, queue=queue, count=lambda: statuses(env), tmp_path=tmp_path
        )

    assert_each_sent_once_by_both(sink, handler, message_ids)
