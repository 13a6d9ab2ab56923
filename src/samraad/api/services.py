"""API tokens: create, revoke, and resolve the token an API request presents."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from samraad.accounts.models import User
from samraad.api.models import ApiToken, Scope
from samraad.core.errors import ServiceError

# What a token looks like: "sam_" + an 8-character hex prefix + "_" + the secret.
TOKEN_PREFIX = "sam_"  # noqa: S105 (not a secret)
_TOKEN = re.compile(r"sam_([0-9a-f]{8})_([A-Za-z0-9_-]{20,100})")
# How stale `last_used_at` may be: a use within this time of the last one is not written.
LAST_USE_PRECISION = datetime.timedelta(minutes=1)


def _hash(secret: str) -> str:
    # The secret is 256 random bits, so a plain SHA-256 cannot be reversed by guessing;
    # a slow password hash would only slow every API request down.
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    # The whole token as the client sends it; shown once and never stored.
    plaintext: str


def api_token_create(
    *,
    user: User,
    name: str,
    scopes: Iterable[str],
    expires_at: datetime.datetime | None = None,
) -> CreatedToken:
    """A new token for `user` with `scopes`. The plaintext exists only in the return value.

    Refused for a user who is not active staff, for an unknown or empty scope
    list, and for an expiry in the past.
    """
    if not (user.is_active and user.is_staff):
        raise ServiceError(_("Only active staff users can have API tokens."), code="not_staff")
    chosen = sorted(set(scopes))
    if not chosen:
        raise ServiceError(_("Choose at least one scope."), code="no_scope")
    unknown = [scope for scope in chosen if scope not in Scope.values]
    if unknown:
        raise ServiceError(
            _("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(unknown)}, code="scope"
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ServiceError(_("The expiry must be in the future."), code="expiry")
    name = name.strip()
    if not name:
        raise ServiceError(_("Give the token a name."), code="name")
    while True:
        prefix = secrets.token_hex(4)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=prefix,
        secret_hash=_hash(secret),
        scopes=chosen,
        expires_at=expires_at,
    )
    return CreatedToken(token=token, plaintext=f"{TOKEN_PREFIX}{prefix}_{secret}")


def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke `token` (at once, for good). Its owner or a superuser may; revoking twice is a no-op.

    Anyone else gets a ServiceError with code "not_found", so that views answer 404.
    """
    if token.user_id != by.pk and not by.is_superuser:
        raise ServiceError(_("No such token."), code="not_found")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def api_token_authenticate(*, plaintext: str) -> ApiToken | None:
    """The live token `plaintext` names, marked as used; None for any other string.

    Live: the secret matches, neither revoked nor expired, and its user is an
    active staff user. Forged, revoked, expired and orphaned tokens get the same
    None, so a caller learns nothing about which tokens exist.
    """
    match = _TOKEN.fullmatch(plaintext or "")
    if match is None:
        return None
    prefix, secret = match.groups()
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(secret)):
        return None
    if not token.is_active or not (token.user.is_active and token.user.is_staff):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
