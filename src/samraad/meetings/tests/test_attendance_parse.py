"""Reading Teams attendance reports: every format we meet, and every way a file goes wrong."""

import codecs
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samraad.meetings import attendance
from samraad.meetings.attendance import (
    AttendanceReport,
    ReportError,
    match_key,
    parse_teams_report,
)
from samraad.meetings.tests import teams_reports
from samraad.meetings.tests.teams_reports import (
    REPORTS,
    SPRING_DAY,
    Attendee,
    at,
    encode,
    flat_report,
    sections_report,
    spring_report,
)


@pytest.fixture(autouse=True, scope="module")
def english():
    # The messages are asserted in English, whatever the catalogue says.
    with translation.override("en"):
        yield


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def fixture(name: str) -> bytes:
    return (REPORTS / name).read_bytes()


def people(report: AttendanceReport) -> list[tuple]:
    return [(p.name, p.email, p.first_join, p.last_leave, p.seconds) for p in report.participants]


# The spring session as every faithful copy of it must read: 31 March 2025 is
# summer time, so the report's 19.00 is 17.00 UTC.
SPRING_PEOPLE = [
    (
        "Mette Kjærgaard",
        "mette.kjaergaard@kl.dk",
        utc(2025, 3, 31, 16, 52, 4),
        utc(2025, 3, 31, 18, 31, 10),
        5946,
    ),
    (
        "Søren Østergaard",
        "soeren.oestergaard@aarhus.dk",
        utc(2025, 3, 31, 16, 58, 40),
        utc(2025, 3, 31, 18, 30, 2),
        2545 + 2792,  # two intervals, not the span from first join to last leave
    ),
    (
        "Anne-Marie Ågård",
        "amaa@odense.dk",
        utc(2025, 3, 31, 17, 1, 12),
        utc(2025, 3, 31, 18, 29, 59),
        5327,
    ),
    ("Jens Peter Hansen (Guest)", "", utc(2025, 3, 31, 17, 5), utc(2025, 3, 31, 17, 50), 2700),
    ("Anonymous", "", utc(2025, 3, 31, 17, 10), utc(2025, 3, 31, 17, 25, 30), 930),
    (
        "Lars Bjørn Æbelø (External)",
        "lars.aebeloe@vejle.dk",
        utc(2025, 3, 31, 17, 0, 30),
        utc(2025, 3, 31, 18, 15),
        4470,
    ),
]
SPRING = spring_report()  # its text, as the real download holds it
ANONYMOUS_WARNING = (
    "1 participant chose not to be identified; they are counted but cannot be matched "
    "to a registrant."
)


def test_committed_fixtures_are_what_the_generator_writes():
    committed = {path.name for path in REPORTS.iterdir()}
    assert committed == set(teams_reports.FIXTURES)
    for name, build in teams_reports.FIXTURES.items():
        assert fixture(name) == build(), f"{name} is stale: run python -m {teams_reports.__name__}"


def test_the_real_download_is_utf16_with_bom_and_tabs():
    data = fixture("sections_en_dmy_utf16.csv")
    assert data[:2] == codecs.BOM_UTF16_LE
    assert "\t".encode("utf-16-le") in data


# --- The three-section report ----------------------------------------------------


def test_real_download_dmy_in_summer_time():
    report = parse_teams_report(fixture("sections_en_dmy_utf16.csv"))

    assert report.format == "sections"
    assert report.title == "Dialogmøde om kommunernes økonomi 2026 – session 1"
    assert report.start == utc(2025, 3, 31, 16, 52, 4)
    assert report.end == utc(2025, 3, 31, 18, 31, 10)
    assert people(report) == SPRING_PEOPLE
    first = report.participants[0]
    assert (first.upn, first.role) == ("mette.kjaergaard@kl.dk", "Organizer")
    assert report.warnings == [ANONYMOUS_WARNING]
    assert len(report.intervals) == 7
    soeren = [i for i in report.intervals if i.name == "Søren Østergaard"]
    assert [(i.joined, i.left) for i in soeren] == [
        (utc(2025, 3, 31, 16, 58, 40), utc(2025, 3, 31, 17, 41, 5)),
        (utc(2025, 3, 31, 17, 43, 30), utc(2025, 3, 31, 18, 30, 2)),
    ]
    assert soeren[0].email == "soeren.oestergaard@aarhus.dk"
    assert soeren[0].role == "Attendee"


