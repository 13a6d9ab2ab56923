"""Dates, times and durations as the report writes them, and the file's date order."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Literal

from django.utils.translation import gettext

from samraad.meetings.attendance.labels import _aliases
from samraad.meetings.attendance.records import ReportError

# Teams ends a meeting after 30 hours; a longer duration means a broken file.
MAX_SECONDS = 48 * 3600

DateOrder = Literal["auto", "dmy", "mdy"]


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
