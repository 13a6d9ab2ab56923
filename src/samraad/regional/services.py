"""Every change to the KKR track: meetings, agendas, discussion records, quotes and minutes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samraad.accounts.models import User
from samraad.core.errors import ServiceError
from samraad.core.timeutils import local_datetime
from samraad.core.uploads import upload_check
from samraad.directory.models import Municipality, Region
from samraad.regional.models import (
    KkrAgendaItem,
    KkrMeeting,
    KkrMinutes,
    KkrQuote,
    KkrRecord,
    KkrRecordStatus,
)
from samraad.rounds.models import Round, Theme

MAX_AGENDA_ITEMS = 30


class KkrRecordConflict(ServiceError):
    """Someone saved the record after the editor loaded it; `current` is what is saved now."""

    def __init__(self, current: KkrRecord) -> None:
        super().__init__(
            _(
                "Someone else saved this record while you were editing it. Nothing of yours "
                "is lost: your text is below. Compare it with the saved version, then save again."
            ),
            code="conflict",
        )
        self.current = current


@dataclass(frozen=True)
class QuoteData:
    text: str
    speaker_role: str
    municipality: Municipality


def _default_start(round: Round) -> datetime.datetime:
    # KKR meetings are held in April; staff set the real date and time.
    day = datetime.date(round.starts_on.year, 4, 1)
    day = max(day, round.starts_on)
    return local_datetime(day.year, day.month, day.day, 10)


@transaction.atomic
def kkr_meetings_ensure(*, round: Round) -> list[KkrMeeting]:
    """Give `round` one KKR meeting per region valid on its start date, each with an agenda
    holding the round's item and an empty draft record. Idempotent; returns the new meetings."""
    have = set(round.kkr_meetings.values_list("region_id", flat=True))
    created = [
        KkrMeeting.objects.create(
            round=round,
            region=region,
            starts_at=_default_start(round),
            agenda_item=_("Discussion of %(code)s") % {"code": round.code},
        )
        for region in Region.objects.valid_on(round.starts_on).exclude(pk__in=have)
    ]
    without_agenda = round.kkr_meetings.filter(agenda_items__isnull=True)
    KkrAgendaItem.objects.bulk_create(
        KkrAgendaItem(meeting=m, position=1, title=m.agenda_item, is_round_item=True)
        for m in without_agenda
    )
    KkrRecord.objects.bulk_create(
        KkrRecord(meeting=m) for m in round.kkr_meetings.filter(record__isnull=True)
    )
    return created


@transaction.atomic
def kkr_meeting_update(
    *,
    meeting: KkrMeeting,
    starts_at: datetime.datetime,
    place: str,
    agenda: Sequence[str],
    round_item: int,
) -> KkrMeeting:
    """Set the meeting's time, place and agenda (in order; `round_item` is the 1-based
    number of the round's item). The agenda is replaced as a whole."""
    titles = [title.strip() for title in agenda if title.strip()]
    if not titles:
        raise ServiceError(_("The agenda needs at least one item: the round's item."))
    if len(titles) > MAX_AGENDA_ITEMS:
        raise ServiceError(
            _("An agenda may have at most %(count)d items.") % {"count": MAX_AGENDA_ITEMS}
        )
    if any(len(title) > 200 for title in titles):
        raise ServiceError(_("An agenda item may be at most 200 characters long."))
    if not 1 <= round_item <= len(titles):
        raise ServiceError(
            _("The round's item must be one of the agenda's items, 1 to %(count)d.")
            % {"count": len(titles)}
        )
    meeting.starts_at = starts_at
    meeting.place = place.strip()
    meeting.agenda_item = titles[round_item - 1]
    meeting.save(update_fields=["starts_at", "place", "agenda_item"])
    meeting.agenda_items.all().delete()
    KkrAgendaItem.objects.bulk_create(
        KkrAgendaItem(meeting=meeting, position=n, title=title, is_round_item=n == round_item)
        for n, title in enumerate(titles, start=1)
    )
    return meeting


def _locked_record(meeting: KkrMeeting) -> KkrRecord:
    KkrRecord.objects.get_or_create(meeting=meeting)
    # SQLite: the immediate transaction already serialises writers.
    return KkrRecord.objects.select_for_update().get(meeting=meeting)


