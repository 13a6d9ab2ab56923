"""Calendar files (.ics) for Samråd's events: a registration, a speaker engagement.

Each file is one iTIP message (RFC 5546) with one VEVENT: METHOD:REQUEST when
the event is created or changed, METHOD:CANCEL when it is cancelled. The UID
stays the same for the life of a registration or engagement and the caller
raises SEQUENCE on every change, so calendar clients update or remove the
event they already have instead of adding a second one.

Times are written as Copenhagen wall-clock time with TZID, together with a
VTIMEZONE that defines the zone. Outlook, which most municipalities use,
misreads a VTIMEZONE made of RDATEs (what icalendar's Timezone.from_tzinfo
writes) and shifts summer-time events by an hour, so the VTIMEZONE is built
here with yearly RRULEs, as Outlook and Google write it, whenever the zone's
changes follow such a rule (Copenhagen's do), and with RDATEs otherwise.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vRecur,
)

__all__ = ["CalendarEvent", "event_ics"]


@dataclass(frozen=True)
class CalendarEvent:
    """One event as it should appear in the recipient's calendar."""

    uid: str  # stable per registration/engagement, e.g. "registration-42@samraad.local"
    sequence: int  # raised on every change
    summary: str
    start: datetime  # aware
    end: datetime  # aware
    description: str = ""
    location: str = ""
    url: str = ""  # e.g. the Teams join link once released
    organizer_email: str = ""
    organizer_name: str = ""
    attendee_email: str = ""
    attendee_name: str = ""
    cancelled: bool = False

    def __post_init__(self) -> None:
        if not self.uid.strip():
            raise ValueError("A calendar event needs a UID.")
        if self.sequence < 0:
            raise ValueError("SEQUENCE cannot be negative.")
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, datetime) or timezone.is_naive(value):
                raise ValueError(f"The {name} of a calendar event must be an aware datetime.")
        if self.end <= self.start:
            raise ValueError("A calendar event must end after it starts.")


