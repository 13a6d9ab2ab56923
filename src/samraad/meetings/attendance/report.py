"""The records of the sections, or of the flat export, put together: participants and intervals."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext, ngettext

from samraad.meetings.attendance.dates import _CellError, _parse_datetime
from samraad.meetings.attendance.labels import _is_anonymous
from samraad.meetings.attendance.records import Interval, Participant, ReportError
from samraad.meetings.attendance.rows import (
    _activity_row,
    _cell,
    _convert,
    _Event,
    _flat_row,
    _Listed,
    _participant_row,
    _Reading,
)
from samraad.meetings.attendance.tables import _Row, _Structure


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