def test_us_organiser_mdy_with_am_pm_and_capitalised_headers():
    report = parse_teams_report(fixture("sections_en_mdy_utf16.csv"))

    assert report.title == "KKR Midtjylland – temamøde"
    # 15 November 2022 is winter time: UTC+1. 1:10:17 PM is 13:10:17.
    assert report.start == utc(2022, 11, 15, 10, 40)
    assert report.end == utc(2022, 11, 15, 12, 10, 17)
    assert people(report) == [
        (
            "Peter Lund",
            "peter.lund@kl.dk",
            utc(2022, 11, 15, 10, 40),
            utc(2022, 11, 15, 12, 10, 17),
            5417,
        ),
        (
            "Karen Møller",
            "kamo@horsens.dk",
            utc(2022, 11, 15, 8, 30, 17),
            utc(2022, 11, 15, 11, 58, 40),
            4461,
        ),
        (
            "Ahmad Al-Khatib",
            "ahmad.al-khatib@ishoj.dk",
            utc(2022, 11, 15, 10, 50),
            utc(2022, 11, 15, 12, 5),
            4500,
        ),
    ]
    assert len(report.intervals) == 4
    assert report.warnings == []


def test_the_organisers_zone_is_the_one_passed():
    report = parse_teams_report(
        fixture("sections_en_mdy_utf16.csv"), tz=ZoneInfo("America/New_York")
    )
    assert report.start == utc(2022, 11, 15, 16, 40)


def test_danish_client_labels_and_durations_in_utf8_with_bom():
    report = parse_teams_report(fixture("sections_da_utf8_bom.csv"))

    assert report.title == "Dialogmøde – session 2"
    assert report.start == utc(2025, 11, 27, 14, 58)
    assert [(p.name, p.email, p.role, p.seconds) for p in report.participants] == [
        ("Birgitte Østergård", "bio@kl.dk", "Arrangør", 5522),
        ("Hans-Henrik Jørgensen", "hhj@frederiksberg.dk", "Præsentationsvært", 5251),
        ("Åse Nørgaard", "aase.noergaard@thisted.dk", "Deltager", 1 * 3600 + 27 * 60 + 51),
        ("Anonym", "", "Deltager", 1800),
    ]
    assert [(i.name, i.left) for i in report.intervals][2] == (
        "Åse Nørgaard",
        utc(2025, 11, 27, 16, 27, 51),
    )
    assert report.warnings == [ANONYMOUS_WARNING]


def test_resaved_by_danish_excel_semicolons_windows_1252_moved_and_extra_columns():
    report = parse_teams_report(fixture("sections_excel_semicolon_cp1252.csv"))

    # Excel dropped the seconds from the times; the durations are still Teams'.
    assert [(p.name, p.email, p.upn, p.role, p.first_join, p.seconds) for p in report.participants][
        :2
    ] == [
        (
            "Mette Kjærgaard",
            "mette.kjaergaard@kl.dk",
            "mette.kjaergaard@kl.dk",
            "Organizer",
            utc(2025, 3, 31, 16, 52),
            5946,
        ),
        (
            "Søren Østergaard",
            "soeren.oestergaard@aarhus.dk",
            "soeren.oestergaard@aarhus.dk",
            "Attendee",
            utc(2025, 3, 31, 16, 58),
            5337,
        ),
    ]
    assert len(report.participants) == 6
    assert report.warnings[0].startswith("The file is neither UTF-16 nor UTF-8")


@pytest.mark.parametrize(
    "encoding", ["utf-16", "utf-16-be", "utf-8-sig", "utf-8", "utf-16-le"], ids=str
)
def test_every_encoding_reads_the_same(encoding):
    # "utf-16-le" is UTF-16 without a BOM, recognised by its zero bytes.
    data = encode(spring_report(), encoding)
    assert people(parse_teams_report(data)) == SPRING_PEOPLE


@pytest.mark.parametrize("delimiter", ["\t", ";", ","], ids=["tab", "semicolon", "comma"])
def test_every_delimiter_reads_the_same(delimiter):
    text = spring_report(delimiter=delimiter)
    if delimiter == ",":
        assert '"31/03/25, 18:52:04"' in text  # a date holds the delimiter, so it is quoted
    assert people(parse_teams_report(text.encode())) == SPRING_PEOPLE


