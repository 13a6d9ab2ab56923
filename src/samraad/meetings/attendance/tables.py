"""The report's structure: the summary, the numbered sections and the tables in them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from django.utils.translation import gettext

from samraad.meetings.attendance.dates import _DATETIME_RE
from samraad.meetings.attendance.labels import (
    _COLUMNS,
    _SECTIONS,
    _SUMMARY_FIELDS,
    _SUMMARY_SECTION,
    _column,
    _label,
)
from samraad.meetings.attendance.records import ReportError

# --- Structure ------------------------------------------------------------------


@dataclass
class _Row:
    number: int  # the line in the file, from 1
    cells: list[str]


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
