"""The secretariat's pages for the virtual large meetings of a round."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samraad.accounts.services import access_links_revoke
from samraad.core.errors import ServiceError
from samraad.core.exports import csv_response, xlsx_response
from samraad.core.permissions import staff_required
from samraad.core.tasks import enqueue_on_commit
from samraad.core.timeutils import aware_local, local_zone
from samraad.directory.models import Person
from samraad.meetings.forms import AudienceForm, MeetingForm, ReminderForm, SessionForm
from samraad.meetings.models import Meeting, RegistrationStatus, Session
from samraad.meetings.selectors import (
    meeting_figures,
    people_status,
    registrations_by_area,
    registrations_for_export,
    sessions_with_seats,
)
from samraad.meetings.services import meeting_update, session_update
from samraad.meetings.tasks import send_invitations


def _meeting(slug: str) -> Meeting:
    meeting = Meeting.objects.select_related("round__contact").filter(round__slug=slug).first()
    if meeting is None:
        raise Http404
    return meeting


def _local(value: datetime.datetime | None) -> datetime.datetime | None:
    return timezone.localtime(value, local_zone()).replace(tzinfo=None) if value else None


@staff_required
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = _meeting(slug)
    return render(
        request,
        "meetings/staff_overview.html",
        {
            "round": meeting.round,
            "meeting": meeting,
            "figures": meeting_figures(meeting),
            "seats": sessions_with_seats(meeting),
            "regions": registrations_by_area(meeting, level="region"),
            "municipalities": registrations_by_area(meeting, level="municipality"),
            "settings_form": MeetingForm(
                initial={
                    "registration_opens_at": _local(meeting.registration_opens_at),
                    "registration_deadline": _local(meeting.registration_deadline),
                    "link_release_at": _local(meeting.link_release_at),
                    "late_registration": meeting.late_registration,
                }
            ),
            "audience_form": AudienceForm(round=meeting.round),
            "reminder_form": ReminderForm(
                initial={
                    "reminder_at": _local(meeting.reminder_at),
                    "day_reminder_time": meeting.day_reminder_time,
                }
            ),
        },
    )


@staff_required
@require_POST
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = _meeting(slug)
    form = AudienceForm(request.POST, round=meeting.round)
    if form.is_valid():
        enqueue_on_commit(
            send_invitations,
            meeting.pk,
            [region.pk for region in form.cleaned_data["regions"]],
            [municipality.pk for municipality in form.cleaned_data["municipalities"]],
        )
        messages.success(
            request,
            _(
                "The invitations are being sent by the worker. Members already invited are "
                "not invited again. Refresh to follow the count."
            ),
        )
    else:
        messages.error(request, _("Choose regions and municipalities from the lists."))
    return redirect("meetings:staff_overview", slug=slug)


@staff_required
@require_POST
def reminders(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = _meeting(slug)
    form = ReminderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the time as a date and a time of day."))
        return redirect("meetings:staff_overview", slug=slug)
    reminder_at = aware_local(form.cleaned_data["reminder_at"])
    if reminder_at is not None and reminder_at > meeting.registration_deadline:
        messages.error(request, _("The reminder must go out before the deadline."))
        return redirect("meetings:staff_overview", slug=slug)
    meeting.reminder_at = reminder_at
    meeting.day_reminder_time = form.cleaned_data["day_reminder_time"]
    meeting.save(update_fields=["reminder_at", "day_reminder_time"])
    messages.success(request, _("The reminders are scheduled."))
    return redirect("meetings:staff_overview", slug=slug)


@staff_required
def session_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting = _meeting(slug)
    session = get_object_or_404(Session, pk=pk, meeting=meeting)
    form = SessionForm(
        request.POST or None,
        initial={
            "starts_at": _local(session.starts_at),
            "ends_at": _local(session.ends_at),
            "format": session.format,
            "capacity": session.capacity,
            "join_url": session.join_url,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session_update(
                session=session,
                starts_at=aware_local(data["starts_at"]),
                ends_at=aware_local(data["ends_at"]),
                format=data["format"],
                capacity=data["capacity"],
                join_url=data["join_url"],
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The session is saved."))
            return redirect("meetings:staff_overview", slug=slug)
    return render(
        request,
        "meetings/staff_session.html",
        {"round": meeting.round, "meeting": meeting, "session": session, "form": form},
    )


@staff_required
def people(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = _meeting(slug)
    rows = people_status(meeting)
    status = request.GET.get("status", "")
    if status == "none":
        rows = rows.filter(registration_status__isnull=True)
    elif status in RegistrationStatus.values:
        rows = rows.filter(registration_status=status)
    if query := request.GET.get("q", "").strip():
        rows = rows.filter(name__icontains=query) | rows.filter(email__icontains=query)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/staff_people.html",
        {
            "round": meeting.round,
            "meeting": meeting,
            "page": page,
            "status": status,
            "query": query,
            "statuses": RegistrationStatus.choices,
        },
    )


@staff_required
def export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    meeting = _meeting(slug)
    headers = [
        _("Name"),
        _("Email"),
        _("Municipality"),
        _("Region"),
        _("Party"),
        _("Title"),
        _("Session"),
        _("Status"),
        _("Late"),
        _("Question or theme"),
        _("Registered"),
    ]
    rows = (
        [
            r.person.name,
            r.person.email,
            r.person.municipality.name if r.person.municipality else "",
            r.person.municipality.region.name if r.person.municipality else "",
            r.person.party,
            r.person.title,
            r.session.starts_at,
            r.get_status_display(),
            _("Yes") if r.late else "",
            r.question,
            r.created_at,
        ]
        for r in registrations_for_export(meeting)
    )
    filename = f"{meeting.round.slug}-registrations"
    if fmt == "csv":
        return csv_response(headers, rows, filename)
    if fmt == "xlsx":
        return xlsx_response(headers, rows, filename, title=_("Registrations"))
    raise Http404


@staff_required
@require_POST
def meeting_settings(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = _meeting(slug)
    form = MeetingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give each time as a date and a time of day."))
        return redirect("meetings:staff_overview", slug=slug)

    data = form.cleaned_data
    try:
        meeting_update(
            meeting=meeting,
            registration_opens_at=aware_local(data["registration_opens_at"]),
            registration_deadline=aware_local(data["registration_deadline"]),
            link_release_at=aware_local(data["link_release_at"]),
            late_registration=data["late_registration"],
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The registration settings are saved."))
    return redirect("meetings:staff_overview", slug=slug)


@staff_required
@require_POST
def revoke_links(request: HttpRequest, slug: str, person_pk: int) -> HttpResponse:
    meeting = _meeting(slug)
    person = get_object_or_404(Person, pk=person_pk)
    count = access_links_revoke(person=person, round=meeting.round)
    messages.success(
        request,
        _("%(count)s personal links of %(name)s no longer work.")
        % {"count": count, "name": person.name},
    )
    return redirect(reverse("meetings:staff_people", args=[slug]) + f"?q={person.email}")
