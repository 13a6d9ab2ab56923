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
decided once for the whole file (see `_date_order`). Datetimes come back aware,
in UTC, so that comparing and subtracting them is safe across summer time.

Anything wrong with the file raises `ReportError`, whose `message` is
translated and names the row (the line in the file, as a spreadsheet numbers
it) where it can. No other exception escapes: the property tests check it.
"""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from django.utils.translation import gettext, ngettext

COPENHAGEN = ZoneInfo("Europe/Copenhagen")

# A generous bound for an upload: 10,000 people with several intervals each in
# UTF-16 stay well below it.
MAX_BYTES = 64 * 1024 * 1024

# Teams ends a meeting after 30 hours; a longer duration means a broken file.
MAX_SECONDS = 48 * 3600

DateOrder = Literal["auto", "dmy", "mdy"]


class ReportError(Exception):
    """The file cannot be read as a Teams attendance report.

    `message` is translated and safe to show to staff.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Participant:
    name: str
    email: str  # lower-cased; "" when Teams gives none (guests, anonymous)
    upn: str  # lower-cased "Participant ID (UPN)"; "" when not in the file
    role: str  # as written in the file: Organizer, Presenter, Attendee, Arrangør …
    first_join: datetime | None
    last_leave: datetime | None  # None: still in the meeting when the report was made
    seconds: int  # total time in the meeting


@dataclass(frozen=True)
class Interval:
    name: str
    email: str
    joined: datetime
    left: datetime | None  # None: still in the meeting when the report was made
    role: str


@dataclass(frozen=True)
class AttendanceReport:
    format: Literal["sections", "flat"]
    title: str
    # From the summary; otherwise the first and last time in the file.
    start: datetime | None
    end: datetime | None
    participants: list[Participant]
    intervals: list[Interval]
    warnings: list[str]


# --- Names ---------------------------------------------------------------------

_SUFFIX_RE = re.compile(
    r"\s*[(\[]\s*(?:guest|gæst|gaest|gast|external|ekstern|extern|unverified"
    r"|ikke bekræftet|ikke verificeret)\s*[)\]]\s*$",
    re.IGNORECASE,
)
# Danish letters become their usual two-letter spellings, and the Swedish and
# German ä/ö (the same letters as æ/ø) follow them, so that "Sören" typed on a
# German keyboard meets "Søren". Other accents are dropped (é → e, ü → u).
_TRANSLITERATE = str.maketrans(
    {
        "æ": "ae",
        "ø": "oe",
        "å": "aa",
        "ä": "ae",
        "ö": "oe",
        "œ": "oe",
        "ß": "ss",
        "ð": "d",
        "đ": "d",
        "þ": "th",
        "ł": "l",
        "ı": "i",
    }
)
_APOSTROPHES_RE = re.compile(r"['’ʼ`´]")
_NOT_WORD_RE = re.compile(r"[\W_]+")


def match_key(name: str) -> str:
    """A person's name reduced to what matters for matching it to another spelling.

    "Søren Østergaard (Gæst)", "soeren  oestergaard", "Østergaard, Søren" and
    "SØREN ØSTERGAARD" share a key. æ, ø and å become ae, oe and aa (as in
    Danish email addresses), other accents are dropped, punctuation becomes a
    space (Hans-Henrik = Hans Henrik) except apostrophes, which vanish; the
    suffix Teams adds to guests and external users is removed, and "Last,
    First" is turned around. "Soren" (ø written as o) does NOT meet "Søren":
    staff match such rows by hand.
    """
    text = unicodedata.normalize("NFKC", name)
    while (stripped := _SUFFIX_RE.sub("", text)) != text:
        text = stripped
    if text.count(",") == 1:
        last, first = text.split(",")
        if last.strip() and first.strip():
            text = f"{first} {last}"
    text = text.casefold().translate(_TRANSLITERATE)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _APOSTROPHES_RE.sub("", text)
    return " ".join(_NOT_WORD_RE.sub(" ", text).split())


# --- Labels --------------------------------------------------------------------
# Labels are compared by `_label`: case-folded, with everything but letters and
# digits removed ("In-Meeting Duration" → "inmeetingduration").


def _label(text: str) -> str:
    return _NOT_WORD_RE.sub("", text.casefold())


def _aliases(table: dict[str, str]) -> dict[str, str]:
    """{"label": "field"} from {"field": "label label …"}."""
    return {alias: name for name, aliases in table.items() for alias in aliases.split()}


_SUMMARY_SECTION = "summary meetingsummary oversigt mødeoversigt resumé resume"
_SECTIONS = _aliases(
    {
        "summary": _SUMMARY_SECTION + " opsummering sammendrag mødesammendrag",
        "participants": "participants deltagere participantlist deltagerliste",
        "activities": "inmeetingactivities activities aktiviteter aktiviteterimødet "
        "aktiviteterundermødet mødeaktiviteter",
    }
)

