"""Reading the attendance report a Teams organiser downloads after a session.

`parse_teams_report` turns the bytes of that file into an `AttendanceReport`:
the meeting's title and times, one `Participant` per person, one `Interval`
per join/leave, and `warnings` that staff should read before importing. It is
pure (no models, no database); the import service matches participants to
registrants, by email and then by `match_key` of the name.

What it reads (`shared/data/README.md`, "Teams attendance report"):

- the three-section report ("1. Summary", "2. Participants",
  "3. In-Meeting activities"), with English or Danish labels, headers in any
  capitalisation, columns in any order, extra columns and summary rows ignored;
  participants are derived from section 3 when section 2 is missing;
- the older flat export (Full Name, User Action, Timestamp);
- UTF-16 with a BOM (the real download), UTF-8 with or without a BOM and, as a
  last resort, Windows-1252 (what Excel writes for a plain "CSV" on Windows);
- tab-separated (the real download) or comma/semicolon-separated (re-saved by
  Excel), sniffed by which delimiter makes the report's structure appear.

The report holds wall-clock times in the organiser's zone without saying which
zone or which date order; the caller passes the zone, and the date order is
decided once for the whole file (see `dates._date_order`). Datetimes come
back aware, in UTC, so that comparing and subtracting them is safe across
summer time.

Anything wrong with the file raises `ReportError`, whose `message` is
translated and names the row (the line in the file, as a spreadsheet numbers
it) where it can. No other exception escapes: the property tests check it.

The package, in the order a file is read: `decoding.py` turns bytes into text
and text into rows of cells (encodings, delimiters); `tables.py` finds the
summary, the sections and their tables; `dates.py` reads dates, times and
durations; `rows.py` turns each table row into a record, and `report.py` puts
the records together into participants and intervals. `labels.py` knows the
English and Danish names of sections, fields and columns; `names.py` holds
`match_key`; `records.py` the types a report is returned as. This module holds
`parse_teams_report`, which runs them in turn.
"""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext, ngettext

from samraad.meetings.attendance.dates import MAX_SECONDS, DateOrder, _date_order
from samraad.meetings.attendance.decoding import _LINE_BREAK_RE, _decode, _sniff, _split
from samraad.meetings.attendance.labels import _is_anonymous
from samraad.meetings.attendance.names import match_key
from samraad.meetings.attendance.records import (
    AttendanceReport,
    Interval,
    Participant,
    ReportError,
)
from samraad.meetings.attendance.report import _date_samples, _read_flat, _read_sections
from samraad.meetings.attendance.rows import _Reading
from samraad.meetings.attendance.tables import _Row, _structure

__all__ = [
    "COPENHAGEN",
    "MAX_BYTES",
    "MAX_SECONDS",
    "AttendanceReport",
    "DateOrder",
    "Interval",
    "Participant",
    "ReportError",
    "match_key",
    "parse_teams_report",
]

COPENHAGEN = ZoneInfo("Europe/Copenhagen")

# A generous bound for an upload: 10,000 people with several intervals each in
# UTF-16 stay well below it.
MAX_BYTES = 64 * 1024 * 1024

# --- The whole report -------------------------------------------------------------
# `parse_teams_report` lives in the package itself and hands `MAX_BYTES` down to
# `_decode`, so that the limit is read from `samraad.meetings.attendance`, where a
# test lowers it.


def parse_teams_report(
    data: bytes,
    *,
    tz: ZoneInfo = COPENHAGEN,
    date_order: DateOrder = "auto",
) -> AttendanceReport:
    """The attendance report in `data`, or ReportError saying why it cannot be read.

    `tz` is the organiser's zone, in which the report's wall-clock times are
    read; `date_order` overrides the guess between 15/11/22 and 11/15/22.
    Warnings (cut-off file, anonymous participants, guessed date order, counts
    that disagree with the summary, …) do not stop the import; staff should see
    them before confirming it.
    """
    text, half_character, warnings = _decode(data, max_bytes=MAX_BYTES)
    lines = _LINE_BREAK_RE.split(text)
    ends_with_line_break = lines[-1] == ""
    delimiter = _sniff(lines)
    rows = [
        _Row(number, cells)
        for number, line in enumerate(lines, 1)
        if (cells := _split(line, delimiter))
    ]
    may_be_cut = half_character or not ends_with_line_break
    found = _structure(rows, may_be_cut)

    kinds = {table.header.kind for table in found.tables}
    if not kinds:
        if found.summary_seen:
            raise ReportError(
                gettext(
                    "The file has the report's summary but no list of participants; it may "
                    "have been cut off. Download the report from Teams again."
                )
            )
        raise ReportError(
            gettext(
                "This does not look like a Teams attendance report: no table with the columns "
                "Name and First join (or Join time, or User Action and Timestamp) was found."
            )
        )
    report_format: Literal["sections", "flat"] = (
        "sections" if kinds & {"participants", "activities"} else "flat"
    )
    order, order_warnings = _date_order(_date_samples(found, report_format), date_order)
    warnings += order_warnings
    reading = _Reading(order, tz, rows[-1].number, may_be_cut)
    if report_format == "sections":
        content = _read_sections(found, reading, warnings)
    else:
        content = _read_flat(found, reading, warnings)
    participants = content.participants

    if reading.cut_row is not None:
        if not participants:
            raise ReportError(
                gettext(
                    "The file was cut off before the first complete participant row. "
                    "Download the report from Teams again."
                )
            )
        warnings.insert(
            0,
            gettext(
                "The file seems to be cut off: its last row (row %(row)s) is incomplete and "
                "was skipped. Download the report again to be sure nobody is missing."
            )
            % {"row": reading.cut_row},
        )
    elif half_character:
        warnings.insert(0, gettext("The file seems to be cut off in its last character."))
    if not participants:
        warnings.append(gettext("The report lists no participants."))
    if content.attended is not None and content.attended != len(participants):
        warnings.append(
            gettext(
                "The summary counts %(expected)s participants, but the file lists %(found)s; "
                "it may be incomplete."
            )
            % {"expected": content.attended, "found": len(participants)}
        )
    anonymous = sum(_is_anonymous(p.name, p.email, p.upn) for p in participants)
    if anonymous:
        warnings.append(
            ngettext(
                "%(count)s participant chose not to be identified; they are counted but "
                "cannot be matched to a registrant.",
                "%(count)s participants chose not to be identified; they are counted but "
                "cannot be matched to a registrant.",
                anonymous,
            )
            % {"count": anonymous}
        )
    return AttendanceReport(
        format=report_format,
        title=content.title,
        start=content.start,
        end=content.end,
        participants=participants,
        intervals=content.intervals,
        warnings=list(dict.fromkeys(warnings)),
    )
