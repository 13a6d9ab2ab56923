"""The REST API (django-ninja): read-only operations for the association's other systems.

Every operation needs a bearer token (`ApiToken`) with the operation's scope.
Lists are paginated with limit/offset and say how many there are in all.
Errors are RFC 9457 problem details (see `problems.py`). The OpenAPI document
is /api/openapi.json, its browsable docs /api/docs (Swagger UI from local
static files: `ninja` is an installed app, so no CDN is involved).

No `from __future__ import annotations` here: django-ninja reads the operations'
annotations at run time, and a string "Literal[…]" cannot be resolved there.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.errors import AuthorizationError, ValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import HttpBearer

from samraad.api import problems, selectors, sources
from samraad.api.models import ApiToken, Scope
from samraad.api.schemas import (
    CouncilInputOut,
    CoverageOut,
    Problem,
    RegionCoverageOut,
    RegistrationOut,
    RoundOut,
    SessionOut,
    ThemeOut,
)
from samraad.api.services import api_token_authenticate
from samraad.meetings.models import Session
from samraad.rounds.models import Round

DESCRIPTION = """\
Samråd's read-only API for the association's other systems: rounds, the sessions
of the virtual large meetings, registrations, council input, coverage per
municipality and themes.

**Authentication.** Every operation needs an API token, sent as
`Authorization: Bearer <token>`. Staff create tokens at `/staff/api-tokens/`;
each token has scopes, and each operation names the scope it needs. A missing,
wrong, revoked or expired token gets 401; a token without the operation's scope
gets 403.

**Lists** take `limit` (1–200, default 50) and `offset` and answer
`{"items": [...], "count": N}`, where `count` is the number of items in all.

**Errors** are RFC 9457 problem details (`application/problem+json`) with
`type`, `title`, `status` and `detail`; a validation error (422: an invalid or
unknown parameter) adds `errors`.
"""


class SamraadApi(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any):
        """The generated document, with every error response as application/problem+json."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[problems.PROBLEM_CONTENT_TYPE] = content.pop("application/json")
        return schema


api = SamraadApi(
    title="Samråd API",
    version="1.0",
    description=DESCRIPTION,
    urls_namespace="api",
)
for exception_class, handler in problems.HANDLERS:
    api.add_exception_handler(exception_class, handler)


