"""Reading settings from the environment: the helpers in samraad.core.config."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.utils import ConnectionHandler

from samraad.core.config import database_from_url, env_bool, env_int, env_list
from samraad.directory.models import Municipality

VAR = "SAMRAAD_TEST_SETTING"


@pytest.fixture
def unset(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)


# --- env_bool ---------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "True", "YES", "on", " 1 "])
def test_env_bool_reads_true(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    assert env_bool(VAR, default=False) is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "OFF", ""])
def test_env_bool_reads_false(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    assert env_bool(VAR, default=True) is False


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_unset_gives_the_default(unset, default):
    assert env_bool(VAR, default=default) is default


@pytest.mark.parametrize("raw", ["maybe", "2", "ja", "t"])
def test_env_bool_refuses_other_values_and_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured) as caught:
        env_bool(VAR, default=False)
    assert VAR in str(caught.value)
    assert repr(raw) in str(caught.value)


# --- env_int ----------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [("42", 42), ("0", 0), ("-3", -3), (" 7 ", 7)])
def test_env_int_reads_whole_numbers(monkeypatch, raw, expected):
    monkeypatch.setenv(VAR, raw)
    assert env_int(VAR, default=99) == expected


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_env_int_unset_or_blank_gives_the_default(monkeypatch, raw):
    if raw is None:
        monkeypatch.delenv(VAR, raising=False)
    else:
        monkeypatch.setenv(VAR, raw)
    assert env_int(VAR, default=99) == 99


@pytest.mark.parametrize("raw", ["ten", "1.5", "10s", "0x10"])
def test_env_int_refuses_non_integers_and_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured) as caught:
        env_int(VAR, default=1)
    assert VAR in str(caught.value)
    assert repr(raw) in str(caught.value)


# --- env_list ---------------------------------------------------------------


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv(VAR, " samraad.kl.dk, ,www.samraad.kl.dk,,localhost ")
    assert env_list(VAR, default=["x"]) == ["samraad.kl.dk", "www.samraad.kl.dk", "localhost"]


def test_env_list_unset_gives_the_default(unset):
    assert env_list(VAR, default=["127.0.0.1"]) == ["127.0.0.1"]


def test_env_list_set_but_empty_is_an_empty_list(monkeypatch):
    monkeypatch.setenv(VAR, "")
    assert env_list(VAR, default=["127.0.0.1"]) == []


# --- database_from_url ------------------------------------------------------


def test_sqlite_url_is_tuned_for_concurrent_writers(tmp_path):
    path = tmp_path / "samraad.sqlite3"
    config = database_from_url(f"sqlite:///{path}")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(path)
    options = config["OPTIONS"]
    assert "journal_mode=WAL" in options["init_command"]
    assert "foreign_keys=ON" in options["init_command"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5


def test_sqlite_options_take_effect_on_a_real_connection(tmp_path, django_db_blocker):
    """Django accepts the options, and a fresh file really is in WAL mode afterwards."""
    path = tmp_path / "wal.sqlite3"
    handler = ConnectionHandler({"default": database_from_url(f"sqlite:///{path}")})
    connection = handler["default"]
    with django_db_blocker.unblock():
        try:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone()[0] == "wal"
                cursor.execute("PRAGMA foreign_keys")
                assert cursor.fetchone()[0] == 1
            assert connection.transaction_mode == "IMMEDIATE"
        finally:
            connection.close()
    assert path.exists()


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "pgsql"])
def test_postgres_url(scheme):
    config = database_from_url(f"{scheme}://samraad:hemmelig@db.example.dk:6543/samraad_prod")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "samraad_prod"
    assert config["USER"] == "samraad"
    assert config["PASSWORD"] == "hemmelig"
    assert config["HOST"] == "db.example.dk"
    assert int(config["PORT"]) == 6543
    # Connections are reused but checked, and a dead server fails fast.
    assert config["CONN_MAX_AGE"] > 0
    assert config["CONN_HEALTH_CHECKS"] is True
    assert 0 < config["OPTIONS"]["connect_timeout"] <= 30


@pytest.mark.parametrize(
    ("url", "mentioned"),
    [
        ("mysql://root@localhost/samraad", "'mysql'"),
        ("oracle://x", "'oracle'"),
        ("samraad.sqlite3", "samraad.sqlite3"),
    ],
)
def test_unknown_scheme_is_refused_with_the_scheme_named(url, mentioned):
    with pytest.raises(ImproperlyConfigured) as caught:
        database_from_url(url)
    message = str(caught.value)
    assert mentioned in message
    assert "DATABASE_URL" in message


@pytest.mark.django_db
def test_postgres_prepares_a_statement_run_again_and_again():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    for _ in range(6):
        list(Municipality.objects.filter(code=751).values_list("name", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("directory_municipality" in statement for statement in prepared), prepared