_SUMMARY_FIELDS = _aliases(
    {
        "title": "meetingtitle title meetingname mødetitel mødetstitel titel mødenavn mødetsnavn",
        "attended": "attendedparticipants totalnumberofparticipants numberofparticipants "
        "participants deltagere antaldeltagere deltagendedeltagere fremmødtedeltagere "
        "samletantaldeltagere",
        "start": "starttime meetingstarttime start starttidspunkt starttid mødetsstarttidspunkt",
        "end": "endtime meetingendtime end sluttidspunkt sluttid mødetssluttidspunkt",
        # Recognised, not used: the figures are recomputed from the rows.
        "duration": "meetingduration duration mødevarighed mødetsvarighed varighed",
        "average": "averageattendancetime averageattendance gennemsnitligdeltagelsestid "
        "gennemsnitligfremmødetid gennemsnitligtilstedeværelse",
    }
)

_COLUMNS = _aliases(
    {
        # Only exact names: a person called "Morten Navnsen" is not a header.
        "name": "name fullname displayname participantname navn fuldenavn fuldtnavn "
        "visningsnavn deltagernavn deltager",
        "first_join": "firstjoin firstjointime førstedeltagelse førstetilslutning",
        "last_leave": "lastleave lastleavetime sidsteudtræden sidsteafgang",
        "join": "jointime joined join deltagelsestidspunkt tilslutningstidspunkt "
        "tidspunktfordeltagelse deltog tilsluttet",
        "leave": "leavetime left leave udtrædelsestidspunkt afgangstidspunkt "
        "tidspunktforudtræden forlod forladt",
        "duration": "inmeetingduration duration attendanceduration varighed varighedimødet "
        "tidimødet",
        "email": "email emailaddress mail emailadresse mailadresse",
        "upn": "participantidupn participantid upn userprincipalname deltageridupn",
        "role": "role rolle",
        "action": "useraction action brugerhandling handling",
        "timestamp": "timestamp tidsstempel tidspunkt time",
    }
)

# For columns whose Danish name we have not seen: keywords, tried in order.
_COLUMN_KEYWORDS = (
    ("upn", ("upn", "participantid", "deltagerid")),
    ("email", ("mail",)),
    ("first_join", ("first", "første", "først")),
    ("last_leave", ("last", "sidste", "sidst")),
    ("duration", ("duration", "varighed")),
    ("role", ("role", "rolle")),
    ("join", ("jointime", "tilslut", "deltagelsestid")),
    ("leave", ("leavetime", "udtræd", "afgang", "forlad")),
)

_ANONYMOUS = {"anonymous", "anonym", "anonymoususer", "anonymbruger", "anonymdeltager", "ukendt"}


def _column(cell: str) -> str | None:
    key = _label(cell)
    if not key:
        return None
    if key in _COLUMNS:
        return _COLUMNS[key]
    if "name" in key or "navn" in key:  # "First name" is not "First join"
        return None
    for column, keywords in _COLUMN_KEYWORDS:
        if any(word in key for word in keywords):
            return column
    return None


def _is_anonymous(name: str, email: str, upn: str) -> bool:
    if email or upn:
        return False
    return not name or re.sub(r"[0-9]+$", "", _label(name)) in _ANONYMOUS