def _check_version(record: KkrRecord, version: int) -> None:
    if record.version != version:
        raise KkrRecordConflict(record)


@transaction.atomic
def kkr_record_save(
    *,
    meeting: KkrMeeting,
    version: int,
    summary: str,
    challenges: str,
    themes: Iterable[Theme],
    quotes: Sequence[QuoteData],
    files: Sequence[UploadedFile] = (),
    by: User,
) -> KkrRecord:
    """Save the draft record of `meeting` as loaded at `version`; attach `files` as minutes.

    All or nothing: a stale version (KkrRecordConflict), an approved record, a
    quote from a municipality outside the KKR's region, a theme of another
    round or a refused file raises ServiceError and changes nothing.
    """
    record = _locked_record(meeting)
    _check_version(record, version)
    if record.is_approved:
        raise ServiceError(
            _("The record is approved and can no longer be changed. Staff can reopen it.")
        )
    themes = list(themes)
    if any(theme.round_id != meeting.round_id for theme in themes):
        raise ServiceError(_("Choose themes from this round's theme list."))
    for quote in quotes:
        if quote.municipality.region_id != meeting.region_id:
            raise ServiceError(
                _("%(municipality)s is not in %(kkr)s; a quote must come from the KKR's region.")
                % {"municipality": quote.municipality.name, "kkr": meeting.region.kkr_name}
            )
        if not quote.text.strip() or not quote.speaker_role.strip():
            raise ServiceError(_("A quote needs its text and the speaker's role."))
    checked = [upload_check(upload) for upload in files]

    record.summary = summary.strip()
    record.challenges = challenges.strip()
    record.version += 1
    record.updated_by = by
    record.save()
    record.themes.set(themes)
    record.quotes.all().delete()
    KkrQuote.objects.bulk_create(
        KkrQuote(
            record=record,
            position=n,
            text=q.text.strip(),
            speaker_role=q.speaker_role.strip(),
            municipality=q.municipality,
        )
        for n, q in enumerate(quotes)
    )
    KkrMinutes.objects.bulk_create(
        KkrMinutes(
            record=record,
            filename=f.name,
            content_type=f.content_type,
            size=f.size,
            content=f.content,
            uploaded_by=by,
        )
        for f in checked
    )
    return record


@transaction.atomic
def kkr_minutes_remove(*, minutes: KkrMinutes, version: int, by: User) -> KkrRecord:
    """Remove one minutes document from a draft record loaded at `version`."""
    record = _locked_record(minutes.record.meeting)
    _check_version(record, version)
    if record.is_approved:
        raise ServiceError(
            _("The record is approved and can no longer be changed. Staff can reopen it.")
        )
    minutes.delete()
    record.version += 1
    record.updated_by = by
    record.save(update_fields=["version", "updated_by", "updated_at"])
    return record


@transaction.atomic
def kkr_record_approve(*, meeting: KkrMeeting, version: int, by: User) -> KkrRecord:
    """Approve the draft record (loaded at `version`); it needs a summary. Records who and when."""
    record = _locked_record(meeting)
    _check_version(record, version)
    if record.is_approved:
        raise ServiceError(_("The record is already approved."))
    if not record.summary.strip():
        raise ServiceError(_("Write a summary of the discussion before approving the record."))
    record.status = KkrRecordStatus.APPROVED
    record.approved_by = by
    record.approved_at = timezone.now()
    record.version += 1
    record.updated_by = by
    record.save()
    return record


@transaction.atomic
def kkr_record_reopen(*, meeting: KkrMeeting, by: User) -> KkrRecord:
    """Make an approved record a draft again. Only staff may; records who and when."""
    if not by.is_staff:
        raise ServiceError(_("Only KL's secretariat can reopen an approved record."))
    record = _locked_record(meeting)
    if not record.is_approved:
        raise ServiceError(_("The record is not approved, so there is nothing to reopen."))
    record.status = KkrRecordStatus.DRAFT
    record.approved_by = None
    record.approved_at = None
    record.reopened_by = by
    record.reopened_at = timezone.now()
    record.version += 1
    record.updated_by = by
    record.save()
    return record