def event_ics(event: CalendarEvent, *, tz: str | None = None) -> bytes:
    """The event as an .ics file: UTF-8, CRLF line endings, lines folded at 75 octets.

    Start and end are written as wall-clock time in `tz` (default:
    settings.TIME_ZONE, read at call time) with a VTIMEZONE that is exact for the
    event's years. A cancellation is METHOD:CANCEL with STATUS:CANCELLED; the
    caller keeps the UID and raises SEQUENCE.
    """
    zone = ZoneInfo(tz or settings.TIME_ZONE)
    cancelled = event.cancelled

    cal = Calendar()
    cal.add("prodid", f"-//{settings.ASSOCIATION_NAME}//Samråd//DA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "CANCEL" if cancelled else "REQUEST")

    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", timezone.now().astimezone(UTC))
    vevent.add("dtstart", event.start.astimezone(zone))
    vevent.add("dtend", event.end.astimezone(zone))
    vevent.add("summary", event.summary)
    description = event.description
    if event.url and event.url not in description:
        # Outlook does not show the URL property; the link has to be in the text.
        description = f"{description}\n\n{event.url}" if description else event.url
    if description:
        vevent.add("description", description)
    if event.location:
        vevent.add("location", event.location)
    if event.url:
        vevent.add("url", event.url)
    if event.organizer_email:
        organizer = vCalAddress(f"mailto:{event.organizer_email}")
        if event.organizer_name:
            organizer.params["CN"] = event.organizer_name
        vevent.add("organizer", organizer)
    if event.attendee_email:
        attendee = vCalAddress(f"mailto:{event.attendee_email}")
        if event.attendee_name:
            attendee.params["CN"] = event.attendee_name
        attendee.params["ROLE"] = "REQ-PARTICIPANT"
        attendee.params["RSVP"] = "FALSE"
        vevent.add("attendee", attendee)
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    cal.add_component(vevent)
    # The VTIMEZONE goes before the event, written once per zone and years (it is most of
    # the file's lines, and the same for every event of a meeting).
    head, begin, rest = cal.to_ical().partition(b"BEGIN:VEVENT\r\n")
    return head + _vtimezone_ical(zone, *_zone_years(zone, event.start, event.end)) + begin + rest


@dataclass(frozen=True)
class _State:
    offset: timedelta
    name: str


@dataclass(frozen=True)
class _Transition:
    onset: datetime  # naive wall-clock time before the change, as RFC 5545 wants DTSTART
    before: _State
    after: _State


def _state(zone: ZoneInfo, instant: datetime) -> _State:
    local = instant.astimezone(zone)
    return _State(local.utcoffset(), local.tzname() or "")


@functools.lru_cache(maxsize=64)
def _transitions(zone: ZoneInfo, since: datetime, until: datetime) -> tuple[_Transition, ...]:
    """Every change of UTC offset or zone name in `zone` between two UTC instants.

    Looks at every day, so it assumes no two changes within 24 hours, which holds
    for every zone in tzdata. (icalendar's Timezone.from_tzinfo looks at every
    64 days and misses, for example, Morocco's change for Ramadan 2024.) That is
    some 1,500 zone look-ups for the usual four years, done for every calendar file
    a registration mails, so the answer is remembered: it depends only on the
    arguments (and tzdata, which does not change while a process runs).
    """
    found = []
    day = timedelta(days=1)
    instant, before = since, _state(zone, since)
    while instant < until:
        after = _state(zone, instant + day)
        if after != before:
            # Bisect to the second: the state is `before` at instant + lo, `after` at + hi.
            lo, hi = 0, int(day.total_seconds())
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _state(zone, instant + timedelta(seconds=mid)) == before:
                    lo = mid
                else:
                    hi = mid
            at = instant + timedelta(seconds=hi)
            if at >= until:
                break
            found.append(_Transition((at + before.offset).replace(tzinfo=None), before, after))
            before = after
        instant += day
    return tuple(found)


def _yearly_rule(onsets: list[datetime], years: range) -> vRecur | None:
    """A yearly RRULE that yields exactly `onsets` in `years`, or None if there is none."""
    if [onset.year for onset in onsets] != list(years):
        return None
    first = onsets[0]
    if any(
        (o.month, o.weekday(), o.time()) != (first.month, first.weekday(), first.time())
        for o in onsets
    ):
        return None
    weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[first.weekday()]
    if all((o + timedelta(days=7)).month != o.month for o in onsets):
        ordinal = -1  # the last such weekday of the month, as in the EU rule
    elif len({(o.day - 1) // 7 for o in onsets}) == 1:
        ordinal = (first.day - 1) // 7 + 1
    else:
        return None
    return vRecur({"FREQ": "YEARLY", "BYMONTH": first.month, "BYDAY": f"{ordinal}{weekday}"})


def _zone_years(zone: ZoneInfo, start: datetime, end: datetime) -> tuple[int, int]:
    """The years a VTIMEZONE for an event from `start` to `end` covers: one either side."""
    return start.astimezone(zone).year - 1, end.astimezone(zone).year + 2


@functools.lru_cache(maxsize=64)
def _vtimezone_ical(zone: ZoneInfo, first_year: int, stop_year: int) -> bytes:
    return _vtimezone(zone, range(first_year, stop_year)).to_ical()


def _vtimezone(zone: ZoneInfo, years: range) -> Timezone:
    """A VTIMEZONE for `zone`, exact from the first change in `years` to their end.

    Each kind of change (e.g. CET to CEST) is one observance, with a yearly RRULE
    if one yields exactly its changes in those years, otherwise with RDATEs.
    """
    since = datetime(years.start, 1, 1, tzinfo=zone).astimezone(UTC)
    until = datetime(years.stop, 1, 1, tzinfo=zone).astimezone(UTC)
    observances: dict[tuple[_State, _State], list[datetime]] = defaultdict(list)
    for transition in _transitions(zone, since, until):
        observances[transition.before, transition.after].append(transition.onset)
    if not observances:  # no change in these years: one observance from their start
        state = _state(zone, since)
        observances[state, state].append(since.astimezone(zone).replace(tzinfo=None))

    vtimezone = Timezone()
    vtimezone.add("tzid", zone.key)
    for (before, after), onsets in observances.items():
        # DAYLIGHT is the change to the larger offset, as calendar clients expect;
        # tzdata's negative summer time (Europe/Dublin) would say the opposite.
        observance = TimezoneDaylight() if after.offset > before.offset else TimezoneStandard()
        observance.add("dtstart", onsets[0])
        rule = _yearly_rule(onsets, years)
        if rule is not None:
            observance.add("rrule", rule)
        elif len(onsets) > 1:
            observance.add("rdate", onsets[1:])
        observance.add("tzoffsetfrom", before.offset)
        observance.add("tzoffsetto", after.offset)
        observance.add("tzname", after.name)
        vtimezone.add_component(observance)
    return vtimezone