def test_comma_separated_dates_that_lost_their_quotes_are_put_together_again():
    text = spring_report(delimiter=",").replace('"', "")
    assert "31/03/25, 18:52:04,31/03/25, 20:31:10" in text
    assert people(parse_teams_report(text.encode())) == SPRING_PEOPLE


def test_unknown_summary_rows_extra_columns_and_a_report_without_final_line_break():
    text = spring_report(extra_column=("Department", ["KL", "", "", "", "", ""]))
    text = text.replace(
        "Attended participants\t6\r\n",
        "Attended participants\t6\r\nMeeting ID\t19:meeting_NjQ5@thread.v2\r\nOrganizer\tMette\r\n",
    )
    report = parse_teams_report(text.rstrip("\r\n").encode("utf-8"))
    assert people(report) == SPRING_PEOPLE
    assert report.warnings == [ANONYMOUS_WARNING]


def test_a_row_without_its_last_empty_cells_is_complete_enough():
    text = SPRING.replace("\t\t\tAttendee\r\n", "\r\n", 1)  # the guest's email, UPN and role
    report = parse_teams_report(text.encode())
    assert people(report) == SPRING_PEOPLE
    assert report.participants[3].role == ""


def test_a_stray_control_character_is_read_as_a_space():
    text = SPRING.replace("økonomi 2026 –", "økonomi 2026\x0b–", 1)  # Word's line break
    report = parse_teams_report(text.encode())
    assert report.title == "Dialogmøde om kommunernes økonomi 2026 – session 1"
    assert people(report) == SPRING_PEOPLE


def test_without_activities_section_there_are_no_intervals():
    report = parse_teams_report(spring_report(sections=(1, 2)).encode())
    assert report.intervals == []
    assert [p.seconds for p in report.participants] == [p[4] for p in SPRING_PEOPLE]


def test_without_participants_section_participants_come_from_the_activities():
    report = parse_teams_report(fixture("sections_activities_only_utf8.csv"))

    assert people(report) == SPRING_PEOPLE
    assert all(p.upn == "" for p in report.participants)
    assert report.participants[0].role == "Organizer"
    assert report.warnings == [
        "The report has no “2. Participants” section; participants were derived from "
        "the in-meeting activities.",
        ANONYMOUS_WARNING,
    ]


def test_without_a_duration_column_time_is_summed_from_the_intervals():
    report = parse_teams_report(spring_report(participant_columns=[0, 1, 2, 4, 5, 6]).encode())
    assert [p.seconds for p in report.participants] == [p[4] for p in SPRING_PEOPLE]


def test_a_join_without_leave_time_counts_until_the_end_of_the_meeting():
    text = sections_report(
        title="Still running",
        start=at(SPRING_DAY, "19:00:00"),
        end=at(SPRING_DAY, "20:00:00"),
        attendees=[
            Attendee(
                "Karen Møller",
                "kamo@horsens.dk",
                intervals=[(at(SPRING_DAY, "19:30:00"), at(SPRING_DAY, "19:31:00"))],
            )
        ],
        sections=(1, 3),
    )
    text = text.replace("31/03/25, 19:31:00\t1m", "\t")
    report = parse_teams_report(text.encode())
    assert report.intervals[0].left is None
    participant = report.participants[0]
    assert participant.last_leave is None
    assert participant.seconds == 30 * 60
    assert report.warnings[-1].startswith("1 join has no leave time")


def test_the_hour_that_repeats_when_summer_time_ends():
    # 26 October 2025: 02:50 (summer time, 00:50 UTC) to 02:10 (winter time, 01:10 UTC).
    text = (
        "3. In-Meeting activities\n"
        "Name\tJoin time\tLeave time\tDuration\tEmail\tRole\n"
        "Night Owl\t26/10/25, 02:50:00\t26/10/25, 02:10:00\t20m\towl@kl.dk\tAttendee\n"
    )
    report = parse_teams_report(text.encode())
    interval = report.intervals[0]
    assert (interval.joined, interval.left) == (utc(2025, 10, 26, 0, 50), utc(2025, 10, 26, 1, 10))
    assert report.participants[0].seconds == 1200


# --- Dates and durations ----------------------------------------------------------


