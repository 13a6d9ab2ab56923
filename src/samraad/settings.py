"""Settings for Samråd, read from the environment.

Every setting that differs between a laptop and production comes from an
environment variable (see the configuration table in README.md). Production
(DEBUG off, no demo mode) refuses to start without the settings it needs.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from samraad.core.config import database_from_url, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("SAMRAAD_VAR_DIR", PROJECT_DIR / "var"))

DEBUG = env_bool("DEBUG", default=False)
# Demo mode: the local mail catcher, its staff page and printed demo logins.
# `make run` turns it on; production leaves it off.
DEMO_MODE = env_bool("SAMRAAD_DEMO", default=DEBUG)
# Benchmark mode (`make bench-registration` only, never production): adds the
# floor endpoint /bench/floor/<token>/ (samraad/core/bench.py).
BENCH_MODE = env_bool("SAMRAAD_BENCH", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (DEBUG=1 allows a development key)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "samraad.accounts",
    "samraad.accounts.admin_config.SamraadAdminConfig",  # django.contrib.admin with two-factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "samraad.core",
    "samraad.directory",
    "samraad.rounds",
    "samraad.meetings",
    "samraad.regional",
    "samraad.councils",
    "samraad.speakers",
    "samraad.themes",
    "samraad.insights",
    # The REST API; `ninja` serves its docs page's Swagger UI from local static files.
    "ninja",
    "samraad.api",
    "samraad.briefing",
    "samraad.mail",
    "samraad.demo",
    "samraad.audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "samraad.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Who is acting, for the audit log (samraad/audit/context.py).
    "samraad.audit.context.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "samraad.urls"
WSGI_APPLICATION = "samraad.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "samraad.core.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# DATABASE_URL chooses the engine: sqlite:///path (default: var/samraad.sqlite3)
# or postgres://user:password@host:port/name.
DATABASE_URL = os.environ.get("DATABASE_URL") or ""
if not DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'samraad.sqlite3'}"
DATABASES = {"default": database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background tasks -----------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
    }
}
# How often the worker records that it is alive; the health page calls a
# worker silent after three missed beats.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", default=10)
# Work every worker does on each heartbeat: whatever is due by the clock.
WORKER_PERIODIC_JOBS = [
    "samraad.meetings.services.links_release_due",
    "samraad.meetings.invitations.invitation_reminders_due",
    "samraad.meetings.invitations.day_reminders_due",
    "samraad.councils.services.input_reminders_due",
    "samraad.audit.privacy.rounds_retention_due",
]

# A presenter's engagements must be at least this many minutes apart (travel between
# municipalities); an assignment closer to another one is refused.
SPEAKER_TRAVEL_BUFFER_MINUTES = env_int("SPEAKER_TRAVEL_BUFFER_MINUTES", default=90)

# --- Accounts -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:staff_home"
LOGOUT_REDIRECT_URL = "rounds:current"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Two-factor login (django-otp) for staff and the roles with a staff login: an
# authenticator app (TOTP) with single-use recovery codes. The name the app shows:
OTP_TOTP_ISSUER = os.environ.get("SAMRAAD_TOTP_ISSUER", "Samråd")
# The admin lists devices without their keys and recovery codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# django-otp's own per-device back-off is off: the login rate limit below counts
# wrong codes with wrong passwords, per account and per client, with one message.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Login rate limit (samraad/accounts/throttle.py): this many failed steps (password
# or code) within the window lock further attempts for that account, or from that
# client address, until the window has passed. The per-client limit is higher:
# a secretariat's office shares one address.
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", default=5)
LOGIN_FAILURES_PER_CLIENT = env_int("LOGIN_FAILURES_PER_CLIENT", default=20)
# How many proxies in front of Samråd append to X-Forwarded-For (0: use the
# connection's address). The client is the address that many entries from the right.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", default=0)
# Demo mode only: the authenticator secret (base32) of every demo login.
DEMO_TOTP_SECRET = os.environ.get("SAMRAAD_DEMO_TOTP_SECRET", "SAMRAADDEMOSAMRAADDEMOSAMRAADDEM")

# --- Language and time ----------------------------------------------------
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Copenhagen"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "samraad_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files ---------------------------------------------------------
# Front-end packages come from npm (`npm ci`, package-lock.json) and are served
# straight from node_modules; nothing built is committed.
NODE_MODULES = PROJECT_DIR / "node_modules"
STATIC_URL = "static/"
STATICFILES_DIRS = [
    ("dkfds", NODE_MODULES / "dkfds" / "dist"),
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
]
# Without collectstatic (development, demo, tests) WhiteNoise serves from the
# finders; production runs `samraad collectstatic` and serves STATIC_ROOT.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", default=DEBUG or DEMO_MODE)
STATIC_ROOT = os.environ.get("STATIC_ROOT") or (
    None if WHITENOISE_USE_FINDERS else PROJECT_DIR / "staticfiles"
)
WHITENOISE_AUTOREFRESH = DEBUG

# --- Mail -----------------------------------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", default=1025)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Samråd <samraad@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be set.")
# The outbox (see README, "Mail"). Delivery retries temporary failures with
# exponential back-off and jitter until the horizon, then marks the message failed.
MAIL_MESSAGE_ID_DOMAIN = os.environ.get("MAIL_MESSAGE_ID_DOMAIN", "samraad.local")
MAIL_BATCH_SIZE = env_int("MAIL_BATCH_SIZE", default=50)
MAIL_RATE_PER_MINUTE = env_int("MAIL_RATE_PER_MINUTE", default=0)  # 0: no cap
MAIL_RETRY_BASE_SECONDS = env_int("MAIL_RETRY_BASE_SECONDS", default=60)
MAIL_RETRY_MAX_SECONDS = env_int("MAIL_RETRY_MAX_SECONDS", default=60 * 60)
MAIL_RETRY_HORIZON_SECONDS = env_int("MAIL_RETRY_HORIZON_SECONDS", default=2 * 24 * 60 * 60)
# A message still "sending" this long after it was claimed belonged to a worker
# that died; the reaper queues it again.
MAIL_STALE_SECONDS = env_int("MAIL_STALE_SECONDS", default=5 * 60)
MAIL_POLL_SECONDS = env_int("MAIL_POLL_SECONDS", default=1)
# Inbound mail: the SMTP listener (`samraad inbound_smtp`) and the IMAP poller
# (`samraad inbound_imap`).
INBOUND_SMTP_HOST = os.environ.get("INBOUND_SMTP_HOST", "127.0.0.1")
INBOUND_SMTP_PORT = env_int("INBOUND_SMTP_PORT", default=2525)
INBOUND_MAX_BYTES = env_int("INBOUND_MAX_BYTES", default=40 * 1024 * 1024)
IMAP_HOST = os.environ.get("IMAP_HOST", "")
IMAP_PORT = env_int("IMAP_PORT", default=993)
IMAP_USER = os.environ.get("IMAP_USER", "")
IMAP_PASSWORD = os.environ.get("IMAP_PASSWORD", "")
IMAP_MAILBOX = os.environ.get("IMAP_MAILBOX", "INBOX")
IMAP_USE_SSL = env_bool("IMAP_USE_SSL", default=True)
IMAP_POLL_SECONDS = env_int("IMAP_POLL_SECONDS", default=60)
# The password `samraad demo` gives the demo logins it creates.
DEMO_PASSWORD = os.environ.get("SAMRAAD_DEMO_PASSWORD", "samraad-demo")
# The local mail catcher (demo mode only) listens here.
MAIL_CATCHER_PORT = env_int("MAIL_CATCHER_PORT", default=1025)

# The address people reach Samråd at: personal links in mail point here.
BASE_URL = os.environ.get("SAMRAAD_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The largest document (council input, KKR minutes) a user may upload.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", default=20 * 2**20)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 2**20
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 2**20
PEOPLE_IMPORT_MAX_BYTES = env_int("PEOPLE_IMPORT_MAX_BYTES", default=5 * 2**20)  # import size limit
# The largest Teams attendance report staff may upload. A real report of 1,000
# participants with several joins each is about 1 MB (UTF-16); 20 MB leaves room
# for a town hall of 10,000 while refusing a wrong file before it is read.
ATTENDANCE_MAX_BYTES = env_int("ATTENDANCE_MAX_BYTES", default=20 * 2**20)

# --- The association ------------------------------------------------------
ASSOCIATION_NAME = os.environ.get("SAMRAAD_ASSOCIATION_NAME", "KL")
ASSOCIATION_LONG_NAME = os.environ.get("SAMRAAD_ASSOCIATION_LONG_NAME", "Kommunernes Landsforening")
# The letterhead's address: lines separated by a newline (or a literal \n in the environment).
ASSOCIATION_ADDRESS = os.environ.get(
    "SAMRAAD_ASSOCIATION_ADDRESS", "Weidekampsgade 10\n2300 København S"
).replace("\\n", "\n")

# --- Security -------------------------------------------------------------
# Production (neither DEBUG nor demo mode, or SAMRAAD_SECURE=1) runs behind TLS:
# secure `__Host-` cookies, HSTS, redirect to https. Everything else holds in all
# modes, so the tests exercise it (the Content Security Policy above all).
SECURE_MODE = env_bool("SAMRAAD_SECURE", default=not DEBUG and not DEMO_MODE)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if SECURE_MODE:
    # `__Host-` cookies are only accepted over https, for this host and path /.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    # The header the TLS-terminating proxy sets, as "Header-Name: value"; empty: none.
    _proxy_ssl_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https")
    if _proxy_ssl_header.strip():
        _name, _sep, _value = _proxy_ssl_header.partition(":")
        if not _sep or not _name.strip() or not _value.strip():
            raise ImproperlyConfigured(
                f"SECURE_PROXY_SSL_HEADER={_proxy_ssl_header!r} is not 'Header-Name: value'."
            )
        SECURE_PROXY_SSL_HEADER = (
            "HTTP_" + _name.strip().upper().replace("-", "_"),
            _value.strip(),
        )
# Content Security Policy (django-csp), in every mode: scripts and styles only from
# Samråd's own static files, never inline. A mail's HTML is served with a sandboxed
# policy of its own (core/responses.py), which the middleware leaves as it is.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # aiosmtpd logs every connection at INFO; the catcher needs only its problems.
        "mail.log": {"level": "WARNING"},
    },
}

FORMAT_MODULE_PATH = ["samraad.formats"]
