"""Each table row converted to a record: a listed participant, an interval or an event."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TypeVar

from django.utils.translation import gettext

from samraad.meetings.attendance.dates import (
    _CellError,
    _pair,
    _parse_datetime,
    _parse_duration,
    _quote,
)
from samraad.meetings.attendance.labels import _label
from samraad.meetings.attendance.records import Interval, ReportError
from samraad.meetings.attendance.tables import _Header, _Row, _Table

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
