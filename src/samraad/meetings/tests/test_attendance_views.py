"""The secretariat's attendance pages: upload, resolve, figures and exports."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from samraad.core.timeutils import local_datetime
from samraad.directory.models import Municipality, Role, RoleKind
from samraad.meetings.attendance_services import attendance_import
from samraad.meetings.models import AttendanceImport, AttendanceRecord, Registration
from samraad.meetings.tests.teams_reports import (
    REPORTS,
    SPRING_DAY,
    Attendee,
    at,
    encode,
    sections_report,
)
from samraad.tests_support.factories import (
    MeetingFactory,
    PersonFactory,
    SessionFactory,
    UserFactory,
)
from samraad.tests_support.login import log_in_verified


@pytest.fixture(autouse=True)
def english(client):
    # The pages are asserted in English (the language cookie, as the header's switch sets it).
    client.cookies["samraad_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def meeting(db):
    meeting = MeetingFactory()
    SessionFactory(
        meeting=meeting,
        starts_at=local_datetime(2025, 3, 31, 19),
        ends_at=local_datetime(2025, 3, 31, 20, 30),
    )
    SessionFactory(
        meeting=meeting,
        starts_at=local_datetime(2025, 4, 3, 19),
        ends_at=local_datetime(2025, 4, 3, 20, 30),
    )
    return meeting


@pytest.fixture
def session(meeting):
    return meeting.sessions.order_by("starts_at")[0]


def member(name: str, email: str, code: int = 751, **extra):
    person = PersonFactory(
        name=name, email=email, municipality=Municipality.objects.get(code=code), **extra
    )
    Role.objects.create(person=person, kind=RoleKind.COUNCIL_MEMBER)
    return person


def url(name: str, meeting, *args) -> str:
    return reverse(f"meetings:{name}", args=[meeting.round.slug, *args])


def spring_upload(name: str = "sections_en_dmy_utf16.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile("Attendance report.csv", (REPORTS / name).read_bytes())


def report_with(attendees: list[Attendee]) -> bytes:
    return encode(
        sections_report(
            title="Dialogmøde",
            start=at(SPRING_DAY, "18:55:00"),
            end=at(SPRING_DAY, "20:30:00"),
            attendees=attendees,
        ),
        "utf-16",
    )


def interval(joined: str = "19:00:00", left: str = "20:00:00"):
    return [(at(SPRING_DAY, joined), at(SPRING_DAY, left))]


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# --- Who may --------------------------------------------------------------------------


@pytest.fixture
def imported(session, staff_user):
    return attendance_import(
        session=session,
        data=(REPORTS / "sections_en_dmy_utf16.csv").read_bytes(),
        filename="a.csv",
        user=staff_user,
    )


def every_page(meeting, session, imported):
    record = imported.records.first()
    return [
        ("get", url("staff_attendance", meeting)),
        ("post", url("staff_attendance_upload", meeting, session.pk)),
        ("get", url("staff_attendance_import", meeting, imported.pk)),
        ("get", url("staff_attendance_match", meeting, record.pk)),
        ("post", url("staff_attendance_match", meeting, record.pk)),
        ("post", url("staff_attendance_dismiss", meeting, record.pk)),
        ("get", url("staff_attendance_export", meeting, "records", "csv")),
        ("get", url("staff_attendance_export", meeting, "figures", "xlsx")),
    ]


def test_anonymous_users_are_sent_to_the_login(client, meeting, session, imported):
    for method, address in every_page(meeting, session, imported):
        response = getattr(client, method)(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith(reverse("accounts:login")), address


def test_users_who_are_not_staff_are_refused(client, meeting, session, imported):
    log_in_verified(client, UserFactory())
    for method, address in every_page(meeting, session, imported):
        assert getattr(client, method)(address).status_code == 403, address
    assert AttendanceRecord.objects.filter(dismissed=True).count() == 0


def test_the_overview_links_to_attendance(staff_client, meeting):
    overview = page(staff_client.get(url("staff_overview", meeting)))
    assert url("staff_attendance", meeting) in overview


# --- Upload ---------------------------------------------------------------------------


def test_upload_shows_the_result_and_the_rows_left_for_staff(staff_client, meeting, session):
    member("Søren Østergaard", "soeren.oestergaard@aarhus.dk")
    member("Anne-Marie Ågård", "anne-marie@odense.dk", 461)

    response = staff_client.post(
        url("staff_attendance_upload", meeting, session.pk), {"file": spring_upload()}
    )

    imported = AttendanceImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("staff_attendance_import", meeting, imported.pk)
    assert imported.filename == "Attendance report.csv"
    result = page(staff_client.get(response["Location"]))
    assert "The report is imported: 6 participants." in result
    assert "chose not to be identified" in result  # the parser's warning
    open_rows = result.split('data-testid="open-rows"')[1].split("</table>")[0]
    for name in ("Mette Kjærgaard", "Jens Peter Hansen (Guest)", "Anonymous"):
        assert name in open_rows
    assert "Søren Østergaard" not in open_rows
    by_name = result.split('data-testid="name-rows"')[1].split("</table>")[0]
    assert "Anne-Marie Ågård" in by_name and "anne-marie@odense.dk" not in by_name
    # The attendance page shows the session's counts and a form to replace the report.
    attendance = page(staff_client.get(url("staff_attendance", meeting)))
    counts = attendance.split(f'data-testid="session-counts-{session.pk}"')[1].split("</table>")[0]
    assert "<td>6</td><td>1</td><td>1</td><td>0</td><td>0</td>" in counts
    assert "A newer report of this session" in attendance


def test_uploading_the_same_file_again_says_nothing_changed(staff_client, meeting, session):
    address = url("staff_attendance_upload", meeting, session.pk)
    staff_client.post(address, {"file": spring_upload()})
    response = staff_client.post(address, {"file": spring_upload()}, follow=True)
    assert "importing it again changes nothing" in page(response)
    assert AttendanceImport.objects.count() == 1
    assert AttendanceRecord.objects.count() == 6


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("not_a_report_workbook.xlsx", "This is an Excel workbook (.xlsx)"),
        ("truncated_utf16.csv", None),
        ("sections_en_mdy_utf16.csv", "This report is of a meeting held Tuesday 15 November 2022"),
    ],
)
def test_a_wrong_file_is_refused_on_the_page_with_the_reason(
    staff_client, meeting, session, file, message
):
    response = staff_client.post(
        url("staff_attendance_upload", meeting, session.pk), {"file": spring_upload(file)}
    )
    if message is None:  # a cut-off report is imported up to the cut, and says so
        assert response.status_code == 302
        assert "The file seems to be cut off" in page(staff_client.get(response["Location"]))
        return
    body = page(response)
    error = body.split('data-testid="upload-error"')[1].split("</span>")[0]
    assert message in error
    assert not AttendanceImport.objects.exists()


def test_a_file_over_the_limit_is_refused(staff_client, meeting, session, settings):
    settings.ATTENDANCE_MAX_BYTES = 1000
    response = staff_client.post(
        url("staff_attendance_upload", meeting, session.pk), {"file": spring_upload()}
    )
    assert "The file is larger than 1000" in page(response)
    assert not AttendanceImport.objects.exists()


def test_an_upload_without_a_file_asks_for_one(staff_client, meeting, session):
    response = staff_client.post(url("staff_attendance_upload", meeting, session.pk), {})
    assert "Choose the report&#x27;s file." in page(response)


def test_a_session_of_another_meeting_is_not_found(staff_client, meeting):
    other = SessionFactory()
    response = staff_client.post(
        url("staff_attendance_upload", meeting, other.pk), {"file": spring_upload()}
    )
    assert response.status_code == 404


# --- Resolving rows -------------------------------------------------------------------


def test_staff_find_the_council_member_and_match_the_row(staff_client, meeting, imported):
    # Added to the directory after the import: the guest's row is still open.
    jens = member("Jens Peter Hansen", "jph@aalborg.dk", 851)
    namesake = member("Jens Hansen", "jh@vejle.dk", 630)
    record = imported.records.get(name="Jens Peter Hansen (Guest)")
    assert record.person is None
    match_url = url("staff_attendance_match", meeting, record.pk)

    # The first search is the row's name without Teams' "(Guest)".
    first = page(staff_client.get(match_url))
    assert 'value="Jens Peter Hansen"' in first
    assert [jens.pk] == candidates(first)
    found = candidates(page(staff_client.get(match_url, {"q": "jens hansen"})))
    assert found == [namesake.pk, jens.pk]  # by name
    assert 'data-testid="no-candidates"' in page(staff_client.get(match_url, {"q": "nobody"}))

    response = staff_client.post(match_url, {"person": jens.pk})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.person, record.matched_by) == (jens, "staff")
    shown = page(staff_client.get(response["Location"]))
    assert (
        "Jens Peter Hansen (Guest)"
        in shown.split('data-testid="staff-rows"')[1].split("</table>")[0]
    )
    assert (
        "Jens Peter Hansen (Guest)"
        not in shown.split('data-testid="open-rows"')[1].split("</table>")[0]
    )


def candidates(body: str) -> list[int]:
    if 'data-testid="candidates"' not in body:
        return []
    listed = body.split('data-testid="candidates"')[1].split("</ul>")[0]
    return [int(part.split('"')[0]) for part in listed.split('name="person" value="')[1:]]


def test_matching_to_someone_not_a_council_member_is_refused(staff_client, meeting, imported):
    outsider = PersonFactory(name="Not A Member")
    record = imported.records.get(name="Mette Kjærgaard")
    response = staff_client.post(
        url("staff_attendance_match", meeting, record.pk), {"person": outsider.pk}
    )
    assert "Choose one of the council members found." in page(response)
    record.refresh_from_db()
    assert record.person is None


def test_staff_dismiss_a_row_with_a_reason(staff_client, meeting, imported):
    record = imported.records.get(name="Mette Kjærgaard")
    dismiss_url = url("staff_attendance_dismiss", meeting, record.pk)

    refused = staff_client.post(dismiss_url, {"reason": ""}, follow=True)
    assert "Give a reason for dismissing the row." in page(refused)
    record.refresh_from_db()
    assert not record.dismissed

    response = staff_client.post(dismiss_url, {"reason": "KL secretariat"}, follow=True)
    body = page(response)
    assert "“Mette Kjærgaard” is dismissed." in body
    assert "KL secretariat" in body.split('data-testid="dismissed-rows"')[1]
    record.refresh_from_db()
    assert (record.dismissed, record.dismissed_reason) == (True, "KL secretariat")


def test_rows_of_another_meeting_are_not_found(staff_client, imported):
    other = MeetingFactory()
    record = imported.records.first()
    assert staff_client.get(url("staff_attendance_match", other, record.pk)).status_code == 404
    assert staff_client.get(url("staff_attendance_import", other, imported.pk)).status_code == 404


# --- Figures, exports, query counts ---------------------------------------------------------


def test_the_attendance_page_has_the_note_and_the_figures(
    staff_client, meeting, session, staff_user
):
    mayor = member("Anders And", "aa@aarhus.dk", 751, party="Venstre", title="borgmester")
    Registration.objects.create(meeting=meeting, session=session, person=mayor, status="confirmed")
    attendance_import(
        session=session,
        data=report_with([Attendee(mayor.name, mayor.email, "Attendee", interval())]),
        filename="r.csv",
        user=staff_user,
    )
    body = page(staff_client.get(url("staff_attendance", meeting)))
    assert 'data-testid="view-only-note"' in body
    assert "beyond 1,000 can only watch" in body
    for table in ("by-region", "by-municipality", "by-party", "by-title"):
        assert f'data-testid="figures-{table}"' in body
    region = body.split('data-testid="figures-by-region"')[1].split("</tbody>")[0]
    assert (
        '<th scope="row">Region Midtjylland</th><td>1</td><td>1</td><td>1</td><td>100 %</td>'
        "<td>60</td>"
    ) in region


def test_the_pages_take_a_constant_number_of_queries(staff_client, meeting, session, staff_user):
    def queries(address: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(address).status_code == 200
        return len(ctx)

    def upload(count: int) -> AttendanceImport:
        attendees = []
        for n in range(count):
            person = member(f"Person {count} {n}", f"p{count}.{n}@aarhus.dk", [751, 461][n % 2])
            Registration.objects.create(
                meeting=meeting, session=session, person=person, status="confirmed"
            )
            attendees.append(Attendee(person.name, "", "Attendee", interval()))
        attendees.append(Attendee(f"Stranger {count}", "", "Attendee", interval()))
        attendees.append(Attendee(f"Other {count}", f"x{count}@y.dk", "Attendee", interval()))
        return attendance_import(
            session=session, data=report_with(attendees), filename=f"{count}", user=staff_user
        )

    small = upload(2)
    record = small.records.filter(person__isnull=True).first()
    few = [
        queries(url("staff_attendance", meeting)),
        queries(url("staff_attendance_import", meeting, small.pk)),
        queries(url("staff_attendance_match", meeting, record.pk) + "?q=Person"),
        queries(url("staff_attendance_export", meeting, "records", "csv")),
        queries(url("staff_attendance_export", meeting, "figures", "csv")),
    ]
    large = upload(25)
    record = large.records.filter(person__isnull=True).first()
    many = [
        queries(url("staff_attendance", meeting)),
        queries(url("staff_attendance_import", meeting, large.pk)),
        queries(url("staff_attendance_match", meeting, record.pk) + "?q=Person"),
        queries(url("staff_attendance_export", meeting, "records", "csv")),
        queries(url("staff_attendance_export", meeting, "figures", "csv")),
    ]
    assert many == few


def test_exports_neutralise_formulas(staff_client, meeting, session, staff_user):
    # A display name in Teams is whatever the participant typed.
    evil = member('=HYPERLINK("http://evil")', "evil@aarhus.dk", party="+Parti", title="@SUM(1)")
    attendance_import(
        session=session,
        data=report_with(
            [
                Attendee(evil.name, evil.email, "Attendee", interval()),
                Attendee("-2+3", "", "=cmd|' /C calc'!A0", interval()),
            ]
        ),
        filename="r.csv",
        user=staff_user,
    )
    records = staff_client.get(url("staff_attendance_export", meeting, "records", "csv"))
    assert records["Content-Disposition"].endswith('-attendance-records.csv"')
    text = records.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'-2+3" in text and "'=cmd" in text and "'+Parti" in text
    figures = staff_client.get(url("staff_attendance_export", meeting, "figures", "csv"))
    figures_text = figures.content.decode("utf-8-sig")
    assert ";'+Parti;" in figures_text and ";'@SUM(1);" in figures_text

    workbook = staff_client.get(url("staff_attendance_export", meeting, "records", "xlsx"))
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value]
    hyperlink = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert hyperlink.data_type == "s"
    assert all(cell.data_type != "f" for cell in cells)


def test_an_unknown_export_is_not_found(staff_client, meeting):
    assert (
        staff_client.get(url("staff_attendance_export", meeting, "people", "csv")).status_code
        == 404
    )
    assert (
        staff_client.get(url("staff_attendance_export", meeting, "records", "pdf")).status_code
        == 404
    )
