"""Pages of the KKR track: KKR secretaries see their own region's meetings, staff see all.

Every page is reached through `kkr_meetings_visible`, so another region's
meeting answers 404 exactly as a meeting that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from samraad.core.errors import ServiceError
from samraad.core.permissions import role_required, staff_required
from samraad.core.responses import download_response
from samraad.core.timeutils import local_zone
from samraad.directory.models import RoleKind
from samraad.regional.forms import KkrMeetingForm, KkrQuoteFormSet, KkrRecordForm
from samraad.regional.models import KkrAgendaItem, KkrMeeting, KkrMinutes, KkrRecord
from samraad.regional.selectors import (
    kkr_meeting_detail,
    kkr_meetings_listed,
    kkr_meetings_visible,
    kkr_overview,
)
from samraad.regional.services import (
    KkrRecordConflict,
    kkr_meeting_update,
    kkr_meetings_ensure,
    kkr_minutes_remove,
    kkr_record_approve,
    kkr_record_reopen,
    kkr_record_save,
)
from samraad.rounds.models import Round

kkr_access = role_required(RoleKind.KKR_SECRETARY)


def _meeting(request: HttpRequest, pk: int) -> KkrMeeting:
    meetings = kkr_meetings_visible(user=request.user, person=request.person)
    meeting = kkr_meeting_detail(meetings=meetings, pk=pk)
    if meeting is None:
        raise Http404
    return meeting


def _record(meeting: KkrMeeting) -> KkrRecord:
    """The meeting's record; an unsaved empty draft when none exists yet (saving creates it)."""
    try:
        return meeting.record
    except KkrRecord.DoesNotExist:
        return KkrRecord(meeting=meeting)


def _agenda(meeting: KkrMeeting) -> list[KkrAgendaItem]:
    items = list(meeting.agenda_items.all())
    return items or [KkrAgendaItem(position=1, title=meeting.agenda_item, is_round_item=True)]


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


@kkr_access
def index(request: HttpRequest) -> HttpResponse:
    meetings = kkr_meetings_visible(user=request.user, person=request.person)
    return render(
        request, "regional/index.html", {"meetings": kkr_meetings_listed(meetings=meetings)}
    )


def _record_forms(meeting: KkrMeeting, record: KkrRecord, data=None, files=None):
    if data is not None:
        return (
            KkrRecordForm(data, files, meeting=meeting),
            KkrQuoteFormSet(data, prefix="quotes", form_kwargs={"meeting": meeting}),
        )
    initial = {
        "version": record.version,
        "summary": record.summary,
        "challenges": record.challenges,
        "themes": list(record.themes.all()) if record.pk else [],
    }
    quotes = [
        {"text": q.text, "speaker_role": q.speaker_role, "municipality": q.municipality}
        for q in (record.quotes.all() if record.pk else [])
    ]
    return (
        KkrRecordForm(initial=initial, meeting=meeting),
        KkrQuoteFormSet(initial=quotes, prefix="quotes", form_kwargs={"meeting": meeting}),
    )


def _page(request, meeting, record, form, quotes, *, conflict=None, status=200) -> HttpResponse:
    return render(
        request,
        "regional/meeting.html",
        {
            "round": meeting.round,
            "meeting": meeting,
            "agenda": _agenda(meeting),
            "record": record,
            "form": form,
            "quotes": quotes,
            "conflict": conflict,
        },
        status=status,
    )


