"""Production security settings: Django's deployment checklist, cookies, HSTS, and the CSP."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.urls import reverse

from samraad.core.responses import sandboxed_html_response
from samraad.tests_support.factories import UserFactory
from samraad.tests_support.login import PASSWORD

PROJECT = Path(__file__).resolve().parents[4]
SAMRAAD = Path(sys.executable).parent / "samraad"
# What production looks like to the settings (scripts/check-deploy sets the same).
PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 60 + "production-like-key-for-this-test-only",
    "ALLOWED_HOSTS": "samraad.example.dk",
    "CSRF_TRUSTED_ORIGINS": "https://samraad.example.dk",
}
UNSET = (
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DEBUG",
    "SAMRAAD_DEMO",
    "SAMRAAD_SECURE",
    "SAMRAAD_BENCH",
)
SECURITY_SETTINGS = [
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "X_FRAME_OPTIONS",
    "SECURE_REFERRER_POLICY",
    "SECURE_CONTENT_TYPE_NOSNIFF",
]


def production_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in UNSET}
    return {**env, **PRODUCTION_ENV}


@pytest.fixture(scope="module")
def production_settings() -> dict:
    """The security settings as a production process (no DEBUG, no demo mode) has them."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{name: getattr(settings, name) for name in {SECURITY_SETTINGS!r}}}))"
    )
    env = {**production_env(), "DJANGO_SETTINGS_MODULE": "samraad.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    values = json.loads(result.stdout.strip().splitlines()[-1])
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


def test_the_deployment_checklist_passes_with_production_settings():
    result = subprocess.run(
        [str(PROJECT / "scripts" / "check-deploy")],
        env={**os.environ, "SAMRAAD": str(SAMRAAD)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings(production_settings):
    assert production_settings == production_settings | {
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "same-origin",
    }


def test_the_proxy_header_and_hsts_come_from_the_environment():
    env = {
        **production_env(),
        "DJANGO_SETTINGS_MODULE": "samraad.settings",
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Ssl: on",
        "SECURE_HSTS_SECONDS": "600",
    }
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.SECURE_PROXY_SSL_HEADER, settings.SECURE_HSTS_SECONDS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "('HTTP_X_FORWARDED_SSL', 'on') 600"

    env["SECURE_PROXY_SSL_HEADER"] = "no colon"
    bad = subprocess.run(
        [str(SAMRAAD), "check"], env=env, capture_output=True, text=True, cwd=PROJECT
    )
    assert bad.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER='no colon' is not 'Header-Name: value'" in bad.stderr


def test_cookies_and_headers_of_a_production_login(client, db, production_settings):
    user = UserFactory()
    with override_settings(**production_settings):
        assert client.get(reverse("accounts:login")).status_code == 301  # to https
        response = client.post(
            reverse("accounts:login"),
            {"username": user.username, "password": PASSWORD},
            secure=True,
        )
    assert response.status_code == 302
    session = response.cookies["__Host-sessionid"]
    csrf = response.cookies["__Host-csrftoken"]
    for cookie in (session, csrf):
        assert cookie["secure"] is True
        assert cookie["samesite"] == "Lax"
        assert cookie["path"] == "/"
        assert not cookie["domain"]
    assert session["httponly"] is True
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_every_page_has_a_content_security_policy_without_inline_code(client, db):
    response = client.get(reverse("accounts:login"))
    policy = dict(
        [*part.split(" ", 1), ""][:2] for part in response["Content-Security-Policy"].split("; ")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"] == ["'self'"]


def test_a_mails_html_keeps_its_own_sandboxed_policy():
    middleware = CSPMiddleware(lambda request: sandboxed_html_response("<p>Hej</p>"))
    response = middleware(RequestFactory().get("/staff/mail/caught/1/html/"))
    assert response["Content-Security-Policy"].startswith("sandbox; default-src 'none'")


# Mail bodies are not pages: mail clients need inline styles, and Samråd shows a
# mail's HTML only under the sandboxed policy above.
INLINE_ALLOWED = {"mail/templates/mail/email.html"}
INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.I
)


def test_no_template_has_inline_scripts_styles_or_event_handlers():
    root = PROJECT / "src" / "samraad"
    found = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in root.glob("**/templates/**/*.html")
        if str(path.relative_to(root)) not in INLINE_ALLOWED
        for match in INLINE_CODE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
