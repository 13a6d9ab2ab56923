"""Errors as RFC 9457 problem details (`application/problem+json`), for every API error.

Each handler is registered on the NinjaAPI in `samraad.api.api`; the catch-all
view below answers unknown paths under /api/ the same way.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from samraad.core.errors import ServiceError

logger = logging.getLogger("samraad.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"
# Problem types that say more than the HTTP status (RFC 9457 §3.1.1); others are about:blank.
VALIDATION = "urn:samraad:problem:validation"
MISSING_SCOPE = "urn:samraad:problem:missing-scope"
INVALID_TOKEN = "urn:samraad:problem:invalid-token"  # noqa: S105 (a problem type)
REFUSED = "urn:samraad:problem:refused"


def problem_response(
    status: int, detail: str, *, type: str = "about:blank", **extra: Any
) -> HttpResponse:
    """A problem details response: type, title (the status's phrase), status, detail."""
    body = {
        "type": type,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        content_type=f"{PROBLEM_CONTENT_TYPE}; charset=utf-8",
    )


def authentication_failed(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem_response(
        401,
        _(
            "Send a valid API token as “Authorization: Bearer <token>”. The token may be "
            "wrong, revoked or expired, or its owner is no longer active staff."
        ),
        type=INVALID_TOKEN,
    )
    response["WWW-Authenticate"] = 'Bearer realm="samraad"'
    return response


def authorization_failed(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return problem_response(403, exc.message, type=MISSING_SCOPE)


def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return problem_response(429, _("Too many requests. Try again later."))


def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(exc.status_code, str(exc.message))


def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(404, _("There is no such object, or the token may not see it."))


def validation_failed(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {
            "location": ".".join(str(part) for part in error.get("loc", ())),
            "message": str(error.get("msg", "")),
        }
        for error in exc.errors
    ]
    return problem_response(
        422,
        _("The request's parameters are not valid: see “errors”."),
        type=VALIDATION,
        errors=errors,
    )


def service_refused(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    if exc.code == "not_found":
        return not_found(request, exc)
    return problem_response(400, exc.message, type=REFUSED)


def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s", request.path, exc_info=exc)
    return problem_response(500, _("Something went wrong on our side. It has been logged."))


HANDLERS = [
    (AuthenticationError, authentication_failed),
    (AuthorizationError, authorization_failed),
    (Throttled, throttled),
    (HttpError, http_error),
    (Http404, not_found),
    (NinjaValidationError, validation_failed),
    (ServiceError, service_refused),
    (Exception, server_error),
]


def with_problems(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`view` (one of django-ninja's URL views), with the errors that happen outside an
    operation as problems too: a method the path does not have (405, with Allow) and
    an address that is there only to be reversed (404)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404 as exc:
            return not_found(request, exc)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            PROBLEM_CONTENT_TYPE
        ):
            problem = problem_response(
                405,
                _("This address answers only %(methods)s.") % {"methods": response["Allow"]},
            )
            problem["Allow"] = response["Allow"]
            return problem
        return response

    return wrapper


def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any path under /api/ that names no operation."""
    return problem_response(404, _("There is no API operation at this address."))
