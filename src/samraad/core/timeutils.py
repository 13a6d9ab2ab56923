"""Moving dates and times by whole weeks in Copenhagen time.

A meeting at 19.00 on a Monday stays at 19.00 on a Monday when moved, across
summer-time changes: the move is done on the local wall-clock time.
"""

from __future__ import annotations

import datetime
from typing import overload
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_datetime(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime.datetime:
    """An aware datetime for a wall-clock time in Copenhagen."""
    return datetime.datetime(year, month, day, hour, minute, second, tzinfo=local_zone())


@overload
def shift_weeks(value: datetime.datetime, weeks: int) -> datetime.datetime: ...
@overload
def shift_weeks(value: datetime.date, weeks: int) -> datetime.date: ...
@overload
def shift_weeks(value: None, weeks: int) -> None: ...


def shift_weeks(value, weeks):
    """`value` moved by `weeks` weeks, keeping weekday and Copenhagen wall-clock time."""
    if value is None:
        return None
    delta = datetime.timedelta(weeks=weeks)
    if isinstance(value, datetime.datetime):
        wall = timezone.localtime(value, local_zone()).replace(tzinfo=None)
        return timezone.make_aware(wall + delta, local_zone())
    return value + delta


def aware_local(value: datetime.datetime | None) -> datetime.datetime | None:
    """A wall-clock time entered in Copenhagen (as a form gives it) as an aware datetime."""
    if value is None:
        return None
    return timezone.make_aware(value.replace(tzinfo=None), local_zone())
