"""The audit log page, a person's data export and erasure, and the privacy notice."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samraad.audit.forms import AuditFilterForm
from samraad.audit.privacy import person_data_export, person_data_export_record, person_erase
from samraad.audit.selectors import audit_events_filter
from samraad.core.permissions import staff_required
from samraad.directory.models import Person
from samraad.rounds.models import Round

PAGE_SIZE = 50
VIEW_PERMISSION = "audit.view_auditevent"
ERASE_PERMISSION = "audit.erase_person"


@staff_required
def event_list(request: HttpRequest) -> HttpResponse:
    """The audit log, filtered; only for users with the audit permission (administrators)."""
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    form = AuditFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_events_filter(
        actor=filters.get("actor") or "",
        action=filters.get("action") or "",
        object_type=filters.get("object_type") or "",
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        text=filters.get("q") or "",
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"form": form, "page": page})


@staff_required
def person_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything Samråd holds about one person, as a JSON download; the export is audited."""
    person = get_object_or_404(Person.objects.select_related("municipality", "region"), pk=pk)
    data = person_data_export(person=person)
    person_data_export_record(person=person)
    request._audit_export_recorded = True  # recorded as a privacy export, not a plain one
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"samraad-person-{person.pk}.json"
    )
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def person_erase_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then anonymise one person; only for users allowed to erase."""
    if not request.user.has_perm(ERASE_PERMISSION):
        raise PermissionDenied
    person = get_object_or_404(Person.objects.select_related("municipality"), pk=pk)
    if request.method == "POST":
        if request.POST.get("confirm") != "erase":
            messages.error(request, _("Tick the box to confirm the erasure."))
        else:
            erased = person_erase(person=person)
            messages.success(
                request,
                _("The person's data is erased. They are now %(name)s.") % {"name": erased.name},
            )
            return redirect("directory:person_edit", pk=erased.pk)
    return render(request, "audit/person_erase.html", {"person": person})


def privacy_notice(request: HttpRequest) -> HttpResponse:
    """The privacy notice: what is collected, why, who sees it, how long, rights, contact."""
    current = Round.objects.published().select_related("contact").order_by("-starts_on").first()
    return render(
        request,
        "audit/privacy_notice.html",
        {
            "current_round": current,
            "contact": current.contact if current else None,
            "association_address": settings.ASSOCIATION_ADDRESS,
        },
    )
