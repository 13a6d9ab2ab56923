"""What the benchmarks share: the processes they start, their own database, cleaning up."""

from __future__ import annotations

import contextlib
import re
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit


class BenchError(Exception):
    """The run cannot go on; the message says why."""


def log(text: str) -> None:
    print(f"[bench] {text}", flush=True)


def _die_with_parent() -> None:
    """In a child, before exec: get SIGKILL when the benchmark dies (Linux), so none outlive it."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class Children:
    """Every process the benchmark starts, so that all of them are stopped on the way out."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen] = []

    def start(self, argv: list[str], **kwargs: Any) -> subprocess.Popen:
        process = subprocess.Popen(  # noqa: S603  (our own interpreter, fixed arguments)
            argv, start_new_session=True, preexec_fn=_die_with_parent, **kwargs
        )
        self.processes.append(process)
        return process

    @staticmethod
    def stop(process: subprocess.Popen, *, grace: float = 20.0) -> None:
        """SIGTERM, then SIGKILL after `grace` seconds; reap it either way."""
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                process.wait()
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            self.stop(process, grace=10.0)
        self.processes.clear()


def create_database(admin: str, name: str) -> str:
    """A new, empty database `name` on the server; its DATABASE_URL."""
    import psycopg

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or name in {
        "postgres",
        "template0",
        "template1",
    }:
        raise BenchError(f"refusing to use {name!r} as the benchmark's own database")
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(admin)._replace(path=f"/{name}"))


def drop_database(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def tear_down(
    children: Children, *, admin: str | None, db_name: str | None, workdir: Path, keep: bool
) -> None:
    """On the way out of a benchmark: stop its processes, drop its database, remove its files."""
    children.stop_all()
    if db_name and admin:
        try:
            drop_database(admin, db_name)
        except Exception as error:
            log(f"could not drop database {db_name}: {error}")
    if keep:
        log(f"kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
