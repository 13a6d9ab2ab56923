"""shift_weeks keeps the weekday and the Copenhagen wall-clock time across summer time."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from samraad.core.timeutils import local_datetime, shift_weeks

UTC = datetime.UTC
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def test_local_datetime_is_copenhagen_time():
    # Summer time started Sunday 30 March 2025: 19.00 on Monday 31 March is 17.00 UTC.
    assert local_datetime(2025, 3, 31, 19).astimezone(UTC) == datetime.datetime(
        2025, 3, 31, 17, tzinfo=UTC
    )
    assert local_datetime(2025, 3, 24, 19).astimezone(UTC) == datetime.datetime(
        2025, 3, 24, 18, tzinfo=UTC
    )


def test_shift_into_summer_time_keeps_the_wall_clock():
    winter = local_datetime(2025, 3, 24, 19)  # 18.00 UTC

    moved = shift_weeks(winter, 1)

    assert moved.astimezone(COPENHAGEN).replace(tzinfo=None) == datetime.datetime(2025, 3, 31, 19)
    assert moved.astimezone(UTC) == datetime.datetime(2025, 3, 31, 17, tzinfo=UTC)


@pytest.mark.parametrize(
    ("from_db", "weeks", "expected"),
    [
        # 19.00 in Copenhagen, winter → summer time (30 March 2025)
        ((2025, 3, 24, 18), 1, (2025, 3, 31, 17)),
        # and back
        ((2025, 3, 31, 17), -1, (2025, 3, 24, 18)),
        # 19.00 in Copenhagen, summer → winter time (26 October 2025)
        ((2025, 10, 20, 17), 1, (2025, 10, 27, 18)),
        # 52 weeks on, from summer (30 March 2029) to winter (29 March 2030) time
        ((2029, 3, 30, 17), 52, (2030, 3, 29, 18)),
        # no change of offset: plain weeks
        ((2025, 1, 6, 8, 30), 2, (2025, 1, 20, 8, 30)),
    ],
)
def test_shift_of_a_utc_value_as_the_database_returns_it(from_db, weeks, expected):
    moved = shift_weeks(datetime.datetime(*from_db, tzinfo=UTC), weeks)

    assert moved == datetime.datetime(*expected, tzinfo=UTC)


def test_shift_back_out_of_summer_time_keeps_the_wall_clock():
    summer = local_datetime(2025, 10, 20, 19)  # summer time ends 26 October 2025

    moved = shift_weeks(summer, 1)
    back = shift_weeks(moved, -1)

    assert moved.astimezone(UTC) == datetime.datetime(2025, 10, 27, 18, tzinfo=UTC)
    assert back.astimezone(UTC) == datetime.datetime(2025, 10, 20, 17, tzinfo=UTC)


@pytest.mark.parametrize("weeks", [0, 1, 52, 90, -60])
def test_shift_keeps_weekday_and_time_of_day(weeks):
    start = local_datetime(2025, 3, 31, 19, 0)

    moved = shift_weeks(start, weeks).astimezone(COPENHAGEN)

    assert moved.date() == start.date() + datetime.timedelta(days=7 * weeks)
    assert (moved.weekday(), moved.hour, moved.minute) == (0, 19, 0)


@pytest.mark.parametrize("weeks", [0, 1, 52, -3])
def test_dates_shift_by_seven_days_a_week(weeks):
    day = datetime.date(2025, 3, 26)
    moved = shift_weeks(day, weeks)
    assert moved == day + datetime.timedelta(days=7 * weeks)
    assert type(moved) is datetime.date


def test_none_stays_none():
    assert shift_weeks(None, 52) is None
