"""Every URL answers every kind of user exactly as the table in core/access.py declares.

The test walks every URL pattern (`get_resolver()`, recursively). A named URL
without a line in the table fails, and so does a line for a URL that does not
exist. For each URL it asks as each of the users in ACTORS (anonymous, council
members A and B, contacts of X and Y, KKR secretaries of regions 1 and 2, a
presenter, staff, an administrator, an API client), with URL arguments naming
real objects owned by member A, municipality X, region 1 and the presenter's
engagement (see KWARGS), and compares the answer with what the table implies:

- allowed: 2xx, or a redirect that is not to a login page;
- login: a redirect to the login page (anonymous visitors of login-only pages;
  Django admin answers refused users so too);
- 403: a logged-in user whose role the URL does not admit;
- 404: object access outside the user's scope, or a personal link that is not
  the URL's kind of link (a contact's link on the member page, no link at all).
- 401: an API operation asked without an API token.

Every request runs in a savepoint that is rolled back, so that one user's POST
does not change what the next one sees. A denied answer must not contain any of
the marker texts the owners wrote (no hint that the object exists).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from samraad.accounts.models import AccessPurpose, User
from samraad.accounts.services import access_link_create
from samraad.core.access import (
    NAMESPACES,
    UNNAMED,
    URLS,
    Audience,
    Mode,
    Rule,
    Scope,
    rule_for,
)
from samraad.core.timeutils import local_datetime
from samraad.councils.models import InputAttachment
from samraad.councils.services import (
    InputData,
    council_input_get,
    council_input_save,
    council_input_submit,
)
from samraad.directory.models import Municipality, Person, Region, RoleKind
from samraad.directory.services import person_upsert
from samraad.mail.inbound import inbound_receive
from samraad.mail.models import CaughtMessage, InboundMessage, InboundSource, OutboxMessage
from samraad.mail.services import caught_message_store
from samraad.mail.templating import mail_kinds
from samraad.meetings.attendance_services import attendance_import
from samraad.meetings.models import AttendanceImport, AttendanceRecord, Session
from samraad.meetings.services import registration_submit
from samraad.regional.models import KkrMeeting, KkrMinutes, KkrRecord
from samraad.regional.services import kkr_meetings_ensure, kkr_record_save
from samraad.rounds.models import Round
from samraad.speakers.models import MeetingFormat, PresenterKind, SpeakerRequest
from samraad.speakers.services import speaker_assign, speaker_request_create
from samraad.tests_support.factories import (
    MeetingFactory,
    RoundFactory,
    SessionFactory,
    StaffUserFactory,
    UserFactory,
)
from samraad.tests_support.login import log_in_verified

REPORTS = Path(__file__).resolve().parents[2] / "meetings" / "tests" / "reports"

# Texts only the owners' objects contain; a denied answer must show none of them.
MARKER = "MARKER"
A_QUESTION = "MARKER-A-QUESTION"
X_INPUT = "MARKER-X-INPUT"
X_TOPIC = "MARKER-X-TOPIC"
R1_PLACE = "MARKER-R1-PLACE"
R1_SUMMARY = "MARKER-R1-SUMMARY"
NAMES = {"member_a": "MARKER-A Anna Medlem", "contact_x": "MARKER-X Karen Kontakt"}

ALLOWED, LOGIN, FORBIDDEN, NOT_FOUND, UNAUTHORIZED = "allowed", "login", "403", "404", "401"

# URL arguments that name an object (rather than a round, a format or a language):
# a scoped audience reaches such a URL only for its own object.
OBJECT_KWARGS = frozenset(
    {
        "pk",
        "number",
        "code",
        "person_pk",
        "message_pk",
        "minutes_pk",
        "attachment_pk",
        "index",
        "session_id",
    }
)
# Django's admin is one declared group; its index stands for the group here.
ADMIN_REPRESENTATIVE = "admin:index"


# --- The URL patterns --------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str | None  # namespace:name
    route: str
    kwargs: frozenset[str]


def _walk(
    patterns, namespaces: tuple[str, ...] = (), route: str = "", kwargs=frozenset()
) -> Iterator[Pattern]:
    for entry in patterns:
        here = kwargs | set(entry.pattern.regex.groupindex)
        text = route + str(entry.pattern)
        if isinstance(entry, URLResolver):
            # Django admin by its application namespace ("admin", whatever its site's
            # instance is called); everything else by its instance namespace.
            namespace = "admin" if entry.app_name == "admin" else entry.namespace
            inner = (*namespaces, namespace) if namespace else namespaces
            yield from _walk(entry.url_patterns, inner, text, frozenset(here))
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespaces, entry.name)) if entry.name else None
            yield Pattern(name, text, frozenset(here))


@functools.cache
def url_patterns() -> tuple[Pattern, ...]:
    return tuple(_walk(get_resolver().url_patterns))


def _in_declared_namespace(name: str) -> bool:
    return ":" in name and name.split(":", 1)[0] in NAMESPACES


def checked_names() -> list[str]:
    """Every named URL, Django admin's represented by its index."""
    names = {p.name for p in url_patterns() if p.name and not _in_declared_namespace(p.name)}
    return sorted(names | {ADMIN_REPRESENTATIVE})


