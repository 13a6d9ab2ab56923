"""Who is acting right now: the request being served, kept in a context variable.

`AuditContextMiddleware` puts the request in `current_request` for the length
of the request, so the model signals (registry.py) and the export hook know
the actor without every service passing it along. Work outside a request (the
worker, management commands) has no actor; services that must be audited
there (retention, erasure) record their events themselves.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

current_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)


def current_actor():
    """The logged-in user of the current request, or None (anonymous, personal link, worker)."""
    request = current_request.get()
    if request is None:
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return user


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the web server saw it (the proxy's, behind one)."""
    address = request.META.get("REMOTE_ADDR") or None
    if address and len(address) > 45:
        return None
    return address


class AuditContextMiddleware:
    """Make the current request known to the audit log; log downloads nothing else logged."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            response = self.get_response(request)
            # Downloads not served by the shared export helpers (e.g. a letter PDF)
            # are still logged, by their file name.
            if not getattr(request, "_audit_export_recorded", False) and response.get(
                "Content-Disposition", ""
            ).startswith("attachment"):
                from samraad.audit.services import audit_export_record

                audit_export_record(
                    filename=_filename(response["Content-Disposition"]),
                    content_type=response.get("Content-Type", ""),
                )
            return response
        finally:
            current_request.reset(token)


def _filename(disposition: str) -> str:
    for part in disposition.split(";"):
        name, _sep, value = part.strip().partition("=")
        if name in ("filename", "filename*"):
            value = value.strip('"')
            return value.split("''", 1)[-1] if name == "filename*" else value
    return ""