@kkr_access
def meeting_page(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    record = _record(meeting)
    if request.method != "POST":
        form, quotes = _record_forms(meeting, record)
        return _page(request, meeting, record, form, quotes)

    form, quotes = _record_forms(meeting, record, request.POST, request.FILES)
    if not (form.is_valid() and quotes.is_valid()):
        return _page(request, meeting, record, form, quotes, status=400)
    try:
        kkr_record_save(
            meeting=meeting,
            version=form.cleaned_data["version"],
            summary=form.cleaned_data["summary"],
            challenges=form.cleaned_data["challenges"],
            themes=form.cleaned_data["themes"],
            quotes=[q for q in (f.quote() for f in quotes.forms) if q is not None],
            files=form.cleaned_data["minutes"],
            by=request.user,
        )
    except KkrRecordConflict as conflict:
        # Keep everything the editor typed; the next save is made on top of what is saved now.
        data = request.POST.copy()
        data["version"] = str(conflict.current.version)
        form, quotes = _record_forms(meeting, record, data, None)
        form.is_valid()
        quotes.is_valid()
        current = _meeting(request, pk)
        return _page(
            request, meeting, _record(current), form, quotes, conflict=conflict, status=409
        )
    except ServiceError as error:
        form.add_error(None, error.message)
        return _page(request, meeting, record, form, quotes, status=400)
    messages.success(request, _("The record is saved."))
    return redirect("regional:meeting", pk=meeting.pk)


@kkr_access
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    try:
        kkr_record_approve(meeting=meeting, version=_version(request), by=request.user)
    except KkrRecordConflict:
        messages.error(
            request,
            _("Someone changed the record after you opened it. Read it again, then approve."),
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The record is approved."))
    return redirect("regional:meeting", pk=meeting.pk)


@kkr_access
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    try:
        kkr_record_reopen(meeting=meeting, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The record is a draft again and can be changed."))
    return redirect("regional:meeting", pk=meeting.pk)


@kkr_access
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    agenda = _agenda(meeting)
    if request.method == "POST":
        form = KkrMeetingForm(request.POST)
        if form.is_valid():
            try:
                kkr_meeting_update(
                    meeting=meeting,
                    starts_at=form.cleaned_data["starts_at"],
                    place=form.cleaned_data["place"],
                    agenda=form.agenda_lines(),
                    round_item=form.cleaned_data["round_item"],
                )
            except ServiceError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The meeting is saved."))
                return redirect("regional:meeting", pk=meeting.pk)
    else:
        form = KkrMeetingForm(
            initial={
                "starts_at": timezone.localtime(meeting.starts_at, local_zone()).replace(
                    tzinfo=None
                ),
                "place": meeting.place,
                "agenda": "\n".join(item.title for item in agenda),
                "round_item": next(n for n, i in enumerate(agenda, 1) if i.is_round_item),
            }
        )
    return render(
        request,
        "regional/meeting_edit.html",
        {"round": meeting.round, "meeting": meeting, "form": form},
        status=400 if form.errors else 200,
    )


@kkr_access
def minutes_download(request: HttpRequest, pk: int, minutes_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    minutes = get_object_or_404(KkrMinutes, pk=minutes_pk, record__meeting=meeting)
    return download_response(
        bytes(minutes.content), filename=minutes.filename, content_type=minutes.content_type
    )


@kkr_access
@require_POST
def minutes_remove(request: HttpRequest, pk: int, minutes_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    minutes = get_object_or_404(
        KkrMinutes.objects.defer("content"), pk=minutes_pk, record__meeting=meeting
    )
    try:
        kkr_minutes_remove(minutes=minutes, version=_version(request), by=request.user)
    except KkrRecordConflict:
        messages.error(
            request, _("Someone changed the record after you opened it. Nothing was removed.")
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s is removed.") % {"name": minutes.filename})
    return redirect("regional:meeting", pk=meeting.pk)


@staff_required
def staff_overview(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = get_object_or_404(Round, slug=slug)
    return render(
        request,
        "regional/staff_overview.html",
        {"round": round_, "meetings": kkr_overview(round=round_)},
    )


@staff_required
@require_POST
def staff_ensure(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = get_object_or_404(Round, slug=slug)
    created = kkr_meetings_ensure(round=round_)
    messages.success(
        request,
        ngettext(
            "%(count)d KKR meeting was added.", "%(count)d KKR meetings were added.", len(created)
        )
        % {"count": len(created)}
        if created
        else _("Every KKR has its meeting."),
    )
    return redirect("regional:staff_overview", slug=round_.slug)