def one_person(stamp_first: str, stamp_last: str, duration: str = "1m") -> bytes:
    return (
        "2. Participants\n"
        "Name\tFirst join\tLast leave\tIn-meeting duration\tEmail\tParticipant ID (UPN)\tRole\n"
        f"Karen Møller\t{stamp_first}\t{stamp_last}\t{duration}\tkamo@horsens.dk\t\tAttendee\n"
    ).encode()


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("15/11/22, 09:30:17", "15/11/22, 09:31:17", utc(2022, 11, 15, 8, 30, 17)),
        ("11/15/22, 9:30:17 AM", "11/15/22, 9:31:17 AM", utc(2022, 11, 15, 8, 30, 17)),
        ("11/15/2022, 12:05:00 AM", "11/15/2022, 12:06:00 AM", utc(2022, 11, 14, 23, 5)),
        ("15.11.2022 09.30.17", "15.11.2022 09.31.17", utc(2022, 11, 15, 8, 30, 17)),
        ("2022-11-15 09:30:17", "2022-11-15 09:31:17", utc(2022, 11, 15, 8, 30, 17)),
        ("2022-11-15T08:30:17Z", "2022-11-15T08:31:17Z", utc(2022, 11, 15, 8, 30, 17)),
        ("31/03/25, 19:00:00", "31/03/25, 19:01:00", utc(2025, 3, 31, 17, 0)),
    ],
)
def test_date_formats(first, last, expected):
    report = parse_teams_report(one_person(first, last))
    assert report.participants[0].first_join == expected
    assert report.warnings == []


def test_ambiguous_dates_are_read_day_first_with_a_warning():
    data = one_person("04/03/25, 19:00:00", "04/03/25, 19:01:00")
    report = parse_teams_report(data)
    assert report.participants[0].first_join == utc(2025, 3, 4, 18, 0)  # 4 March, winter time
    assert report.warnings == [
        "Every date in the file could be day/month or month/day; they were read as "
        "day/month (Danish). Choose the date order explicitly if that is wrong."
    ]
    # Month first it is 3 April, summer time.
    forced = parse_teams_report(data, date_order="mdy")
    assert forced.participants[0].first_join == utc(2025, 4, 3, 17, 0)
    assert forced.warnings == []


def test_am_pm_means_month_first_when_no_day_above_12_tells():
    report = parse_teams_report(one_person("4/3/2025, 7:00:00 PM", "4/3/2025, 7:01:00 PM"))
    assert report.participants[0].first_join == utc(2025, 4, 3, 17, 0)
    assert report.warnings == []


def test_one_day_above_12_decides_for_the_whole_file():
    text = spring_report().replace("31/03/25", "01/03/25")
    text = text.replace("01/03/25, 20:31:10", "31/03/25, 20:31:10", 1)  # the summary's end
    report = parse_teams_report(text.encode())
    assert report.start == utc(2025, 3, 1, 17, 52, 4)  # 1 March, winter time
    assert report.warnings == [ANONYMOUS_WARNING]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1h 27m 51s", 5271),
        ("27m 5s", 1625),
        ("45s", 45),
        ("1t 27m 51s", 5271),
        ("1 t. 27 min. 51 sek.", 5271),
        ("01:27:51", 5271),
        ("2h", 7200),
        ("", 60),  # no duration: from first join to last leave
    ],
)
def test_durations(text, seconds):
    report = parse_teams_report(one_person("15/11/22, 09:30:00", "15/11/22, 09:31:00", text))
    assert report.participants[0].seconds == seconds


# --- The older flat export --------------------------------------------------------


def test_flat_export():
    report = parse_teams_report(fixture("flat_en_mdy_utf16.csv"))

    assert report.format == "flat"
    assert report.title == ""
    # 16 March 2020 is winter time: 10:00 AM is 09:00 UTC.
    assert (report.start, report.end) == (utc(2020, 3, 16, 9, 0), utc(2020, 3, 16, 10, 30))
    assert people(report) == [
        ("Mette Kjærgaard", "", utc(2020, 3, 16, 9, 0), utc(2020, 3, 16, 10, 30), 5400),
        ("Søren Østergaard", "", utc(2020, 3, 16, 9, 2, 24), utc(2020, 3, 16, 10, 15), 1068 + 3000),
        ("Anne-Marie Ågård", "", utc(2020, 3, 16, 9, 3), utc(2020, 3, 16, 10, 1, 59), 3539),
        # Never left: closed at the last time in the file.
        ("Jens Peter Hansen", "", utc(2020, 3, 16, 10, 20), utc(2020, 3, 16, 10, 30), 600),
    ]
    assert len(report.intervals) == 5
    assert report.warnings == [
        "1 person (Jens Peter Hansen) joined without leaving; they are counted as present "
        "until the last time in the file."
    ]


