"""The local mail catcher's staff pages (demo mode only)."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from samraad.core.permissions import staff_required
from samraad.core.responses import download_response, sandboxed_html_response
from samraad.mail.models import CaughtMessage
from samraad.mail.selectors import message_html, message_parts, message_text


def _demo_only() -> None:
    if not settings.DEMO_MODE:
        raise Http404


@staff_required
def caught_list(request: HttpRequest) -> HttpResponse:
    _demo_only()
    page = Paginator(CaughtMessage.objects.defer("raw"), 50).get_page(request.GET.get("page"))
    return render(request, "mail/caught_list.html", {"page": page})


@staff_required
def caught_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _demo_only()
    caught = get_object_or_404(CaughtMessage, pk=pk)
    return render(
        request,
        "mail/caught_detail.html",
        {
            "caught": caught,
            "headers": caught.message.items(),
            "text_body": message_text(caught.message),
            "parts": message_parts(caught.message),
        },
    )


@staff_required
def caught_html(request: HttpRequest, pk: int) -> HttpResponse:
    """The HTML body, served alone and sandboxed so its markup cannot touch Samråd's pages."""
    _demo_only()
    caught = get_object_or_404(CaughtMessage, pk=pk)
    html = message_html(caught.message)
    if html is None:
        raise Http404
    return sandboxed_html_response(html)


@staff_required
def caught_part(request: HttpRequest, pk: int, index: int) -> HttpResponse:
    """One attachment, always as a download."""
    _demo_only()
    caught = get_object_or_404(CaughtMessage, pk=pk)
    parts = message_parts(caught.message)
    if not 0 <= index < len(parts):
        raise Http404
    part = parts[index]
    return download_response(part.payload, filename=part.safe_filename)
