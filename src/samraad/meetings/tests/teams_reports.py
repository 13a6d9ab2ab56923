"""Teams attendance reports written the way Teams, and Excel after it, write them.

Tests build reports from a few attendees with `sections_report` or
`flat_report` and `encode` them; the realistic files in `reports/` come from
`FIXTURES`. A test checks that the committed files still match; after changing
this module, regenerate them with

    .venv/bin/python -m samraad.meetings.tests.teams_reports

Times are naive wall-clock times in the organiser's zone, as in the report.
The layout follows `shared/data/README.md` ("Teams attendance report"); the
Danish labels are our best knowledge of the Danish Teams client.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

REPORTS = Path(__file__).resolve().parent / "reports"


@dataclass
class Attendee:
    name: str
    email: str = ""
    role: str = "Attendee"
    intervals: list[tuple[datetime, datetime]] = field(default_factory=list)
    upn: str | None = None  # None: the same as the email

    @property
    def seconds(self) -> int:
        return sum(int((left - joined).total_seconds()) for joined, left in self.intervals)


LABELS = {
    # The labels of the real download in README's first spelling …
    "en": {
        "summary": "1. Summary",
        "title": "Meeting title",
        "attended": "Attended participants",
        "start": "Start time",
        "end": "End time",
        "duration": "Meeting duration",
        "average": "Average attendance time",
        "participants": "2. Participants",
        "participant_columns": [
            "Name",
            "First join",
            "Last leave",
            "In-meeting duration",
            "Email",
            "Participant ID (UPN)",
            "Role",
        ],
        "activities": "3. In-Meeting activities",
        "activity_columns": ["Name", "Join time", "Leave time", "Duration", "Email", "Role"],
    },
    # … and in the capitalisation of other versions.
    "en-caps": {
        "summary": "1. Summary",
        "title": "Meeting Title",
        "attended": "Attended participants",
        "start": "Start Time",
        "end": "End Time",
        "duration": "Meeting Duration",
        "average": "Average Attendance Time",
        "participants": "2. Participants",
        "participant_columns": [
            "Name",
            "First Join",
            "Last Leave",
            "In-Meeting Duration",
            "Email",
            "Participant ID (UPN)",
            "Role",
        ],
        "activities": "3. In-Meeting Activities",
        "activity_columns": ["Name", "Join Time", "Leave Time", "Duration", "Email", "Role"],
    },
    "da": {
        "summary": "1. Oversigt",
        "title": "Mødetitel",
        "attended": "Deltagere",
        "start": "Starttidspunkt",
        "end": "Sluttidspunkt",
        "duration": "Mødevarighed",
        "average": "Gennemsnitlig deltagelsestid",
        "participants": "2. Deltagere",
        "participant_columns": [
            "Navn",
            "Første deltagelse",
            "Sidste udtræden",
            "Varighed i mødet",
            "E-mail",
            "Deltager-id (UPN)",
            "Rolle",
        ],
        "activities": "3. Aktiviteter i mødet",
        "activity_columns": [
            "Navn",
            "Tidspunkt for deltagelse",
            "Tidspunkt for udtræden",
            "Varighed",
            "E-mail",
            "Rolle",
        ],
    },
}


def stamp(value: datetime, style: str) -> str:
    """A time as the organiser's locale writes it."""
    if style == "dmy":  # Danish and British Teams
        return value.strftime("%d/%m/%y, %H:%M:%S")
    if style == "mdy":  # US Teams
        hour = value.hour % 12 or 12
        noon = "PM" if value.hour >= 12 else "AM"
        return f"{value.month}/{value.day}/{value:%y}, {hour}:{value:%M:%S} {noon}"
    if style == "excel-da":  # what Danish Excel shows after it recognised the date
        return value.strftime("%d-%m-%Y %H:%M")
    if style == "iso":
        return value.strftime("%Y-%m-%d %H:%M:%S")
    raise ValueError(style)


def duration(seconds: int, hour: str = "h") -> str:
    """Teams' "1h 27m 51s"; the Danish client writes "1t 27m 51s"."""
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{hours}{hour}" if hours else "", f"{minutes}m" if minutes else ""]
    parts.append(f"{seconds}s" if seconds or not (hours or minutes) else "")
    return " ".join(part for part in parts if part)