def test_flat_export_from_the_danish_client():
    report = parse_teams_report(fixture("flat_da_dmy_utf8.csv"))
    assert people(report) == [
        ("Birgitte Østergård", "", utc(2021, 2, 23, 13, 0), utc(2021, 2, 23, 14, 5, 10), 3910),
        ("Åse Nørgaard", "", utc(2021, 2, 23, 13, 1, 30), utc(2021, 2, 23, 14, 2), 3630),
    ]
    assert report.warnings == []


def test_flat_export_left_without_joined_is_ignored_with_a_warning():
    events = [
        ("Karen Møller", "Left", at("2020-03-16", "10:00:00")),
        ("Peter Lund", "Joined", at("2020-03-16", "10:00:00")),
        ("Peter Lund", "Left", at("2020-03-16", "10:30:00")),
    ]
    report = parse_teams_report(flat_report(events).encode())
    assert [p.name for p in report.participants] == ["Peter Lund"]
    assert report.warnings == ["1 “Left” row without a “Joined” before it was ignored (row 2)."]


# --- Truncated files --------------------------------------------------------------


def test_cut_off_inside_a_participant_row_keeps_the_complete_rows():
    report = parse_teams_report(fixture("truncated_utf16.csv"))

    assert people(report) == SPRING_PEOPLE[:3]
    assert report.intervals == []
    assert report.warnings == [
        "The file seems to be cut off: its last row (row 14) is incomplete and was skipped. "
        "Download the report again to be sure nobody is missing.",
        "The summary counts 6 participants, but the file lists 3; it may be incomplete.",
    ]


def test_cut_off_inside_the_activities_keeps_the_participants():
    text = spring_report()
    data = text[: text.rindex("lars.aebeloe")].encode()
    report = parse_teams_report(data)
    assert people(report) == SPRING_PEOPLE
    assert len(report.intervals) == 6
    assert "its last row (row 26)" in report.warnings[0]


def test_cut_off_before_the_first_complete_participant_row():
    text = spring_report()
    cut = text.index("Mette Kjærgaard\t31/03/25, 18:5") + len("Mette Kjærgaard\t31/03/25, 18:5")
    data = encode(text[:cut], "utf-16")
    with pytest.raises(ReportError) as error:
        parse_teams_report(data)
    assert error.value.message == (
        "The file was cut off before the first complete participant row. "
        "Download the report from Teams again."
    )


def test_cut_off_before_the_participants_heading_says_so():
    text = spring_report()
    with pytest.raises(ReportError, match="summary but no list of participants"):
        parse_teams_report(text[: text.index("First join") + 3].encode())


