"""The staff page of the briefing: requesting, following progress, downloading; who may do what."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from samraad.briefing.models import BriefingExport, BriefingStatus, BriefingStep
from samraad.briefing.tasks import build_briefing
from samraad.tests_support.factories import RoundFactory, UserFactory


def page(round_):
    return reverse("briefing:staff_briefing", args=[round_.slug])


def download(round_, export):
    return reverse("briefing:staff_download", args=[round_.slug, export.pk])


@pytest.fixture
def english(staff_client):
    staff_client.cookies["samraad_language"] = "en"
    return staff_client


def test_staff_request_a_pdf_which_the_worker_builds_after_commit(
    english, empty_round, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = english.post(page(empty_round), {"format": "pdf"})
    assert response.status_code == 302
    export = BriefingExport.objects.get()
    assert (export.round, export.format, export.language) == (empty_round, "pdf", "en")
    assert export.status == BriefingStatus.QUEUED
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("build_briefing")
    assert task.args_kwargs["args"] == [export.pk]

    response = english.get(page(empty_round))
    body = response.content.decode()
    assert "The PDF briefing is queued." in body
    assert "Waiting for the worker" in body
    assert 'hx-trigger="every 2s"' in body  # htmx polls while it is being built
    assert "Refresh to see the progress" in body

    build_briefing.call(*task.args_kwargs["args"])
    body = english.get(page(empty_round)).content.decode()
    assert "hx-trigger" not in body  # nothing left to wait for
    assert download(empty_round, export) in body


def test_the_language_of_the_export_is_the_staff_users(staff_client, empty_round):
    staff_client.post(page(empty_round), {"format": "xlsx"})
    assert BriefingExport.objects.get().language == "da"


def test_htmx_polling_gets_only_the_list_with_progress(english, empty_round, make_export):
    make_export(empty_round, status=BriefingStatus.RUNNING, progress=45, step=BriefingStep.KKR)
    response = english.get(page(empty_round), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.startswith('<div id="briefing-exports"')
    assert "<html" not in body
    assert '<progress id="briefing-progress-' in body
    assert 'value="45"' in body
    assert "Being built: KKR summaries" in body
    assert "HX-Request" in response["Vary"]


def test_a_failed_export_shows_its_error(english, empty_round, make_export):
    make_export(empty_round, status=BriefingStatus.FAILED, error="RuntimeError: Typst fell over")
    body = english.get(page(empty_round)).content.decode()
    assert "The briefing could not be built: RuntimeError: Typst fell over" in body
    assert "download" not in body.split('id="briefing-exports"')[1]


def test_a_second_request_while_one_is_being_built_is_refused(english, empty_round, make_export):
    make_export(empty_round, format="pdf", status=BriefingStatus.RUNNING)
    response = english.post(page(empty_round), {"format": "pdf"}, follow=True)
    assert "A PDF briefing of this round is being built already." in response.content.decode()
    assert BriefingExport.objects.count() == 1
    # The other format is another file.
    english.post(page(empty_round), {"format": "xlsx"})
    assert BriefingExport.objects.count() == 2


def test_an_unknown_format_is_refused_with_a_message(english, empty_round):
    response = english.post(page(empty_round), {"format": "docx"}, follow=True)
    assert response.status_code == 200
    assert "Choose PDF or XLSX." in response.content.decode()
    assert not BriefingExport.objects.exists()


def test_download_of_a_done_export(staff_client, empty_round, make_export):
    export = make_export(
        empty_round, format="xlsx", status=BriefingStatus.DONE, content=b"PK-bytes", size=8
    )
    response = staff_client.get(download(empty_round, export))
    assert response.status_code == 200
    assert response.content == b"PK-bytes"
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "oa40-briefing-" in response["Content-Disposition"]


def test_download_through_another_round_or_before_it_is_done_answers_404(
    staff_client, empty_round, make_export
):
    other = RoundFactory()
    done = make_export(empty_round, status=BriefingStatus.DONE, content=b"%PDF-")
    assert staff_client.get(download(other, done)).status_code == 404
    queued = make_export(empty_round)
    assert staff_client.get(download(empty_round, queued)).status_code == 404
    assert staff_client.get(download(empty_round, done)).status_code == 200


@pytest.mark.parametrize("method", ["get", "post"])
def test_only_staff_may_use_the_page(client, empty_round, make_export, method):
    export = make_export(empty_round, status=BriefingStatus.DONE, content=b"%PDF-")
    response = getattr(client, method)(page(empty_round), {"format": "pdf"})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    client.force_login(UserFactory())
    assert getattr(client, method)(page(empty_round), {"format": "pdf"}).status_code == 403
    assert client.get(download(empty_round, export)).status_code == 403
    assert BriefingExport.objects.count() == 1


def test_unknown_round_answers_404(staff_client):
    assert staff_client.get(reverse("briefing:staff_briefing", args=["nope"])).status_code == 404


def test_the_back_office_links_each_round_to_its_briefing(english, empty_round):
    body = english.get(reverse("core:staff_home")).content.decode()
    assert page(empty_round) in body


def test_an_export_no_worker_took_stops_the_polling_and_no_longer_blocks(
    english, empty_round, make_export, yesterday
):
    stale = make_export(empty_round, format="pdf", status=BriefingStatus.RUNNING, progress=25)
    BriefingExport.objects.filter(pk=stale.pk).update(created_at=yesterday)
    body = english.get(page(empty_round)).content.decode()
    assert "hx-trigger" not in body
    assert "no worker seems to be running" in body
    english.post(page(empty_round), {"format": "pdf"})
    assert BriefingExport.objects.filter(format="pdf").count() == 2
