"""Who may use which URL, and on which objects: the one table.

Every named URL (``namespace:name``) and every API operation has one line in
`URLS`: the audiences that may use it and, for each, the objects it reaches.
`core/tests/test_access_table.py` walks every URL pattern and, for each kind
of user, checks the answer against this table; a URL without a line fails it.

What the table promises, and how the test reads it:

- An audience that is not listed is refused: a login-only page sends an
  anonymous visitor to the login page and answers 403 to a logged-in user
  without the role; a personal-link page answers 404 to any other link.
- A listed audience with a scope narrower than ``ALL`` reaches only its own
  objects; another object named in the URL answers 404, exactly as one that
  does not exist (never 403, never a hint that it exists).
- The views enforce it (core/permissions.py, the personal-link resolvers and
  the views' scoped querysets); this module only declares it.

To add a URL or an API operation: one line under its app, e.g.
``"api:list_rounds": API,`` or ``"themes:theme": STAFF,``; when the URL takes
arguments that name an object, tell the test which object (its ``KWARGS``).
A URL pattern without a name goes in `UNNAMED` with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class Audience(StrEnum):
    """Who is asking, as the views tell them apart."""

    PUBLIC = "public"  # anyone, logged in or not
    MEMBER_LINK = "member link"  # a council member's personal link (/m/<token>/)
    CONTACT_LINK = "contact link"  # a municipal contact's personal link (/c/<token>/), while
    # its person is still a municipal contact
    KKR_SECRETARY = "KKR secretary"  # a login whose person is a KKR secretary
    PRESENTER = "presenter"  # a login whose person is on KL's board or in its secretariat
    STAFF = "staff"  # a staff login (KL's secretariat); administrators are staff too
    ADMIN = "administrator"  # a superuser
    API = "API token"  # an active staff user's API token with the operation's token scope


class Scope(StrEnum):
    """Which objects an audience reaches through the URL."""

    OWN_REGISTRATION = "own registration"  # the link's person in the link's round
    OWN_MUNICIPALITY = "own municipality"  # the link person's municipality in the link's round
    OWN_REGION = "own region"  # the KKR secretary's region
    ASSIGNED_ENGAGEMENTS = "assigned engagements"  # speaker requests assigned to the person
    OWN_TOKENS = "own API tokens"  # API tokens the user created
    ALL = "all"


class Mode(StrEnum):
    """A URL that exists or answers only in one mode of the installation."""

    ALWAYS = "always"
    DEMO = "demo"  # settings.DEMO_MODE; otherwise every page answers 404
    BENCH = "bench"  # settings.BENCH_MODE; otherwise the URL does not exist
    NEVER = "never"  # there only to be reversed; answers 404 to everyone


@dataclass(frozen=True)
class Rule:
    grants: Mapping[Audience, Scope]
    reason: str = ""
    mode: Mode = Mode.ALWAYS
    # Django admin answers a user it refuses with its own login page rather than 403.
    refuses_with_login: bool = False
    audiences: frozenset[Audience] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "audiences", frozenset(self.grants))

    def scope_for(self, audience: Audience) -> Scope | None:
        return self.grants.get(audience)

    def __str__(self) -> str:
        who = "; ".join(f"{audience}: {scope}" for audience, scope in self.grants.items())
        if self.mode == Mode.NEVER:
            return "nobody (answers 404)"
        extra = f" (only in {self.mode} mode)" if self.mode != Mode.ALWAYS else ""
        return who + extra


def allow(
    reason: str = "", *, mode: Mode = Mode.ALWAYS, refuses_with_login: bool = False, **grants: Scope
) -> Rule:
    """A rule from keyword grants: ``allow(KKR_SECRETARY=OWN_REGION, STAFF=ALL)``."""
    return Rule(
        grants=MappingProxyType({Audience[name]: scope for name, scope in grants.items()}),
        reason=reason,
        mode=mode,
        refuses_with_login=refuses_with_login,
    )


ALL = Scope.ALL
OWN_REGISTRATION = Scope.OWN_REGISTRATION
OWN_MUNICIPALITY = Scope.OWN_MUNICIPALITY
OWN_REGION = Scope.OWN_REGION
ASSIGNED_ENGAGEMENTS = Scope.ASSIGNED_ENGAGEMENTS
OWN_TOKENS = Scope.OWN_TOKENS

PUBLIC = allow(PUBLIC=ALL)
STAFF = allow(STAFF=ALL)
DEMO_STAFF = allow("the local mail catcher", STAFF=ALL, mode=Mode.DEMO)
MEMBER = allow("the link is the credential", MEMBER_LINK=OWN_REGISTRATION)
CONTACT = allow("the link is the credential", CONTACT_LINK=OWN_MUNICIPALITY)
KKR = allow("secretaries their own region, staff every region", KKR_SECRETARY=OWN_REGION, STAFF=ALL)
ANY_LOGIN = allow(
    "the second login step: every staff login, roles included, has two factors",
    KKR_SECRETARY=ALL,
    PRESENTER=ALL,
    STAFF=ALL,
)
API = allow("token scope as the operation declares (OpenAPI document)", API=ALL)
PRESENTER = allow(
    "only the person's own engagements; staff handle every request under /staff/speakers/",
    PRESENTER=ASSIGNED_ENGAGEMENTS,
    STAFF=ASSIGNED_ENGAGEMENTS,
)

# fmt: off
URLS: dict[str, Rule] = {
    # --- Django's own ---------------------------------------------------------------
    "set_language": allow("the language switch in the header", PUBLIC=ALL),
    "liveness": allow("the load balancer's health check", PUBLIC=ALL),
    # --- accounts ---------------------------------------------------------------------
    "accounts:login": allow("a logged-in user is sent on to their start page", PUBLIC=ALL),
    "accounts:logout": PUBLIC,
    "accounts:verify": ANY_LOGIN,
    "accounts:setup": ANY_LOGIN,
    "accounts:recovery_codes": ANY_LOGIN,
    # --- core -----------------------------------------------------------------------------
    "core:staff_home": STAFF,
    "core:health": STAFF,
    "core:probe": STAFF,
    "bench:floor": allow("benchmark instrument", MEMBER_LINK=OWN_REGISTRATION, mode=Mode.BENCH),
    # --- rounds -------------------------------------------------------------------------
    "rounds:current": allow("the published round's public page", PUBLIC=ALL),
    "rounds:detail": allow("published rounds only; others answer 404", PUBLIC=ALL),
    "rounds:copy": STAFF,
    # --- directory ------------------------------------------------------------------------
    "directory:people_list": STAFF,
    "directory:person_create": STAFF,
    "directory:person_edit": STAFF,
    "directory:people_import": STAFF,
    "directory:people_import_preview": STAFF,
    "directory:people_import_commit": STAFF,
    # --- meetings (track 1) -----------------------------------------------------------------
    "meetings:member": MEMBER,
    "meetings:link_request": allow("the same answer whether the address is known", PUBLIC=ALL),
    "meetings:staff_overview": STAFF,
    "meetings:staff_invite": STAFF,
    "meetings:staff_meeting_settings": STAFF,
    "meetings:staff_revoke_links": STAFF,
    "meetings:staff_reminders": STAFF,
    "meetings:staff_session": STAFF,
    "meetings:staff_people": STAFF,
    "meetings:staff_letter": STAFF,
    "meetings:staff_export": STAFF,
    "meetings:staff_attendance": STAFF,
    "meetings:staff_attendance_upload": STAFF,
    "meetings:staff_attendance_import": STAFF,
    "meetings:staff_attendance_match": STAFF,
    "meetings:staff_attendance_dismiss": STAFF,
    "meetings:staff_attendance_export": STAFF,
    # --- regional (track 2) -----------------------------------------------------------------
    "regional:index": KKR,
    "regional:meeting": KKR,
    "regional:meeting_edit": KKR,
    "regional:approve": KKR,
    "regional:reopen": KKR,
    "regional:minutes_download": KKR,
    "regional:minutes_remove": KKR,
    "regional:staff_overview": STAFF,
    "regional:staff_ensure": STAFF,
    # --- councils (track 3: council input) -------------------------------------------------
    "councils:contact": CONTACT,
    "councils:contact_attachment": CONTACT,
    "councils:contact_attachment_delete": CONTACT,
    "councils:contact_version": CONTACT,
    "councils:staff_roster": STAFF,
    "councils:staff_links": STAFF,
    "councils:staff_reminders": STAFF,
    "councils:staff_input": STAFF,
    "councils:staff_mark": STAFF,
    "councils:staff_version": STAFF,
    "councils:staff_attachment": STAFF,
    "councils:triage_attach": STAFF,
    "councils:triage_dismiss": STAFF,
    # --- speakers (track 3: speaker requests) -------------------------------------------------
    "speakers:contact_requests": CONTACT,
    "speakers:contact_request": CONTACT,
    "speakers:staff_list": STAFF,
    "speakers:staff_detail": STAFF,
    "speakers:staff_from_inbound": STAFF,
    "speakers:engagements": PRESENTER,
    "speakers:engagement": PRESENTER,
    # --- mail ---------------------------------------------------------------------------
    "mail:outbox": STAFF,
    "mail:history": STAFF,
    "mail:send_test": STAFF,
    "mail:message": STAFF,
    "mail:resend": STAFF,
    "mail:templates": STAFF,
    "mail:template_edit": STAFF,
    "mail:caught_list": DEMO_STAFF,
    "mail:caught_detail": DEMO_STAFF,
    "mail:caught_html": DEMO_STAFF,
    "mail:caught_part": DEMO_STAFF,
    "mail:inbound_list": STAFF,
    "mail:inbound_detail": STAFF,
    "mail:inbound_html": STAFF,
    "mail:inbound_raw": STAFF,
    "mail:inbound_attachment": STAFF,
    # --- insights -------------------------------------------------------------------------
    "insights:coverage": STAFF,
    "insights:coverage_export": STAFF,
    # --- themes -----------------------------------------------------------------------------
    "themes:overview": STAFF,
    "themes:start": STAFF,
    "themes:progress": STAFF,
    "themes:compare": STAFF,
    "themes:lexicon": STAFF,
    "themes:theme": STAFF,
    "themes:rename": STAFF,
    "themes:reject": STAFF,
    "themes:merge": STAFF,
    "themes:split": STAFF,
    "themes:undo": STAFF,
    # --- briefing ---------------------------------------------------------------------------
    "briefing:staff_briefing": STAFF,
    "briefing:staff_download": STAFF,
    # --- audit and privacy ------------------------------------------------------------------
    "audit:privacy_notice": PUBLIC,
    "audit:event_list": allow("needs audit.view_auditevent: administrators", ADMIN=ALL),
    "audit:person_export": STAFF,
    "audit:person_erase": allow("needs the erase permission: administrators", ADMIN=ALL),
    # --- api --------------------------------------------------------------------------------
    "api_tokens:list": allow("staff see their own tokens, administrators every token",
                             STAFF=OWN_TOKENS, ADMIN=ALL),
    "api_tokens:revoke": allow("another user's token answers 404", STAFF=OWN_TOKENS, ADMIN=ALL),
    "api:api-root": allow("django-ninja's base address for reversing", mode=Mode.NEVER),
    "api:openapi-json": allow("the API's documentation", PUBLIC=ALL),
    "api:openapi-view": allow("the API's documentation", PUBLIC=ALL),
    "api:list_rounds": API,
    "api:get_round": API,
    "api:list_sessions": API,
    "api:get_session": API,
    "api:list_registrations": API,
    "api:list_council_inputs": API,
    "api:list_coverage": API,
    "api:list_region_coverage": API,
    "api:list_themes": API,
}
# fmt: on

# URL patterns without a name (they cannot be reversed, so no page links to them).
UNNAMED: dict[str, str] = {
    "api/<path:rest>": "any other address under /api/: a problem+json 404 for everyone",
}

# Every URL in these namespaces is covered by one line (they are Django's, not ours).
NAMESPACES: dict[str, Rule] = {
    "admin": allow(
        "Django admin: staff only, each model's permissions decide the rest",
        STAFF=ALL,
        refuses_with_login=True,
    ),
}


def rule_for(name: str) -> Rule | None:
    """The rule for a URL name (``namespace:name``), or None when the table has none."""
    if name in URLS:
        return URLS[name]
    namespace = name.split(":", 1)[0] if ":" in name else ""
    return NAMESPACES.get(namespace)
