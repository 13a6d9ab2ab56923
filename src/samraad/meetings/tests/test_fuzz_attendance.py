"""Property tests: the Teams attendance report parser, fed reports assembled from the
report's own vocabulary (section and column labels in English and Danish, summary fields,
dates in every style, durations) in any order and with any cell text, never raises anything
but ReportError; the import service on top of it refuses with a ServiceError and saves
nothing, or saves a complete import."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samraad.core.errors import ServiceError
from samraad.meetings.attendance import AttendanceReport, ReportError, parse_teams_report
from samraad.meetings.attendance_services import attendance_import
from samraad.meetings.models import AttendanceImport, AttendanceRecord
from samraad.meetings.tests.teams_reports import LABELS, duration, encode, stamp
from samraad.tests_support.factories import SessionFactory

FUZZ = settings(max_examples=200, deadline=None, database=None)

SECTION_LABELS = [
    LABELS[lang][key] for lang in LABELS for key in ("summary", "participants", "activities")
] + ["Summary", "Oversigt", "4. Something else"]
SUMMARY_LABELS = [
    LABELS[lang][key]
    for lang in LABELS
    for key in ("title", "attended", "start", "end", "duration", "average")
]
COLUMN_LABELS = sorted(
    {
        c
        for lang in LABELS
        for key in ("participant_columns", "activity_columns")
        for c in LABELS[lang][key]
    }
    | {"Full Name", "User Action", "Timestamp", "Notes"}
)
STYLES = ["dmy", "mdy", "excel-da", "iso"]
MOMENTS = st.datetimes(datetime(1999, 1, 1), datetime(2040, 12, 31))

VALUES = st.one_of(
    st.text(max_size=30),
    st.builds(stamp, MOMENTS, st.sampled_from(STYLES)),
    st.builds(duration, st.integers(0, 10**7), st.sampled_from(["h", "t"])),
    st.emails(),
    st.sampled_from(["Joined", "Left", "Joined before", "Organizer", "Presenter", "Anonym", ""]),
    st.integers(-5, 10**9).map(str),
)


@st.composite
def report_rows(draw) -> list[list[str]]:
    rows: list[list[str]] = []
    for _ in range(draw(st.integers(1, 14))):
        kind = draw(st.sampled_from(["section", "summary", "header", "data", "data", "blank"]))
        if kind == "section":
            rows.append([draw(st.sampled_from(SECTION_LABELS))])
        elif kind == "summary":
            rows.append([draw(st.sampled_from(SUMMARY_LABELS)), draw(VALUES)])
        elif kind == "header":
            rows.append(draw(st.lists(st.sampled_from(COLUMN_LABELS), min_size=1, max_size=9)))
        elif kind == "data":
            rows.append(draw(st.lists(VALUES, min_size=1, max_size=9)))
        else:
            rows.append([])
    return rows


@st.composite
def reports(draw) -> bytes:
    out = io.StringIO()
    delimiter = draw(st.sampled_from(["\t", ";", ","]))
    newline = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(draw(report_rows()))
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-16", "utf-16-be", "utf-8-sig", "utf-8", "cp1252"]))
    try:
        data = encode(text, encoding)
    except UnicodeEncodeError:
        data = encode(text, "utf-8")
    if draw(st.booleans()):  # cut off, possibly inside a UTF-16 character
        data = data[: draw(st.integers(0, len(data)))]
    return data


@pytest.fixture(autouse=True, scope="module")
def english():
    with translation.override("en"):
        yield


def parses_or_refuses(data: bytes, **options) -> AttendanceReport | None:
    try:
        report = parse_teams_report(data, **options)
    except ReportError as error:
        assert error.message
        return None
    assert all(p.seconds >= 0 for p in report.participants)
    return report


@FUZZ
@given(
    data=reports(),
    date_order=st.sampled_from(["auto", "dmy", "mdy"]),
    tz=st.sampled_from(["Europe/Copenhagen", "America/New_York", "UTC"]),
)
def test_any_report_from_the_reports_vocabulary_parses_or_is_refused(data, date_order, tz):
    parses_or_refuses(data, date_order=date_order, tz=ZoneInfo(tz))


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.one_of(reports(), st.binary(max_size=500)))
def test_importing_any_file_saves_a_whole_import_or_nothing(data):
    session = SessionFactory()
    try:
        imported = attendance_import(session=session, data=data, filename="report.csv", user=None)
    except ServiceError as error:
        assert error.message
        assert not AttendanceImport.objects.filter(session=session).exists()
    else:
        assert imported.rows == AttendanceRecord.objects.filter(attendance_import=imported).count()
