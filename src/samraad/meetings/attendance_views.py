"""The secretariat's attendance pages: upload a session's Teams report, resolve its rows,
see and export the figures."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from samraad.core.errors import ServiceError
from samraad.core.exports import csv_response, xlsx_response
from samraad.core.permissions import staff_required
from samraad.meetings.attendance_forms import (
    AttendanceUploadForm,
    DismissForm,
    MatchForm,
    MatchSearchForm,
)
from samraad.meetings.attendance_selectors import (
    attendance_by_session,
    attendance_figures,
    attendance_import_for,
    attendance_match_candidates,
    attendance_records_for_export,
    attendance_records_of,
)
from samraad.meetings.attendance_services import (
    attendance_import,
    attendance_record_dismiss,
    attendance_record_match,
)
from samraad.meetings.models import AttendanceRecord, MatchedBy, Meeting, Session

# "(Guest)", "[External]": what Teams adds to a name, left out of the first search.
_BRACKETS_RE = re.compile(r"[(\[][^)\]]*[)\]]")


def _meeting(slug: str) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("round"), round__slug=slug)


def _record(meeting: Meeting, pk: int) -> AttendanceRecord:
    return get_object_or_404(
        AttendanceRecord.objects.select_related("attendance_import", "session"),
        pk=pk,
        session__meeting=meeting,
    )


def _attendance_page(
    request: HttpRequest, meeting: Meeting, forms: dict[int, AttendanceUploadForm] | None = None
) -> HttpResponse:
    forms = forms or {}
    sessions = attendance_by_session(meeting)
    return render(
        request,
        "meetings/staff_attendance.html",
        {
            "round": meeting.round,
            "meeting": meeting,
            "sessions": [
                (row, forms.get(row.session.pk) or AttendanceUploadForm()) for row in sessions
            ],
            "tables": attendance_figures(meeting),
            "max_bytes": settings.ATTENDANCE_MAX_BYTES,
        },
    )


@staff_required
def attendance(request: HttpRequest, slug: str) -> HttpResponse:
    return _attendance_page(request, _meeting(slug))


@staff_required
@require_POST
def upload(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting = _meeting(slug)
    session = get_object_or_404(Session, pk=pk, meeting=meeting)
    form = AttendanceUploadForm(request.POST, request.FILES)
    if form.is_valid():
        file = form.cleaned_data["file"]
        try:
            # One byte more than allowed is enough for the service to refuse a larger file.
            result = attendance_import(
                session=session,
                data=file.read(settings.ATTENDANCE_MAX_BYTES + 1),
                filename=file.name or "",
                user=request.user,
            )
        except ServiceError as error:
            form.add_error("file", error.message)
        else:
            if result.already_imported:
                messages.info(
                    request,
                    _(
                        "This file was already imported on %(when)s; importing it again "
                        "changes nothing."
                    )
                    % {
                        "when": formats.date_format(
                            timezone.localtime(result.imported_at), "DATETIME_FORMAT"
                        )
                    },
                )
            else:
                messages.success(
                    request,
                    _("The report is imported: %(rows)s participants.") % {"rows": result.rows},
                )
            return redirect("meetings:staff_attendance_import", slug=slug, pk=result.pk)
    return _attendance_page(request, meeting, {session.pk: form})


@staff_required
def import_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting = _meeting(slug)
    found = attendance_import_for(meeting=meeting, pk=pk)
    if found is None:
        raise Http404
    records = list(attendance_records_of(found))
    return render(
        request,
        "meetings/staff_attendance_import.html",
        {
            "round": meeting.round,
            "meeting": meeting,
            "attendance_import": found,
            "open": [r for r in records if r.person_id is None and not r.dismissed],
            "by_name": [r for r in records if r.matched_by == MatchedBy.NAME],
            "by_staff": [r for r in records if r.matched_by == MatchedBy.STAFF],
            "dismissed": [r for r in records if r.dismissed],
        },
    )


def _search_text(record: AttendanceRecord) -> str:
    return " ".join(_BRACKETS_RE.sub(" ", record.name).split()) or record.email


@staff_required
def match(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting = _meeting(slug)
    record = _record(meeting, pk)
    form = MatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            attendance_record_match(
                record=record, person=form.cleaned_data["person"], user=request.user
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("“%(row)s” is matched to %(person)s.")
                % {"row": record.name or record.email, "person": form.cleaned_data["person"]},
            )
            return redirect(
                "meetings:staff_attendance_import", slug=slug, pk=record.attendance_import_id
            )
    search = MatchSearchForm(request.GET or {"q": _search_text(record)})
    text = search.cleaned_data["q"] if search.is_valid() else ""
    return render(
        request,
        "meetings/staff_attendance_match.html",
        {
            "round": meeting.round,
            "meeting": meeting,
            "record": record,
            "form": form,
            "search": search,
            "candidates": attendance_match_candidates(meeting=meeting, text=text),
            "dismiss_form": DismissForm(),
        },
    )


@staff_required
@require_POST
def dismiss(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting = _meeting(slug)
    record = _record(meeting, pk)
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
        return redirect(
            "meetings:staff_attendance_import", slug=slug, pk=record.attendance_import_id
        )
    try:
        count = attendance_record_dismiss(
            record=record, reason=form.cleaned_data["reason"], user=request.user
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        row = record.name or record.email
        if count == 1:
            message = _("“%(row)s” is dismissed.") % {"row": row}
        else:
            message = ngettext(
                "“%(row)s” and %(others)s other row with the same name are dismissed.",
                "“%(row)s” and %(others)s other rows with the same name are dismissed.",
                count - 1,
            ) % {"row": row, "others": count - 1}
        messages.success(request, message)
    return redirect("meetings:staff_attendance_import", slug=slug, pk=record.attendance_import_id)


def _record_rows(meeting: Meeting) -> tuple[list[str], list[list]]:
    headers = [
        _("Session"),
        _("Name in the report"),
        _("Email in the report"),
        _("Role"),
        _("Minutes"),
        _("First join"),
        _("Last leave"),
        _("Matched by"),
        _("Person"),
        _("Municipality"),
        _("Region"),
        _("Party"),
        _("Title"),
        _("Dismissed because"),
    ]
    rows = []
    for r in attendance_records_for_export(meeting):
        person, municipality = r.person, r.person.municipality if r.person else None
        rows.append(
            [
                r.session.starts_at,
                r.name,
                r.email,
                r.role,
                round(r.seconds / 60),
                r.first_join,
                r.last_leave,
                r.get_matched_by_display(),
                person.name if person else "",
                municipality.name if municipality else "",
                municipality.region.name if municipality else "",
                person.party if person else "",
                person.title if person else "",
                r.dismissed_reason,
            ]
        )
    return headers, rows


def _figure_rows(meeting: Meeting) -> tuple[list[str], list[list]]:
    headers = [
        _("Grouped by"),
        _("Group"),
        _("Registered"),
        _("Attended"),
        _("Registered and attended"),
        _("Share of the registered who attended (%)"),
        _("Minutes"),
    ]
    tables = attendance_figures(meeting)
    rows = []
    for kind, figures in (
        (_("Total"), [tables.total]),
        (_("Region"), tables.by_region),
        (_("Municipality"), tables.by_municipality),
        (_("Party"), tables.by_party),
        (_("Title"), tables.by_title),
    ):
        for f in figures:
            share = "" if f.share is None else round(100 * f.share, 1)
            rows.append(
                [kind, f.label, f.registered, f.attended, f.attended_registered, share, f.minutes]
            )
    return headers, rows


@staff_required
def export(request: HttpRequest, slug: str, kind: str, fmt: str) -> HttpResponse:
    meeting = _meeting(slug)
    if kind == "records":
        headers, rows = _record_rows(meeting)
        title = _("Attendance")
    elif kind == "figures":
        headers, rows = _figure_rows(meeting)
        title = _("Attendance figures")
    else:
        raise Http404
    filename = f"{meeting.round.slug}-attendance-{kind}"
    if fmt == "csv":
        return csv_response(headers, rows, filename)
    if fmt == "xlsx":
        return xlsx_response(headers, rows, filename, title=title)
    raise Http404
