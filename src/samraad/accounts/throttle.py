"""The login rate limit: failed steps per account and per client address, in the database.

Every failed password and every wrong two-factor code is a `LoginFailure` row
under two keys, the account (the name typed, or the user for the code step)
and the client's address. While either key has reached its limit within the
window, further attempts are refused unchecked and are not counted, so a lock
ends when the window has passed. The answer is the same whether or not the
account exists. The rows are in the database, so all web processes share them.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from samraad.accounts.models import LoginFailure, LoginFailureScope

_SALT = "samraad.accounts.throttle"


def _key(value: str) -> str:
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()


def account_key(username: str) -> str:
    """The key of the account someone typed the name of (whether or not it exists)."""
    return _key("user:" + username.strip().casefold())


def user_key(user) -> str:
    """The key of a known user, for the two-factor step."""
    return account_key(user.get_username())


def client_address(request: HttpRequest) -> str:
    """The client's address: the connection's, or the one the trusted proxies recorded."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def _window_start(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def login_locked(*, account: str, client: str, now: datetime.datetime | None = None) -> bool:
    """Whether attempts for `account` (a key) or from `client` (an address) are locked now."""
    now = now or timezone.now()
    counts = LoginFailure.objects.filter(created_at__gt=_window_start(now)).aggregate(
        account=Count("pk", filter=Q(scope=LoginFailureScope.ACCOUNT, key=account)),
        client=Count("pk", filter=Q(scope=LoginFailureScope.CLIENT, key=_key(client))),
    )
    return (
        counts["account"] >= settings.LOGIN_FAILURES_PER_ACCOUNT
        or counts["client"] >= settings.LOGIN_FAILURES_PER_CLIENT
    )


def login_failure_record(
    *, account: str, client: str, now: datetime.datetime | None = None
) -> None:
    """Count one failed step against `account` (a key) and `client`; forget expired ones."""
    now = now or timezone.now()
    LoginFailure.objects.filter(created_at__lte=_window_start(now)).delete()
    LoginFailure.objects.bulk_create(
        [
            LoginFailure(scope=LoginFailureScope.ACCOUNT, key=account, created_at=now),
            LoginFailure(scope=LoginFailureScope.CLIENT, key=_key(client), created_at=now),
        ]
    )


def login_failures_clear(*, account: str) -> None:
    """Forget an account's failures once its owner has logged in completely.

    The client's failures stay: they may belong to attempts on other accounts.
    """
    LoginFailure.objects.filter(scope=LoginFailureScope.ACCOUNT, key=account).delete()
