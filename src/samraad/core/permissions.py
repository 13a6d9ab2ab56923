"""Who may open which page. Staff pages need a logged-in staff user who passed two-factor login."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from samraad.accounts.two_factor import STAFF_LOGIN_ROLES, session_verified
from samraad.accounts.views import second_step_url


def _second_step(request: HttpRequest) -> HttpResponse:
    """Send a user who passed the password step but not the code to the code (or its set-up)."""
    return redirect(second_step_url(request, request.get_full_path()))


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous users go to the login page; logged-in users who are not staff are refused.

    Staff whose session has not passed the second step (the authenticator's code
    or a recovery code) are sent to it, and come back here after it.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise PermissionDenied
        if not session_verified(request):
            return _second_step(request)
        return view(request, *args, **kwargs)

    return wrapper


def role_required(
    *kinds: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A logged-in user who is staff or whose person holds one of `kinds` (directory roles).

    Anonymous users go to the login page; others are refused; an allowed user
    whose session has not passed the second step is sent to it. The view gets
    `request.person` (None for staff without a person). Which objects the user
    may see is the view's business: it filters by the person's region,
    municipality or engagements, and answers 404 for the rest.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            person = getattr(request.user, "person", None)
            held = set(person.roles.values_list("kind", flat=True)) if person else set()
            if not request.user.is_staff and not held & set(kinds):
                raise PermissionDenied
            # Every role with a staff login has two factors (accounts.two_factor).
            needs_code = request.user.is_staff or held & STAFF_LOGIN_ROLES
            if needs_code and not session_verified(request):
                return _second_step(request)
            request.person = person
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
