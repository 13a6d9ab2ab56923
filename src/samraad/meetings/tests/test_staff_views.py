"""The secretariat's pages for a round's virtual large meetings."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from samraad.core.timeutils import local_datetime
from samraad.directory.models import Municipality, Region, RoleKind
from samraad.directory.services import person_upsert
from samraad.meetings.models import Registration
from samraad.meetings.services import registration_submit
from samraad.meetings.tasks import send_invitations
from samraad.tests_support.factories import MeetingFactory, SessionFactory, UserFactory
from samraad.tests_support.login import log_in_verified

NOW = local_datetime(2025, 3, 1, 10)


@pytest.fixture
def meeting(db):
    meeting = MeetingFactory()
    SessionFactory(meeting=meeting, capacity=2, join_url="https://teams.example/a")
    return meeting


def member(n: int, code: int = 751, **extra):
    return person_upsert(
        email=f"m{n}@example.dk",
        name=extra.pop("name", f"Medlem {n}"),
        roles=[RoleKind.COUNCIL_MEMBER],
        municipality=Municipality.objects.get(code=code),
        **extra,
    )


def url(name, meeting, *args):
    return reverse(f"meetings:{name}", args=[meeting.round.slug, *args])


@pytest.mark.parametrize("name", ["staff_overview", "staff_people"])
def test_staff_only(client, meeting, name):
    assert client.get(url(name, meeting)).status_code == 302
    log_in_verified(client, UserFactory())
    assert client.get(url(name, meeting)).status_code == 403


def test_overview_query_count_does_not_grow(staff_client, meeting):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(url("staff_overview", meeting)).status_code == 200
        return len(ctx)

    registration_submit(
        meeting=meeting,
        person=member(1),
        session_id=meeting.sessions.get().pk,
        page_url="x",
        now=NOW,
    )
    few = queries()
    for n in range(2, 12):
        registration_submit(
            meeting=meeting,
            person=member(n, code=851),
            session_id=meeting.sessions.get().pk,
            page_url="x",
            now=NOW,
            waitlist=True,
        )
    assert queries() == few


def test_invite_queues_one_task_after_commit_for_the_audience(
    staff_client, meeting, django_capture_on_commit_callbacks
):
    member(1)
    member(2, code=851)
    nordjylland = Region.objects.get(code=1081)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url("staff_invite", meeting), {"regions": [nordjylland.pk]})
    assert response.status_code == 302
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("send_invitations")
    assert send_invitations.call(*task.args_kwargs["args"]) == 1
    assert list(meeting.invitations.values_list("person__email", flat=True)) == ["m2@example.dk"]


def test_session_capacity_below_the_registered_is_refused_with_a_message(staff_client, meeting):
    session = meeting.sessions.get()
    for n in (1, 2):
        registration_submit(
            meeting=meeting, person=member(n), session_id=session.pk, page_url="x", now=NOW
        )
    response = staff_client.post(
        url("staff_session", meeting, session.pk),
        {
            "starts_at": "2025-03-31T19:00",
            "ends_at": "2025-03-31T20:30",
            "format": "teams_meeting",
            "capacity": "1",
            "join_url": "https://teams.example/a",
        },
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    session.refresh_from_db()
    assert session.capacity == 2


def test_session_times_are_entered_in_copenhagen_time(staff_client, meeting):
    session = meeting.sessions.get()
    staff_client.post(
        url("staff_session", meeting, session.pk),
        {
            "starts_at": "2025-03-31T19:00",
            "ends_at": "2025-03-31T20:30",
            "format": "teams_town_hall",
            "capacity": "5000",
            "join_url": "",
        },
    )
    session.refresh_from_db()
    assert session.starts_at.isoformat() == "2025-03-31T17:00:00+00:00"
    assert session.capacity == 5000


def test_people_list_filters_by_registration(staff_client, meeting):
    registration_submit(
        meeting=meeting,
        person=member(1),
        session_id=meeting.sessions.get().pk,
        page_url="x",
        now=NOW,
    )
    member(2)
    page = staff_client.get(url("staff_people", meeting), {"status": "none"}).content.decode()
    assert "m2@example.dk" in page
    assert "m1@example.dk" not in page


def test_exports_neutralise_formulas(staff_client, meeting):
    person = member(1, name='=HYPERLINK("http://evil")', party="+Parti")
    registration_submit(
        meeting=meeting,
        person=person,
        session_id=meeting.sessions.get().pk,
        page_url="x",
        question="@SUM(1)",
        now=NOW,
    )
    csv_text = staff_client.get(url("staff_export", meeting, "csv")).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text
    assert "'+Parti" in csv_text
    assert "'@SUM(1)" in csv_text
    workbook = load_workbook(
        io.BytesIO(staff_client.get(url("staff_export", meeting, "xlsx")).content)
    )
    sheet = workbook.active
    assert sheet.cell(row=2, column=1).value == '=HYPERLINK("http://evil")'
    assert sheet.cell(row=2, column=1).data_type == "s"
    assert sheet.max_row == 2
    assert Registration.objects.count() == 1


def test_unknown_export_format_is_404(staff_client, meeting):
    assert staff_client.get(url("staff_export", meeting, "pdf")).status_code == 404


def test_registration_settings_in_copenhagen_time_and_checked(staff_client, meeting):
    response = staff_client.post(
        url("staff_meeting_settings", meeting),
        {
            "registration_opens_at": "2025-02-07T09:00",
            "registration_deadline": "2025-03-26T23:59:59",
            "link_release_at": "",
            "late_registration": "open_with_link",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.registration_deadline.isoformat() == "2025-03-26T22:59:59+00:00"
    assert meeting.link_release_at is None
    assert meeting.late_registration == "open_with_link"
    response = staff_client.post(
        url("staff_meeting_settings", meeting),
        {
            "registration_opens_at": "2025-02-07T09:00",
            "registration_deadline": "2025-03-26T23:59:59",
            "link_release_at": "2025-03-20T12:00",
            "late_registration": "closed",
        },
        follow=True,
    )
    assert 'role="alert"' in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.late_registration == "open_with_link"  # nothing saved


def test_revoking_a_members_links(staff_client, meeting, client):
    from samraad.mail.models import OutboxMessage
    from samraad.meetings.invitations import Audience, invitations_send

    meeting.round.ends_on = datetime.date(2099, 1, 1)  # links live until the round ends
    meeting.round.save()
    person = member(1)
    invitations_send(meeting=meeting, audience=Audience(), now=NOW)
    link = (
        OutboxMessage.objects.get(purpose="invitation")
        .body_text.split("http://127.0.0.1:8000")[1]
        .split()[0]
    )
    assert client.get(link).status_code == 200
    staff_client.post(url("staff_revoke_links", meeting, person.pk))
    assert client.get(link).status_code == 404


def test_by_municipality_table(staff_client, meeting):
    registration_submit(
        meeting=meeting,
        person=member(1),
        session_id=meeting.sessions.get().pk,
        page_url="x",
        now=NOW,
    )
    response = staff_client.get(url("staff_overview", meeting))
    rows = {row["area"].code: row for row in response.context["municipalities"]}
    assert rows[751]["confirmed"] == 1
    assert rows[851]["confirmed"] == 0
    assert len(rows) == 98
