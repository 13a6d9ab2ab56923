"""Staff pages for inbound mail: the triage queue and each message.

Nothing a sender wrote is rendered inside Samråd's pages as markup: the HTML
body is served alone under a sandboxing Content-Security-Policy, and
attachments and the raw message are always downloads.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from samraad.core.permissions import staff_required
from samraad.core.responses import download_response, sandboxed_html_response
from samraad.mail.inbound import (
    inbound_copies,
    inbound_message_headers,
    inbound_receipt,
    inbound_triage_queue,
    safe_filename,
)
from samraad.mail.models import InboundAttachment, InboundMessage, TriageStatus

PAGE_SIZE = 50


@staff_required
def inbound_list(request: HttpRequest) -> HttpResponse:
    triage = request.GET.get("triage", "")
    if triage not in TriageStatus.values:
        triage = ""
    page = Paginator(inbound_triage_queue(triage_status=triage), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "mail/inbound_list.html",
        {"page": page, "triage": triage, "triage_choices": TriageStatus.choices},
    )


@staff_required
def inbound_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(
        InboundMessage.objects.select_related("round", "municipality"), pk=pk
    )
    return render(
        request,
        "mail/inbound_detail.html",
        {
            "message": message,
            "headers": inbound_message_headers(message),
            "attachments": message.attachments.defer("content"),
            "copies": inbound_copies(message),
            "receipt": inbound_receipt(message),
            "raw_size": len(message.raw),
        },
    )


@staff_required
def inbound_html(request: HttpRequest, pk: int) -> HttpResponse:
    """The HTML body, served alone and sandboxed so its markup cannot touch Samråd's pages."""
    message = get_object_or_404(InboundMessage.objects.only("pk", "body_html"), pk=pk)
    if not message.body_html:
        raise Http404
    return sandboxed_html_response(message.body_html)


@staff_required
def inbound_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """One attachment, always as a download (never shown inline, whatever its type)."""
    attachment = get_object_or_404(InboundAttachment, pk=attachment_pk, message_id=pk)
    return download_response(
        bytes(attachment.content),
        filename=safe_filename(attachment.filename),
        content_type="application/octet-stream",
    )


@staff_required
def inbound_raw(request: HttpRequest, pk: int) -> HttpResponse:
    """The message exactly as it arrived, as an .eml file."""
    message = get_object_or_404(InboundMessage.objects.only("pk", "raw"), pk=pk)
    return download_response(
        bytes(message.raw), filename=f"message-{pk}.eml", content_type="message/rfc822"
    )