def _table(rows: list[list[str]], delimiter: str, newline: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerows(rows)
    return out.getvalue()


def sections_report(
    *,
    title: str,
    start: datetime,
    end: datetime,
    attendees: list[Attendee],
    style: str = "dmy",
    labels: str = "en",
    delimiter: str = "\t",
    newline: str = "\r\n",
    sections: tuple[int, ...] = (1, 2, 3),
    participant_columns: list[int] | None = None,
    extra_column: tuple[str, list[str]] | None = None,
) -> str:
    """The three-section report; `participant_columns` reorders section 2."""
    label = LABELS[labels]
    hour = "t" if labels == "da" else "h"
    rows: list[list[str]] = []
    if 1 in sections:
        average = sum(a.seconds for a in attendees) // max(len(attendees), 1)
        rows += [
            [label["summary"]],
            [label["title"], title],
            [label["attended"], str(len(attendees))],
            [label["start"], stamp(start, style)],
            [label["end"], stamp(end, style)],
            [label["duration"], duration(int((end - start).total_seconds()), hour)],
            [label["average"], duration(average, hour)],
            [],
        ]
    if 2 in sections:
        order = participant_columns or list(range(7))
        header = [label["participant_columns"][i] for i in order]
        if extra_column:
            header.append(extra_column[0])
        rows += [[label["participants"]], header]
        for index, a in enumerate(attendees):
            cells = [
                a.name,
                stamp(min(joined for joined, _ in a.intervals), style),
                stamp(max(left for _, left in a.intervals), style),
                duration(a.seconds, hour),
                a.email,
                a.email if a.upn is None else a.upn,
                a.role,
            ]
            row = [cells[i] for i in order]
            if extra_column:
                row.append(extra_column[1][index])
            rows.append(row)
        rows.append([])
    if 3 in sections:
        rows += [[label["activities"]], label["activity_columns"]]
        for a in attendees:
            for joined, left in a.intervals:
                seconds = int((left - joined).total_seconds())
                rows.append(
                    [
                        a.name,
                        stamp(joined, style),
                        stamp(left, style),
                        duration(seconds, hour),
                        a.email,
                        a.role,
                    ]
                )
    while rows and not rows[-1]:
        rows.pop()
    return _table(rows, delimiter, newline)


def flat_report(
    events: list[tuple[str, str, datetime]],
    *,
    style: str = "mdy",
    header: tuple[str, str, str] = ("Full Name", "User Action", "Timestamp"),
    delimiter: str = "\t",
    newline: str = "\r\n",
) -> str:
    """The older export: one row per Joined/Left."""
    rows = [list(header)] + [[name, action, stamp(at, style)] for name, action, at in events]
    return _table(rows, delimiter, newline)


def encode(text: str, encoding: str) -> bytes:
    """`text` as a file: "utf-16" is the real download (little endian, with BOM)."""
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    if encoding == "utf-16-be":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return text.encode(encoding)  # utf-8-sig, utf-8, cp1252


# --- The committed fixtures --------------------------------------------------------


def at(day: str, time: str) -> datetime:
    """A wall-clock time: at("2025-03-31", "19:00:05")."""
    return datetime.fromisoformat(f"{day}T{time}")


# Monday 31 March 2025, the day after summer time began: 19.00 in Copenhagen
# is 17.00 UTC.
SPRING_DAY = "2025-03-31"
SPRING_SESSION = [
    Attendee(
        "Mette Kjærgaard",
        "Mette.Kjaergaard@kl.dk",
        "Organizer",
        [(at(SPRING_DAY, "18:52:04"), at(SPRING_DAY, "20:31:10"))],
    ),
    Attendee(
        "Søren Østergaard",
        "soeren.oestergaard@aarhus.dk",
        "Attendee",
        [
            (at(SPRING_DAY, "18:58:40"), at(SPRING_DAY, "19:41:05")),
            (at(SPRING_DAY, "19:43:30"), at(SPRING_DAY, "20:30:02")),
        ],
    ),
    Attendee(
        "Anne-Marie Ågård",
        "amaa@odense.dk",
        "Presenter",
        [(at(SPRING_DAY, "19:01:12"), at(SPRING_DAY, "20:29:59"))],
    ),
    Attendee(
        "Jens Peter Hansen (Guest)",
        "",
        "Attendee",
        [(at(SPRING_DAY, "19:05:00"), at(SPRING_DAY, "19:50:00"))],
    ),
    Attendee(
        "Anonymous", "", "Attendee", [(at(SPRING_DAY, "19:10:00"), at(SPRING_DAY, "19:25:30"))]
    ),
    Attendee(
        "Lars Bjørn Æbelø (External)",
        "lars.aebeloe@vejle.dk",
        "Attendee",
        [(at(SPRING_DAY, "19:00:30"), at(SPRING_DAY, "20:15:00"))],
    ),
]
SPRING_TITLE = "Dialogmøde om kommunernes økonomi 2026 – session 1"

# Tuesday 15 November 2022, winter time (UTC+1), a US-locale organiser; the
# meeting runs across noon (12:xx PM).
AUTUMN_DAY = "2022-11-15"
AUTUMN_SESSION = [
    Attendee(
        "Peter Lund",
        "peter.lund@kl.dk",
        "Organizer",
        [(at(AUTUMN_DAY, "11:40:00"), at(AUTUMN_DAY, "13:10:17"))],
    ),
    Attendee(
        "Karen Møller",
        "kamo@horsens.dk",
        "Attendee",
        [
            (at(AUTUMN_DAY, "09:30:17"), at(AUTUMN_DAY, "09:31:00")),
            (at(AUTUMN_DAY, "11:45:02"), at(AUTUMN_DAY, "12:58:40")),
        ],
    ),
    Attendee(
        "Ahmad Al-Khatib",
        "ahmad.al-khatib@ishoj.dk",
        "Presenter",
        [(at(AUTUMN_DAY, "11:50:00"), at(AUTUMN_DAY, "13:05:00"))],
    ),
]

# Thursday 27 November 2025, Danish client.
DANISH_DAY = "2025-11-27"
DANISH_SESSION = [
    Attendee(
        "Birgitte Østergård",
        "bio@kl.dk",
        "Arrangør",
        [(at(DANISH_DAY, "15:58:00"), at(DANISH_DAY, "17:30:02"))],
    ),
    Attendee(
        "Hans-Henrik Jørgensen",
        "hhj@frederiksberg.dk",
        "Præsentationsvært",
        [(at(DANISH_DAY, "16:02:09"), at(DANISH_DAY, "17:29:40"))],
    ),
    Attendee(
        "Åse Nørgaard",
        "aase.noergaard@thisted.dk",
        "Deltager",
        [(at(DANISH_DAY, "16:00:00"), at(DANISH_DAY, "17:27:51"))],
    ),
    Attendee("Anonym", "", "Deltager", [(at(DANISH_DAY, "16:10:00"), at(DANISH_DAY, "16:40:00"))]),
]

FLAT_DAY = "2020-03-16"
FLAT_EVENTS = [
    ("Mette Kjærgaard", "Joined before", at(FLAT_DAY, "10:00:00")),
    ("Søren Østergaard", "Joined", at(FLAT_DAY, "10:02:24")),
    ("Anne-Marie Ågård", "Joined", at(FLAT_DAY, "10:03:00")),
    ("Søren Østergaard", "Left", at(FLAT_DAY, "10:20:12")),
    ("Søren Østergaard", "Joined", at(FLAT_DAY, "10:25:00")),
    ("Anne-Marie Ågård", "Left", at(FLAT_DAY, "11:01:59")),
    ("Søren Østergaard", "Left", at(FLAT_DAY, "11:15:00")),
    ("Mette Kjærgaard", "Left", at(FLAT_DAY, "11:30:00")),
    ("Jens Peter Hansen", "Joined", at(FLAT_DAY, "11:20:00")),
]

FLAT_DANISH_DAY = "2021-02-23"
FLAT_DANISH_EVENTS = [
    ("Birgitte Østergård", "Deltog før", at(FLAT_DANISH_DAY, "14:00:00")),
    ("Åse Nørgaard", "Deltog", at(FLAT_DANISH_DAY, "14:01:30")),
    ("Åse Nørgaard", "Forlod", at(FLAT_DANISH_DAY, "15:02:00")),
    ("Birgitte Østergård", "Forlod", at(FLAT_DANISH_DAY, "15:05:10")),
]


def spring_report(**options) -> str:
    return sections_report(
        title=SPRING_TITLE,
        start=at(SPRING_DAY, "18:52:04"),
        end=at(SPRING_DAY, "20:31:10"),
        attendees=SPRING_SESSION,
        **options,
    )


def _truncated_download() -> bytes:
    """The real download cut off inside the fourth participant row, mid-character."""
    data = encode(spring_report(sections=(1, 2, 3)), "utf-16")
    cut = data.index("Jens Peter".encode("utf-16-le")) + len("Jens Pe".encode("utf-16-le")) + 1
    return data[:cut]


def _workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, body in (
            ("[Content_Types].xml", '<?xml version="1.0"?><Types/>'),
            ("xl/workbook.xml", '<?xml version="1.0"?><workbook/>'),
        ):
            info = zipfile.ZipInfo(name, date_time=(2025, 3, 31, 19, 0, 0))
            info.create_system = 3  # the same bytes whatever system writes them
            archive.writestr(info, body)
    return out.getvalue()


FIXTURES = {
    # The real download: UTF-16 LE with BOM, tabs, d/m/y, across summer time.
    "sections_en_dmy_utf16.csv": lambda: encode(spring_report(), "utf-16"),
    # A US organiser: m/d/y with AM/PM, the other header capitalisation.
    "sections_en_mdy_utf16.csv": lambda: encode(
        sections_report(
            title="KKR Midtjylland – temamøde",
            start=at(AUTUMN_DAY, "11:40:00"),
            end=at(AUTUMN_DAY, "13:10:17"),
            attendees=AUTUMN_SESSION,
            style="mdy",
            labels="en-caps",
        ),
        "utf-16",
    ),
    # The Danish client, saved as UTF-8 with BOM; "1t 27m 51s".
    "sections_da_utf8_bom.csv": lambda: encode(
        sections_report(
            title="Dialogmøde – session 2",
            start=at(DANISH_DAY, "15:58:00"),
            end=at(DANISH_DAY, "17:30:02"),
            attendees=DANISH_SESSION,
            labels="da",
            newline="\n",
        ),
        "utf-8-sig",
    ),
    # Opened and saved again by Danish Excel as "CSV (semikolonsepareret)":
    # Windows-1252, semicolons, dates re-formatted, columns moved, a column added.
    "sections_excel_semicolon_cp1252.csv": lambda: encode(
        spring_report(
            style="excel-da",
            delimiter=";",
            participant_columns=[4, 0, 6, 1, 2, 3, 5],
            extra_column=("Kommune", ["KL", "Aarhus", "Odense", "", "", "Vejle"]),
        ),
        "cp1252",
    ),
    # Section 2 left out: participants come from the in-meeting activities.
    "sections_activities_only_utf8.csv": lambda: encode(
        spring_report(sections=(1, 3), newline="\n"), "utf-8"
    ),
    # The older flat export, US locale, UTF-16.
    "flat_en_mdy_utf16.csv": lambda: encode(flat_report(FLAT_EVENTS), "utf-16"),
    # The older flat export from the Danish client.
    "flat_da_dmy_utf8.csv": lambda: encode(
        flat_report(
            FLAT_DANISH_EVENTS,
            style="dmy",
            header=("Fulde navn", "Brugerhandling", "Tidsstempel"),
            newline="\n",
        ),
        "utf-8",
    ),
    "truncated_utf16.csv": _truncated_download,
    "not_a_report_municipalities.csv": lambda: (
        "code,name,region\n101,København,Hovedstaden\n751,Aarhus,Midtjylland\n".encode()
    ),
    "not_a_report_workbook.xlsx": _workbook,
    "not_a_report.pdf": lambda: (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    ),
}


def write_fixtures(folder: Path = REPORTS) -> None:
    folder.mkdir(exist_ok=True)
    for name, build in FIXTURES.items():
        (folder / name).write_bytes(build())


if __name__ == "__main__":
    write_fixtures()
