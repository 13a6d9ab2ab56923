"""Staff pages for API tokens: create (the secret is shown once), list, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from samraad.api.forms import ApiTokenForm
from samraad.api.models import ApiToken
from samraad.api.services import api_token_create, api_token_revoke
from samraad.core.errors import ServiceError
from samraad.core.permissions import staff_required


def _visible_tokens(request: HttpRequest):
    """The user's own tokens; a superuser (administrator) sees everyone's."""
    tokens = ApiToken.objects.select_related("user", "revoked_by")
    if not request.user.is_superuser:
        tokens = tokens.filter(user=request.user)
    return tokens.order_by("-created_at", "-id")


@staff_required
@never_cache
def token_list(request: HttpRequest) -> HttpResponse:
    """The list and the form for a new token. A created token's secret is shown once, on
    the answer to the POST that created it, and never again."""
    created = None
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                created = api_token_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    expires_at=form.expires_at,
                )
            except ServiceError as error:
                form.add_error(None, error.message)
            else:
                form = ApiTokenForm()
    else:
        form = ApiTokenForm()
    response = render(
        request,
        "api/token_list.html",
        {"form": form, "created": created, "tokens": _visible_tokens(request)},
    )
    return response


@staff_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk)
    try:
        api_token_revoke(token=token, by=request.user)
    except ServiceError:
        raise Http404 from None
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api_tokens:list")
