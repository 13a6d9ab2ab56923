"""The secretariat's pages for council input: the roster, one input, links, reminders, triage."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samraad.core.errors import ServiceError
from samraad.core.permissions import staff_required
from samraad.core.responses import download_response
from samraad.core.timeutils import aware_local
from samraad.councils.forms import (
    ContactLinksForm,
    InputReminderForm,
    RosterFilterForm,
    TriageAttachForm,
    TriageDismissForm,
)
from samraad.councils.models import CouncilInput, InputAttachment, InputReminder, InputStatus
from samraad.councils.selectors import (
    input_roster,
    theme_rows,
    version_diff,
    version_with_previous,
    versions_of,
)
from samraad.councils.services import (
    contact_invitations_send,
    council_input_mark,
    inbound_attach_to_input,
    inbound_dismiss,
    input_reminder_schedule,
    input_reminder_send,
)
from samraad.directory.models import Municipality
from samraad.mail.models import InboundMessage
from samraad.rounds.models import Round
from samraad.speakers.selectors import presenter_notes_for


def _who(request: HttpRequest) -> str:
    return request.user.get_full_name() or request.user.get_username()


def _round(slug: str) -> Round:
    return get_object_or_404(Round.objects.select_related("contact"), slug=slug)


@staff_required
def roster(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round(slug)
    filters = RosterFilterForm(request.GET or None, round=round_)
    region = filters.cleaned_data["region"] if filters.is_valid() else None
    status = request.GET.get("status", "")
    rows = list(input_roster(round=round_, region_id=region.pk if region else None, status=status))
    return render(
        request,
        "councils/staff_roster.html",
        {
            "round": round_,
            "rows": rows,
            "filters": filters,
            "status": status,
            "statuses": InputStatus.choices,
            "links_form": ContactLinksForm(),
            "reminder_form": InputReminderForm(),
            "reminders": InputReminder.objects.filter(round=round_).order_by("-send_at"),
        },
    )


@staff_required
@require_POST
def send_links(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round(slug)
    form = ContactLinksForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose municipalities from the list."))
        return redirect("councils:staff_roster", slug=slug)
    chosen = form.cleaned_data["municipalities"]
    count = contact_invitations_send(
        round=round_, municipality_ids=[m.pk for m in chosen] if chosen else None
    )
    messages.success(
        request,
        _(
            "%(count)s contacts got their personal link. Contacts who already had one are not "
            "sent another."
        )
        % {"count": count},
    )
    return redirect("councils:staff_roster", slug=slug)


@staff_required
@require_POST
def reminders(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round(slug)
    form = InputReminderForm(request.POST)
    now = request.POST.get("action") == "now"
    if not form.is_valid() or (not now and form.cleaned_data["send_at"] is None):
        messages.error(request, _("Give the time as a date and a time of day."))
        return redirect("councils:staff_roster", slug=slug)
    send_at = timezone.now() if now else aware_local(form.cleaned_data["send_at"])
    try:
        reminder = input_reminder_schedule(round=round_, send_at=send_at, by_name=_who(request))
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("councils:staff_roster", slug=slug)
    if now:
        count = input_reminder_send(reminder=reminder)
        messages.success(request, _("%(count)s reminders are on their way.") % {"count": count})
    else:
        messages.success(request, _("The reminder is scheduled."))
    return redirect("councils:staff_roster", slug=slug)


def _input(round_: Round, code: int) -> tuple[Municipality, CouncilInput | None]:
    municipality = get_object_or_404(Municipality.objects.select_related("region"), code=code)
    return municipality, CouncilInput.objects.filter(
        round=round_, municipality=municipality
    ).first()


@staff_required
def input_detail(request: HttpRequest, slug: str, code: int) -> HttpResponse:
    round_ = _round(slug)
    municipality, council_input = _input(round_, code)
    return render(
        request,
        "councils/staff_input.html",
        {
            "round": round_,
            "municipality": municipality,
            "input": council_input,
            "rows": theme_rows(council_input) if council_input else [],
            "attachments": council_input.attachments.defer("content") if council_input else [],
            "versions": versions_of(council_input) if council_input else [],
            # What KL's presenters heard at the council is part of its input (issue 5, item 9).
            "presenter_notes": presenter_notes_for(round=round_, municipality=municipality),
        },
    )


@staff_required
@require_POST
def input_mark(request: HttpRequest, slug: str, code: int) -> HttpResponse:
    round_ = _round(slug)
    _municipality, council_input = _input(round_, code)
    status = request.POST.get("status", "")
    if council_input is None or status not in (InputStatus.RECEIVED, InputStatus.USED):
        raise Http404
    try:
        council_input_mark(council_input=council_input, status=status)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The input is marked: %(status)s.") % {"status": council_input.get_status_display()},
        )
    return redirect("councils:staff_input", slug=slug, code=code)


@staff_required
def input_version(request: HttpRequest, slug: str, code: int, number: int) -> HttpResponse:
    round_ = _round(slug)
    _municipality, council_input = _input(round_, code)
    found = version_with_previous(council_input, number) if council_input else None
    if found is None:
        raise Http404
    version, previous = found
    return render(
        request,
        "councils/version.html",
        {
            "round": round_,
            "input": council_input,
            "version": version,
            "previous": previous,
            "diff": version_diff(previous.snapshot if previous else None, version.snapshot),
            "back_url": reverse("councils:staff_input", args=[slug, code]),
        },
    )


@staff_required
def input_attachment(request: HttpRequest, slug: str, code: int, pk: int) -> HttpResponse:
    round_ = _round(slug)
    _municipality, council_input = _input(round_, code)
    attachment = get_object_or_404(InputAttachment, pk=pk, council_input=council_input)
    return download_response(
        bytes(attachment.content),
        filename=attachment.filename,
        content_type=attachment.content_type,
    )


# --- Triage of emailed input (forms shown on mail's inbound message page) -----------


@staff_required
@require_POST
def triage_attach(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(InboundMessage.objects.defer("raw"), pk=pk)
    form = TriageAttachForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a round and a municipality."))
        return redirect("mail:inbound_detail", pk=pk)
    try:
        result = inbound_attach_to_input(
            message=message,
            round=form.cleaned_data["round"],
            municipality=form.cleaned_data["municipality"],
            by_name=_who(request),
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("mail:inbound_detail", pk=pk)
    municipality = form.cleaned_data["municipality"]
    messages.success(
        request,
        _("The message is attached to the input of %(municipality)s.")
        % {"municipality": municipality.name},
    )
    for name, reason in result.refused:
        messages.warning(
            request,
            _("%(name)s was not copied to the input: %(reason)s It stays on the message.")
            % {"name": name, "reason": reason},
        )
    return redirect(
        "councils:staff_input", slug=form.cleaned_data["round"].slug, code=municipality.code
    )


@staff_required
@require_POST
def triage_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(InboundMessage.objects.defer("raw"), pk=pk)
    form = TriageDismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for dismissing the message."))
        return redirect("mail:inbound_detail", pk=pk)
    try:
        inbound_dismiss(message=message, reason=form.cleaned_data["reason"], by_name=_who(request))
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The message is dismissed. It stays in the archive."))
    return redirect("mail:inbound_detail", pk=pk)
