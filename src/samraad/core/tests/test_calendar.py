"""The .ics files Samråd attaches to confirmations, updates and cancellations.

Every file is parsed back with icalendar. The VTIMEZONE is checked twice more:
by icalendar's own reading of it (`to_tz(lookup_tzid=False)`, which ignores the
tz database) and by a small reader below that uses only RFC 5545 and the
datetime module; both must agree with zoneinfo.
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from samraad.core.calendar import CalendarEvent, event_ics

UTC = datetime.UTC
COPENHAGEN = ZoneInfo("Europe/Copenhagen")

# Summer time began on Sunday 30 March 2025 at 01.00 UTC (02.00 -> 03.00 in Copenhagen).
MONDAY_AFTER_CHANGE = datetime.datetime(2025, 3, 31, 19, tzinfo=COPENHAGEN)
TEAMS_LINK = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=x"


def make_event(**changes) -> CalendarEvent:
    values = {
        "uid": "registration-42@samraad.local",
        "sequence": 0,
        "summary": "Virtuelt møde om økonomiaftalen",
        "start": MONDAY_AFTER_CHANGE,
        "end": MONDAY_AFTER_CHANGE + datetime.timedelta(hours=2),
        "description": "Mødet handler om kommunernes økonomi.",
        "location": "Microsoft Teams",
        "url": TEAMS_LINK,
        "organizer_email": "samraad@kl.dk",
        "organizer_name": "KL, Økonomi",
        "attendee_email": "soeren@aeroe.dk",
        "attendee_name": "Søren Ærø-Ålum",
    }
    return CalendarEvent(**{**values, **changes})


def parse(ics: bytes) -> Calendar:
    return Calendar.from_ical(ics)


def only_event(ics: bytes):
    (vevent,) = parse(ics).walk("VEVENT")
    return vevent


def unfold(ics: bytes) -> list[str]:
    return ics.decode("utf-8").replace("\r\n ", "").split("\r\n")


def raw_wall_time(ics: bytes, name: str) -> tuple[datetime.datetime, str]:
    """The naive wall-clock time and TZID of DTSTART or DTEND, read from the text."""
    (line,) = [line for line in unfold(ics) if line.startswith(f"{name};")]
    match = re.fullmatch(rf"{name};TZID=([^:;]+):(\d{{8}}T\d{{6}})", line)
    assert match, line
    return datetime.datetime.strptime(match[2], "%Y%m%dT%H%M%S"), match[1]


# --- A VTIMEZONE reader from RFC 5545 section 3.6.5, independent of icalendar ----------

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _utc_offset(text: str) -> datetime.timedelta:
    sign = -1 if text[0] == "-" else 1
    hours, minutes, seconds = int(text[1:3]), int(text[3:5]), int(text[5:7] or 0)
    return sign * datetime.timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _local(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y%m%dT%H%M%S")


def _yearly(rrule: str, dtstart: datetime.datetime, until_year: int):
    """Occurrences after DTSTART of FREQ=YEARLY;BYMONTH=m;BYDAY=nWD (the only form used)."""
    parts = dict(part.split("=") for part in rrule.split(";"))
    assert set(parts) == {"FREQ", "BYMONTH", "BYDAY"} and parts["FREQ"] == "YEARLY", rrule
    month = int(parts["BYMONTH"])
    ordinal, weekday = int(parts["BYDAY"][:-2]), WEEKDAYS.index(parts["BYDAY"][-2:])
    for year in range(dtstart.year, until_year):
        if ordinal > 0:
            first = datetime.date(year, month, 1)
            day = 1 + (weekday - first.weekday()) % 7 + 7 * (ordinal - 1)
        else:
            assert ordinal == -1, rrule
            last = datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(1)
            day = last.day - (last.weekday() - weekday) % 7
        occurrence = datetime.datetime.combine(datetime.date(year, month, day), dtstart.time())
        if year == dtstart.year:
            assert occurrence == dtstart, "DTSTART must be the rule's first occurrence"
        else:
            yield occurrence


def read_vtimezone(ics: bytes, until_year: int = 2040):
    """Sorted (UTC instant, offset from then on) for every change the VTIMEZONE defines."""
    lines = unfold(ics)
    lines = lines[lines.index("BEGIN:VTIMEZONE") : lines.index("END:VTIMEZONE")]
    changes, observance = [], None
    for line in lines:
        if line in ("BEGIN:STANDARD", "BEGIN:DAYLIGHT"):
            observance = {"RDATE": []}
        elif line in ("END:STANDARD", "END:DAYLIGHT"):
            start = observance["DTSTART"]
            onsets = [start, *observance["RDATE"]]
            if "RRULE" in observance:
                onsets += _yearly(observance["RRULE"], start, until_year)
            before = _utc_offset(observance["TZOFFSETFROM"])
            after = _utc_offset(observance["TZOFFSETTO"])
            # The onset is local time in the offset in force before the change.
            changes += [((onset - before).replace(tzinfo=UTC), after) for onset in onsets]
            observance = None
        elif observance is not None:
            name, _, value = line.partition(":")
            if name == "RDATE":
                observance["RDATE"] += [_local(v) for v in value.split(",")]
            elif name == "DTSTART":
                observance["DTSTART"] = _local(value)
            else:
                observance[name] = value
    return sorted(changes)


def offset_at(changes, instant: datetime.datetime) -> datetime.timedelta:
    earlier = [offset for at, offset in changes if at <= instant]
    assert earlier, f"{instant} is before the VTIMEZONE's first change"
    return earlier[-1]


def wall_to_utc(changes, wall: datetime.datetime) -> datetime.datetime:
    """The one UTC instant that shows `wall` on the clock, by the VTIMEZONE alone."""
    offsets = {offset for _, offset in changes}
    candidates = {
        (wall - offset).replace(tzinfo=UTC)
        for offset in offsets
        if offset_at(changes, (wall - offset).replace(tzinfo=UTC)) == offset
    }
    assert len(candidates) == 1, (wall, candidates)
    return candidates.pop()


def vtimezone_by_icalendar(ics: bytes) -> datetime.tzinfo:
    (vtimezone,) = parse(ics).walk("VTIMEZONE")
    return vtimezone.to_tz(lookup_tzid=False)  # from the file, not the tz database


def hours(since: datetime.datetime, until: datetime.datetime):
    instant = since
    while instant < until:
        yield instant
        instant += datetime.timedelta(hours=1)


# --- The event ---------------------------------------------------------------------------


def test_request_carries_every_property(settings):
    settings.ASSOCIATION_NAME = "KL"
    before = timezone.now().replace(microsecond=0)

    cal = parse(event_ics(make_event(sequence=3)))

    after = timezone.now()
    assert str(cal["PRODID"]) == "-//KL//Samråd//DA"
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["METHOD"]) == "REQUEST"
    assert [c.name for c in cal.subcomponents] == ["VTIMEZONE", "VEVENT"]
    (vevent,) = cal.walk("VEVENT")
    assert str(vevent["UID"]) == "registration-42@samraad.local"
    assert vevent.decoded("SEQUENCE") == 3
    stamp = vevent.decoded("DTSTAMP")
    assert stamp.utcoffset() == datetime.timedelta(0)
    assert before <= stamp <= after
    assert vevent.decoded("DTSTART") == datetime.datetime(2025, 3, 31, 17, tzinfo=UTC)
    assert vevent.decoded("DTEND") == datetime.datetime(2025, 3, 31, 19, tzinfo=UTC)
    assert vevent["DTSTART"].params["TZID"] == "Europe/Copenhagen"
    assert vevent["DTEND"].params["TZID"] == "Europe/Copenhagen"
    assert str(vevent["SUMMARY"]) == "Virtuelt møde om økonomiaftalen"
    assert str(vevent["DESCRIPTION"]) == f"Mødet handler om kommunernes økonomi.\n\n{TEAMS_LINK}"
    assert str(vevent["LOCATION"]) == "Microsoft Teams"
    assert str(vevent["URL"]) == TEAMS_LINK
    assert str(vevent["ORGANIZER"]) == "mailto:samraad@kl.dk"
    assert dict(vevent["ORGANIZER"].params) == {"CN": "KL, Økonomi"}
    assert str(vevent["ATTENDEE"]) == "mailto:soeren@aeroe.dk"
    assert dict(vevent["ATTENDEE"].params) == {
        "CN": "Søren Ærø-Ålum",
        "ROLE": "REQ-PARTICIPANT",
        "RSVP": "FALSE",
    }
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["TRANSP"]) == "OPAQUE"


def test_prodid_names_the_association(settings):
    settings.ASSOCIATION_NAME = "Danske Regioner"

    assert str(parse(event_ics(make_event()))["PRODID"]) == "-//Danske Regioner//Samråd//DA"


def test_dtstamp_is_the_current_time_in_utc(monkeypatch):
    now = datetime.datetime(2025, 3, 1, 11, 15, 30, tzinfo=COPENHAGEN)
    monkeypatch.setattr(timezone, "now", lambda: now)

    assert "DTSTAMP:20250301T101530Z" in unfold(event_ics(make_event()))


def test_cancellation_has_the_same_uid_and_a_higher_sequence():
    request = make_event(sequence=1)
    cancellation = make_event(sequence=2, cancelled=True)

    sent, cancelled = parse(event_ics(request)), parse(event_ics(cancellation))

    assert str(sent["METHOD"]) == "REQUEST"
    assert str(cancelled["METHOD"]) == "CANCEL"
    (first,), (second,) = sent.walk("VEVENT"), cancelled.walk("VEVENT")
    assert str(first["STATUS"]) == "CONFIRMED"
    assert str(second["STATUS"]) == "CANCELLED"
    assert str(second["UID"]) == str(first["UID"])
    assert second.decoded("SEQUENCE") > first.decoded("SEQUENCE")
    assert second.decoded("DTSTART") == first.decoded("DTSTART")
    assert {"METHOD:CANCEL", "STATUS:CANCELLED"} <= set(unfold(event_ics(cancellation)))


def test_optional_properties_are_left_out_when_empty():
    ics = event_ics(
        make_event(
            description="",
            location="",
            url="",
            organizer_email="",
            organizer_name="",
            attendee_email="",
            attendee_name="",
        )
    )

    vevent = only_event(ics)
    for name in ("DESCRIPTION", "LOCATION", "URL", "ORGANIZER", "ATTENDEE"):
        assert name not in vevent
    assert str(vevent["SUMMARY"]) == "Virtuelt møde om økonomiaftalen"


def test_addresses_without_names_have_no_cn():
    vevent = only_event(event_ics(make_event(organizer_name="", attendee_name="")))

    assert "CN" not in vevent["ORGANIZER"].params
    assert "CN" not in vevent["ATTENDEE"].params
    assert vevent["ATTENDEE"].params["ROLE"] == "REQ-PARTICIPANT"


def test_url_alone_becomes_the_description():
    vevent = only_event(event_ics(make_event(description="")))

    assert str(vevent["DESCRIPTION"]) == TEAMS_LINK
    assert str(vevent["URL"]) == TEAMS_LINK


def test_url_already_in_the_description_is_not_repeated():
    text = f"Deltag her: {TEAMS_LINK}\nVel mødt."

    vevent = only_event(event_ics(make_event(description=text)))

    assert str(vevent["DESCRIPTION"]) == text


def test_text_with_special_characters_survives():
    summary = 'Oplæg; "budget", 50/50 \\ æøå ÆØÅ'
    description = "Linje 1\nLinje 2; med komma, og backslash \\"
    organizer_name = 'Kommunernes Landsforening; "KL", København'

    ics = event_ics(
        make_event(summary=summary, description=description, organizer_name=organizer_name)
    )

    vevent = only_event(ics)
    assert str(vevent["SUMMARY"]) == summary
    assert str(vevent["DESCRIPTION"]) == f"{description}\n\n{TEAMS_LINK}"
    assert vevent["ORGANIZER"].params["CN"] == organizer_name
    assert str(vevent["ORGANIZER"]) == "mailto:samraad@kl.dk"


def test_file_has_crlf_line_endings_and_lines_of_at_most_75_octets():
    long_danish = "Økonomiaftalen for 2026 – æøå ÆØÅ – kommunalbestyrelsernes ønsker 🙂 " * 6
    event = make_event(summary=long_danish.strip(), description=long_danish, location=long_danish)

    ics = event_ics(event)

    assert ics.endswith(b"END:VCALENDAR\r\n")
    assert ics.count(b"\n") == ics.count(b"\r\n")
    assert b"\r" not in ics.replace(b"\r\n", b"")
    lines = ics.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines), "long text is folded"
    for line in lines:
        line.decode("utf-8")  # no line ends inside a multi-byte character
    vevent = only_event(ics)
    assert str(vevent["SUMMARY"]) == long_danish.strip()
    assert str(vevent["LOCATION"]) == long_danish
    assert str(vevent["DESCRIPTION"]) == f"{long_danish}\n\n{TEAMS_LINK}"


def test_start_given_in_utc_is_written_in_copenhagen_time():
    start = datetime.datetime(2025, 3, 31, 17, tzinfo=UTC)

    ics = event_ics(make_event(start=start, end=start + datetime.timedelta(hours=1)))

    assert raw_wall_time(ics, "DTSTART") == (
        datetime.datetime(2025, 3, 31, 19),
        "Europe/Copenhagen",
    )
    assert raw_wall_time(ics, "DTEND") == (datetime.datetime(2025, 3, 31, 20), "Europe/Copenhagen")


def test_another_zone_can_be_asked_for():
    ics = event_ics(make_event(), tz="Europe/London")

    assert raw_wall_time(ics, "DTSTART") == (datetime.datetime(2025, 3, 31, 18), "Europe/London")
    (vtimezone,) = parse(ics).walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "Europe/London"
    assert only_event(ics).decoded("DTSTART") == datetime.datetime(2025, 3, 31, 17, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start": datetime.datetime(2025, 3, 31, 19)}, "start"),
        ({"end": datetime.datetime(2025, 3, 31, 21)}, "end"),
        ({"end": MONDAY_AFTER_CHANGE - datetime.timedelta(minutes=1)}, "end after it starts"),
        ({"end": MONDAY_AFTER_CHANGE}, "end after it starts"),
        ({"sequence": -1}, "SEQUENCE"),
        ({"uid": " "}, "UID"),
    ],
)
def test_invalid_events_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        make_event(**changes)


def test_a_naive_datetime_is_refused_even_when_end_is_aware():
    # Comparing naive and aware datetimes would raise TypeError; the check comes first.
    with pytest.raises(ValueError, match="aware"):
        make_event(start=datetime.datetime(2025, 3, 31, 19))


# --- Copenhagen time and the VTIMEZONE ---------------------------------------------------


def test_monday_31_march_2025_at_19_is_17_utc_by_every_route():
    ics = event_ics(make_event())
    expected = datetime.datetime(2025, 3, 31, 17, tzinfo=UTC)

    wall, tzid = raw_wall_time(ics, "DTSTART")
    assert (wall, tzid) == (datetime.datetime(2025, 3, 31, 19), "Europe/Copenhagen")
    # icalendar, which resolves the TZID in the tz database
    assert only_event(ics).decoded("DTSTART") == expected
    # icalendar reading the file's own VTIMEZONE
    assert wall.replace(tzinfo=vtimezone_by_icalendar(ics)).astimezone(UTC) == expected
    # the RFC reader above, from the file's VTIMEZONE alone
    assert wall_to_utc(read_vtimezone(ics), wall) == expected
    # zoneinfo, from the TZID in the text
    assert wall.replace(tzinfo=ZoneInfo(tzid)).astimezone(UTC) == expected


@pytest.mark.parametrize(
    ("local", "offset"),
    [
        (datetime.datetime(2025, 1, 20, 19), 1),
        (datetime.datetime(2025, 3, 29, 19), 1),  # Saturday before the change
        (datetime.datetime(2025, 3, 30, 1, 59), 1),
        (datetime.datetime(2025, 3, 30, 3, 0), 2),
        (datetime.datetime(2025, 3, 31, 19), 2),
        (datetime.datetime(2025, 4, 3, 19), 2),
        (datetime.datetime(2025, 10, 26, 3, 0), 1),  # summer time ended at 03.00 CEST
        (datetime.datetime(2025, 12, 1, 19), 1),
    ],
)
def test_events_get_the_right_offset(local, offset):
    start = local.replace(tzinfo=COPENHAGEN)
    ics = event_ics(make_event(start=start, end=start + datetime.timedelta(minutes=30)))
    expected = (local - datetime.timedelta(hours=offset)).replace(tzinfo=UTC)

    wall, _ = raw_wall_time(ics, "DTSTART")
    assert wall == local
    assert only_event(ics).decoded("DTSTART").utcoffset() == datetime.timedelta(hours=offset)
    assert wall.replace(tzinfo=vtimezone_by_icalendar(ics)).astimezone(UTC) == expected
    assert wall_to_utc(read_vtimezone(ics), wall) == expected


def test_vtimezone_offsets_on_both_sides_of_the_30_march_2025_change():
    ics = event_ics(make_event())
    by_icalendar, changes = vtimezone_by_icalendar(ics), read_vtimezone(ics)
    change = datetime.datetime(2025, 3, 30, 1, tzinfo=UTC)

    for instant, expected in [
        (change - datetime.timedelta(seconds=1), datetime.timedelta(hours=1)),
        (change, datetime.timedelta(hours=2)),
    ]:
        assert instant.astimezone(COPENHAGEN).utcoffset() == expected  # the premise
        assert instant.astimezone(by_icalendar).utcoffset() == expected
        assert offset_at(changes, instant) == expected
    assert (change - datetime.timedelta(seconds=1)).astimezone(by_icalendar).replace(
        tzinfo=None
    ) == datetime.datetime(2025, 3, 30, 1, 59, 59)
    assert change.astimezone(by_icalendar).replace(tzinfo=None) == datetime.datetime(
        2025, 3, 30, 3, 0
    )


def test_vtimezone_uses_yearly_rules_that_outlook_understands():
    (vtimezone,) = parse(event_ics(make_event())).walk("VTIMEZONE")

    observances = {c.name: c for c in vtimezone.subcomponents}
    assert str(vtimezone["TZID"]) == "Europe/Copenhagen"
    assert set(observances) == {"STANDARD", "DAYLIGHT"}
    daylight, standard = observances["DAYLIGHT"], observances["STANDARD"]
    assert daylight["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"
    assert standard["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"
    assert daylight.decoded("DTSTART") == datetime.datetime(2024, 3, 31, 2)
    assert standard.decoded("DTSTART") == datetime.datetime(2024, 10, 27, 3)
    assert (daylight.decoded("TZOFFSETFROM"), daylight.decoded("TZOFFSETTO")) == (
        datetime.timedelta(hours=1),
        datetime.timedelta(hours=2),
    )
    assert (standard.decoded("TZOFFSETFROM"), standard.decoded("TZOFFSETTO")) == (
        datetime.timedelta(hours=2),
        datetime.timedelta(hours=1),
    )
    assert (str(daylight["TZNAME"]), str(standard["TZNAME"])) == ("CEST", "CET")
    assert "RDATE" not in daylight and "RDATE" not in standard


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (MONDAY_AFTER_CHANGE, MONDAY_AFTER_CHANGE + datetime.timedelta(hours=2)),
        (
            datetime.datetime(2026, 12, 31, 22, tzinfo=COPENHAGEN),
            datetime.datetime(2027, 1, 1, 2, tzinfo=COPENHAGEN),
        ),
    ],
)
def test_vtimezone_agrees_with_zoneinfo_every_hour_of_the_events_years(start, end):
    ics = event_ics(make_event(start=start, end=end))
    by_icalendar, changes = vtimezone_by_icalendar(ics), read_vtimezone(ics)

    since = datetime.datetime(start.year, 1, 1, tzinfo=UTC)
    until = datetime.datetime(end.year + 1, 1, 1, tzinfo=UTC)
    for instant in hours(since, until):
        expected = instant.astimezone(COPENHAGEN).utcoffset()
        assert offset_at(changes, instant) == expected, instant
        assert instant.astimezone(by_icalendar).utcoffset() == expected, instant


@pytest.mark.parametrize(
    ("zone", "form"),
    [
        ("America/New_York", "RRULE"),  # second Sunday in March, first in November
        ("Australia/Sydney", "RRULE"),  # summer time across the new year
        ("Europe/Dublin", "RRULE"),  # negative summer time in tzdata
        ("Africa/Casablanca", "RDATE"),  # changes for Ramadan, no yearly rule
        ("Asia/Tokyo", "NONE"),  # no summer time
    ],
)
def test_vtimezone_for_other_zones_agrees_with_zoneinfo(zone, form):
    tzinfo = ZoneInfo(zone)
    start = datetime.datetime(2025, 3, 31, 19, tzinfo=tzinfo)
    ics = event_ics(make_event(start=start, end=start + datetime.timedelta(hours=1)), tz=zone)
    (vtimezone,) = parse(ics).walk("VTIMEZONE")
    rules = [c for c in vtimezone.subcomponents if "RRULE" in c]
    rdates = [c for c in vtimezone.subcomponents if "RDATE" in c]

    if form == "RRULE":
        assert len(rules) == 2 and not rdates
    elif form == "RDATE":
        assert rdates and not rules
    else:
        assert len(vtimezone.subcomponents) == 1 and not rules and not rdates
    by_icalendar, changes = vtimezone.to_tz(lookup_tzid=False), read_vtimezone(ics)
    for instant in hours(
        datetime.datetime(2025, 1, 1, tzinfo=UTC), datetime.datetime(2026, 1, 1, tzinfo=UTC)
    ):
        expected = instant.astimezone(tzinfo).utcoffset()
        assert offset_at(changes, instant) == expected, instant
        assert instant.astimezone(by_icalendar).utcoffset() == expected, instant
