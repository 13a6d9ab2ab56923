"""What a report is read into: `AttendanceReport`, `Participant`, `Interval`; and `ReportError`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal


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
