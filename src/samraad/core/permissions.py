"""Who may open which page. Staff pages need a logged-in staff user."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous users go to the login page; logged-in users who are not staff are refused."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def role_required(
    *kinds: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A logged-in user who is staff or whose person holds one of `kinds` (directory roles).

    Anonymous users go to the login page; others are refused. The view gets
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
            request.person = person
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