# --- Bad input --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (codecs.BOM_UTF16_LE, "The file is empty."),
        (b"\r\n \t\r\n", "The file is empty."),
        (fixture("not_a_report_workbook.xlsx"), "This is an Excel workbook (.xlsx)"),
        (fixture("not_a_report.pdf"), "This is a PDF file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "This is an old Excel (.xls)"),
        (b"<!DOCTYPE html>\n<html><body>Sign in</body></html>", "This is a web page (HTML)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "The file holds binary data"),
        (bytes(range(256)), "The file could not be read as text (expected UTF-16 or UTF-8)"),
        (
            codecs.BOM_UTF16_LE
            + "Name\t".encode("utf-16-le")
            + b"\x00\xdc"
            + "x".encode("utf-16-le"),
            "looks like UTF-16-LE but has invalid bytes at position 10",
        ),
        (
            fixture("not_a_report_municipalities.csv"),
            "This does not look like a Teams attendance report",
        ),
        (b"name,email,municipality\nKaren,kamo@horsens.dk,615\n", "does not look like a Teams"),
        (spring_report(sections=(1,)).encode(), "The file has the report's summary but no list"),
        (
            b"2. Participants\nName\tLast leave\tEmail\nKaren\t15/11/22, 09:30:17\tk@x.dk\n",
            "Row 2: the participants table has no “First join” column",
        ),
        (
            b"2. Participants\nKaren\tkamo@horsens.dk\n\n3. In-Meeting activities\n",
            "Row 1 opens a section but no column headings follow it",
        ),
        (
            SPRING.replace("31/03/25, 19:01:12", "31/03/25, 25:01:12", 1).encode(),
            "Row 13: “31/03/25, 25:01:12” is not a date and time.",
        ),
        (
            SPRING.replace("31/03/25, 18:52:04", "yesterday", 1).encode(),
            "Row 4: “yesterday” is not a date and time.",
        ),
        (
            SPRING.replace("1h 28m 57s", "-5m", 1).encode(),
            "Row 12: the duration “-5m” is negative.",
        ),
        (
            SPRING.replace("1h 28m 57s", "250h 1m 0s", 1).encode(),
            "Row 12: the duration “250h 1m 0s” is longer than any Teams meeting.",
        ),
        (SPRING.replace("1h 28m 57s", "lots", 1).encode(), "Row 12: “lots” is not a duration."),
        (
            SPRING.replace("31/03/25, 20:30:02", "31/03/25, 18:00:00", 1).encode(),
            "Row 12: the leave time 31/03/25, 18:00:00 is before the join time 31/03/25, 18:58:40.",
        ),
        (
            SPRING.replace("31/03/25, 20:30:02", "03/04/25, 20:30:02", 1).encode(),
            "Row 12: from 31/03/25, 18:58:40 to 03/04/25, 20:30:02 is longer than any Teams "
            "meeting.",
        ),
        (
            SPRING.replace("\t31/03/25, 18:58:40\t31/03/25, 20:30:02", "", 1).encode(),
            "Row 12: “1h 28m 57s” is not a date and time.",  # two cells lost: columns shift
        ),
        (
            SPRING.replace("Søren Østergaard\t31/03/25, 18:58:40", "Søren Østergaard", 1)
            .replace("Søren Østergaard\t", "Søren Østergaard\r\n", 1)
            .encode(),
            "Row 12: the row has only 1 of the 7 columns in the table's headings (row 10).",
        ),
        (
            SPRING.replace("31/03/25, 20:15:00", "11/15/22, 20:15:00").encode(),
            "The dates mix day/month order (row 4) and month/day order (row 16)",
        ),
        (
            flat_report([("Karen", "Waved", at("2020-03-16", "10:00:00"))]).encode(),
            "Row 2: “Waved” is neither Joined nor Left.",
        ),
    ],
)
def test_bad_input_gets_a_clear_message(data, message):
    with pytest.raises(ReportError) as error:
        parse_teams_report(data)
    assert message in error.value.message
    assert str(error.value) == error.value.message


def test_a_forced_date_order_that_does_not_fit_names_the_row():
    with pytest.raises(ReportError) as error:
        parse_teams_report(SPRING.encode(), date_order="mdy")
    assert error.value.message == "Row 4: “31/03/25, 18:52:04” is not a date and time."


def test_an_oversized_file_is_refused(monkeypatch):
    monkeypatch.setattr(attendance, "MAX_BYTES", 1000)
    with pytest.raises(ReportError, match="larger than"):
        parse_teams_report(encode(SPRING, "utf-16"))


# --- Names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Søren Østergaard", "soeren oestergaard"),
        ("Søren Østergaard", "SØREN  ØSTERGAARD"),
        ("Søren Østergaard (Gæst)", "Søren Østergaard"),
        ("Jens Peter Hansen (Guest)", "jens peter hansen"),
        ("Lars Æbelø (External)", "Lars Aebeloe"),
        ("Lars Æbelø (Ekstern)", "lars æbelø"),
        ("Anne-Marie Ågård", "Anne Marie Aagaard"),
        ("Åse", "Aase"),
        ("Sören Müller", "Søren Muller"),
        ("José Pérez", "Jose Perez"),
        ("Østergaard, Søren", "Søren Østergaard"),
        ("Mette O'Connor", "Mette OConnor"),
        ("J.K. Hansen", "J K Hansen"),
        ("  Karen\u00a0Møller\t", "Karen Møller"),
        ("A\u030ase", "Åse"),  # decomposed å
    ],
)
def test_match_key_meets_other_spellings_of_the_same_name(one, other):
    assert match_key(one) == match_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Søren Østergaard", "Soren Ostergaard"),  # ø written as o: left to staff
        ("Jens Hansen", "Jens Hansen 2"),
        ("Ane Nielsen", "Anne Nielsen"),
        ("Lars (Guest) Nielsen", "Lars Nielsen"),  # only a trailing suffix is Teams'
    ],
)
def test_match_key_keeps_different_names_apart(one, other):
    assert match_key(one) != match_key(other)