# --- Bytes to text ---------------------------------------------------------------

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NOT_TEXT = (
    (b"PK\x03\x04", "xlsx"),
    (b"PK\x05\x06", "xlsx"),
    (b"%PDF", "pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),
)


def _not_text_message(kind: str) -> str:
    if kind == "xlsx":
        return gettext(
            "This is an Excel workbook (.xlsx) or another ZIP file, not the attendance "
            "report. Download the report from Teams as a .csv file, or save it from Excel "
            "as “CSV UTF-8”."
        )
    if kind == "xls":
        return gettext(
            "This is an old Excel (.xls) or other Office file, not the attendance report. "
            "Download the report from Teams as a .csv file."
        )
    if kind == "pdf":
        return gettext(
            "This is a PDF file, not the attendance report. Download the report from Teams "
            "as a .csv file."
        )
    return gettext(
        "This is a web page (HTML), not the attendance report. Download the report from "
        "Teams as a .csv file."
    )


def _empty() -> ReportError:
    return ReportError(gettext("The file is empty."))


def _decode(data: bytes) -> tuple[str, bool, list[str]]:
    """The file's text, whether its last character was cut off, and warnings."""
    if len(data) > MAX_BYTES:
        raise ReportError(
            gettext("The file is larger than %(size)s MB; an attendance report is far smaller.")
            % {"size": MAX_BYTES // (1024 * 1024)}
        )
    for magic, kind in _NOT_TEXT:
        if data.startswith(magic):
            raise ReportError(_not_text_message(kind))
    warnings: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        text, cut = _decode_strict(data[3:], "utf-8")
    elif data.startswith(codecs.BOM_UTF16_LE):
        text, cut = _decode_strict(data[2:], "utf-16-le")
    elif data.startswith(codecs.BOM_UTF16_BE):
        text, cut = _decode_strict(data[2:], "utf-16-be")
    elif encoding := _utf16_without_bom(data):
        text, cut = _decode_strict(data, encoding)
    else:
        try:
            text, cut = _decode_strict(data, "utf-8")
        except ReportError:
            text, cut = _decode_windows_1252(data), False
            warnings.append(
                gettext(
                    "The file is neither UTF-16 nor UTF-8 and was read as Windows-1252 "
                    "(Western European). Check that names with æ, ø and å look right."
                )
            )
    # Some tools pad a download with NULs or end it with a DOS end-of-file mark.
    text = text.replace("\ufeff", "").rstrip("\x00\x1a")
    if not text.strip():
        raise _empty()
    # A stray control character (Word's line break \x0b in a pasted meeting
    # title) becomes a space; many of them, or any NUL, mean binary data.
    controls = len(_CONTROL_RE.findall(text))
    if "\x00" in text or controls > max(8, len(text) // 100):
        raise ReportError(
            gettext(
                "The file holds binary data, not text, so it is not an attendance report. "
                "Download the report from Teams again as a .csv file."
            )
        )
    if controls:
        text = _CONTROL_RE.sub(" ", text)
    if text.lstrip()[:20].casefold().startswith(("<!doctype html", "<html")):
        raise ReportError(_not_text_message("html"))
    return text, cut, warnings


def _decode_strict(body: bytes, encoding: str) -> tuple[str, bool]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        text = decoder.decode(body, final=False)
    except UnicodeDecodeError as exc:
        raise ReportError(
            gettext(
                "The file could not be read as text: it looks like %(encoding)s but has "
                "invalid bytes at position %(position)s. Download the report from Teams again."
            )
            % {"encoding": encoding.upper(), "position": exc.start}
        ) from None
    # Bytes left in the decoder are half a character: the download was cut off.
    return text, bool(decoder.getstate()[0])


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _decode_windows_1252(data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ReportError(
            gettext(
                "The file could not be read as text (expected UTF-16 or UTF-8). "
                "Download the report from Teams again as a .csv file."
            )
        ) from None


# --- Text to rows ---------------------------------------------------------------

_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
_BARE_DATE_RE = re.compile(r"[0-9]{1,4}[./-][0-9]{1,2}[./-][0-9]{1,4}")
_BARE_TIME_RE = re.compile(r"[0-9]{1,2}[:.][0-9]{2}(?:[:.][0-9]{2})?(?:\s*[AaPp]\.?\s?[Mm]\.?)?")


@dataclass
class _Row:
    number: int  # the line in the file, from 1
    cells: list[str]


def _split(line: str, delimiter: str) -> list[str]:
    if not line.strip():
        return []
    try:
        cells = next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        cells = line.split(delimiter)
    cells = [cell.strip() for cell in cells]
    if delimiter == ",":
        # "15/11/22, 09:30:17" saved without quotes became two cells.
        joined: list[str] = []
        for cell in cells:
            if joined and _BARE_TIME_RE.fullmatch(cell) and _BARE_DATE_RE.fullmatch(joined[-1]):
                joined[-1] = f"{joined[-1]}, {cell}"
            else:
                joined.append(cell)
        cells = joined
    return cells if any(cells) else []


def _sniff(lines: list[str]) -> str:
    """The delimiter under which the most of the report's structure appears."""
    best, best_score = "", 0
    sample = lines[:200]
    for delimiter in ("\t", ";", ","):
        score = 0
        for line in sample:
            cells = _split(line, delimiter)
            if _header(cells):
                score += 10
            elif _summary_entry(cells):
                score += 1
        if score > best_score:
            best, best_score = delimiter, score
    if best:
        return best
    counts = {d: sum(d in line for line in sample) for d in ("\t", ";", ",")}
    return max(counts, key=lambda d: counts[d])


# --- Structure ------------------------------------------------------------------

_NUMBERED_SECTION_RE = re.compile(r"([0-9]{1,2})\s*[.)]\s*(\S.*)")


@dataclass
class _Header:
    kind: Literal["participants", "activities", "flat"]
    columns: dict[str, int]
    width: int


@dataclass
class _Table:
    header: _Header
    header_row: int
    rows: list[_Row] = field(default_factory=list)


@dataclass
class _OpenSection:
    """A numbered section whose column headings have not come yet."""

    kind: str
    row: int
    stray_rows: bool = False  # rows that are not headings came first


@dataclass
class _Structure:
    summary: dict[str, _Row] = field(default_factory=dict)
    summary_seen: bool = False
    tables: list[_Table] = field(default_factory=list)


def _section(cells: list[str]) -> str | None:
    """The section a title row opens ("1. Summary"), or None for any other row."""
    if not cells or not cells[0] or any(cells[1:]):
        return None
    if match := _NUMBERED_SECTION_RE.fullmatch(cells[0]):
        key = _label(match[2])
        if key in _SECTIONS:
            return _SECTIONS[key]
        return "activities" if ("activit" in key or "aktivitet" in key) else "other"
    # The 2021 report opened with an unnumbered "Meeting Summary".
    return "summary" if _label(cells[0]) in _SUMMARY_SECTION.split() else None


def _header(cells: list[str]) -> _Header | None:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        if _DATETIME_RE.fullmatch(cell):
            return None
        column = _column(cell)
        if column and column not in columns:
            columns[column] = index
    if "name" not in columns:
        return None
    if "action" in columns and "timestamp" in columns:
        return _Header("flat", columns, len(cells))
    if "first_join" in columns:
        return _Header("participants", columns, len(cells))
    if "join" in columns:
        return _Header("activities", columns, len(cells))
    return None


def _summary_entry(cells: list[str]) -> str | None:
    if len(cells) >= 2 and any(cells[1:]):
        return _SUMMARY_FIELDS.get(_label(cells[0]))
    return None


def _structure(rows: list[_Row], may_be_cut: bool) -> _Structure:
    found = _Structure()
    table: _Table | None = None
    section: str | None = None
    awaiting_header: _OpenSection | None = None
    last = rows[-1].number if rows else 0
    for row in rows:
        cells = row.cells
        if (opened := _section(cells)) is not None:
            _check_header_found(awaiting_header, cut_here=False)
            table, section = None, opened
            found.summary_seen |= opened == "summary"
            awaiting_header = _OpenSection(opened, row.number) if opened != "summary" else None
            continue
        if header := _header(cells):
            table = _Table(header, row.number)
            found.tables.append(table)
            awaiting_header = None
            continue
        if awaiting_header and awaiting_header.kind in ("participants", "activities"):
            if cells[0] and _COLUMNS.get(_label(cells[0])) == "name":
                if may_be_cut and row.number == last:
                    continue
                raise ReportError(_missing_columns(awaiting_header.kind, row.number))
            awaiting_header.stray_rows = True
            continue
        if table is not None:
            table.rows.append(row)
        elif (entry := _summary_entry(cells)) and (section in (None, "summary")):
            found.summary.setdefault(entry, row)
            found.summary_seen = True
    _check_header_found(awaiting_header, cut_here=may_be_cut)
    return found


def _check_header_found(awaiting: _OpenSection | None, *, cut_here: bool) -> None:
    """A table section whose rows came without headings cannot be read.

    `cut_here`: the section is the last in a file that may have been cut off,
    so its headings may have been lost with the rest.
    """
    if awaiting and awaiting.kind in ("participants", "activities") and awaiting.stray_rows:
        if cut_here:
            return
        raise ReportError(
            gettext(
                "Row %(row)s opens a section but no column headings follow it "
                "(expected Name, First join, … or Name, Join time, …)."
            )
            % {"row": awaiting.row}
        )


def _missing_columns(section: str, row: int) -> str:
    if section == "participants":
        return gettext(
            "Row %(row)s: the participants table has no “First join” column, so "
            "attendance cannot be read."
        ) % {"row": row}
    return gettext(
        "Row %(row)s: the in-meeting activities table has no “Join time” column, so "
        "attendance cannot be read."
    ) % {"row": row}


# --- Dates and durations --------------------------------------------------------

_DATETIME_RE = re.compile(
    r"""
    (?P<a>[0-9]{1,4})\s*(?P<sep>[./-])\s*(?P<b>[0-9]{1,2})\s*(?P=sep)\s*(?P<c>[0-9]{1,4})
    (?:\s*,\s*|\s+|T)(?:kl\.?\s*)?
    (?P<H>[0-9]{1,2})[:.](?P<M>[0-9]{2})(?:[:.](?P<S>[0-9]{2})(?:[.,](?P<F>[0-9]{1,9}))?)?
    \s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?
    \s*(?P<tz>Z|(?:UTC|GMT)?\s*[+-][0-9]{2}:?[0-9]{2})?
    """,
    re.VERBOSE,
)
_OFFSET_RE = re.compile(r"([+-])([0-9]{2}):?([0-9]{2})")
_CLOCK_RE = re.compile(r"([0-9]{1,3}):([0-9]{2}):([0-9]{2})")
_DURATION_RE = re.compile(r"(?:[0-9]{1,9}\s*[^\W\d_]+\.?\s*)+")
_DURATION_PART_RE = re.compile(r"([0-9]{1,9})\s*([^\W\d_]+)")
_DURATION_UNITS = _aliases(
    {
        "86400": "d day days dag dage døgn",
        "3600": "h hr hrs hour hours t tim time timer",
        "60": "m min mins minute minutes minut minutter",
        "1": "s sec secs second seconds sek sekund sekunder",
    }
)


class _CellError(Exception):
    """A cell that cannot be read; the caller adds the row number."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def _quote(value: str) -> str:
    return value if len(value) <= 40 else value[:39] + "…"


def _not_a_date(text: str) -> _CellError:
    return _CellError(gettext("“%(value)s” is not a date and time.") % {"value": _quote(text)})


def _not_a_duration(text: str) -> _CellError:
    return _CellError(gettext("“%(value)s” is not a duration.") % {"value": _quote(text)})


def _date_order(samples: list[tuple[int, str]], requested: DateOrder) -> tuple[str, list[str]]:
    """The date order of the whole file, "dmy" or "mdy", and a warning if it was a guess.

    A first number above 12 (31/03/25) means day first, a second one above 12
    (11/15/22) month first; dates with dots (15.11.2022) are Danish. Failing
    that, AM/PM points to the US format; failing that, day first (the
    organisers are Danish) with a warning.
    """
    if requested in ("dmy", "mdy"):
        return requested, []
    day_first: int | None = None
    month_first: int | None = None
    twelve_hour = ambiguous = False
    for row, text in samples:
        match = _DATETIME_RE.fullmatch(text)
        if not match or len(match["a"]) == 4:
            continue
        a, b = int(match["a"]), int(match["b"])
        if match["sep"] == "." or (a > 12 >= b):
            day_first = day_first or row
        elif b > 12 >= a:
            month_first = month_first or row
        else:
            ambiguous = True
        twelve_hour |= bool(match["ampm"])
    if day_first and month_first:
        raise ReportError(
            gettext(
                "The dates mix day/month order (row %(dmy)s) and month/day order "
                "(row %(mdy)s), so they cannot be read reliably."
            )
            % {"dmy": day_first, "mdy": month_first}
        )
    if day_first:
        return "dmy", []
    if month_first or twelve_hour:
        return "mdy", []
    if ambiguous:
        return "dmy", [
            gettext(
                "Every date in the file could be day/month or month/day; they were read "
                "as day/month (Danish). Choose the date order explicitly if that is wrong."
            )
        ]
    return "dmy", []


def _parse_datetime(text: str, order: str, tz: tzinfo) -> datetime:
    """The moment a report's cell names, as a UTC datetime (fold=0, see _pair)."""
    return _to_utc(_read_datetime(text, order), tz, fold=0)


def _read_datetime(text: str, order: str) -> datetime:
    """Naive (wall-clock) unless the cell carries its own offset."""
    match = _DATETIME_RE.fullmatch(text)
    if not match:
        raise _not_a_date(text)
    a, b, c = match["a"], match["b"], match["c"]
    if len(a) == 4:
        if len(c) > 2:
            raise _not_a_date(text)
        year, month, day = int(a), int(b), int(c)
    else:
        if len(c) not in (2, 4):
            raise _not_a_date(text)
        year = int(c) + (2000 if len(c) == 2 else 0)
        day, month = (int(a), int(b)) if order == "dmy" else (int(b), int(a))
    hour, minute, second = int(match["H"]), int(match["M"]), int(match["S"] or 0)
    microsecond = int((match["F"] or "0")[:6].ljust(6, "0"))
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise _not_a_date(text)
        hour = hour % 12 + (12 if match["ampm"][0] in "pP" else 0)
    if not 1990 <= year <= 2200:
        raise _not_a_date(text)
    try:
        value = datetime(year, month, day, hour, minute, second, microsecond)
    except ValueError:
        raise _not_a_date(text) from None
    if offset := match["tz"]:
        if offset == "Z":
            return value.replace(tzinfo=UTC)
        sign, hours, minutes = _OFFSET_RE.search(offset).groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        if delta >= timedelta(hours=24):
            raise _not_a_date(text)
        return value.replace(tzinfo=timezone(-delta if sign == "-" else delta))
    return value


def _to_utc(value: datetime, tz: tzinfo, *, fold: int) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz, fold=fold)
    return value.astimezone(UTC)


def _pair(
    start_text: str, end_text: str, order: str, tz: tzinfo
) -> tuple[datetime | None, datetime | None]:
    """A join and a leave time; they must be in order and not absurdly far apart.

    In the hour that repeats when summer time ends, a wall-clock time is
    ambiguous; when reading the leave time as its first occurrence would put it
    before the join, it is read as the second.
    """
    start = _read_datetime(start_text, order) if start_text else None
    end = _read_datetime(end_text, order) if end_text else None
    start_utc = _to_utc(start, tz, fold=0) if start else None
    end_utc = _to_utc(end, tz, fold=0) if end else None
    if start_utc and end_utc and end and end_utc < start_utc:
        end_utc = _to_utc(end, tz, fold=1)
    if start_utc and end_utc:
        if end_utc < start_utc:
            raise _CellError(
                gettext("the leave time %(left)s is before the join time %(joined)s.")
                % {"left": _quote(end_text), "joined": _quote(start_text)}
            )
        if (end_utc - start_utc).total_seconds() > MAX_SECONDS:
            raise _CellError(
                gettext("from %(joined)s to %(left)s is longer than any Teams meeting.")
                % {"left": _quote(end_text), "joined": _quote(start_text)}
            )
    return start_utc, end_utc


def _parse_duration(text: str) -> int | None:
    """Seconds in "1h 27m 51s", "27m 5s", "45s", "1t 27m 51s" or "01:27:51"; None if blank."""
    value = text.strip()
    if not value:
        return None
    negative = value[0] in "-−"
    if negative:
        value = value[1:].strip()
    if clock := _CLOCK_RE.fullmatch(value):
        hours, minutes, seconds = (int(part) for part in clock.groups())
        if minutes > 59 or seconds > 59:
            raise _not_a_duration(text)
        total = hours * 3600 + minutes * 60 + seconds
    elif _DURATION_RE.fullmatch(value):
        total, seen = 0, set()
        for number, unit in _DURATION_PART_RE.findall(value):
            factor = _DURATION_UNITS.get(unit.casefold())
            if factor is None or factor in seen:
                raise _not_a_duration(text)
            seen.add(factor)
            total += int(number) * int(factor)
    else:
        raise _not_a_duration(text)
    if negative and total:
        raise _CellError(gettext("the duration “%(value)s” is negative.") % {"value": _quote(text)})
    if total > MAX_SECONDS:
        raise _CellError(
            gettext("the duration “%(value)s” is longer than any Teams meeting.")
            % {"value": _quote(text)}
        )
    return total


# --- Rows to records -------------------------------------------------------------

T = TypeVar("T")


@dataclass
class _Reading:
    """What the conversion of rows has to know about the file as a whole."""

    order: str
    tz: tzinfo
    last_row: int
    may_be_cut: bool  # no final line break, or half a character at the end
    cut_row: int | None = None


def _convert(table: _Table, reading: _Reading, convert: Callable[[_Row], T]) -> list[T]:
    """Every row of the table converted; a cut-off last row is skipped and remembered."""
    required = {
        "participants": ("name", "first_join"),
        "activities": ("name", "join"),
        "flat": ("name", "action", "timestamp"),
    }[table.header.kind]
    needed = max(table.header.columns[column] for column in required) + 1
    results: list[T] = []
    for row in table.rows:
        at_the_cut = reading.may_be_cut and row.number == reading.last_row
        try:
            if len(row.cells) < needed or (at_the_cut and len(row.cells) < table.header.width):
                raise _CellError(
                    gettext(
                        "the row has only %(found)s of the %(expected)s columns in the "
                        "table's headings (row %(header)s)."
                    )
                    % {
                        "found": len(row.cells),
                        "expected": table.header.width,
                        "header": table.header_row,
                    }
                )
            results.append(convert(row))
        except _CellError as exc:
            if at_the_cut:
                reading.cut_row = row.number
                continue
            raise ReportError(
                gettext("Row %(row)s: %(problem)s") % {"row": row.number, "problem": exc.problem}
            ) from None
    return results


def _cell(row: _Row, header: _Header, column: str) -> str:
    index = header.columns.get(column)
    if index is None or index >= len(row.cells):
        return ""
    return row.cells[index]


@dataclass
class _Listed:
    """A row of "2. Participants" before its duration is settled."""

    name: str
    email: str
    upn: str
    role: str
    first_join: datetime | None
    last_leave: datetime | None
    seconds: int | None


def _participant_row(header: _Header, reading: _Reading) -> Callable[[_Row], _Listed]:
    def convert(row: _Row) -> _Listed:
        first, last = _pair(
            _cell(row, header, "first_join"),
            _cell(row, header, "last_leave"),
            reading.order,
            reading.tz,
        )
        return _Listed(
            name=_cell(row, header, "name"),
            email=_cell(row, header, "email").lower(),
            upn=_cell(row, header, "upn").lower(),
            role=_cell(row, header, "role"),
            first_join=first,
            last_leave=last,
            seconds=_parse_duration(_cell(row, header, "duration")),
        )

    return convert


def _activity_row(header: _Header, reading: _Reading) -> Callable[[_Row], Interval]:
    def convert(row: _Row) -> Interval:
        joined_text = _cell(row, header, "join")
        if not joined_text:
            raise _CellError(gettext("the join time is missing."))
        joined, left = _pair(joined_text, _cell(row, header, "leave"), reading.order, reading.tz)
        assert joined is not None
        seconds = _parse_duration(_cell(row, header, "duration"))
        if left is None and seconds is not None:
            left = joined + timedelta(seconds=seconds)
        return Interval(
            name=_cell(row, header, "name"),
            email=_cell(row, header, "email").lower(),
            joined=joined,
            left=left,
            role=_cell(row, header, "role"),
        )

    return convert


@dataclass
class _Event:
    row: int
    name: str
    joins: bool
    at: datetime


def _flat_row(header: _Header, reading: _Reading) -> Callable[[_Row], _Event]:
    def convert(row: _Row) -> _Event:
        action = _cell(row, header, "action")
        key = _label(action)
        if key.startswith(("join", "deltog", "tilsluttet")):
            joins = True
        elif key.startswith(("left", "leave", "forlod", "forladt")):
            joins = False
        else:
            raise _CellError(
                gettext("“%(value)s” is neither Joined nor Left.") % {"value": _quote(action)}
            )
        at = _parse_datetime(_cell(row, header, "timestamp"), reading.order, reading.tz)
        return _Event(row.number, _cell(row, header, "name"), joins, at)

    return convert


def _union_seconds(spans: Iterable[tuple[datetime, datetime]]) -> int:
    """Seconds covered by the spans, counting overlaps (two devices) once."""
    total = 0.0
    current: tuple[datetime, datetime] | None = None
    for start, end in sorted(spans):
        if current and start <= current[1]:
            current = (current[0], max(current[1], end))
            continue
        if current:
            total += (current[1] - current[0]).total_seconds()
        current = (start, end)
    if current:
        total += (current[1] - current[0]).total_seconds()
    return round(total)


def _person_key(name: str, email: str, index: int) -> tuple[str, str]:
    if email:
        return ("email", email)
    if _is_anonymous(name, email, ""):
        return ("anonymous", str(index))  # nothing tells two anonymous people apart
    return ("name", name)


def _closed(interval: Interval, end: datetime | None) -> tuple[datetime, datetime]:
    left = interval.left or end or interval.joined
    return interval.joined, max(left, interval.joined)


def _participants_from_intervals(
    intervals: list[Interval], end: datetime | None
) -> list[Participant]:
    groups: dict[tuple[str, str], list[Interval]] = {}
    for index, interval in enumerate(intervals):
        groups.setdefault(_person_key(interval.name, interval.email, index), []).append(interval)
    participants = []
    for group in groups.values():
        open_ended = any(interval.left is None for interval in group)
        participants.append(
            Participant(
                name=group[0].name,
                email=group[0].email,
                upn="",
                role=next((i.role for i in group if i.role), ""),
                first_join=min(interval.joined for interval in group),
                last_leave=None
                if open_ended
                else max(interval.left for interval in group if interval.left),
                seconds=_union_seconds(_closed(interval, end) for interval in group),
            )
        )
    return participants


def _by_person(intervals: list[Interval]) -> dict[tuple[str, str], list[Interval]]:
    """Intervals by ("email", address), or by ("name", name) where there is no address."""
    index: dict[tuple[str, str], list[Interval]] = {}
    for interval in intervals:
        key = ("email", interval.email) if interval.email else ("name", interval.name)
        index.setdefault(key, []).append(interval)
    return index


def _settle(
    listed: _Listed, intervals: dict[tuple[str, str], list[Interval]], end: datetime | None
) -> Participant:
    """A participant of section 2, its duration taken from section 3 if not given."""
    seconds = listed.seconds
    if seconds is None:
        if listed.email:
            own = intervals.get(("email", listed.email), [])
        elif _is_anonymous(listed.name, listed.email, listed.upn):
            own = []  # the intervals of one anonymous person cannot be told from another's
        else:
            own = intervals.get(("name", listed.name), [])
        if own:
            seconds = _union_seconds(_closed(interval, end) for interval in own)
        elif listed.first_join and listed.last_leave:
            seconds = round((listed.last_leave - listed.first_join).total_seconds())
        else:
            seconds = 0
    return Participant(
        name=listed.name,
        email=listed.email,
        upn=listed.upn,
        role=listed.role,
        first_join=listed.first_join,
        last_leave=listed.last_leave,
        seconds=seconds,
    )


def _intervals_from_events(events: list[_Event], warnings: list[str]) -> list[Interval]:
    """Joined/Left pairs per person; the flat export has no emails, so by name."""
    if not events:
        return []
    last_time = max(event.at for event in events)
    by_person: dict[str, list[_Event]] = {}
    for event in events:
        by_person.setdefault(event.name, []).append(event)
    intervals: list[tuple[int, Interval]] = []
    unmatched_leaves: list[int] = []
    open_at_end: list[str] = []
    for name, person_events in by_person.items():
        opened: _Event | None = None
        for event in sorted(person_events, key=lambda e: e.at):
            if event.joins:
                opened = opened or event  # a second device joining changes nothing
            elif opened:
                intervals.append((opened.row, Interval(name, "", opened.at, event.at, "")))
                opened = None
            else:
                unmatched_leaves.append(event.row)
        if opened:
            intervals.append((opened.row, Interval(name, "", opened.at, last_time, "")))
            open_at_end.append(name or "?")
    if open_at_end:
        warnings.append(
            ngettext(
                "%(count)s person (%(names)s) joined without leaving; they are counted as "
                "present until the last time in the file.",
                "%(count)s people (%(names)s) joined without leaving; they are counted as "
                "present until the last time in the file.",
                len(open_at_end),
            )
            % {"count": len(open_at_end), "names": ", ".join(open_at_end[:5])}
        )
    if unmatched_leaves:
        warnings.append(
            ngettext(
                "%(count)s “Left” row without a “Joined” before it was ignored (row %(rows)s).",
                "%(count)s “Left” rows without a “Joined” before them were ignored "
                "(rows %(rows)s).",
                len(unmatched_leaves),
            )
            % {
                "count": len(unmatched_leaves),
                "rows": ", ".join(str(row) for row in sorted(unmatched_leaves)[:10]),
            }
        )
    return [interval for _, interval in sorted(intervals, key=lambda pair: pair[0])]


# --- The whole report -------------------------------------------------------------


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
    text, half_character, warnings = _decode(data)
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


@dataclass
class _Content:
    participants: list[Participant]
    intervals: list[Interval]
    title: str = ""
    start: datetime | None = None
    end: datetime | None = None
    attended: int | None = None  # as the summary announces it


def _read_sections(found: _Structure, reading: _Reading, warnings: list[str]) -> _Content:
    title, start, end, attended = _summary(found, reading)
    listed: list[_Listed] = []
    intervals: list[Interval] = []
    for table in found.tables:
        if table.header.kind == "participants":
            listed += _convert(table, reading, _participant_row(table.header, reading))
        elif table.header.kind == "activities":
            intervals += _convert(table, reading, _activity_row(table.header, reading))
    times = [t for i in intervals for t in (i.joined, i.left) if t]
    times += [t for p in listed for t in (p.first_join, p.last_leave) if t]
    start = start or (min(times) if times else None)
    end = end or (max(times) if times else None)
    if any(table.header.kind == "participants" for table in found.tables):
        by_person = _by_person(intervals)
        participants = [_settle(p, by_person, end) for p in listed]
    else:
        participants = _participants_from_intervals(intervals, end)
        if participants:
            warnings.append(
                gettext(
                    "The report has no “2. Participants” section; participants were "
                    "derived from the in-meeting activities."
                )
            )
    if open_ended := sum(interval.left is None for interval in intervals):
        warnings.append(
            ngettext(
                "%(count)s join has no leave time (the report was made during the "
                "meeting); it is counted until the end of the meeting.",
                "%(count)s joins have no leave time (the report was made during the "
                "meeting); they are counted until the end of the meeting.",
                open_ended,
            )
            % {"count": open_ended}
        )
    return _Content(participants, intervals, title, start, end, attended)


def _read_flat(found: _Structure, reading: _Reading, warnings: list[str]) -> _Content:
    events: list[_Event] = []
    for table in found.tables:
        if table.header.kind == "flat":
            events += _convert(table, reading, _flat_row(table.header, reading))
    intervals = _intervals_from_events(events, warnings)
    times = [event.at for event in events]
    return _Content(
        _participants_from_intervals(intervals, None),
        intervals,
        start=min(times, default=None),
        end=max(times, default=None),
    )


def _date_samples(found: _Structure, report_format: str) -> list[tuple[int, str]]:
    samples: list[tuple[int, str]] = []
    if report_format == "sections":
        for entry in ("start", "end"):
            if row := found.summary.get(entry):
                samples.append((row.number, _summary_value(row)))
    columns = ("first_join", "last_leave", "join", "leave", "timestamp")
    for table in found.tables:
        for row in table.rows:
            samples += [(row.number, _cell(row, table.header, column)) for column in columns]
    return samples


def _summary_value(row: _Row) -> str:
    return next((cell for cell in row.cells[1:] if cell), "")


def _summary(
    found: _Structure, reading: _Reading
) -> tuple[str, datetime | None, datetime | None, int | None]:
    """Title, start, end and the number of participants the summary announces."""
    values = {entry: (row.number, _summary_value(row)) for entry, row in found.summary.items()}
    times: dict[str, datetime | None] = {"start": None, "end": None}
    for entry in times:
        if entry in values:
            number, value = values[entry]
            try:
                times[entry] = _parse_datetime(value, reading.order, reading.tz)
            except _CellError as exc:
                raise ReportError(
                    gettext("Row %(row)s: %(problem)s") % {"row": number, "problem": exc.problem}
                ) from None
    start, end = times["start"], times["end"]
    if start and end and end < start:
        raise ReportError(
            gettext("The summary's end time is before its start time (row %(row)s).")
            % {"row": values["end"][0]}
        )
    attended = None
    if "attended" in values and (digits := re.match(r"[0-9]{1,9}", values["attended"][1])):
        attended = int(digits[0])
    return values.get("title", (0, ""))[1], start, end, attended
