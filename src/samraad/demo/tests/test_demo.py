"""`samraad demo` and the ØA26 scenario it loads."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q
from django.utils import timezone

from samraad.accounts.models import User
from samraad.core.timeutils import local_datetime, shift_weeks
from samraad.demo.scenario import (
    REGISTRATION_DEADLINE,
    REGISTRATION_OPENS,
    demo_load,
    weeks_to_open_registration,
)
from samraad.directory.models import EmailDomain, Municipality, Person, Region, Role, RoleKind
from samraad.meetings.models import Meeting, Session, SessionFormat
from samraad.regional.models import KkrMeeting
from samraad.rounds.models import Round
from samraad.tests_support.factories import RoundFactory

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
UTC = datetime.UTC
MONDAY, WEDNESDAY, THURSDAY = 0, 2, 3


def _local(value):
    return value.astimezone(COPENHAGEN)


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Person, Role, User, Round, Meeting, Session, KkrMeeting, EmailDomain)
    }


def _demo(*args):
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_loads_the_round_with_registration_open_now_and_twice_changes_nothing(db):
    output = _demo()

    round_ = Round.objects.get(code="ØA26")
    assert (round_.code, round_.slug, round_.is_published) == ("ØA26", "oa26", True)
    assert "Loaded ØA26" in output

    # the meeting: two Teams sessions 19.00–20.30 Copenhagen time, a Monday and a Thursday
    meeting = round_.meeting
    sessions = list(meeting.sessions.order_by("starts_at"))
    assert [s.format for s in sessions] == [SessionFormat.TEAMS_MEETING] * 2
    assert [_local(s.starts_at).weekday() for s in sessions] == [MONDAY, THURSDAY]
    for session in sessions:
        start, end = _local(session.starts_at), _local(session.ends_at)
        assert (start.time(), end.time(), end.date()) == (
            datetime.time(19, 0),
            datetime.time(20, 30),
            start.date(),
        )
    deadline = _local(meeting.registration_deadline)
    assert (deadline.weekday(), deadline.time()) == (WEDNESDAY, datetime.time(23, 59, 59))
    assert (_local(sessions[0].starts_at) - deadline).days == 4

    # registration is open now
    assert meeting.registration_opens_at <= timezone.now() <= meeting.registration_deadline

    # a KKR meeting for every region valid when the round starts (five until 2027)
    valid_regions = Region.objects.valid_on(round_.starts_on)
    assert set(round_.kkr_meetings.values_list("region", flat=True)) == set(
        valid_regions.values_list("pk", flat=True)
    )

    # a KKR secretary with a login for each of those regions
    for region in valid_regions:
        secretary = Person.objects.with_role(RoleKind.KKR_SECRETARY).get(region=region)
        assert secretary.user.check_password("samraad-demo")

    counts = _counts()
    _demo()
    assert _counts() == counts
    assert Round.objects.get(code="ØA26").pk == round_.pk


def test_demo_directory(db):
    result = demo_load(today=datetime.date(2026, 11, 29))
    council = Person.objects.with_role(RoleKind.COUNCIL_MEMBER)

    assert 2300 <= council.count() <= 2500
    assert result.council_members == council.count()
    municipalities = Municipality.objects.annotate(
        members=Count("people", filter=Q(people__roles__kind=RoleKind.COUNCIL_MEMBER)),
        contacts=Count("people", filter=Q(people__roles__kind=RoleKind.MUNICIPAL_CONTACT)),
    )
    assert municipalities.count() == 98
    for municipality in municipalities:
        assert 9 <= municipality.council_size <= 55
        assert municipality.members == municipality.council_size, municipality
        assert 1 <= municipality.contacts <= 2, municipality
        assert municipality.email_domains.exists()
    assert Municipality.objects.get(code=101).council_size == 55
    assert Municipality.objects.get(code=825).council_size == 9
    # every member's email is on their municipality's domain
    copenhagen = council.filter(municipality__code=101)
    assert all(
        email.endswith("@koebenhavn.dk") for email in copenhagen.values_list("email", flat=True)
    )

    # staff logins: a superuser and a secretariat member, with the demo password
    staff = User.objects.filter(is_staff=True)
    assert staff.filter(is_superuser=True).exists()
    assert staff.filter(is_superuser=False, person__roles__kind=RoleKind.SECRETARIAT).exists()
    assert all(user.check_password("samraad-demo") for user in staff)
    logins = {who: username for who, username, _password in result.logins}
    assert User.objects.get(username=logins["KL secretariat"]).is_staff
    assert User.objects.get(username=logins["administrator"]).is_superuser
    # five KKR secretaries (the round starts in 2026), each a login scoped to one region
    secretaries = Person.objects.with_role(RoleKind.KKR_SECRETARY)
    assert secretaries.count() == 5
    assert set(secretaries.values_list("region__code", flat=True)) == {1081, 1082, 1083, 1084, 1085}
    assert User.objects.filter(person__in=secretaries).count() == 5
    # a few mayors are on KL's board, keeping their municipality and council seat
    board = Person.objects.with_role(RoleKind.BOARD_MEMBER)
    assert board.count() == 5
    assert all(p.roles.filter(kind=RoleKind.COUNCIL_MEMBER).exists() for p in board)
    assert KkrMeeting.objects.filter(round=result.round).count() == 5


def test_original_dates_keep_the_letters_2025(db):
    output = _demo("--original-dates", "--if-empty")

    round_ = Round.objects.get(code="ØA26")
    assert round_.starts_on == datetime.date(2025, 2, 7)
    meeting = round_.meeting
    assert meeting.registration_deadline == local_datetime(2025, 3, 26, 23, 59, 59)
    assert _local(meeting.registration_deadline).date() == datetime.date(2025, 3, 26)
    first, second = meeting.sessions.order_by("starts_at")
    # summer time started 30 March 2025: Monday 31 March 19.00 in Copenhagen is 17.00 UTC
    assert first.starts_at == datetime.datetime(2025, 3, 31, 17, 0, tzinfo=UTC)
    assert _local(first.starts_at).replace(tzinfo=None) == datetime.datetime(2025, 3, 31, 19)
    assert _local(second.starts_at).replace(tzinfo=None) == datetime.datetime(2025, 4, 3, 19)
    assert round_.kkr_meetings.count() == 5
    assert "moved 0 weeks" in output
    assert "26-03-2025 23:59" in output

    # with a round in the database, --if-empty leaves it (and its 2025 dates) alone
    counts = _counts()
    output = _demo("--if-empty")
    assert "already has a round" in output
    assert _counts() == counts
    assert Round.objects.get(code="ØA26").starts_on == datetime.date(2025, 2, 7)


def test_if_empty_does_nothing_when_a_round_exists(db):
    RoundFactory(code="ØA30", slug="oa30")

    output = _demo("--if-empty")

    assert "already has a round" in output
    assert list(Round.objects.values_list("code", flat=True)) == ["ØA30"]
    assert not Person.objects.exists()
    assert not User.objects.exists()


def test_demo_refuses_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False

    with pytest.raises(CommandError, match="demo mode"):
        _demo()

    assert not Round.objects.exists()
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    "today",
    [
        datetime.date(2026, 11, 29),
        datetime.date(2030, 6, 1),
        datetime.date(2024, 1, 15),
        datetime.date(2025, 3, 26),  # the letter's own deadline day
        datetime.date(2025, 3, 27),  # the day after it
        *[datetime.date(2027, 1, 1) + datetime.timedelta(days=n) for n in range(7)],
    ],
)
def test_weeks_to_open_registration_puts_today_in_the_window(today):
    weeks = weeks_to_open_registration(today)

    opens = _local(shift_weeks(local_datetime(*REGISTRATION_OPENS), weeks)).date()
    deadline = _local(shift_weeks(local_datetime(*REGISTRATION_DEADLINE), weeks)).date()
    assert opens <= today <= deadline
    assert 14 <= (deadline - today).days <= 20


@pytest.mark.parametrize(
    ("today", "kkr_meetings"),
    [
        (datetime.date(2026, 11, 29), 5),
        (datetime.date(2030, 6, 1), 3),
        (datetime.date(2024, 1, 15), 5),
    ],
)
def test_demo_load_opens_registration_on_the_given_day(db, today, kkr_meetings):
    result = demo_load(today=today)

    meeting = result.round.meeting
    assert _local(meeting.registration_opens_at).date() <= today
    assert today <= _local(meeting.registration_deadline).date()
    assert result.weeks_shifted == weeks_to_open_registration(today)
    assert [_local(s.starts_at).weekday() for s in meeting.sessions.all()] == [MONDAY, THURSDAY]
    assert {_local(s.starts_at).time() for s in meeting.sessions.all()} == {datetime.time(19)}
    assert result.round.kkr_meetings.count() == kkr_meetings
    assert Person.objects.with_role(RoleKind.KKR_SECRETARY).count() == kkr_meetings