def test_match_key_value():
    assert match_key("  Østergaard, Søren-Åge (Guest) ") == "soeren aage oestergaard"
    assert match_key("") == ""


# --- Properties ---------------------------------------------------------------------

BOUNDED = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def parses_or_refuses(data: bytes, **options) -> AttendanceReport | None:
    try:
        report = parse_teams_report(data, **options)
    except ReportError as error:
        assert isinstance(error.message, str)
        assert error.message
        return None
    assert isinstance(report, AttendanceReport)
    assert all(p.seconds >= 0 for p in report.participants)
    return report


@BOUNDED
@given(
    prefix=st.sampled_from([b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE]),
    body=st.binary(max_size=2000),
)
def test_any_bytes_give_a_report_or_a_report_error(prefix, body):
    parses_or_refuses(prefix + body)


TEMPLATE = [line.split("\t") for line in spring_report(newline="\n").split("\n")]
POSITIONS = [(row, column) for row, cells in enumerate(TEMPLATE) for column in range(len(cells))]


@st.composite
def damaged_reports(draw) -> bytes:
    rows = [list(cells) for cells in TEMPLATE]
    for row, column in draw(st.lists(st.sampled_from(POSITIONS), max_size=6)):
        rows[row][column] = draw(st.text(max_size=30))
    delimiter = draw(st.sampled_from(["\t", ";", ","]))
    data = encode(
        "\n".join(delimiter.join(cells) for cells in rows),
        draw(st.sampled_from(["utf-16", "utf-16-be", "utf-8-sig", "utf-8"])),
    )
    return data[: draw(st.integers(0, len(data)))] if draw(st.booleans()) else data


@BOUNDED
@given(
    data=damaged_reports(),
    date_order=st.sampled_from(["auto", "dmy", "mdy"]),
    tz=st.sampled_from([attendance.COPENHAGEN, ZoneInfo("America/New_York"), ZoneInfo("UTC")]),
)
def test_a_report_with_any_cell_text_gives_a_report_or_a_report_error(data, date_order, tz):
    parses_or_refuses(data, date_order=date_order, tz=tz)


NAMES = st.text(
    alphabet=st.characters(exclude_categories=("Cc", "Cs", "Co", "Cn", "Cf", "Zl", "Zp")),
    max_size=40,
)


@BOUNDED
@given(
    names=st.lists(NAMES, min_size=1, max_size=5),
    days=st.lists(
        st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31)), min_size=1, max_size=5
    ),
    style=st.sampled_from(["dmy", "mdy", "iso"]),
    delimiter=st.sampled_from(["\t", ";", ","]),
    encoding=st.sampled_from(["utf-16", "utf-8-sig", "utf-8"]),
)
def test_names_and_times_survive_any_report(names, days, style, delimiter, encoding):
    # Hours away from the night of a summer-time change, when wall-clock times are unambiguous.
    joins = [
        day.replace(hour=8 + i, minute=day.minute % 59, microsecond=0) for i, day in enumerate(days)
    ]
    attendees = [
        Attendee(
            name,
            f"person{i}@kl.dk",
            intervals=[(join := joins[i % len(joins)], join.replace(minute=59, second=59))],
        )
        for i, name in enumerate(names)
    ]
    text = sections_report(
        title="Property",
        start=min(joins),
        end=max(joins).replace(minute=59, second=59),
        attendees=attendees,
        style=style,
        delimiter=delimiter,
    )
    report = parse_teams_report(encode(text, encoding))
    copenhagen = attendance.COPENHAGEN
    assert [(p.name, p.email, p.first_join, p.seconds) for p in report.participants] == [
        (
            a.name.strip(),
            a.email,
            a.intervals[0][0].replace(tzinfo=copenhagen).astimezone(UTC),
            a.seconds,
        )
        for a in attendees
    ]
