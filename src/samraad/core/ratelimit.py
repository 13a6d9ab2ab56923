"""Rate limits that hold across web processes: requests counted in the database."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.crypto import salted_hmac

from samraad.core.models import RateEvent


def rate_limited(
    *,
    scope: str,
    key: str,
    limit: int,
    window: datetime.timedelta,
    now: datetime.datetime | None = None,
) -> bool:
    """Count one request for (`scope`, `key`); True when `limit` was already reached.

    A refused request is not counted, so the limit lifts once the window has
    passed. `key` (a client address, say) is stored only as a keyed hash.
    """
    now = now or timezone.now()
    hashed = salted_hmac("samraad.core.ratelimit", f"{scope}:{key}", algorithm="sha256").hexdigest()
    since = now - window
    RateEvent.objects.filter(scope=scope, created_at__lte=since).delete()
    if RateEvent.objects.filter(scope=scope, key=hashed, created_at__gt=since).count() >= limit:
        return True
    RateEvent.objects.create(scope=scope, key=hashed, created_at=now)
    return False
