"""The `samraad` command: Django's manage.py, with one clear line for a bad set-up."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samraad.settings")
    argv = list(sys.argv if argv is None else argv)
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        settings.INSTALLED_APPS  # noqa: B018  (loads the settings, which validate the environment)
    except ImproperlyConfigured as error:
        sys.exit(f"samraad: configuration error: {error}")
    try:
        execute_from_command_line(argv)
    except OperationalError as error:
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        sys.exit(f"samraad: cannot use the database ({describe_database()}): {detail}")


def describe_database() -> str:
    """The configured database without its password, for error messages."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    host = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
    return f"PostgreSQL {db.get('USER') or ''}@{host}/{db['NAME']}"


if __name__ == "__main__":
    main()
