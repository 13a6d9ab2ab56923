"""The real background worker (`samraad worker`) running queued tasks and reporting a heartbeat."""

from __future__ import annotations

import datetime
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from samraad.core.models import WorkerHeartbeat
from samraad.core.tasks import probe

SAMRAAD = [sys.executable, "-m", "samraad.cli"]


@pytest.fixture
def keep_signal_handlers() -> Iterator[None]:
    """The worker installs SIGINT/SIGTERM handlers; give pytest its own back afterwards."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def heartbeat_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "heartbeat"]


def wait_for(condition: Callable[[], object], *, seconds: float, what: str) -> object:
    """Poll `condition` until it returns something true, for at most `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what} after {seconds} s")
        time.sleep(0.1)


# --- In-process: works on in-memory SQLite and on PostgreSQL ---------------


@pytest.mark.usefixtures("transactional_db", "keep_signal_handlers")
def test_batch_worker_runs_the_probe_and_reports_a_heartbeat():
    before = timezone.now()
    queued = probe.enqueue("2025-03-31T19:00:00+02:00")

    call_command("worker", "--batch", "--no-startup-delay", "--worker-id", "test-worker-1")

    done = DBTaskResult.objects.get(id=queued.id)
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert done.return_value["requested_at"] == "2025-03-31T19:00:00+02:00"
    ran_at = datetime.datetime.fromisoformat(done.return_value["ran_at"])
    assert before <= ran_at <= timezone.now()
    assert done.worker_ids == ["test-worker-1"]

    beat = WorkerHeartbeat.objects.get()
    assert beat.worker_id == "test-worker-1"
    assert beat.pid == os.getpid()
    assert before <= beat.started_at <= beat.last_seen_at <= timezone.now()


@pytest.mark.usefixtures("transactional_db", "keep_signal_handlers")
def test_batch_worker_runs_every_queued_task_then_stops_its_heartbeat():
    queued = [probe.enqueue(f"task {n}") for n in range(3)]

    call_command("worker", "--batch", "--no-startup-delay")

    results = DBTaskResult.objects.filter(id__in=[q.id for q in queued])
    assert sorted(r.return_value["requested_at"] for r in results) == [
        "task 0",
        "task 1",
        "task 2",
    ]
    assert {r.status for r in results} == {TaskResultStatus.SUCCESSFUL}
    assert WorkerHeartbeat.objects.count() == 1
    # A worker that has stopped must not go on reporting that it is alive.
    assert heartbeat_threads() == []


@pytest.mark.usefixtures("transactional_db", "keep_signal_handlers")
def test_batch_worker_with_an_empty_queue_still_reports_once():
    call_command("worker", "--batch", "--no-startup-delay", "--worker-id", "idle-worker")

    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["idle-worker"]
    assert heartbeat_threads() == []


# --- As its own process -----------------------------------------------------


def _samraad(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*SAMRAAD, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def sqlite_file_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a separate Samråd with its own migrated SQLite file (WAL)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "SECRET_KEY": "test-key-for-the-worker-tests",
        "SAMRAAD_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'samraad.sqlite3'}",
    }
    migrated = _samraad("migrate", "--no-input", "-v", "0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    return env


def _query(env: dict[str, str], sql: str, *params: object) -> list[tuple]:
    database = sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///"), timeout=20)
    try:
        return database.execute(sql, params).fetchall()
    finally:
        database.close()


def test_worker_process_on_a_sqlite_file(sqlite_file_env):
    env = sqlite_file_env
    enqueued = _samraad(
        "shell",
        "-v",
        "0",
        "-c",
        "from samraad.core.tasks import probe; print(probe.enqueue('from the shell').id)",
        env=env,
    )
    assert enqueued.returncode == 0, enqueued.stderr
    task_id = enqueued.stdout.strip()

    worker = _samraad("worker", "--batch", "--no-startup-delay", "--worker-id", "proc-1", env=env)
    assert worker.returncode == 0, worker.stderr

    rows = _query(
        env,
        "SELECT status, return_value FROM django_tasks_database_dbtaskresult "
        "WHERE replace(id, '-', '') = ?",
        task_id.replace("-", ""),
    )
    assert len(rows) == 1
    status, return_value = rows[0]
    assert status == TaskResultStatus.SUCCESSFUL
    assert '"requested_at": "from the shell"' in return_value
    beats = _query(env, "SELECT worker_id, pid FROM core_workerheartbeat")
    assert len(beats) == 1
    assert beats[0][0] == "proc-1"


def test_running_worker_keeps_beating_and_stops_cleanly_on_sigterm(sqlite_file_env):
    env = {**sqlite_file_env, "WORKER_HEARTBEAT_SECONDS": "1"}
    worker = subprocess.Popen(
        [*SAMRAAD, "worker", "--no-startup-delay", "--interval", "0.2", "--worker-id", "live"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def last_seen() -> str | None:
            rows = _query(env, "SELECT last_seen_at FROM core_workerheartbeat")
            return rows[0][0] if rows else None

        first = wait_for(last_seen, seconds=30, what="the first heartbeat")
        wait_for(lambda: last_seen() != first, seconds=30, what="a second heartbeat")
        assert worker.poll() is None, "the worker stopped by itself"

        worker.send_signal(signal.SIGTERM)
        _, stderr = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, stderr
    assert "Traceback" not in stderr


# --- As its own process, against the test database (PostgreSQL) ------------


@pytest.mark.usefixtures("transactional_db")
def test_worker_process_against_the_postgres_test_database():
    if connection.vendor != "postgresql":
        pytest.skip("an in-memory SQLite test database cannot be reached from another process")
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    queued = probe.enqueue("for the worker process")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SECRET_KEY": "test-key-for-the-worker-tests",
        "DATABASE_URL": url,
    }

    worker = _samraad("worker", "--batch", "--no-startup-delay", "--worker-id", "pg-proc", env=env)

    assert worker.returncode == 0, worker.stderr
    done = DBTaskResult.objects.get(id=queued.id)
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert done.return_value["requested_at"] == "for the worker process"
    beat = WorkerHeartbeat.objects.get()
    assert beat.worker_id == "pg-proc"
    assert beat.pid != os.getpid()
