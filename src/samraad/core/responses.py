"""Responses for content Samråd did not write: downloads and foreign HTML."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from samraad.core.exports import export_served


def download_response(
    content: bytes, *, filename: str, content_type: str = "application/octet-stream"
) -> HttpResponse:
    """`content` as a download named `filename` (any characters, RFC 6266), never shown inline."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    export_served.send(sender=download_response, filename=filename, content_type=content_type)
    return response


def sandboxed_html_response(html: str) -> HttpResponse:
    """HTML from a mail, served alone and sandboxed: no scripts, no requests, no forms."""
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    )
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
