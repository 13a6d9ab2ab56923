"""round_copy: next year's round from this year's."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from samraad.core.errors import ServiceError
from samraad.core.timeutils import local_datetime
from samraad.directory.models import Region
from samraad.meetings.models import Meeting, Session, SessionFormat
from samraad.regional.models import KkrMeeting
from samraad.rounds.models import Round
from samraad.rounds.services import next_code, round_copy
from samraad.tests_support.factories import (
    KkrMeetingFactory,
    MeetingFactory,
    PersonFactory,
    RoundFactory,
    SessionFactory,
)

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
UTC = datetime.UTC


@pytest.mark.parametrize(
    ("code", "expected"),
    [("ØA26", "ØA27"), ("oa09", "oa10"), ("ØA99", "ØA100"), ("BA-2026", "BA-2027"), ("R1x", "R2x")],
)
def test_next_code(code, expected):
    assert next_code(code) == expected


def test_next_code_without_digits_is_refused():
    with pytest.raises(ServiceError) as error:
        next_code("Dialog")
    assert "Dialog" in error.value.message


def _oa26(**kwargs):
    """A round like the letter's ØA26, with a meeting in two sessions and all five KKRs."""
    values = {
        "code": "ØA26",
        "slug": "oa26",
        "year": 2026,
        "title": "Dialog om forberedelsen af ØA26",
        "title_en": "Dialogue on the preparation of ØA26",
        "intro": "Om ØA26.\n\nØA26 igen.",
        "intro_en": "About ØA26.",
        "meetings_text": "Stormøder om ØA26",
        "kkr_text": "ØA26 på KKR",
        "input_text": "Input til ØA26",
        "input_text_en": "Input for ØA26",
        "starts_on": datetime.date(2025, 2, 7),
        "ends_on": datetime.date(2025, 6, 30),
        "negotiations_start": datetime.date(2025, 5, 5),
        "input_deadline": local_datetime(2025, 4, 25, 23, 59, 59),
        "input_address": "oa-input@kl.example",
        "contact": PersonFactory(),
        "is_published": True,
    } | kwargs
    source = RoundFactory(**values)
    meeting = MeetingFactory(
        round=source,
        title="Virtuelt stormøde om ØA26",
        registration_opens_at=local_datetime(2025, 2, 7, 9),
        registration_deadline=local_datetime(2025, 3, 26, 23, 59, 59),
    )
    SessionFactory(
        meeting=meeting,
        starts_at=local_datetime(2025, 3, 31, 19),
        ends_at=local_datetime(2025, 3, 31, 20, 30),
        join_url="https://teams.example/secret-1",
    )
    SessionFactory(
        meeting=meeting,
        starts_at=local_datetime(2025, 4, 3, 19),
        ends_at=local_datetime(2025, 4, 3, 20, 30),
        format=SessionFormat.TEAMS_TOWN_HALL,
        capacity=10000,
        join_url="https://teams.example/secret-2",
    )
    for region in Region.objects.all():
        KkrMeetingFactory(
            round=source,
            region=region,
            starts_at=local_datetime(2025, 4, 4, 9, 30),
            place=f"Rådhuset {region.code}",
            agenda_item="Drøftelse af ØA26",
        )
    return source


def _local(value):
    return value.astimezone(COPENHAGEN).replace(tzinfo=None)


def test_copy_makes_next_years_unpublished_round(db):
    source = _oa26()

    new = round_copy(source=source)
    new.refresh_from_db()

    assert (new.code, new.slug, new.year) == ("ØA27", "oa27", 2027)
    assert new.is_published is False
    assert new.copied_from == source
    assert new.contact == source.contact
    assert new.input_address == "oa-input@kl.example"
    assert new.title == "Dialog om forberedelsen af ØA27"
    assert new.title_en == "Dialogue on the preparation of ØA27"
    assert new.intro == "Om ØA27.\n\nØA27 igen."
    assert (new.meetings_text, new.meetings_text_en) == ("Stormøder om ØA27", "")
    assert new.input_text_en == "Input for ØA27"
    source.refresh_from_db()
    assert (source.code, source.title, source.is_published) == (
        "ØA26",
        "Dialog om forberedelsen af ØA26",
        True,
    )


def test_copy_moves_dates_52_weeks_keeping_weekday_and_local_time(db):
    new = round_copy(source=_oa26())
    new.refresh_from_db()

    assert new.starts_on == datetime.date(2026, 2, 6)  # a Friday, like 7 February 2025
    assert new.ends_on == datetime.date(2026, 6, 29)
    assert new.negotiations_start == datetime.date(2026, 5, 4)
    assert _local(new.input_deadline) == datetime.datetime(2026, 4, 24, 23, 59, 59)
    meeting = Meeting.objects.get(round=new)
    assert meeting.title == "Virtuelt stormøde om ØA27"
    assert _local(meeting.registration_opens_at) == datetime.datetime(2026, 2, 6, 9)
    assert _local(meeting.registration_deadline) == datetime.datetime(2026, 3, 25, 23, 59, 59)
    assert meeting.link_release_at is None
    sessions = list(meeting.sessions.order_by("starts_at"))
    assert [(_local(s.starts_at), _local(s.ends_at)) for s in sessions] == [
        (datetime.datetime(2026, 3, 30, 19), datetime.datetime(2026, 3, 30, 20, 30)),  # Monday
        (datetime.datetime(2026, 4, 2, 19), datetime.datetime(2026, 4, 2, 20, 30)),  # Thursday
    ]
    assert [s.starts_at.astimezone(COPENHAGEN).weekday() for s in sessions] == [0, 3]


