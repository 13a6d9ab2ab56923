"""Django's admin behind the same two-factor login as the back office.

The admin accepts only staff whose session passed the second step (django-otp's
OTPAdminSite). Its own login form is not used: logging in goes through
Samråd's login pages, with their rate limit, and comes back to the admin.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.admin import OTPAdminSite

from samraad.accounts import two_factor
from samraad.accounts.views import second_step_url


class SamraadAdminSite(OTPAdminSite):
    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = reverse("admin:index", current_app=self.name)
        if not request.user.is_authenticated:
            return redirect_to_login(next_url)
        if not request.user.is_active or not request.user.is_staff:
            raise PermissionDenied
        if not two_factor.session_verified(request):
            return redirect(second_step_url(request, next_url))
        return redirect(next_url)