def kwarg_names(name: str) -> frozenset[str]:
    return next(p.kwargs for p in url_patterns() if p.name == name)


# --- The people and their objects ---------------------------------------------------


@dataclass
class Actor:
    key: str
    person: Person | None = None
    user: User | None = None
    member_token: str = ""
    contact_token: str = ""
    audiences: frozenset[Audience] = frozenset()
    cookies: SimpleCookie = field(default_factory=SimpleCookie)
    api_token: str = ""


@dataclass
class World:
    round: Round
    x: Municipality
    y: Municipality
    region_1: Region
    region_2: Region
    actors: dict[str, Actor]
    session: Session
    kkr_1: KkrMeeting
    minutes: KkrMinutes
    attachment_x: InputAttachment
    speaker_request: SpeakerRequest
    inbound: InboundMessage
    caught: CaughtMessage
    outbox: OutboxMessage
    attendance: AttendanceImport
    attendance_record: AttendanceRecord
    admins_api_token: int | None

    def actor(self, key: str) -> Actor:
        return self.actors[key]


ACTORS = (
    "anonymous",
    "member_a",
    "member_b",
    "contact_x",
    "contact_y",
    "kkr_1",
    "kkr_2",
    "presenter",
    "staff",
    "admin",
    "api_client",  # the staff user's API token with every scope, and no session
)


def _pdf(name: str) -> SimpleUploadedFile:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/pdf")