def test_copy_across_a_summer_time_change_keeps_the_local_time(db):
    # Summer time starts 25 March 2029 but 31 March 2030: a session on Friday 30 March 2029
    # at 19.00 (17.00 UTC) moves to Friday 29 March 2030 at 19.00, which is 18.00 UTC.
    source = RoundFactory(
        code="ØA30",
        slug="oa30",
        starts_on=datetime.date(2029, 2, 9),
        ends_on=datetime.date(2029, 6, 30),
    )
    SessionFactory(
        meeting=MeetingFactory(round=source),
        starts_at=local_datetime(2029, 3, 30, 19),
        ends_at=local_datetime(2029, 3, 30, 20, 30),
    )

    new = round_copy(source=source)

    session = Session.objects.get(meeting__round=new)
    assert session.starts_at == datetime.datetime(2030, 3, 29, 18, tzinfo=UTC)
    assert _local(session.ends_at) == datetime.datetime(2030, 3, 29, 20, 30)


def test_sessions_are_copied_without_their_join_links(db):
    source = _oa26()

    new = round_copy(source=source)

    copied = Session.objects.filter(meeting__round=new).order_by("starts_at")
    assert [(s.format, s.capacity, s.join_url) for s in copied] == [
        (SessionFormat.TEAMS_MEETING, 1000, ""),
        (SessionFormat.TEAMS_TOWN_HALL, 10000, ""),
    ]
    # the source keeps its own links and sessions
    assert sorted(
        Session.objects.filter(meeting__round=source).values_list("join_url", flat=True)
    ) == [
        "https://teams.example/secret-1",
        "https://teams.example/secret-2",
    ]


def test_copy_starting_in_2026_keeps_all_five_kkr_meetings(db):
    new = round_copy(source=_oa26())

    kkrs = KkrMeeting.objects.filter(round=new).select_related("region")
    assert kkrs.count() == 5
    for kkr in kkrs:
        assert kkr.agenda_item == "Drøftelse af ØA27"
        assert kkr.place == f"Rådhuset {kkr.region.code}"
        assert _local(kkr.starts_at) == datetime.datetime(2026, 4, 3, 9, 30)
    assert KkrMeeting.objects.filter(round__code="ØA26").count() == 5


def test_copy_starting_in_2027_has_kkr_meetings_only_for_the_remaining_regions(db):
    source = _oa26(
        code="ØA27",
        slug="oa27",
        year=2027,
        starts_on=datetime.date(2026, 2, 6),
        ends_on=datetime.date(2026, 6, 29),
    )

    new = round_copy(source=source)

    assert new.starts_on == datetime.date(2027, 2, 5)
    regions = set(KkrMeeting.objects.filter(round=new).values_list("region__name", flat=True))
    assert regions == {"Region Nordjylland", "Region Midtjylland", "Region Syddanmark"}


@pytest.mark.parametrize(
    ("source_starts_on", "kkr_count"),
    [(datetime.date(2026, 1, 1), 5), (datetime.date(2026, 1, 2), 3)],
)
def test_kkr_meetings_follow_the_regions_valid_on_the_copys_first_day(
    db, source_starts_on, kkr_count
):
    # 52 weeks after 1 January 2026 is 31 December 2026, the last day of the five regions.
    source = _oa26(starts_on=source_starts_on, ends_on=datetime.date(2026, 6, 30))

    new = round_copy(source=source)

    assert KkrMeeting.objects.filter(round=new).count() == kkr_count


def test_copying_twice_is_refused_and_creates_nothing(db):
    source = _oa26()
    round_copy(source=source)
    counts = (Round.objects.count(), Session.objects.count(), KkrMeeting.objects.count())

    with translation.override("en"), pytest.raises(ServiceError) as error:
        round_copy(source=source)

    assert error.value.message == "The round ØA27 already exists."
    assert (Round.objects.count(), Session.objects.count(), KkrMeeting.objects.count()) == counts


def test_copy_is_refused_when_only_the_slug_is_taken(db):
    source = _oa26()
    RoundFactory(code="Andet", slug="oa27")

    with pytest.raises(ServiceError):
        round_copy(source=source)

    assert not Round.objects.filter(code="ØA27").exists()


def test_copy_of_a_round_without_meeting_or_kkr(db):
    source = RoundFactory(code="ØA40", slug="oa40", year=2040, input_deadline=None)

    new = round_copy(source=source)

    assert (new.code, new.year, new.input_deadline) == ("ØA41", 2041, None)
    assert not Meeting.objects.filter(round=new).exists()
    assert not KkrMeeting.objects.filter(round=new).exists()


def test_copy_can_be_copied_again(db):
    first = round_copy(source=_oa26())
    second = round_copy(source=first)

    assert (second.code, second.year, second.copied_from) == ("ØA28", 2028, first)
    assert second.starts_on == datetime.date(2027, 2, 5)
    assert Session.objects.filter(meeting__round=second).count() == 2
    assert KkrMeeting.objects.filter(round=second).count() == 3
