"""Pages for speaker requests: the municipal contact's, the staff's and the presenter's.

Each audience reaches only its own objects: a contact their municipality's requests
in the link's round, a presenter their own engagements; anything else is a 404,
with no hint that it exists.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from samraad.accounts.models import AccessLink
from samraad.core.errors import ServiceError
from samraad.core.permissions import role_required, staff_required
from samraad.councils.views import contact_link_resolve
from samraad.directory.models import RoleKind
from samraad.mail.models import InboundMessage
from samraad.speakers.forms import (
    AssignForm,
    NotesForm,
    ReasonForm,
    SlotFields,
    SpeakerRequestForm,
)
from samraad.speakers.models import SpeakerStatus
from samraad.speakers.selectors import (
    engagements_for_presenter,
    speaker_requests_for_municipality,
    speaker_requests_for_staff,
)
from samraad.speakers.services import (
    speaker_accept,
    speaker_assign,
    speaker_decline,
    speaker_mark_held,
    speaker_request_cancel,
    speaker_request_create,
    speaker_request_from_inbound,
    speaker_slot_add,
)

# --- The municipal contact, through their personal link -----------------------


def _contact_link(request: HttpRequest, token: str) -> AccessLink | HttpResponse:
    try:
        link = contact_link_resolve(token)
    except ServiceError as error:
        return render(request, "meetings/link_invalid.html", {"message": error.message}, status=404)
    if link.person.municipality_id is None:
        return render(
            request,
            "meetings/link_invalid.html",
            {"message": _("This link belongs to no municipality.")},
            status=404,
        )
    return link


@never_cache
def contact_requests(request: HttpRequest, token: str) -> HttpResponse:
    link = _contact_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    person, municipality = link.person, link.person.municipality
    form = SpeakerRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            speaker_request_create(
                round=link.round,
                municipality=municipality,
                requested_by=person,
                presenter_kind=data["presenter_kind"],
                meeting_format=data["meeting_format"],
                address=data["address"],
                online_url=data["online_url"],
                topic=data["topic"],
                audience=data["audience"],
                slots=data["slots"],
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Your request is sent. We will write when a presenter is found.")
            )
            return redirect(request.path)
    return render(
        request,
        "speakers/contact_requests.html",
        {
            "form": form,
            "token": token,
            "round": link.round,
            "municipality": municipality,
            "requests": speaker_requests_for_municipality(
                round=link.round, municipality=municipality
            ),
        },
    )


@never_cache
def contact_request_detail(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    link = _contact_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    speaker_request = get_object_or_404(
        speaker_requests_for_municipality(round=link.round, municipality=link.person.municipality),
        pk=pk,
    )
    return render(
        request,
        "speakers/contact_request_detail.html",
        {"speaker_request": speaker_request, "token": token},
    )


# --- Staff ----------------------------------------------------------------------


@staff_required
def staff_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in SpeakerStatus.values:
        status = ""
    return render(
        request,
        "speakers/staff_list.html",
        {
            "requests": speaker_requests_for_staff(status=status),
            "status": status,
            "status_choices": SpeakerStatus.choices,
        },
    )


@staff_required
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    speaker_request = get_object_or_404(speaker_requests_for_staff(), pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    assign_form = AssignForm(request.POST if action == "assign" else None, request=speaker_request)
    slot_form = SlotFields(request.POST if action == "slot" else None, prefix="slot")
    cancel_form = ReasonForm(request.POST if action == "cancel" else None, prefix="cancel")
    try:
        if action == "assign" and assign_form.is_valid():
            speaker_assign(
                request=speaker_request,
                presenter=assign_form.cleaned_data["presenter"],
                slot=assign_form.cleaned_data["slot"],
            )
            messages.success(
                request,
                _("%(presenter)s is assigned and has been asked to accept.")
                % {"presenter": assign_form.cleaned_data["presenter"].name},
            )
            return redirect(request.path)
        if action == "slot" and slot_form.is_valid():
            speaker_slot_add(
                request=speaker_request,
                starts_at=slot_form.cleaned_data["starts_at"],
                ends_at=slot_form.cleaned_data["ends_at"],
            )
            messages.success(request, _("The time is added."))
            return redirect(request.path)
        if action == "cancel" and cancel_form.is_valid():
            speaker_request_cancel(
                request=speaker_request, reason=cancel_form.cleaned_data["reason"]
            )
            messages.success(request, _("The request is cancelled."))
            return redirect(request.path)
    except ServiceError as error:
        {"assign": assign_form, "slot": slot_form, "cancel": cancel_form}[action].add_error(
            None, error.message
        )
    return render(
        request,
        "speakers/staff_detail.html",
        {
            "speaker_request": speaker_request,
            "assign_form": assign_form,
            "slot_form": slot_form,
            "cancel_form": cancel_form,
        },
    )


@staff_required
@require_POST
def staff_from_inbound(request: HttpRequest, message_pk: int) -> HttpResponse:
    """Turn an emailed message into a speaker request (the triage queue's action)."""
    message = get_object_or_404(InboundMessage.objects.select_related("round"), pk=message_pk)
    try:
        speaker_request = speaker_request_from_inbound(message=message)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("mail:inbound_detail", message.pk)
    messages.success(
        request,
        _("The message is now a speaker request. Add the proposed times and assign a presenter."),
    )
    return redirect("speakers:staff_detail", speaker_request.pk)


# --- The presenter's own page -----------------------------------------------------

_presenter_required = role_required(RoleKind.BOARD_MEMBER, RoleKind.SECRETARIAT)


@_presenter_required
def engagements(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "speakers/engagements.html",
        {"engagements": engagements_for_presenter(presenter=request.person)},
    )


@_presenter_required
def engagement(request: HttpRequest, pk: int) -> HttpResponse:
    if request.person is None:
        raise Http404
    speaker_request = get_object_or_404(engagements_for_presenter(presenter=request.person), pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    decline_form = ReasonForm(request.POST if action == "decline" else None, prefix="decline")
    notes_form = NotesForm(
        request.POST if action == "held" else None,
        initial={"notes": speaker_request.presenter_notes},
    )
    try:
        if action == "accept":
            speaker_accept(request=speaker_request, presenter=request.person)
            messages.success(
                request, _("You have accepted. The calendar entry is on its way by email.")
            )
            return redirect(request.path)
        if action == "decline" and decline_form.is_valid():
            speaker_decline(
                request=speaker_request,
                presenter=request.person,
                reason=decline_form.cleaned_data["reason"],
            )
            messages.success(
                request, _("You have declined. The secretariat will find another presenter.")
            )
            return redirect(reverse("speakers:engagements"))
        if action == "held" and notes_form.is_valid():
            speaker_mark_held(
                request=speaker_request,
                presenter=request.person,
                notes=notes_form.cleaned_data["notes"],
            )
            messages.success(request, _("Your notes are saved."))
            return redirect(request.path)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(request.path)
    return render(
        request,
        "speakers/engagement.html",
        {
            "speaker_request": speaker_request,
            "decline_form": decline_form,
            "notes_form": notes_form,
        },
    )
