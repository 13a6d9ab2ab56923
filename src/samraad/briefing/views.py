"""Staff pages of the board briefing: ask for an export, follow its progress, download it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samraad.briefing.models import BriefingExport, BriefingFormat, BriefingStatus
from samraad.briefing.selectors import briefing_exports_for
from samraad.briefing.services import briefing_export_request
from samraad.core.errors import ServiceError
from samraad.core.permissions import staff_required
from samraad.core.responses import download_response
from samraad.rounds.models import Round

# How often the page asks for fresh progress while an export is being built (htmx).
POLL_SECONDS = 2


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_briefing(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the round's exports (only the list for htmx polling); POST: ask for a new one."""
    round_ = get_object_or_404(Round, slug=slug)
    if request.method == "POST":
        try:
            export = briefing_export_request(
                round=round_,
                user=request.user,
                format=request.POST.get("format", ""),
                language=translation.get_language() or "",
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The %(format)s briefing is queued. Its progress is shown below.")
                % {"format": export.get_format_display()},
            )
        return redirect("briefing:staff_briefing", slug=round_.slug)
    exports = list(briefing_exports_for(round=round_))
    context = {
        "round": round_,
        "exports": exports,
        "formats": BriefingFormat.choices,
        "polling": any(export.is_active and not export.is_stale for export in exports),
        "poll_seconds": POLL_SECONDS,
    }
    if request.headers.get("HX-Request"):
        response = render(request, "briefing/_exports.html", context)
    else:
        response = render(request, "briefing/staff_briefing.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_required
def staff_download(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A finished export of the round `slug`; another round's export answers 404."""
    export = get_object_or_404(
        BriefingExport.objects.select_related("round"),
        pk=pk,
        round__slug=slug,
        status=BriefingStatus.DONE,
    )
    return download_response(
        bytes(export.content), filename=export.filename, content_type=export.content_type
    )
