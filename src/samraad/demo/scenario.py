"""The ØA26 demo round: KL's invitation of 7 February 2025 as data, with made-up people.

The letter's dates are 2025. By default every date moves by whole weeks so
that registration is open today (weekday and Copenhagen wall-clock time kept);
`original_dates=True` keeps 2025. Loading twice updates in place: people are
keyed on email, the round on its code, users on their username.
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from samraad.accounts.models import User
from samraad.accounts.two_factor import demo_device_ensure
from samraad.core.timeutils import local_datetime, shift_weeks
from samraad.demo.activity import (
    CURRENT,
    CURRENT_ENGAGEMENTS,
    PREVIOUS,
    PREVIOUS_ENGAGEMENTS,
    ActivitySummary,
    activity_load,
    has_activity,
)
from samraad.directory.models import Municipality, Person, Region, RoleKind
from samraad.directory.reference import danish_slug
from samraad.directory.services import (
    PersonData,
    municipality_domains_set,
    people_upsert,
    person_upsert,
)
from samraad.meetings.models import Meeting, Session, SessionFormat
from samraad.regional.models import KkrMeeting
from samraad.regional.services import kkr_meetings_ensure
from samraad.rounds.models import Round
from samraad.rounds.services import WEEKS_PER_YEAR, round_themes_ensure

CODE = "ØA26"
SLUG = "oa26"
PREVIOUS_CODE = "ØA25"
TEAMS_JOIN = "https://teams.microsoft.com/l/meetup-join/"
KL_DOMAIN = "kl.dk"

# The letter's timeline (Copenhagen time).
STARTS_ON = datetime.date(2025, 2, 7)
ENDS_ON = datetime.date(2025, 6, 30)
NEGOTIATIONS_START = datetime.date(2025, 5, 5)
REGISTRATION_OPENS = (2025, 2, 7, 9, 0)
REGISTRATION_DEADLINE = (2025, 3, 26, 23, 59, 59)  # "onsdag den 26. marts 2025", end of day
INPUT_DEADLINE = (2025, 4, 25, 23, 59, 59)
SESSIONS = [
    ((2025, 3, 31, 19, 0), (2025, 3, 31, 20, 30)),
    ((2025, 4, 3, 19, 0), (2025, 4, 3, 20, 30)),
]
# The five KKR meetings in April (around Easter, 17–21 April 2025): region code → (start, place).
KKR_MEETINGS = {
    1081: ((2025, 4, 4, 9, 0), "Aalborg Kongres & Kultur Center"),
    1082: ((2025, 4, 8, 10, 0), "Regionshuset, Viborg"),
    1083: ((2025, 4, 10, 10, 0), "Vejle Rådhus"),
    1085: ((2025, 4, 11, 9, 30), "Sorø Rådhus"),
    1084: ((2025, 4, 23, 8, 30), "KL-huset, Weidekampsgade 10, København"),
}

TITLE = "Dialog om forberedelsen af ØA26"
TITLE_EN = "Dialogue on the preparation of ØA26"
INTRO = (
    "KL inviterer alle kommunalbestyrelsesmedlemmer til dialog om forberedelsen af "
    "økonomiforhandlingerne med regeringen om kommunernes økonomi for 2026 (ØA26).\n\n"
    "Dialogen foregår i tre spor: virtuelle stormøder, drøftelser på KKR-møderne og input fra "
    "kommunalbestyrelserne. KL's bestyrelse bruger dialogen til at forme KL's udspil, før "
    "forhandlingerne begynder i starten af maj."
)
INTRO_EN = (
    "KL invites all municipal council members to a dialogue on the preparation of the "
    "negotiations with the government on the municipal economy for 2026 (ØA26).\n\n"
    "The dialogue runs in three tracks: virtual large meetings, discussions at the KKR meetings "
    "and input from the municipal councils. KL's board uses the dialogue to shape KL's opening "
    "position before the negotiations begin in early May."
)
MEETINGS_TEXT = (
    "KL holder et virtuelt stormøde for alle kommunalbestyrelsesmedlemmer. Mødet holdes to "
    "gange, så så mange som muligt kan deltage, og foregår på Microsoft Teams. På mødet er der "
    "dialog om forberedelsen af ØA26. Du tilmelder dig ét af de to møder."
)
MEETINGS_TEXT_EN = (
    "KL holds a virtual large meeting for all municipal council members. The meeting is held "
    "twice so that as many as possible can take part, on Microsoft Teams. At the meeting there "
    "is dialogue about the preparation of ØA26. You register for one of the two."
)
KKR_TEXT = (
    "ØA26 er på dagsordenen på KKR-møderne i april, hvor de fem kommunekontaktråd drøfter "
    "udfordringer og centrale temaer regionalt."
)
KKR_TEXT_EN = (
    "ØA26 is on the agenda of the KKR meetings in April, where the five municipal contact "
    "councils discuss challenges and central themes regionally."
)
INPUT_TEXT = (
    "Kommunalbestyrelserne opfordres til at sende input om kommunens økonomiske situation og "
    "udfordringer. Input indgår i forberedelsen af forhandlingerne og i den fælles "
    "budgetkoordinering. Kommunalbestyrelsen kan også bede KL om at deltage i drøftelsen med et "
    "oplæg ved en repræsentant for KL's bestyrelse eller sekretariat."
)
INPUT_TEXT_EN = (
    "The municipal councils are encouraged to send input on the municipality's economic "
    "situation and challenges. The input feeds the preparation of the negotiations and the joint "
    "budget coordination. A council may also ask KL to take part in its discussion with a "
    "presentation by a representative of KL's board or secretariat."
)

# Council sizes where they stand out; the rest are drawn between 19 and 31.
COUNCIL_SIZES = {
    101: 55,
    751: 31,
    851: 31,
    461: 29,
    147: 25,
    400: 23,
    492: 15,
    563: 11,
    741: 11,
    825: 9,
}

FIRST_NAMES = [
    "Anne",
    "Mette",
    "Hanne",
    "Susanne",
    "Lene",
    "Karen",
    "Marianne",
    "Camilla",
    "Louise",
    "Charlotte",
    "Pia",
    "Tina",
    "Helle",
    "Maria",
    "Line",
    "Sofie",
    "Ida",
    "Emma",
    "Julie",
    "Signe",
    "Birgitte",
    "Dorte",
    "Gitte",
    "Lars",
    "Jens",
    "Peter",
    "Michael",
    "Henrik",
    "Søren",
    "Thomas",
    "Jesper",
    "Niels",
    "Rasmus",
    "Martin",
    "Anders",
    "Morten",
    "Christian",
    "Jan",
    "Mads",
    "Kasper",
    "Frederik",
    "Mikkel",
    "Ole",
    "Bo",
    "Torben",
    "Kim",
    "Per",
    "Jørgen",
    "Ib",
    "Knud",
]
# Surnames built to look Danish and be plainly invented (no real person is named).
SURNAME_STEMS = ["Prøve", "Demo", "Eksempel", "Fiktiv", "Øvelse", "Skitse", "Udkast", "Opdigt"]
SURNAME_ENDINGS = ["sen", "gaard", "holm", "lund", "bjerg", "strup", "vig", "skov", "dal", "høj"]
PARTIES = [
    ("Socialdemokratiet", 28),
    ("Venstre", 20),
    ("Det Konservative Folkeparti", 14),
    ("SF – Socialistisk Folkeparti", 10),
    ("Enhedslisten", 6),
    ("Radikale Venstre", 5),
    ("Dansk Folkeparti", 4),
    ("Liberal Alliance", 4),
    ("Danmarksdemokraterne", 3),
    ("Moderaterne", 2),
    ("Alternativet", 1),
    ("Lokalliste", 3),
]


@dataclass
class DemoResult:
    round: Round
    weeks_shifted: int
    council_members: int
    contacts: int
    logins: list[tuple[str, str, str]]  # (who, username, password)
    activity: list[ActivitySummary] = field(default_factory=list)


def weeks_to_open_registration(today: datetime.date) -> int:
    """Whole weeks to move the letter's dates so that `today` is inside the registration window.

    The deadline lands 14–20 days after `today`; registration opened seven
    weeks before it, so it is open today.
    """
    deadline = datetime.date(*REGISTRATION_DEADLINE[:3])
    return math.ceil((today - deadline).days / 7) + 2


def _person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAME_STEMS)}{rng.choice(SURNAME_ENDINGS)}"


def _unique_email(name: str, domain: str, taken: set[str]) -> str:
    local = ".".join(danish_slug(part) for part in name.split())
    email, n = f"{local}@{domain}", 1
    while email in taken:
        n += 1
        email = f"{local}{n}@{domain}"
    taken.add(email)
    return email


def _council_members(municipalities: list[Municipality], taken: set[str]) -> list[PersonData]:
    rng = random.Random(2025)  # noqa: S311  (made-up names, not security)
    parties = [name for name, _weight in PARTIES]
    weights = [weight for _name, weight in PARTIES]
    rows = []
    for municipality in municipalities:
        domain = f"{municipality.slug}.dk"
        for seat in range(municipality.council_size or 0):
            name = _person_name(rng)
            title = {0: "Borgmester", 1: "Viceborgmester"}.get(seat, "Kommunalbestyrelsesmedlem")
            rows.append(
                PersonData(
                    email=_unique_email(name, domain, taken),
                    name=name,
                    roles=frozenset({RoleKind.COUNCIL_MEMBER}),
                    municipality=municipality,
                    party=rng.choices(parties, weights)[0],
                    title=title,
                )
            )
    return rows


def _contacts(municipalities: list[Municipality], taken: set[str]) -> list[PersonData]:
    rng = random.Random(7)  # noqa: S311
    rows = []
    for municipality in municipalities:
        titles = ["Økonomichef"] + (
            ["Chefkonsulent, sekretariatet"] if municipality.code % 2 else []
        )
        for title in titles:
            name = _person_name(rng)
            rows.append(
                PersonData(
                    email=_unique_email(name, f"{municipality.slug}.dk", taken),
                    name=name,
                    roles=frozenset({RoleKind.MUNICIPAL_CONTACT}),
                    municipality=municipality,
                    title=title,
                    phone="+45 " + " ".join(str(rng.randint(10, 99)) for _ in range(4)),
                )
            )
    return rows


def _login(person: Person, *, password: str, staff: bool = False, superuser: bool = False) -> User:
    first, _, last = person.name.partition(" ")
    user, created = User.objects.get_or_create(
        username=person.email,
        defaults={
            "email": person.email,
            "first_name": first,
            "last_name": last,
            "person": person,
            "is_staff": staff or superuser,
            "is_superuser": superuser,
        },
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    # Demo logins with two-factor login share one known authenticator secret (README).
    demo_device_ensure(user=user)
    return user


def _at(parts: tuple[int, ...], weeks: int) -> datetime.datetime:
    return shift_weeks(local_datetime(*parts), weeks)


@transaction.atomic
def demo_load(
    *,
    today: datetime.date,
    original_dates: bool = False,
    with_activity: bool = False,
    now: datetime.datetime | None = None,
    seed: int = 0,
) -> DemoResult:
    """Create or update the ØA26 demo round, its directory of made-up people and demo logins.

    `with_activity` (what `samraad demo` asks for) adds what has happened by
    `now` (see demo.activity): registrations, council input, KKR records,
    emailed input, speaker requests, and the complete previous round ØA25.
    A round that already has activity keeps it, so loading twice adds
    nothing. Without it (the registration benchmark starts from here) the
    round is empty.
    """
    weeks = 0 if original_dates else weeks_to_open_registration(today)
    password = settings.DEMO_PASSWORD
    municipalities = list(Municipality.objects.select_related("region").order_by("code"))
    for municipality in municipalities:
        size = COUNCIL_SIZES.get(municipality.code)
        if size is None:
            size = random.Random(municipality.code).choice([19, 21, 23, 25, 25, 27, 29, 31])  # noqa: S311
        if municipality.council_size != size:
            municipality.council_size = size
            municipality.save(update_fields=["council_size"])
        if not municipality.email_domains.exists():
            municipality_domains_set(municipality=municipality, domains=[f"{municipality.slug}.dk"])

    taken: set[str] = set()
    members = _council_members(municipalities, taken)
    contacts = _contacts(municipalities, taken)
    people_upsert(rows=members + contacts)

    secretariat = person_upsert(
        email=f"mette.proevelund@{KL_DOMAIN}",
        name="Mette Prøvelund",
        roles=[RoleKind.SECRETARIAT],
        title="Chefkonsulent, Center for Økonomi",
        phone="+45 33 70 33 70",
    )
    logins: list[tuple[str, str, str]] = []
    admin_person = person_upsert(
        email=f"admin@{KL_DOMAIN}", name="Demo Administrator", roles=[RoleKind.SECRETARIAT]
    )
    _login(admin_person, password=password, superuser=True)
    logins.append(("administrator", admin_person.email, password))
    _login(secretariat, password=password, staff=True)
    logins.append(("KL secretariat", secretariat.email, password))

    for region in Region.objects.valid_on(shift_weeks(STARTS_ON, weeks)):
        name = f"KKR-sekretær {region.name.removeprefix('Region ')}"
        secretary = person_upsert(
            email=f"kkr-{danish_slug(region.name.removeprefix('Region '))}@{KL_DOMAIN}",
            name=name,
            roles=[RoleKind.KKR_SECRETARY],
            region=region,
            title="KKR-sekretariatet",
        )
        _login(secretary, password=password)
        logins.append((f"KKR secretary, {region.kkr_name}", secretary.email, password))

    # KL's board members are mayors; the demo makes five of the made-up mayors board members.
    mayors = Person.objects.filter(
        title="Borgmester", municipality__code__in=[101, 751, 461, 851, 159]
    )
    for mayor in mayors:
        person_upsert(
            email=mayor.email,
            name=mayor.name,
            roles=[RoleKind.COUNCIL_MEMBER, RoleKind.BOARD_MEMBER],
            municipality=mayor.municipality,
            party=mayor.party,
            title=mayor.title,
        )
        _login(mayor, password=password)
    for name in ["Jens Demoholm", "Louise Eksempelgaard", "Anders Skitsevig"]:
        presenter = person_upsert(
            email=f"{'.'.join(danish_slug(p) for p in name.split())}@{KL_DOMAIN}",
            name=name,
            roles=[RoleKind.SECRETARIAT],
            title="Konsulent, Center for Økonomi",
        )
        _login(presenter, password=password)
    if first_mayor := mayors.order_by("municipality__code").first():
        logins.append(("presenter (KL board)", first_mayor.email, password))

    round_ = _round_load(years_back=0, weeks=weeks, contact=secretariat)
    summaries: list[ActivitySummary] = []
    if with_activity:
        if now is None:
            now = timezone.now()
            if timezone.localdate(now) != today:
                now = local_datetime(today.year, today.month, today.day, 12)
        staff = User.objects.filter(person=secretariat).first()
        # Last year's round, complete, so that comparisons and attendance mean something.
        if not Round.objects.filter(code=PREVIOUS_CODE).exists():
            previous = _round_load(years_back=1, weeks=weeks - WEEKS_PER_YEAR, contact=secretariat)
            summaries.append(
                activity_load(
                    round=previous,
                    plan=PREVIOUS,
                    engagements=PREVIOUS_ENGAGEMENTS,
                    as_of=now,
                    staff=staff,
                    seed=seed,
                )
            )
        if not has_activity(round_):
            summaries.insert(
                0,
                activity_load(
                    round=round_,
                    plan=CURRENT,
                    engagements=CURRENT_ENGAGEMENTS,
                    as_of=now,
                    staff=staff,
                    seed=seed,
                ),
            )
    return DemoResult(
        round=round_,
        weeks_shifted=weeks,
        council_members=len(members),
        contacts=len(contacts),
        logins=logins,
        activity=summaries,
    )


def _code(years_back: int) -> str:
    """ØA26, or the code of the round `years_back` years before it (ØA25)."""
    return f"ØA{26 - years_back}"


def _slug(years_back: int) -> str:
    return f"oa{26 - years_back}"


def _text(value: str, years_back: int) -> str:
    if not years_back:
        return value
    return value.replace(CODE, _code(years_back)).replace("2026", str(2026 - years_back))


def _round_load(*, years_back: int, weeks: int, contact: Person) -> Round:
    """The round (ØA26, or one of the years before it) with its meeting, sessions and KKR
    meetings, on the letter's timeline moved by `weeks` weeks."""
    code, slug = _code(years_back), _slug(years_back)
    round_, _ = Round.objects.update_or_create(
        code=code,
        defaults={
            "slug": slug,
            "year": 2026 - years_back,
            "title": _text(TITLE, years_back),
            "title_en": _text(TITLE_EN, years_back),
            "intro": _text(INTRO, years_back),
            "intro_en": _text(INTRO_EN, years_back),
            "meetings_text": _text(MEETINGS_TEXT, years_back),
            "meetings_text_en": _text(MEETINGS_TEXT_EN, years_back),
            "kkr_text": _text(KKR_TEXT, years_back),
            "kkr_text_en": _text(KKR_TEXT_EN, years_back),
            "input_text": _text(INPUT_TEXT, years_back),
            "input_text_en": _text(INPUT_TEXT_EN, years_back),
            "starts_on": shift_weeks(STARTS_ON, weeks),
            "ends_on": shift_weeks(ENDS_ON, weeks),
            "negotiations_start": shift_weeks(NEGOTIATIONS_START, weeks),
            "input_deadline": _at(INPUT_DEADLINE, weeks),
            "input_address": f"{slug}-input@{KL_DOMAIN}",
            "contact": contact,
            "is_published": True,
        },
    )
    round_themes_ensure(round=round_)
    meeting, _ = Meeting.objects.update_or_create(
        round=round_,
        defaults={
            "title": f"Virtuelt stormøde om {code}",
            "registration_opens_at": _at(REGISTRATION_OPENS, weeks),
            "registration_deadline": _at(REGISTRATION_DEADLINE, weeks),
            "link_release_at": None,
        },
    )
    sessions = list(meeting.sessions.order_by("starts_at"))
    for index, (start, end) in enumerate(SESSIONS):
        values = {
            "starts_at": _at(start, weeks),
            "ends_at": _at(end, weeks),
            "format": SessionFormat.TEAMS_MEETING,
            "capacity": 1000,
            "join_url": f"{TEAMS_JOIN}demo-{slug}-session-{index + 1}",
        }
        if index < len(sessions):
            Session.objects.filter(pk=sessions[index].pk).update(**values)
        else:
            Session.objects.create(meeting=meeting, **values)

    valid = Region.objects.valid_on(round_.starts_on).filter(code__in=KKR_MEETINGS)
    for region in valid:
        start, place = KKR_MEETINGS[region.code]
        KkrMeeting.objects.update_or_create(
            round=round_,
            region=region,
            defaults={
                "starts_at": _at(start, weeks),
                "place": place,
                "agenda_item": f"Drøftelse af {code}",
            },
        )
    kkr_meetings_ensure(round=round_)  # agendas and empty records for the KKR secretaries
    return round_
