"""Personal links: create, resolve, revoke."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db import transaction
from django.db.models import DateTimeField, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from samraad.accounts.models import AccessLink, AccessPurpose
from samraad.audit.models import AuditAction
from samraad.audit.services import audit_changes_record
from samraad.core.compiled import CompiledQuery
from samraad.core.errors import ServiceError
from samraad.core.timeutils import local_zone
from samraad.directory.models import Person
from samraad.rounds.models import Round

# How stale `last_used_at` may be: a use within this time of the last one is not written.
LAST_USE_PRECISION = datetime.timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _round_end(round_: Round) -> datetime.datetime:
    """The first moment after the round's last day, in Copenhagen time."""
    day_after = round_.ends_on + datetime.timedelta(days=1)
    return datetime.datetime.combine(day_after, datetime.time(), tzinfo=local_zone())


def access_link_create(*, round: Round, person: Person, purpose: AccessPurpose) -> str:
    """A new personal link token for `person` in `round`, valid until the round ends.

    Returns the token (only its hash is stored). Earlier links stay valid, so
    an older invitation keeps working after "send me my link".
    """
    token = secrets.token_urlsafe(32)
    AccessLink.objects.create(
        round=round,
        person=person,
        purpose=purpose,
        token_hash=_hash(token),
        expires_at=_round_end(round),
    )
    return token


# The link lookup, compiled once for each set of relations a caller loads with it: every
# page behind a personal link starts with it.
_LINK_QUERIES: dict[tuple[str, ...], CompiledQuery] = {}


def _link_query(related: tuple[str, ...]) -> CompiledQuery:
    if related not in _LINK_QUERIES:
        _LINK_QUERIES[related] = CompiledQuery(
            # No ORDER BY: the hash is unique, and ordering a wide select costs.
            lambda token_hash, purpose: (
                AccessLink.objects.select_related("round", "person", *related)
                .filter(token_hash=token_hash, purpose=purpose, revoked_at__isnull=True)
                .order_by()[:1]
            ),
            token_hash=str,
            purpose=str,
        )
    return _LINK_QUERIES[related]


def access_link_resolve(
    *, token: str, purpose: AccessPurpose, related: tuple[str, ...] = ()
) -> AccessLink:
    """The live link with this token, marked as used; a ServiceError for any other token.

    `first_used_at` is the first use; `last_used_at` is kept to the minute.

    Forged, revoked, expired and wrong-purpose tokens get the same answer, so
    the message reveals nothing about which links exist. `related` names more
    relations to load with the link (select_related).
    """
    now = timezone.now()
    # Only the joins the caller needs: each one costs the database planning time.
    link = (
        _link_query(tuple(related)).first(token_hash=_hash(token), purpose=purpose)
        if token and len(token) <= 128
        else None
    )
    if link is None or link.expires_at <= now:
        raise ServiceError(
            _(
                "This link does not work. It may have expired or been replaced. "
                "You can ask for a new link by email."
            ),
            code="invalid_link",
        )
    # One write at most, and none when the link was used in the last minute: a member
    # opening the page and registering from it makes one write, not four (each a
    # commit, and on SQLite a turn at the database's one write lock).
    if link.last_used_at is None or now - link.last_used_at >= LAST_USE_PRECISION:
        AccessLink.objects.filter(pk=link.pk).update(
            first_used_at=Coalesce("first_used_at", Value(now, output_field=DateTimeField())),
            last_used_at=now,
        )
        link.first_used_at = link.first_used_at or now
        link.last_used_at = now
    return link


@transaction.atomic
def access_links_revoke(*, person: Person, round: Round | None = None) -> int:
    """Revoke every live link of `person` (in `round`, or in all rounds); return how many."""
    links = AccessLink.objects.filter(person=person, revoked_at__isnull=True)
    if round is not None:
        links = links.filter(round=round)
    count = links.update(revoked_at=timezone.now())
    audit_changes_record(
        instance=person, action=AuditAction.REVOKE, changes={"revoked_links": [None, count]}
    )
    return count
