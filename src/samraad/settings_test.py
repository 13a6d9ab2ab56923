"""Settings for the test suite: the normal settings with a test key and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "insecure-key-for-tests-only")
os.environ.setdefault("SAMRAAD_DEMO", "1")

from samraad.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_USE_FINDERS = True

# Live-server tests (the browser journeys, the registration race) answer requests in
# threads of their own. Django's default SQLite test database lives in memory, and
# pytest-django then hands the test thread's one connection to every server thread:
# concurrent requests share it and fail with "database table is locked" (SQLITE_LOCKED,
# which no busy timeout waits out). In a file, each thread has its own connection and
# writers queue for the lock as in production. One file per test process.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"samraad-test-{os.getpid()}.sqlite3")
    }
