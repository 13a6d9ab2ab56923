"""The KKR pages: who sees what, saving, conflicts, downloads and the staff overview."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samraad.directory.models import Municipality
from samraad.regional.models import KkrRecord, KkrRecordStatus
from samraad.regional.services import kkr_record_approve, kkr_record_save
from samraad.tests_support.factories import UserFactory
from samraad.tests_support.login import log_in_verified

from .conftest import pdf_upload


def meeting_url(meeting, name="meeting"):
    return reverse(f"regional:{name}", args=[meeting.pk])


def record_post(meeting, *, version=None, **fields):
    record = KkrRecord.objects.get(meeting=meeting)
    data = {
        "version": record.version if version is None else version,
        "summary": "",
        "challenges": "",
        "quotes-TOTAL_FORMS": "2",
        "quotes-INITIAL_FORMS": "0",
        "quotes-MIN_NUM_FORMS": "0",
        "quotes-MAX_NUM_FORMS": "50",
    }
    data.update(fields)
    return data


def with_minutes(meeting, user):
    record = KkrRecord.objects.get(meeting=meeting)
    return kkr_record_save(
        meeting=meeting,
        version=record.version,
        summary="Referat vedlagt",
        challenges="",
        themes=[],
        quotes=[],
        files=[pdf_upload()],
        by=user,
    )


PAGES = ["meeting", "meeting_edit"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_the_login(client, meeting_a, name):
    response = client.get(meeting_url(meeting_a, name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", PAGES)
def test_a_user_without_the_role_is_refused(client, meeting_a, name):
    log_in_verified(client, UserFactory())
    assert client.get(meeting_url(meeting_a, name)).status_code == 403
    assert client.get(reverse("regional:index")).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_a_secretary_sees_their_own_region_and_nothing_of_another(
    client, meeting_a, meeting_b, secretary_a, name
):
    log_in_verified(client, secretary_a)
    assert client.get(meeting_url(meeting_a, name)).status_code == 200
    denied = client.get(meeting_url(meeting_b, name))
    missing = client.get(reverse(f"regional:{name}", args=[999999]))
    assert denied.status_code == missing.status_code == 404
    assert meeting_b.region.kkr_name not in denied.content.decode()


def test_a_secretary_cannot_change_another_regions_record(client, meeting_b, secretary_a):
    log_in_verified(client, secretary_a)
    response = client.post(meeting_url(meeting_b), record_post(meeting_b, summary="Indbrud"))
    assert response.status_code == 404
    response = client.post(meeting_url(meeting_b, "approve"), {"version": 1})
    assert response.status_code == 404
    assert KkrRecord.objects.get(meeting=meeting_b).summary == ""


def test_minutes_download_only_for_those_allowed(
    client, meeting_a, secretary_a, secretary_b, staff_user
):
    record = with_minutes(meeting_a, secretary_a)
    minutes = record.minutes.get()
    url = reverse("regional:minutes_download", args=[meeting_a.pk, minutes.pk])
    assert client.get(url).status_code == 302
    log_in_verified(client, UserFactory())
    assert client.get(url).status_code == 403
    log_in_verified(client, secretary_b)
    assert client.get(url).status_code == 404
    for user in (secretary_a, staff_user):
        log_in_verified(client, user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert response.content.startswith(b"%PDF-")


def test_minutes_of_one_meeting_are_not_reachable_through_another(
    client, meeting_a, meeting_b, secretary_a, staff_user
):
    minutes = with_minutes(meeting_a, secretary_a).minutes.get()
    log_in_verified(client, staff_user)
    url = reverse("regional:minutes_download", args=[meeting_b.pk, minutes.pk])
    assert client.get(url).status_code == 404


def test_the_index_lists_only_the_own_region(client, meeting_a, meeting_b, secretary_a):
    log_in_verified(client, secretary_a)
    html = client.get(reverse("regional:index")).content.decode()
    assert meeting_url(meeting_a) in html
    assert meeting_url(meeting_b) not in html


def test_a_secretary_saves_the_record(client, meeting_a, secretary_a):
    log_in_verified(client, secretary_a)
    themes = list(meeting_a.round.themes.all()[:2])
    aalborg = Municipality.objects.get(code=851)
    data = record_post(
        meeting_a,
        summary="Ældreområdet presser.",
        themes=[t.pk for t in themes],
        **{
            "quotes-0-text": "Vi kan ikke rekruttere.",
            "quotes-0-speaker_role": "Borgmester",
            "quotes-0-municipality": aalborg.pk,
        },
    )
    data["minutes"] = [pdf_upload("a.pdf"), pdf_upload("b.pdf")]
    response = client.post(meeting_url(meeting_a), data)
    assert response.status_code == 302
    record = KkrRecord.objects.get(meeting=meeting_a)
    assert record.summary == "Ældreområdet presser."
    assert set(record.themes.all()) == set(themes)
    assert record.quotes.get().municipality == aalborg
    assert record.minutes.count() == 2


def test_a_quote_from_another_region_is_refused_with_the_text_kept(client, meeting_a, secretary_a):
    log_in_verified(client, secretary_a)
    data = record_post(
        meeting_a,
        summary="Min tekst",
        **{
            "quotes-0-text": "Citat",
            "quotes-0-speaker_role": "Rådmand",
            "quotes-0-municipality": Municipality.objects.get(code=751).pk,
        },
    )
    response = client.post(meeting_url(meeting_a), data)
    assert response.status_code == 400
    assert "Min tekst" in response.content.decode()
    assert KkrRecord.objects.get(meeting=meeting_a).summary == ""


def test_a_disguised_file_is_refused_with_a_reason_and_the_text_kept(
    client, meeting_a, secretary_a
):
    log_in_verified(client, secretary_a)
    data = record_post(meeting_a, summary="Ikke tabt")
    data["minutes"] = SimpleUploadedFile("referat.pdf", b"MZ\x90\x00", "application/pdf")
    response = client.post(meeting_url(meeting_a), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Ikke tabt" in html
    assert "referat.pdf" in html  # the reason names the file
    record = KkrRecord.objects.get(meeting=meeting_a)
    assert (record.summary, record.minutes.count()) == ("", 0)


def test_the_second_editor_is_told_and_keeps_their_text(client, meeting_a, secretary_a, staff_user):
    loaded = KkrRecord.objects.get(meeting=meeting_a).version
    log_in_verified(client, staff_user)
    assert (
        client.post(meeting_url(meeting_a), record_post(meeting_a, summary="Staff")).status_code
        == 302
    )
    log_in_verified(client, secretary_a)
    response = client.post(
        meeting_url(meeting_a), record_post(meeting_a, version=loaded, summary="Sekretærens tekst")
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert 'data-testid="conflict"' in html
    assert "Sekretærens tekst" in html  # their text, in the form
    assert "Staff" in html  # and the saved version to compare with
    assert KkrRecord.objects.get(meeting=meeting_a).summary == "Staff"
    # Saving again from that page now succeeds, deliberately on top of the saved version.
    current = KkrRecord.objects.get(meeting=meeting_a).version
    assert f'value="{current}"' in html
    again = client.post(
        meeting_url(meeting_a), record_post(meeting_a, version=current, summary="Sekretærens tekst")
    )
    assert again.status_code == 302


def test_approve_without_summary_is_refused_with_a_message(client, meeting_a, secretary_a):
    log_in_verified(client, secretary_a)
    response = client.post(meeting_url(meeting_a, "approve"), {"version": 1}, follow=True)
    assert KkrRecord.objects.get(meeting=meeting_a).status == KkrRecordStatus.DRAFT
    assert 'role="alert"' in response.content.decode()


def test_approve_and_reopen(client, meeting_a, secretary_a, staff_user):
    record = with_minutes(meeting_a, secretary_a)
    log_in_verified(client, secretary_a)
    client.post(meeting_url(meeting_a, "approve"), {"version": record.version})
    record.refresh_from_db()
    assert record.status == KkrRecordStatus.APPROVED
    assert client.post(meeting_url(meeting_a, "reopen")).status_code == 302
    record.refresh_from_db()
    assert record.status == KkrRecordStatus.APPROVED  # a secretary cannot reopen
    log_in_verified(client, staff_user)
    client.post(meeting_url(meeting_a, "reopen"))
    record.refresh_from_db()
    assert (record.status, record.reopened_by) == (KkrRecordStatus.DRAFT, staff_user)


def test_the_meeting_edit_saves_the_agenda(client, meeting_a, staff_user):
    log_in_verified(client, staff_user)
    response = client.post(
        meeting_url(meeting_a, "meeting_edit"),
        {
            "starts_at": "2025-04-22T09:30",
            "place": "Aalborg",
            "agenda": "Velkomst\nØA26\nEventuelt",
            "round_item": "2",
        },
    )
    assert response.status_code == 302
    meeting_a.refresh_from_db()
    assert meeting_a.agenda_item == "ØA26"
    bad = client.post(
        meeting_url(meeting_a, "meeting_edit"),
        {"starts_at": "2025-04-22T09:30", "place": "", "agenda": "Velkomst", "round_item": "4"},
    )
    assert bad.status_code == 400
    assert meeting_a.agenda_items.count() == 3


def test_staff_overview_for_staff_only(client, round_, secretary_a):
    url = reverse("regional:staff_overview", args=[round_.slug])
    assert client.get(url).status_code == 302
    log_in_verified(client, secretary_a)
    assert client.get(url).status_code == 403


def test_staff_overview_shows_the_five_with_their_status_in_constant_queries(
    staff_client, round_, meeting_a, meeting_b, secretary_a
):
    url = reverse("regional:staff_overview", args=[round_.slug])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = staff_client.get(url)
            assert response.status_code == 200
        return len(ctx)

    before = queries()
    record = with_minutes(meeting_a, secretary_a)
    kkr_record_approve(meeting=meeting_a, version=record.version, by=secretary_a)
    with_minutes(meeting_b, secretary_a)
    assert queries() == before
    html = staff_client.get(url).content.decode()
    assert html.count('data-testid="kkr-row-') == 5
    assert "Godkendt" in html or "Approved" in html


def test_staff_ensure_adds_missing_meetings(staff_client, round_, meeting_a):
    meeting_a.delete()
    response = staff_client.post(reverse("regional:staff_ensure", args=[round_.slug]))
    assert response.status_code == 302
    assert round_.kkr_meetings.count() == 5