def _mail(subject: str, sender: str, to: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{hashlib.sha256(subject.encode()).hexdigest()[:16]}@example.dk>"
    message.set_content("Kære KL\n\nByrådet peger på ældreområdet.\n")
    message.add_alternative("<p>Kære KL</p>", subtype="html")
    message.add_attachment(
        _pdf("bilag.pdf").read(), maintype="application", subtype="pdf", filename="bilag.pdf"
    )
    return message.as_bytes()


def _audiences(user: User | None, person: Person | None) -> frozenset[Audience]:
    if user is None:
        return frozenset()
    held = set(person.roles.values_list("kind", flat=True)) if person else set()
    audiences = set()
    if user.is_staff:
        audiences.add(Audience.STAFF)
    if user.is_superuser:
        audiences.add(Audience.ADMIN)
    if RoleKind.KKR_SECRETARY in held:
        audiences.add(Audience.KKR_SECRETARY)
    if held & {RoleKind.BOARD_MEMBER, RoleKind.SECRETARIAT}:
        audiences.add(Audience.PRESENTER)
    return frozenset(audiences)


def _log_in(user: User) -> SimpleCookie:
    """A session as the app expects for this user: password and second factor passed."""
    client = _client()
    client.cookies = SimpleCookie()
    return log_in_verified(client, user).cookies


def build_world() -> World:
    today = timezone.localdate()
    round_ = RoundFactory(
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=120),
        input_address="input@kl.example",
    )
    x = Municipality.objects.get(code=851)  # Aalborg, in region 1 (Nordjylland)
    y = Municipality.objects.get(code=751)  # Aarhus, in region 2 (Midtjylland)
    region_1, region_2 = Region.objects.get(code=1081), Region.objects.get(code=1082)

    def person(key: str, roles, **scope) -> Person:
        name = NAMES.get(key, key)
        return person_upsert(email=f"{key}@access.example", name=name, roles=roles, **scope)

    member_a = person("member_a", [RoleKind.COUNCIL_MEMBER], municipality=x)
    member_b = person("member_b", [RoleKind.COUNCIL_MEMBER], municipality=y)
    contact_x = person("contact_x", [RoleKind.MUNICIPAL_CONTACT], municipality=x)
    contact_y = person("contact_y", [RoleKind.MUNICIPAL_CONTACT], municipality=y)
    kkr_1 = person("kkr_1", [RoleKind.KKR_SECRETARY], region=region_1)
    kkr_2 = person("kkr_2", [RoleKind.KKR_SECRETARY], region=region_2)
    presenter = person("presenter", [RoleKind.BOARD_MEMBER])
    staff = person("staff", [RoleKind.SECRETARIAT])

    users = {
        "kkr_1": UserFactory(person=kkr_1),
        "kkr_2": UserFactory(person=kkr_2),
        "presenter": UserFactory(person=presenter),
        "staff": StaffUserFactory(person=staff),
        "admin": UserFactory(is_staff=True, is_superuser=True),
    }
    people = {
        "member_a": member_a,
        "member_b": member_b,
        "contact_x": contact_x,
        "contact_y": contact_y,
        "kkr_1": kkr_1,
        "kkr_2": kkr_2,
        "presenter": presenter,
        "staff": staff,
    }
    actors = {}
    for key in ACTORS:
        someone, user = people.get(key), users.get(key)
        actor = Actor(key, person=someone, user=user, audiences=_audiences(user, someone))
        if key.startswith("member_"):
            actor.member_token = access_link_create(
                round=round_, person=someone, purpose=AccessPurpose.MEMBER
            )
            actor.audiences = frozenset({Audience.MEMBER_LINK})
        if key.startswith("contact_"):
            actor.contact_token = access_link_create(
                round=round_, person=someone, purpose=AccessPurpose.MUNICIPAL_CONTACT
            )
            actor.audiences = frozenset({Audience.CONTACT_LINK})
        if user is not None:
            actor.cookies = _log_in(user)
        actors[key] = actor

    admins_api_token = None
    if apps.is_installed("samraad.api"):
        from samraad.api.models import Scope as ApiScope
        from samraad.api.services import api_token_create

        actors["api_client"].api_token = api_token_create(
            user=users["staff"], name="access table", scopes=ApiScope.values
        ).plaintext
        actors["api_client"].audiences = frozenset({Audience.API})
        admins_api_token = api_token_create(
            user=users["admin"], name="admin's", scopes=[ApiScope.ROUNDS_READ]
        ).token.pk

    # Track 1: member A (and B) registered; an attendance report imported.
    meeting = MeetingFactory(round=round_)
    session = SessionFactory(meeting=meeting)
    before_deadline = local_datetime(2025, 3, 1, 12)
    for someone, question in ((member_a, A_QUESTION), (member_b, "B asks")):
        registration_submit(
            meeting=meeting,
            person=someone,
            session_id=session.pk,
            page_url="http://testserver/m/x/",
            question=question,
            now=before_deadline,
        )
    imported = attendance_import(
        session=session,
        data=(REPORTS / "sections_en_dmy_utf16.csv").read_bytes(),
        filename="attendance.csv",
        user=users["staff"],
    )

    # Track 2: region 1's KKR meeting has a record with minutes.
    kkr_meetings_ensure(round=round_)
    kkr_meeting = KkrMeeting.objects.get(round=round_, region=region_1)
    KkrMeeting.objects.filter(pk=kkr_meeting.pk).update(place=R1_PLACE)
    kkr_record_save(
        meeting=kkr_meeting,
        version=KkrRecord(meeting=kkr_meeting).version,
        summary=R1_SUMMARY,
        challenges="",
        themes=[],
        quotes=[],
        files=[_pdf("referat.pdf")],
        by=users["kkr_1"],
    )

    # Track 3: X's submitted input with an attachment, and X's speaker request assigned
    # to the presenter.
    draft = council_input_get(round=round_, municipality=x)
    saved = council_input_save(
        council_input=draft,
        expected_version=draft.version,
        data=InputData(economic_situation=X_INPUT),
        files=[_pdf("input.pdf")],
        by_name=contact_x.name,
    )
    council_input_submit(council_input=saved, expected_version=saved.version, by=contact_x)
    council_input_get(round=round_, municipality=y)
    start = timezone.now() + datetime.timedelta(days=10)
    speaker_request = speaker_request_create(
        round=round_,
        municipality=x,
        requested_by=contact_x,
        presenter_kind=PresenterKind.EITHER,
        meeting_format=MeetingFormat.IN_PERSON,
        address="Boulevarden 13, 9000 Aalborg",
        topic=X_TOPIC,
        audience="Byrådet",
        slots=[(start, start + datetime.timedelta(hours=1))],
    )
    speaker_assign(request=speaker_request, presenter=presenter, slot=speaker_request.slots.get())

    # Mail: one emailed input, one caught mail, the outbox holds the confirmations.
    inbound = inbound_receive(
        raw=_mail("Input fra Aalborg", "kontakt@aalborg.dk", round_.input_address),
        source=InboundSource.SMTP,
        envelope_from="kontakt@aalborg.dk",
        envelope_to=[round_.input_address],
    )
    caught = caught_message_store(
        mail_from="samraad@kl.example",
        rcpt_tos=["member_a@access.example"],
        raw=_mail("Bekræftelse", "samraad@kl.example", "member_a@access.example"),
    )

    return World(
        round=round_,
        x=x,
        y=y,
        region_1=region_1,
        region_2=region_2,
        actors=actors,
        session=session,
        kkr_1=kkr_meeting,
        minutes=KkrMinutes.objects.get(record__meeting=kkr_meeting),
        attachment_x=InputAttachment.objects.get(council_input__municipality=x),
        speaker_request=speaker_request,
        inbound=inbound,
        caught=caught,
        outbox=OutboxMessage.objects.order_by("pk").first(),
        attendance=imported,
        attendance_record=imported.records.order_by("pk").first(),
        admins_api_token=admins_api_token,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """The people and objects, built once for the module and rolled back after it.

    The atomic blocks are the ones Django's TestCase opens for its class-level data
    (setUpTestData); each test's own `db` transaction nests inside them.
    """
    with django_db_blocker.unblock():
        atomics = TestCase._enter_atomics()
        try:
            yield build_world()
        finally:
            TestCase._rollback_atomics(atomics)


# --- How to fill each URL's arguments ----------------------------------------------------

ABSENT = 2_000_000_000

KWARGS: dict[str, Callable[[World], dict]] = {
    "directory:person_edit": lambda w: {"pk": w.actor("member_a").person.pk},
    "meetings:staff_revoke_links": lambda w: {"person_pk": w.actor("member_a").person.pk},
    "meetings:staff_session": lambda w: {"pk": w.session.pk},
    "meetings:staff_export": lambda w: {"fmt": "csv"},
    "meetings:staff_attendance_upload": lambda w: {"pk": w.session.pk},
    "meetings:staff_attendance_import": lambda w: {"pk": w.attendance.pk},
    "meetings:staff_attendance_match": lambda w: {"pk": w.attendance_record.pk},
    "meetings:staff_attendance_dismiss": lambda w: {"pk": w.attendance_record.pk},
    "meetings:staff_attendance_export": lambda w: {"kind": "records", "fmt": "csv"},
    "regional:meeting": lambda w: {"pk": w.kkr_1.pk},
    "regional:meeting_edit": lambda w: {"pk": w.kkr_1.pk},
    "regional:approve": lambda w: {"pk": w.kkr_1.pk},
    "regional:reopen": lambda w: {"pk": w.kkr_1.pk},
    "regional:minutes_download": lambda w: {"pk": w.kkr_1.pk, "minutes_pk": w.minutes.pk},
    "regional:minutes_remove": lambda w: {"pk": w.kkr_1.pk, "minutes_pk": w.minutes.pk},
    "councils:contact_attachment": lambda w: {"pk": w.attachment_x.pk},
    "councils:contact_attachment_delete": lambda w: {"pk": w.attachment_x.pk},
    "councils:contact_version": lambda w: {"number": 1},
    "councils:staff_input": lambda w: {"code": w.x.code},
    "councils:staff_mark": lambda w: {"code": w.x.code},
    "councils:staff_version": lambda w: {"code": w.x.code, "number": 1},
    "councils:staff_attachment": lambda w: {"code": w.x.code, "pk": w.attachment_x.pk},
    "councils:triage_attach": lambda w: {"pk": w.inbound.pk},
    "councils:triage_dismiss": lambda w: {"pk": w.inbound.pk},
    "speakers:contact_request": lambda w: {"pk": w.speaker_request.pk},
    "speakers:staff_detail": lambda w: {"pk": w.speaker_request.pk},
    "speakers:staff_from_inbound": lambda w: {"message_pk": w.inbound.pk},
    "speakers:engagement": lambda w: {"pk": w.speaker_request.pk},
    "mail:message": lambda w: {"pk": w.outbox.pk},
    "mail:resend": lambda w: {"pk": w.outbox.pk},
    "mail:template_edit": lambda w: {"key": mail_kinds()[0].key, "language": "da"},
    "mail:caught_detail": lambda w: {"pk": w.caught.pk},
    "mail:caught_html": lambda w: {"pk": w.caught.pk},
    "mail:caught_part": lambda w: {"pk": w.caught.pk, "index": 0},
    "mail:inbound_detail": lambda w: {"pk": w.inbound.pk},
    "mail:inbound_html": lambda w: {"pk": w.inbound.pk},
    "mail:inbound_raw": lambda w: {"pk": w.inbound.pk},
    "mail:inbound_attachment": lambda w: {
        "pk": w.inbound.pk,
        "attachment_pk": w.inbound.attachments.get().pk,
    },
    "insights:coverage_export": lambda w: {"fmt": "csv"},
    "audit:person_export": lambda w: {"pk": w.actor("member_a").person.pk},
    "audit:person_erase": lambda w: {"pk": w.actor("member_a").person.pk},
    "api_tokens:revoke": lambda w: {"pk": w.admins_api_token},
    "api:get_session": lambda w: {"session_id": w.session.pk},
    "api:list_registrations": lambda w: {"session_id": w.session.pk},
    # Objects this test does not make (the analysis, the briefing export): the URL is
    # asked about an object that does not exist, so that refusals are still checked;
    # those the table admits get the plain 404 of a missing object.
    "themes:theme": lambda w: {"pk": ABSENT},
    "themes:rename": lambda w: {"pk": ABSENT},
    "themes:reject": lambda w: {"pk": ABSENT},
    "themes:merge": lambda w: {"pk": ABSENT},
    "themes:split": lambda w: {"pk": ABSENT},
    "themes:undo": lambda w: {"pk": ABSENT},
    "briefing:staff_download": lambda w: {"pk": ABSENT},
}

# A POST-only URL is asked with an empty POST, except where the view needs a field to
# know what to do at all.
POST_DATA: dict[str, dict] = {"councils:staff_mark": {"status": "received"}}

UNKNOWN_TOKEN = "no-such-link-" + "x" * 30


def link_audience(rule: Rule) -> Audience | None:
    for audience in (Audience.MEMBER_LINK, Audience.CONTACT_LINK):
        if audience in rule.audiences:
            return audience
    return None


def token_for(actor: Actor, audience: Audience | None) -> str:
    """The actor's own link of the URL's kind; else another link they hold; else none."""
    own = actor.member_token if audience == Audience.MEMBER_LINK else actor.contact_token
    return own or actor.member_token or actor.contact_token or UNKNOWN_TOKEN


def url_for(name: str, world: World, actor: Actor, rule: Rule) -> tuple[str, bool, bool]:
    """The URL with its arguments filled in, whether it names an object, and whether
    that object is absent."""
    needed = kwarg_names(name)
    kwargs = KWARGS[name](world) if name in KWARGS else {}
    if "slug" in needed:
        kwargs.setdefault("slug", world.round.slug)
    if "token" in needed:
        kwargs["token"] = token_for(actor, link_audience(rule))
    missing = needed - set(kwargs)
    assert not missing, f"{name}: tell KWARGS in this test how to fill {sorted(missing)}"
    absent = ABSENT in kwargs.values()
    return reverse(name, kwargs=kwargs), bool(set(kwargs) & OBJECT_KWARGS), absent


# --- What the table implies, and what the app answers ----------------------------------


def owns(actor: Actor, scope: Scope, world: World) -> bool:
    """Whether the test's object (owned by A / X / region 1 / the presenter) is the actor's."""
    person = actor.person
    if scope == Scope.ALL:
        return True
    if person is None:
        return False
    if scope == Scope.OWN_REGISTRATION:
        return actor.key == "member_a"
    if scope == Scope.OWN_MUNICIPALITY:
        return person.municipality_id == world.x.pk
    if scope == Scope.OWN_REGION:
        return person.region_id == world.region_1.pk
    if scope == Scope.ASSIGNED_ENGAGEMENTS:
        return actor.key == "presenter"
    if scope == Scope.OWN_TOKENS:
        return actor.key == "admin"  # the token in the URL is the administrator's
    raise AssertionError(f"unknown scope {scope}")


def expected(rule: Rule, actor: Actor, world: World, *, names_object: bool) -> str:
    answer = _expected(rule, actor, world, names_object=names_object)
    if answer == ALLOWED and rule.mode == Mode.DEMO and not settings.DEMO_MODE:
        return NOT_FOUND
    return answer


def _expected(rule: Rule, actor: Actor, world: World, *, names_object: bool) -> str:
    if rule.mode == Mode.NEVER:
        return NOT_FOUND
    if Audience.PUBLIC in rule.audiences:
        return ALLOWED
    if (audience := link_audience(rule)) is not None:
        if audience not in actor.audiences:
            return NOT_FOUND
        scope = rule.grants[audience]
        return ALLOWED if not names_object or owns(actor, scope, world) else NOT_FOUND
    if Audience.API in rule.audiences:
        return ALLOWED if Audience.API in actor.audiences else UNAUTHORIZED
    if actor.user is None:
        return LOGIN
    scopes = [scope for audience, scope in rule.grants.items() if audience in actor.audiences]
    if not scopes:
        return LOGIN if rule.refuses_with_login else FORBIDDEN
    if not names_object or any(owns(actor, scope, world) for scope in scopes):
        return ALLOWED
    return NOT_FOUND


LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def classify(response: HttpResponse) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        path = urlsplit(response["Location"]).path
        return LOGIN if path in (reverse("accounts:login"), reverse("admin:login")) else ALLOWED
    if 200 <= status < 300:
        return ALLOWED
    return str(status)


@functools.cache
def _client() -> Client:
    return Client(raise_request_exception=False)


def ask(actor: Actor, url: str, post: dict | None = None) -> HttpResponse:
    """GET the URL as the actor; a POST-only URL (405) is asked again with a POST."""
    # One client for every request: each new client loads the middleware again, and
    # WhiteNoise then indexes every static file. Only the cookies are the actor's.
    client = _client()
    client.cookies = SimpleCookie()
    for key, morsel in actor.cookies.items():
        client.cookies[key] = morsel.value
    headers = {"Authorization": f"Bearer {actor.api_token}"} if actor.api_token else {}
    with transaction.atomic():
        response = client.get(url, headers=headers)
        if response.status_code == 405:
            response = client.post(url, post or {}, headers=headers)
        transaction.set_rollback(True)
    return response


def body(response: HttpResponse) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


# --- The tests -----------------------------------------------------------------------


def test_every_named_url_has_a_line_in_the_table():
    missing = [name for name in checked_names() if rule_for(name) is None]
    assert not missing, (
        "URLs without a line in samraad/core/access.py (say who may use them): "
        + ", ".join(missing)
    )


def test_every_line_of_the_table_names_an_existing_url():
    existing = {p.name for p in url_patterns() if p.name}
    stale = [
        name
        for name, rule in URLS.items()
        if name not in existing and not (rule.mode == Mode.BENCH and not settings.BENCH_MODE)
    ]
    routes = {p.route for p in url_patterns() if p.name is None}
    stale += [route for route in UNNAMED if route not in routes]
    assert not stale, "Lines in core/access.py for URLs that do not exist: " + ", ".join(stale)


def test_every_rule_is_one_kind_of_access():
    """Public, personal link, API token or login: a URL is reached one way, so the test
    knows what a refusal looks like."""
    kinds = {
        "public": {Audience.PUBLIC},
        "link": {Audience.MEMBER_LINK, Audience.CONTACT_LINK},
        "api": {Audience.API},
    }
    for name, rule in [*URLS.items(), *NAMESPACES.items()]:
        if rule.mode == Mode.NEVER:
            assert not rule.grants, name
            continue
        assert rule.grants, f"{name}: nobody may use it; say Mode.NEVER"
        for kind, audiences in kinds.items():
            if rule.audiences & audiences:
                assert len(rule.audiences) == 1, f"{name}: {kind} access mixed with others"


def test_every_url_outside_django_admin_has_a_name_or_is_declared_unnamed():
    unnamed = [
        p.route
        for p in url_patterns()
        if p.name is None and not p.route.startswith("admin/") and p.route not in UNNAMED
    ]
    assert not unnamed, "URL patterns without a name (name them, or add to UNNAMED): " + ", ".join(
        unnamed
    )


@pytest.mark.parametrize("name", checked_names())
def test_the_url_answers_each_user_as_the_table_declares(name, world, db):
    rule = rule_for(name)
    assert rule is not None, f"{name} has no line in core/access.py"
    wrong = []
    for key in ACTORS:
        actor = world.actor(key)
        url, names_object, absent = url_for(name, world, actor, rule)
        want = expected(rule, actor, world, names_object=names_object)
        response = ask(actor, url, POST_DATA.get(name))
        got = classify(response)
        # Asked about an object that does not exist, an admitted user may get the 404 of
        # the missing object (or, for an action, a redirect with the reason).
        if absent and want == ALLOWED and got == NOT_FOUND:
            got = ALLOWED
        if got != want:
            wrong.append(f"{key}: expected {want}, got {got} ({response.status_code}) at {url}")
        elif got != ALLOWED and MARKER in body(response):
            wrong.append(f"{key}: the {got} answer at {url} shows the owner's text")
    assert not wrong, f"{name} (the table: {rule}):\n  " + "\n  ".join(wrong)


# The object scope, spelled out: these denials are part of the matrix above, and the
# matrix is only as good as the objects it names, so check that they are really made.


def _get(world: World, key: str, name: str, **kwargs) -> HttpResponse:
    return ask(world.actor(key), reverse(name, kwargs=kwargs))


def test_a_kkr_secretary_reaches_only_their_own_regions_meeting(world, db):
    pk = world.kkr_1.pk
    assert _get(world, "kkr_1", "regional:meeting", pk=pk).status_code == 200
    other = _get(world, "kkr_2", "regional:meeting", pk=pk)
    assert other.status_code == 404
    assert MARKER not in body(other)
    index = _get(world, "kkr_2", "regional:index")
    assert index.status_code == 200
    assert reverse("regional:meeting", args=[pk]) not in body(index)


def test_a_contact_reaches_only_their_own_municipalitys_input_and_requests(world, db):
    x, y = world.actor("contact_x").contact_token, world.actor("contact_y").contact_token
    attachment = world.attachment_x.pk
    assert (
        _get(world, "contact_x", "councils:contact_attachment", token=x, pk=attachment).status_code
        == 200
    )
    assert (
        _get(world, "contact_y", "councils:contact_attachment", token=y, pk=attachment).status_code
        == 404
    )
    assert (
        _get(world, "contact_y", "councils:contact_version", token=y, number=1).status_code == 404
    )
    request_pk = world.speaker_request.pk
    assert (
        _get(world, "contact_y", "speakers:contact_request", token=y, pk=request_pk).status_code
        == 404
    )
    own_page = body(_get(world, "contact_y", "councils:contact", token=y))
    assert X_INPUT not in own_page
    own_requests = body(_get(world, "contact_y", "speakers:contact_requests", token=y))
    assert X_TOPIC not in own_requests


def test_a_member_link_opens_only_its_own_registration(world, db):
    a, b = world.actor("member_a").member_token, world.actor("member_b").member_token
    assert NAMES["member_a"] in body(_get(world, "member_a", "meetings:member", token=a))
    page_b = _get(world, "member_b", "meetings:member", token=b)
    assert page_b.status_code == 200
    assert "MARKER-A" not in body(page_b)
    # A contact's link is no member's link, however real it is.
    contact = world.actor("contact_x").contact_token
    assert _get(world, "contact_x", "meetings:member", token=contact).status_code == 404


def test_a_presenter_reaches_only_their_own_engagements(world, db):
    pk = world.speaker_request.pk
    assert _get(world, "presenter", "speakers:engagement", pk=pk).status_code == 200
    assert X_TOPIC in body(_get(world, "presenter", "speakers:engagements"))
    # A secretariat member who is staff, but not assigned, is not shown it here.
    assert _get(world, "staff", "speakers:engagement", pk=pk).status_code == 404
    assert X_TOPIC not in body(_get(world, "staff", "speakers:engagements"))


def test_demo_only_pages_are_missing_outside_demo_mode(world, db, settings):
    settings.DEMO_MODE = False
    names = [name for name, rule in URLS.items() if rule.mode == Mode.DEMO]
    assert names
    for name in names:
        url, _, _ = url_for(name, world, world.actor("staff"), URLS[name])
        assert ask(world.actor("staff"), url).status_code == 404, name


def test_a_contact_link_stops_working_when_its_person_is_no_longer_a_contact(world, db):
    contact = world.actor("contact_x")
    token = contact.contact_token
    assert _get(world, "contact_x", "councils:contact", token=token).status_code == 200
    contact.person.roles.filter(kind=RoleKind.MUNICIPAL_CONTACT).delete()
    for name in ("councils:contact", "speakers:contact_requests"):
        response = _get(world, "contact_x", name, token=token)
        assert response.status_code == 404, name
        assert MARKER not in body(response), name