class TokenAuth(HttpBearer):
    """A bearer token (ApiToken) of an active staff user that holds `scope`."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = api_token_authenticate(plaintext=token)
        if api_token is None:
            return None  # ninja answers 401
        if self.scope not in api_token.scopes:
            raise AuthorizationError(
                message=_("This token does not have the scope “%(scope)s”.")
                % {"scope": self.scope.value}
            )
        return api_token


class Page(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=200, description="How many items (1–200).")
        offset: int = Field(0, ge=0, le=1_000_000, description="How many items to skip.")


def known_query(*names: str) -> Callable[[Callable], Callable]:
    """Refuse (422) a query parameter the operation does not know, such as a misspelt
    filter, rather than silently answer as if it were not there. `limit` and `offset`
    are known to every operation (every list is paginated)."""
    known = {"limit", "offset", *names}

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            unknown = sorted(set(request.GET) - known)
            if unknown:
                raise ValidationError(
                    [
                        {"loc": ("query", name), "msg": _("This parameter is not known here.")}
                        for name in unknown
                    ]
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Every operation may answer these, as problem details.
ERRORS: dict[int, Any] = {401: Problem, 403: Problem, 404: Problem, 422: Problem}

Slug = Path(
    ...,
    pattern=r"^[-a-zA-Z0-9_]+$",
    max_length=40,
    description="The round's slug.",
    examples=["oa26"],
)
SessionId = Path(..., ge=1, le=2**63 - 1, description="The session's id.", examples=[1])
RegionCode = Query(
    None, ge=1, le=99_999, description="Only the municipalities of this region (DAGI code)."
)


def _round(slug: str) -> Round:
    return get_object_or_404(Round, slug=slug)


@api.get(
    "/rounds",
    response={200: list[RoundOut], **ERRORS},
    auth=TokenAuth(Scope.ROUNDS_READ),
    tags=["rounds"],
    summary="List rounds",
)
@paginate(Page)
@known_query("published")
def list_rounds(
    request: HttpRequest,
    published: bool | None = Query(None, description="Only published (or unpublished) rounds."),
):
    """Every round, newest first. Scope: rounds:read."""
    rounds = selectors.api_rounds()
    if published is not None:
        rounds = rounds.filter(is_published=published)
    return rounds


@api.get(
    "/rounds/{slug}",
    response={200: RoundOut, **ERRORS},
    auth=TokenAuth(Scope.ROUNDS_READ),
    tags=["rounds"],
    summary="Get a round",
)
@known_query()
def get_round(request: HttpRequest, slug: str = Slug):
    """One round with its timeline and its virtual large meeting. Scope: rounds:read."""
    return get_object_or_404(selectors.api_rounds(), slug=slug)


@api.get(
    "/rounds/{slug}/sessions",
    response={200: list[SessionOut], **ERRORS},
    auth=TokenAuth(Scope.ROUNDS_READ),
    tags=["rounds"],
    summary="List a round's sessions",
)
@paginate(Page)
@known_query()
def list_sessions(request: HttpRequest, slug: str = Slug):
    """The sessions of the round's virtual large meeting, with capacity, registered and
    waitlisted. Scope: rounds:read."""
    return selectors.api_sessions(round=_round(slug))


def _session(slug: str, session_id: int) -> Session:
    return get_object_or_404(selectors.api_sessions(round=_round(slug)), pk=session_id)


@api.get(
    "/rounds/{slug}/sessions/{session_id}",
    response={200: SessionOut, **ERRORS},
    auth=TokenAuth(Scope.ROUNDS_READ),
    tags=["rounds"],
    summary="Get a session",
)
@known_query()
def get_session(request: HttpRequest, slug: str = Slug, session_id: int = SessionId):
    """One session of the round, with its counts. Scope: rounds:read."""
    return _session(slug, session_id)


@api.get(
    "/rounds/{slug}/sessions/{session_id}/registrations",
    response={200: list[RegistrationOut], **ERRORS},
    auth=TokenAuth(Scope.REGISTRATIONS_READ),
    tags=["registrations"],
    summary="List a session's registrations",
)
@paginate(Page)
@known_query("status")
def list_registrations(
    request: HttpRequest,
    slug: str = Slug,
    session_id: int = SessionId,
    status: Literal["confirmed", "waitlisted", "cancelled"] | None = Query(
        None, description="Only registrations with this status."
    ),
):
    """The registrations of one session, oldest first, with the registrant's name, email and
    municipality (personal data). Scope: registrations:read."""
    return selectors.api_registrations(session=_session(slug, session_id), status=status or "")


@api.get(
    "/rounds/{slug}/inputs",
    response={200: list[CouncilInputOut], **ERRORS},
    auth=TokenAuth(Scope.INPUTS_READ),
    tags=["council input"],
    summary="List a round's council input",
)
@paginate(Page)
@known_query("status", "region")
def list_council_inputs(
    request: HttpRequest,
    slug: str = Slug,
    status: Literal["not_started", "draft", "submitted", "received", "used"] | None = Query(
        None, description="Only input with this status."
    ),
    region: int | None = RegionCode,
):
    """Each municipality's input to the round, by municipality name: status and the latest
    submitted version (drafts are not exposed). Scope: inputs:read."""
    return selectors.api_council_inputs(round=_round(slug), status=status or "", region_code=region)


@api.get(
    "/rounds/{slug}/coverage",
    response={200: list[CoverageOut], **ERRORS},
    auth=TokenAuth(Scope.COVERAGE_READ),
    tags=["coverage"],
    summary="Coverage per municipality",
)
@paginate(Page)
@known_query("region")
def list_coverage(request: HttpRequest, slug: str = Slug, region: int | None = RegionCode):
    """Every municipality, by name: invited, registered, attended, input status, whether its
    KKR discussed the round and its speaker requests. Scope: coverage:read."""
    return sources.coverage_municipalities(round=_round(slug), region_code=region)


@api.get(
    "/rounds/{slug}/coverage/regions",
    response={200: list[RegionCoverageOut], **ERRORS},
    auth=TokenAuth(Scope.COVERAGE_READ),
    tags=["coverage"],
    summary="Coverage per region",
)
@paginate(Page)
@known_query()
def list_region_coverage(request: HttpRequest, slug: str = Slug):
    """Every region, by name, with its municipalities' figures added up and its KKR's
    status. Scope: coverage:read."""
    return sources.coverage_regions(round=_round(slug))


@api.get(
    "/rounds/{slug}/themes",
    response={200: list[ThemeOut], **ERRORS},
    auth=TokenAuth(Scope.THEMES_READ),
    tags=["themes"],
    summary="A round's themes",
)
@paginate(Page)
@known_query()
def list_themes(request: HttpRequest, slug: str = Slug):
    """The round's themes: the reviewed themes of the theme analysis where there is one,
    otherwise the round's fixed theme list (`source` says which). Scope: themes:read."""
    return sources.theme_entries(round=_round(slug))
