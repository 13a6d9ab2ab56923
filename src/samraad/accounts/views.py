"""Staff login: after logging in, each role lands on its own starting page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import reverse

from samraad.directory.models import RoleKind


def start_page(user) -> str:
    """Where a user begins: the back office for staff, their own pages for the other roles."""
    if user.is_staff:
        return reverse("core:staff_home")
    person = getattr(user, "person", None)
    kinds = set(person.roles.values_list("kind", flat=True)) if person else set()
    if RoleKind.KKR_SECRETARY in kinds:
        return reverse("regional:index")
    if kinds & {RoleKind.BOARD_MEMBER, RoleKind.SECRETARIAT}:
        return reverse("speakers:engagements")
    return reverse("rounds:current")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return start_page(self.request.user)
