"""Reading settings from the environment, with clear messages for bad values."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

SQLITE_SCHEMES = {"sqlite"}
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}


def env_bool(name: str, *, default: bool) -> bool:
    """The environment variable `name` as a boolean; a value that is not one fails loudly."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1 or 0.")


def env_int(name: str, *, default: int) -> int:
    """The environment variable `name` as an integer."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, *, default: list[str]) -> list[str]:
    """The environment variable `name` as a comma-separated list."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_url(url: str) -> dict[str, Any]:
    """Django's DATABASES entry for `url`: SQLite tuned for concurrent writers, or PostgreSQL."""
    scheme = urlsplit(url).scheme.lower()
    if scheme in SQLITE_SCHEMES:
        config = dj_database_url.parse(url)
        # WAL lets readers work during a write; IMMEDIATE takes the write lock
        # when a transaction starts, so two writers queue on the busy timeout
        # instead of failing with "database is locked" half-way through.
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        return config
    if scheme in POSTGRES_SCHEMES:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        # Server-side parameters, and a statement run five times on a connection is prepared
        # there: the server then skips parsing and planning it again. The hot paths (a
        # member's link, page and registration) run the same few statements all day.
        # Behind a connection pooler in transaction mode this needs PgBouncer 1.21 or newer
        # with max_prepared_statements set.
        config["OPTIONS"] = {
            "connect_timeout": 5,
            "server_side_binding": True,
            "prepare_threshold": 5,
        }
        return config
    shown = scheme or url
    raise ImproperlyConfigured(
        f"DATABASE_URL has an unknown scheme {shown!r}: use sqlite:///path or "
        "postgres://user@host:port/name."
    )
