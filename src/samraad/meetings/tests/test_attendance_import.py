"""Importing Teams attendance reports: matching, resolving by hand, refusals, figures."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from samraad.core.errors import ServiceError
from samraad.core.timeutils import local_datetime
from samraad.directory.models import Municipality, Role, RoleKind
from samraad.meetings.attendance_selectors import attendance_figures
from samraad.meetings.attendance_services import (
    attendance_import,
    attendance_record_dismiss,
    attendance_record_match,
)
from samraad.meetings.models import (
    AttendanceImport,
    AttendanceRecord,
    MatchedBy,
    Registration,
    RegistrationStatus,
)
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
    StaffUserFactory,
)


@pytest.fixture(autouse=True)
def english():
    # The messages are asserted in English, whatever the catalogue says.
    with translation.override("en"):
        yield


def member(name: str, email: str, code: int = 751, *, roles=(RoleKind.COUNCIL_MEMBER,), **extra):
    person = PersonFactory(
        name=name, email=email, municipality=Municipality.objects.get(code=code), **extra
    )
    for kind in roles:
        Role.objects.create(person=person, kind=kind)
    return person


def register(person, session, status=RegistrationStatus.CONFIRMED):
    return Registration.objects.create(
        meeting=session.meeting, session=session, person=person, status=status
    )


@pytest.fixture
def meeting(db):
    meeting = MeetingFactory()
    # The committed spring report is of Monday 31 March 2025, 18.52–20.31 Copenhagen time.
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
def first(meeting):
    return meeting.sessions.order_by("starts_at")[0]


@pytest.fixture
def second(meeting):
    return meeting.sessions.order_by("starts_at")[1]


@pytest.fixture
def staff(db):
    return StaffUserFactory()


@pytest.fixture
def people(first):
    """The council members of the spring report, as the directory knows them."""
    soeren = member("Søren Østergaard", "soeren.oestergaard@aarhus.dk", 751)
    # Another address than Teams has: found by name ("Å" and all).
    anne_marie = member("Anne-Marie Ågård", "am.aagaard@odense.dk", 461)
    # Two council members share the guest's name; only one registered for the session.
    jens = member("Jens Peter Hansen", "jph@aalborg.dk", 851)
    member("Jens Peter Hansen", "jens.p.hansen@vejle.dk", 630)
    # Not registered at all; Teams calls him "Lars Bjørn Æbelø (External)".
    lars = member("Lars Bjørn Æbelø", "lbae@vejle.dk", 630)
    # The organiser is in the directory, but as the secretariat's, not a council member.
    mette = member("Mette Kjærgaard", "mette.kjaergaard@kl.dk", 101, roles=(RoleKind.SECRETARIAT,))
    for person in (soeren, anne_marie, jens):
        register(person, first)
    return {"soeren": soeren, "anne_marie": anne_marie, "jens": jens, "lars": lars, "mette": mette}


def spring_file() -> bytes:
    return (REPORTS / "sections_en_dmy_utf16.csv").read_bytes()


def rows(attendance_import: AttendanceImport) -> dict[str, tuple]:
    return {
        r.name: (r.person.email if r.person else None, r.matched_by, r.dismissed)
        for r in attendance_import.records.select_related("person")
    }


def test_a_real_utf16_report_is_matched_by_email_then_by_name(first, people, staff):
    data = spring_file()
    assert data.startswith(b"\xff\xfe")  # the real download: UTF-16 LE with a BOM

    result = attendance_import(session=first, data=data, filename="Attendance.csv", user=staff)

    assert result.rows == 6
    assert result.format == "sections"
    assert result.title == "Dialogmøde om kommunernes økonomi 2026 – session 1"
    assert result.report_start.isoformat() == "2025-03-31T16:52:04+00:00"
    assert result.size == len(data) and len(result.sha256) == 64
    assert result.uploaded_by == staff and result.is_current and not result.already_imported
    assert rows(result) == {
        "Søren Østergaard": ("soeren.oestergaard@aarhus.dk", MatchedBy.EMAIL, False),
        "Anne-Marie Ågård": ("am.aagaard@odense.dk", MatchedBy.NAME, False),
        # The registrant of this session wins over his namesake elsewhere.
        "Jens Peter Hansen (Guest)": ("jph@aalborg.dk", MatchedBy.NAME, False),
        "Lars Bjørn Æbelø (External)": ("lbae@vejle.dk", MatchedBy.NAME, False),
        # In the directory, but not a council member or registrant: for staff to decide.
        "Mette Kjærgaard": (None, "", False),
        "Anonymous": (None, "", False),
    }
    soeren = result.records.get(person=people["soeren"])
    assert soeren.seconds == 2545 + 2792  # the two intervals of section 3
    assert soeren.first_join.isoformat() == "2025-03-31T16:58:40+00:00"
    assert soeren.key == "soeren.oestergaard@aarhus.dk"
    assert result.records.get(name="Anonymous").key == "name:anonymous"
    assert any("chose not to be identified" in warning for warning in result.warnings)


def test_a_name_shared_by_two_people_in_the_deciding_tier_is_left_for_staff(first, db, staff):
    member("Karen Møller", "km1@aarhus.dk", 751)
    member("Karen Moeller", "km2@horsens.dk", 615)  # the same name, as match_key sees it
    report = sections_report(
        title="Dialogmøde",
        start=at(SPRING_DAY, "18:55:00"),
        end=at(SPRING_DAY, "20:30:00"),
        attendees=[
            Attendee("KAREN MØLLER (Gæst)", "", "Attendee", [at_pair("19:00:00", "20:00:00")]),
        ],
    )
    result = attendance_import(
        session=first, data=encode(report, "utf-16"), filename="r.csv", user=staff
    )
    record = result.records.get()
    assert (record.person, record.matched_by, record.namesakes) == (None, "", 2)


def at_pair(joined: str, left: str):
    return (at(SPRING_DAY, joined), at(SPRING_DAY, left))


def test_email_wins_over_name_and_cancelled_registrants_are_plain_council_members(
    first, second, staff
):
    # Registered for the other session, and a namesake of a cancelled registrant of this one.
    other = member("Ole Sørensen", "ole.s@aarhus.dk", 751)
    register(other, second)
    cancelled = member("Ole Sørensen", "ole@vejle.dk", 630)
    register(cancelled, first, RegistrationStatus.CANCELLED)
    by_email = member("Someone Else", "private@example.dk", 101)
    report = sections_report(
        title="x",
        start=at(SPRING_DAY, "18:55:00"),
        end=at(SPRING_DAY, "20:30:00"),
        attendees=[
            Attendee("Ole Sørensen", "", "Attendee", [at_pair("19:00:00", "20:00:00")]),
            Attendee(
                "Søren Østergaard", "PRIVATE@example.dk", "Attendee", [at_pair("19:00", "19:30")]
            ),
        ],
    )
    result = attendance_import(
        session=first, data=encode(report, "utf-8"), filename="r.csv", user=staff
    )
    assert rows(result) == {
        # Tier 2 (registrants of the meeting) decides before all council members.
        "Ole Sørensen": ("ole.s@aarhus.dk", MatchedBy.NAME, False),
        "Søren Østergaard": (by_email.email, MatchedBy.EMAIL, False),
    }


def test_staff_match_and_dismiss_the_rows_left_over(first, people, staff):
    result = attendance_import(session=first, data=spring_file(), filename="a.csv", user=staff)
    mette = result.records.get(name="Mette Kjærgaard")
    anonymous = result.records.get(name="Anonymous")

    # Only council members (or registrants) can be chosen.
    with pytest.raises(ServiceError, match="neither a council member nor registered"):
        attendance_record_match(record=mette, person=people["mette"], user=staff)

    lars = member("Lars Nielsen", "ln@aarhus.dk", 751)
    matched = attendance_record_match(record=anonymous, person=lars, user=staff)
    assert (matched.person, matched.matched_by, matched.resolved_by) == (lars, "staff", staff)

    with pytest.raises(ServiceError, match="Give a reason"):
        attendance_record_dismiss(record=mette, reason="  ", user=staff)
    assert attendance_record_dismiss(record=mette, reason="KL secretariat", user=staff) == 1
    mette.refresh_from_db()
    assert (mette.dismissed, mette.dismissed_reason, mette.person) == (
        True,
        "KL secretariat",
        None,
    )
    assert not result.records.filter(person__isnull=True, dismissed=False).exists()

    # Matching a dismissed row undoes the dismissal.
    attendance_record_match(record=mette, person=lars, user=staff)
    mette.refresh_from_db()
    assert (mette.dismissed, mette.dismissed_reason, mette.matched_by) == (False, "", "staff")


def test_dismissing_one_anonymous_row_dismisses_them_all(first, db, staff):
    report = sections_report(
        title="x",
        start=at(SPRING_DAY, "18:55:00"),
        end=at(SPRING_DAY, "20:30:00"),
        attendees=[
            Attendee("Anonymous", "", "Attendee", [at_pair("19:00:00", "19:10:00")]),
            Attendee("Anonymous", "", "Attendee", [at_pair("19:20:00", "19:30:00")]),
            Attendee("Anonym", "", "Attendee", [at_pair("19:20:00", "19:40:00")]),
        ],
    )
    result = attendance_import(
        session=first, data=encode(report, "utf-16"), filename="r.csv", user=staff
    )
    one = result.records.filter(name="Anonymous").first()
    assert attendance_record_dismiss(record=one, reason="Not identified", user=staff) == 2
    assert list(result.records.values_list("name", "dismissed")) == [
        ("Anonymous", True),
        ("Anonymous", True),
        ("Anonym", False),
    ]


def test_the_same_file_twice_changes_nothing(first, people, staff):
    data = spring_file()
    once = attendance_import(session=first, data=data, filename="a.csv", user=staff)
    attendance_record_dismiss(
        record=once.records.get(name="Anonymous"), reason="Not identified", user=staff
    )
    before = list(AttendanceRecord.objects.order_by("pk").values())

    again = attendance_import(
        session=first, data=data, filename="renamed.csv", user=StaffUserFactory()
    )

    assert again.pk == once.pk and again.already_imported
    assert AttendanceImport.objects.count() == 1
    assert list(AttendanceRecord.objects.order_by("pk").values()) == before


def test_a_newer_report_replaces_the_older_and_keeps_staffs_decisions(first, people, staff):
    older = attendance_import(session=first, data=spring_file(), filename="a.csv", user=staff)
    lars = member("Lars Nielsen", "ln@aarhus.dk", 751)
    attendance_record_match(
        record=older.records.get(name="Mette Kjærgaard"), person=lars, user=staff
    )
    attendance_record_dismiss(record=older.records.get(name="Anonymous"), reason="Anon", user=staff)

    # The same session downloaded again, re-saved by Excel: different bytes, fewer rows.
    newer_file = (REPORTS / "sections_excel_semicolon_cp1252.csv").read_bytes()
    newer = attendance_import(session=first, data=newer_file, filename="b.csv", user=staff)

    older.refresh_from_db()
    assert not older.is_current and older.records.count() == 0
    assert newer.is_current
    assert AttendanceRecord.objects.filter(session=first).count() == newer.rows == 6
    assert rows(newer)["Mette Kjærgaard"] == ("ln@aarhus.dk", MatchedBy.STAFF, False)
    assert rows(newer)["Anonymous"] == (None, "", True)
    assert newer.records.get(name="Anonymous").dismissed_reason == "Anon"
    # Email still decides where the directory knows it.
    assert rows(newer)["Søren Østergaard"][1] == MatchedBy.EMAIL


def test_a_report_of_another_session_or_meeting_is_refused_and_says_when(first, second, staff):
    with pytest.raises(ServiceError) as refused:
        attendance_import(session=second, data=spring_file(), filename="a.csv", user=staff)
    assert refused.value.code == "other_meeting"
    assert refused.value.message == (
        "This report is of a meeting held Monday 31 March 2025 18:52–20:31, but this session "
        "is Thursday 3 April 2025 19:00–20:30. Upload the report of this session. It looks like "
        "the report of the session Monday 31 March 2025 19:00–20:30."
    )
    # 15 November 2022: nothing like any session of the meeting.
    autumn = (REPORTS / "sections_en_mdy_utf16.csv").read_bytes()
    with pytest.raises(ServiceError, match="held Tuesday 15 November 2022 11:40–13:10,"):
        attendance_import(session=first, data=autumn, filename="b.csv", user=staff)
    assert not AttendanceImport.objects.exists()
    assert not AttendanceRecord.objects.exists()


def test_a_report_beginning_hours_before_the_session_is_of_another_meeting(first, staff):
    report = sections_report(
        title="Formøde",
        start=at(SPRING_DAY, "15:00:00"),
        end=at(SPRING_DAY, "19:10:00"),
        attendees=[Attendee("A B", "", "Attendee", [at_pair("15:00:00", "19:10:00")])],
    )
    with pytest.raises(ServiceError, match="held Monday 31 March 2025 15:00–19:10,"):
        attendance_import(
            session=first, data=encode(report, "utf-16"), filename="r.csv", user=staff
        )


def test_a_report_cut_off_in_a_row_is_imported_up_to_the_cut_with_a_warning(first, staff):
    data = (REPORTS / "truncated_utf16.csv").read_bytes()
    result = attendance_import(session=first, data=data, filename="cut.csv", user=staff)
    assert result.rows == 3 == result.records.count()
    assert result.warnings[0].startswith("The file seems to be cut off")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not_a_report_workbook.xlsx", "This is an Excel workbook (.xlsx)"),
        ("not_a_report.pdf", "This is a PDF file"),
        ("not_a_report_municipalities.csv", "This does not look like a Teams attendance report"),
    ],
)
def test_a_file_the_parser_cannot_read_gives_its_message_and_saves_nothing(
    first, staff, name, message
):
    data = (REPORTS / name).read_bytes()
    with pytest.raises(ServiceError, match=re.escape(message)) as refused:
        attendance_import(session=first, data=data, filename=name, user=staff)
    assert refused.value.code == "unreadable_report"
    assert not AttendanceImport.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x01\x02\xff" * 200, "The file holds binary data, not text"),
        ((REPORTS / "sections_en_dmy_utf16.csv").read_bytes()[:300], "no list of participants"),
        (b"", "The file is empty."),
    ],
    ids=["garbage", "cut-before-the-participants", "empty"],
)
def test_garbage_and_a_report_cut_before_its_participants_are_refused(first, staff, data, message):
    with pytest.raises(ServiceError, match=re.escape(message)):
        attendance_import(session=first, data=data, filename="x.csv", user=staff)
    assert not AttendanceImport.objects.exists()


def test_a_file_over_the_limit_is_refused(first, staff, settings):
    settings.ATTENDANCE_MAX_BYTES = 100
    with pytest.raises(ServiceError, match="larger than 100"):
        attendance_import(session=first, data=spring_file(), filename="a.csv", user=staff)


def test_a_failure_after_the_replacement_began_leaves_the_older_import_current(
    first, people, staff, monkeypatch
):
    older = attendance_import(session=first, data=spring_file(), filename="a.csv", user=staff)
    count = older.records.count()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(AttendanceRecord.objects, "bulk_create", broken)
    newer = (REPORTS / "sections_excel_semicolon_cp1252.csv").read_bytes()
    with pytest.raises(RuntimeError):
        attendance_import(session=first, data=newer, filename="b.csv", user=staff)
    older.refresh_from_db()
    assert older.is_current and older.records.count() == count
    assert AttendanceImport.objects.count() == 1


# --- Figures ----------------------------------------------------------------------------


def test_figures_by_region_municipality_party_and_title(meeting, first, second, staff):
    aarhus_mayor = member(
        "Anders Aarhus", "a@aarhus.dk", 751, party="Socialdemokratiet", title="borgmester"
    )
    aarhus_member = member("Bente Aarhus", "b@aarhus.dk", 751, party="Venstre")
    vejle_member = member("Carl Vejle", "c@vejle.dk", 630, party="venstre ")
    odense_member = member("Dorte Odense", "d@odense.dk", 461, party="Venstre")
    # Not registered, but attended session 2 (the link was forwarded).
    walk_in = member("Erik Aalborg", "e@aalborg.dk", 851, party="SF", title="rådmand")
    for person in (aarhus_mayor, aarhus_member, vejle_member):
        register(person, first)
    register(odense_member, second)  # registered, did not attend
    waitlisted = member("Frida Aarhus", "f@aarhus.dk", 751)
    register(waitlisted, second, RegistrationStatus.WAITLISTED)  # not registered: waitlisted

    def report(day, people):
        return encode(
            sections_report(
                title="x",
                start=at(day, "18:55:00"),
                end=at(day, "20:30:00"),
                attendees=[
                    Attendee(p.name, p.email, "Attendee", [(at(day, "19:00:00"), at(day, end))])
                    for p, end in people
                ],
            ),
            "utf-16",
        )

    attendance_import(
        session=first,
        data=report(SPRING_DAY, [(aarhus_mayor, "20:00:00"), (vejle_member, "19:30:00")]),
        filename="1.csv",
        user=staff,
    )
    attendance_import(
        session=second,
        data=report("2025-04-03", [(aarhus_mayor, "19:45:00"), (walk_in, "19:20:00")]),
        filename="2.csv",
        user=staff,
    )

    tables = attendance_figures(meeting)

    def table(figures):
        return {
            f.label: (f.registered, f.attended, f.attended_registered, f.minutes) for f in figures
        }

    assert table([tables.total]) == {"All": (4, 3, 2, 60 + 45 + 30 + 20)}
    assert tables.total.share == 0.5
    assert table(tables.by_region) == {
        "Region Midtjylland": (2, 1, 1, 105),
        "Region Nordjylland": (0, 1, 0, 20),
        "Region Syddanmark": (2, 1, 1, 30),
    }
    assert table(tables.by_municipality) == {
        "Aalborg": (0, 1, 0, 20),
        "Aarhus": (2, 1, 1, 105),
        "Odense": (1, 0, 0, 0),
        "Vejle": (1, 1, 1, 30),
    }
    # "Venstre" and "venstre " are one party.
    assert table(tables.by_party) == {
        "SF": (0, 1, 0, 20),
        "Socialdemokratiet": (1, 1, 1, 105),
        "Venstre": (3, 1, 1, 30),
    }
    assert [f.label for f in tables.by_title] == ["borgmester", "rådmand", "Not given"]
    assert table(tables.by_title)["Not given"] == (3, 1, 1, 30)
    assert next(f for f in tables.by_municipality if f.label == "Odense").share == 0


def test_dismissed_and_unmatched_rows_count_for_nobody(meeting, first, people, staff):
    result = attendance_import(session=first, data=spring_file(), filename="a.csv", user=staff)
    before = attendance_figures(meeting).total
    soeren = result.records.get(person=people["soeren"])
    attendance_record_dismiss(record=soeren, reason="Tested the link only", user=staff)
    after = attendance_figures(meeting).total
    assert (before.attended, after.attended) == (4, 3)
    assert before.seconds - after.seconds == soeren.seconds


def test_figures_take_a_constant_number_of_queries(meeting, first, second, staff):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            attendance_figures(meeting)
        return len(ctx)

    one = member("One", "one@aarhus.dk", 751, party="A")
    register(one, first)
    few = queries()
    attendees = []
    for n in range(30):
        person = member(f"Person {n}", f"p{n}@vejle.dk", [630, 461, 851][n % 3], party=f"P{n}")
        register(person, first if n % 2 else second)
        attendees.append(
            Attendee(person.name, person.email, "Attendee", [at_pair("19:00", "20:00")])
        )
    report = sections_report(
        title="x", start=at(SPRING_DAY, "18:55"), end=at(SPRING_DAY, "20:30"), attendees=attendees
    )
    attendance_import(session=first, data=encode(report, "utf-16"), filename="r", user=staff)
    assert queries() == few == 2
