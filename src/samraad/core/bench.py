"""The benchmark's floor endpoint, served only in benchmark mode (SAMRAAD_BENCH=1).

`make bench-registration` compares the member's registration journey with the
cheapest write request the same stack can answer: one request authenticated
by a personal link, then one INSERT. This module is the instrument for that
comparison, not a feature; samraad/urls.py includes it only when
settings.BENCH_MODE is on, which production never sets.
"""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from samraad.accounts.models import AccessLink, AccessPurpose
from samraad.accounts.services import access_link_create


@csrf_exempt
@require_POST
def floor(request: HttpRequest, token: str) -> HttpResponse:
    """Authenticate by a member's personal link (one SELECT), then write one row (one INSERT)."""
    link = (
        AccessLink.objects.select_related("round", "person")
        .filter(
            # The same hash as accounts.services stores; only the hash is kept.
            token_hash=hashlib.sha256(token.encode("utf-8")).hexdigest(),
            purpose=AccessPurpose.MEMBER,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if link is None:
        return HttpResponse(status=404)
    access_link_create(round=link.round, person=link.person, purpose=AccessPurpose.MEMBER)
    return HttpResponse(status=204)


app_name = "bench"
urlpatterns = [path("floor/<str:token>/", floor, name="floor")]
