"""The KKR track's rules: meetings per region, agenda, approval, concurrency, quotes, minutes."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samraad.core.errors import ServiceError
from samraad.core.timeutils import local_datetime
from samraad.core.uploads import UploadRejected
from samraad.directory.models import Municipality
from samraad.regional.models import KkrMeeting, KkrRecord, KkrRecordStatus
from samraad.regional.services import (
    KkrRecordConflict,
    QuoteData,
    kkr_meeting_update,
    kkr_meetings_ensure,
    kkr_record_approve,
    kkr_record_reopen,
    kkr_record_save,
)
from samraad.rounds.services import round_themes_ensure
from samraad.tests_support.factories import KkrMeetingFactory, RoundFactory, StaffUserFactory

from .conftest import pdf_upload


def save(meeting, user, *, version=None, **changes):
    record = KkrRecord.objects.get(meeting=meeting)
    values = {
        "summary": "Presset på det specialiserede socialområde fylder.",
        "challenges": "",
        "themes": [],
        "quotes": [],
        "files": [],
    }
    values.update(changes)
    return kkr_record_save(
        meeting=meeting,
        version=record.version if version is None else version,
        by=user,
        **values,
    )


def test_ensure_makes_one_meeting_per_region_valid_on_the_start_date(db):
    round_ = RoundFactory(starts_on=datetime.date(2025, 2, 7))
    created = kkr_meetings_ensure(round=round_)
    assert sorted(m.region.code for m in created) == [1081, 1082, 1083, 1084, 1085]
    for meeting in created:
        assert meeting.record.status == KkrRecordStatus.DRAFT
        items = list(meeting.agenda_items.all())
        assert [(i.title, i.is_round_item) for i in items] == [(meeting.agenda_item, True)]
    assert kkr_meetings_ensure(round=round_) == []
    assert KkrMeeting.objects.filter(round=round_).count() == 5


def test_ensure_from_2027_uses_the_merged_regions_and_completes_copied_meetings(db):
    round_ = RoundFactory(starts_on=datetime.date(2027, 2, 5), ends_on=datetime.date(2027, 6, 30))
    KkrMeetingFactory(round=round_)  # as a round copy leaves it: no agenda items, no record
    kkr_meetings_ensure(round=round_)
    meetings = KkrMeeting.objects.filter(round=round_)
    assert 1084 not in {m.region.code for m in meetings}  # Hovedstaden merged with Sjælland
    assert all(m.agenda_items.filter(is_round_item=True).count() == 1 for m in meetings)
    assert KkrRecord.objects.filter(meeting__round=round_).count() == meetings.count()


def test_meeting_update_sets_the_agenda_and_the_round_item(meeting_a):
    starts = local_datetime(2025, 4, 22, 9)
    kkr_meeting_update(
        meeting=meeting_a,
        starts_at=starts,
        place="Aalborg Kongres & Kultur Center",
        agenda=["Godkendelse af dagsorden", "ØA26: drøftelse", "", "Eventuelt"],
        round_item=2,
    )
    meeting_a.refresh_from_db()
    assert meeting_a.starts_at == starts
    assert meeting_a.agenda_item == "ØA26: drøftelse"
    items = [(i.position, i.title, i.is_round_item) for i in meeting_a.agenda_items.all()]
    assert items == [
        (1, "Godkendelse af dagsorden", False),
        (2, "ØA26: drøftelse", True),
        (3, "Eventuelt", False),
    ]


@pytest.mark.parametrize(("agenda", "item"), [([], 1), (["a", "b"], 3), (["a"], 0)])
def test_meeting_update_refuses_a_round_item_outside_the_agenda(meeting_a, agenda, item):
    with pytest.raises(ServiceError):
        kkr_meeting_update(
            meeting=meeting_a,
            starts_at=meeting_a.starts_at,
            place="",
            agenda=agenda,
            round_item=item,
        )
    assert meeting_a.agenda_items.count() == 1


def test_save_stores_themes_quotes_and_minutes_and_bumps_the_version(meeting_a, secretary_a):
    themes = list(meeting_a.round.themes.all()[:2])
    aalborg = Municipality.objects.get(code=851)
    record = save(
        meeting_a,
        secretary_a,
        themes=themes,
        quotes=[
            QuoteData(text="Vi mangler hænder.", speaker_role="Borgmester", municipality=aalborg)
        ],
        files=[pdf_upload("KKR referat.pdf"), pdf_upload("bilag.pdf")],
    )
    assert record.version == 2
    assert set(record.themes.all()) == set(themes)
    assert [q.municipality for q in record.quotes.all()] == [aalborg]
    assert [m.filename for m in record.minutes.all()] == ["KKR referat.pdf", "bilag.pdf"]
    assert bytes(record.minutes.first().content).startswith(b"%PDF-")
    assert record.updated_by == secretary_a


def test_a_stale_version_is_refused_and_changes_nothing(meeting_a, secretary_a, secretary_b):
    first = save(meeting_a, secretary_a, summary="Først")
    with pytest.raises(KkrRecordConflict) as caught:
        save(meeting_a, secretary_a, version=first.version - 1, summary="Anden")
    assert caught.value.current.version == first.version
    record = KkrRecord.objects.get(meeting=meeting_a)
    assert (record.summary, record.version) == ("Først", first.version)


def test_a_quote_from_outside_the_region_is_refused(meeting_a, secretary_a):
    aarhus = Municipality.objects.get(code=751)  # Midtjylland, not Nordjylland
    with pytest.raises(ServiceError, match="Aarhus"):
        save(
            meeting_a,
            secretary_a,
            summary="Ny tekst",
            quotes=[QuoteData(text="Citat", speaker_role="Rådmand", municipality=aarhus)],
        )
    record = KkrRecord.objects.get(meeting=meeting_a)
    assert (record.summary, record.version, record.quotes.count()) == ("", 1, 0)


def test_a_theme_of_another_round_is_refused(meeting_a, secretary_a):
    other = RoundFactory()
    round_themes_ensure(round=other)
    with pytest.raises(ServiceError):
        save(meeting_a, secretary_a, themes=[other.themes.first()])


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("referat.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),
        SimpleUploadedFile("referat.pdf", b"", content_type="application/pdf"),
    ],
    ids=["disguised", "empty"],
)
def test_a_refused_file_keeps_the_record_as_it_was(meeting_a, secretary_a, upload):
    save(meeting_a, secretary_a, summary="Gemt før", files=[pdf_upload()])
    with pytest.raises(UploadRejected):
        save(meeting_a, secretary_a, summary="Ændret", files=[pdf_upload("ok.pdf"), upload])
    record = KkrRecord.objects.get(meeting=meeting_a)
    assert record.summary == "Gemt før"
    assert [m.filename for m in record.minutes.all()] == ["referat.pdf"]


def test_an_oversized_file_is_refused(meeting_a, secretary_a, settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(UploadRejected):
        save(meeting_a, secretary_a, files=[pdf_upload()])
    assert KkrRecord.objects.get(meeting=meeting_a).minutes.count() == 0


def test_approval_needs_a_summary(meeting_a, secretary_a):
    record = save(meeting_a, secretary_a, summary="   ")
    with pytest.raises(ServiceError, match="resumé"):
        kkr_record_approve(meeting=meeting_a, version=record.version, by=secretary_a)
    assert KkrRecord.objects.get(meeting=meeting_a).status == KkrRecordStatus.DRAFT


def test_approve_records_who_and_when_and_locks_the_record(meeting_a, secretary_a):
    record = save(meeting_a, secretary_a)
    approved = kkr_record_approve(meeting=meeting_a, version=record.version, by=secretary_a)
    assert approved.status == KkrRecordStatus.APPROVED
    assert approved.approved_by == secretary_a
    assert approved.approved_at is not None
    with pytest.raises(ServiceError, match="godkendt og kan ikke længere ændres"):
        save(meeting_a, secretary_a, summary="Efter godkendelse")
    with pytest.raises(ServiceError):
        kkr_record_approve(meeting=meeting_a, version=approved.version, by=secretary_a)


def test_approve_on_a_stale_version_is_refused(meeting_a, secretary_a):
    record = save(meeting_a, secretary_a)
    with pytest.raises(KkrRecordConflict):
        kkr_record_approve(meeting=meeting_a, version=record.version - 1, by=secretary_a)


def test_only_staff_reopen_and_who_is_recorded(meeting_a, secretary_a):
    record = save(meeting_a, secretary_a)
    kkr_record_approve(meeting=meeting_a, version=record.version, by=secretary_a)
    with pytest.raises(ServiceError):
        kkr_record_reopen(meeting=meeting_a, by=secretary_a)
    staff = StaffUserFactory()
    reopened = kkr_record_reopen(meeting=meeting_a, by=staff)
    assert reopened.status == KkrRecordStatus.DRAFT
    assert (reopened.reopened_by, reopened.approved_by, reopened.approved_at) == (staff, None, None)
    assert reopened.reopened_at is not None
    save(meeting_a, secretary_a, summary="Rettet efter genåbning")
    with pytest.raises(ServiceError):
        kkr_record_reopen(meeting=meeting_a, by=staff)
