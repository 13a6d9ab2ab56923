"""The `samraad` command as an operator meets it: a real process with a controlled environment.

A bad set-up must end in one clear line on stderr and a non-zero exit status, never a
traceback.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

SAMRAAD = [sys.executable, "-m", "samraad.cli"]
# Port 1 on loopback: nothing listens there, so the connection is refused at once.
UNREACHABLE_POSTGRES = "postgres://postgres@127.0.0.1:1/none"


def samraad(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    """Run `samraad *args` with exactly `env` (plus PATH), as a shell would."""
    full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", **env}
    return subprocess.run(
        [*SAMRAAD, *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{stderr}"
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture
def base_env(tmp_path: Path) -> dict[str, str]:
    """A production-like environment (no DEBUG, no demo) with its own var directory."""
    return {"SECRET_KEY": "test-key-for-the-cli-tests", "SAMRAAD_VAR_DIR": str(tmp_path)}


def test_a_good_environment_passes_the_checks(base_env):
    # The control case: the failures below are caused by what each one changes.
    result = samraad("check", env=base_env)
    assert result.returncode == 0, result.stderr
    assert "samraad:" not in result.stderr


def test_unknown_database_scheme_is_one_configuration_error_line(base_env):
    result = samraad("check", env={**base_env, "DATABASE_URL": "mysql://x"})
    assert result.returncode != 0
    line = one_line(result.stderr)
    assert line.startswith("samraad: configuration error")
    assert "'mysql'" in line


def test_unreachable_postgres_is_one_database_line(base_env):
    result = samraad(
        "migrate", "--no-input", env={**base_env, "DATABASE_URL": UNREACHABLE_POSTGRES}
    )
    assert result.returncode != 0
    line = one_line(result.stderr)
    assert line.startswith("samraad: cannot use the database")
    # It says which database, without a password, and why.
    assert "127.0.0.1:1" in line
    assert "refused" in line.lower()


def test_password_is_not_shown_when_the_database_is_unreachable(base_env):
    url = "postgres://samraad:hemmelig-kode@127.0.0.1:1/none"
    result = samraad("migrate", "--no-input", env={**base_env, "DATABASE_URL": url})
    assert result.returncode != 0
    line = one_line(result.stderr)
    assert line.startswith("samraad: cannot use the database")
    assert "hemmelig-kode" not in result.stderr + result.stdout


def test_sqlite_file_that_cannot_be_opened_is_one_database_line(base_env, tmp_path):
    missing = tmp_path / "no" / "such" / "folder" / "samraad.sqlite3"
    env = {**base_env, "DATABASE_URL": f"sqlite:///{missing}"}
    result = samraad("migrate", "--no-input", env=env)
    assert result.returncode != 0
    line = one_line(result.stderr)
    assert line.startswith("samraad: cannot use the database")
    assert str(missing) in line


def test_missing_secret_key_without_debug_is_one_configuration_error_line(base_env):
    env = {key: value for key, value in base_env.items() if key != "SECRET_KEY"}
    result = samraad("check", env=env)
    assert result.returncode != 0
    line = one_line(result.stderr)
    assert line.startswith("samraad: configuration error")
    assert "SECRET_KEY" in line


def test_debug_allows_a_missing_secret_key(base_env):
    env = {key: value for key, value in base_env.items() if key != "SECRET_KEY"}
    result = samraad("check", env={**env, "DEBUG": "1"})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"WORKER_HEARTBEAT_SECONDS": "often"}, "WORKER_HEARTBEAT_SECONDS"),
        ({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "EMAIL_USE_SSL"),
    ],
)
def test_bad_values_are_one_configuration_error_line(base_env, extra, named):
    result = samraad("check", env={**base_env, **extra})
    assert result.returncode != 0
    line = one_line(result.stderr)
    assert line.startswith("samraad: configuration error")
    assert named in line


def test_migrate_creates_the_default_sqlite_file_in_wal_mode(base_env, tmp_path):
    """Without DATABASE_URL the database is var/samraad.sqlite3, set up for concurrent writers."""
    result = samraad("migrate", "--no-input", "-v", "0", env=base_env)
    assert result.returncode == 0, result.stderr
    database = tmp_path / "samraad.sqlite3"
    assert database.exists()
    connection = sqlite3.connect(database)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    finally:
        connection.close()
    assert "core_workerheartbeat" in tables


def test_installed_console_script_is_the_same_command(base_env):
    script = Path(sys.executable).with_name("samraad")
    if not script.exists():
        pytest.skip("the samraad console script is not installed in this environment")
    result = subprocess.run(
        [str(script), "check"],
        env={"PATH": os.environ.get("PATH", ""), **base_env, "DATABASE_URL": "mysql://x"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert one_line(result.stderr).startswith("samraad: configuration error")
