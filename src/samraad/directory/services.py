"""Every change to the directory goes through these functions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from samraad.audit.models import AuditAction
from samraad.audit.services import audit_action_record, audit_created_record
from samraad.core.errors import ServiceError
from samraad.directory.models import (
    MUNICIPAL_ROLES,
    REGIONAL_ROLES,
    EmailDomain,
    Municipality,
    Person,
    Region,
    Role,
    RoleKind,
)


@dataclass(frozen=True)
class PersonData:
    """One person as an import or the demo describes them; the email identifies them."""

    email: str
    name: str
    roles: frozenset[RoleKind]
    municipality: Municipality | None = None
    region: Region | None = None
    party: str = ""
    title: str = ""
    phone: str = ""


@dataclass(frozen=True)
class UpsertResult:
    created: int
    updated: int


_PERSON_FIELDS = ["name", "municipality", "region", "party", "title", "phone"]


def _validate_scope(row: PersonData, held: Iterable[str] = ()) -> None:
    """Refuse `row` if a role it grants, or one the person already holds, lacks its scope."""
    roles = row.roles | set(held)
    if roles & MUNICIPAL_ROLES and row.municipality is None:
        raise ServiceError(
            _("%(email)s: a council member or municipal contact needs a municipality.")
            % {"email": row.email}
        )
    if roles & REGIONAL_ROLES and row.region is None:
        raise ServiceError(_("%(email)s: a KKR secretary needs a region.") % {"email": row.email})


@transaction.atomic
def people_upsert(*, rows: Iterable[PersonData]) -> UpsertResult:
    """Create or update every person in `rows` and grant their roles; all or nothing.

    The email, compared case-insensitively, identifies a person, so loading
    the same people twice updates them in place and creates no duplicates.
    Roles are added, never removed. Municipal roles need a municipality and
    the KKR secretary role a region; otherwise a ServiceError names the row
    and nothing is saved.
    """
    wanted: dict[str, PersonData] = {}
    for row in rows:
        _validate_scope(row)
        wanted[row.email.strip().lower()] = row
    existing = {p.email: p for p in Person.objects.filter(email__in=list(wanted))}
    # Roles are never removed, so an existing person keeps needing the scope of those held.
    have = set(
        Role.objects.filter(person_id__in=[p.pk for p in existing.values()]).values_list(
            "person_id", "kind"
        )
    )
    held: dict[int, set[str]] = defaultdict(set)
    for pk, kind in have:
        held[pk].add(kind)
    for email, person in existing.items():
        _validate_scope(wanted[email], held=held[person.pk])
    to_create, to_update = [], []
    for email, row in wanted.items():
        values = {
            "name": row.name.strip(),
            "municipality": row.municipality,
            "region": row.region,
            "party": row.party.strip(),
            "title": row.title.strip(),
            "phone": row.phone.strip(),
        }
        person = existing.get(email)
        if person is None:
            to_create.append(Person(email=email, **values))
        else:
            for field, value in values.items():
                setattr(person, field, value)
            to_update.append(person)
    Person.objects.bulk_create(to_create, batch_size=500)
    Person.objects.bulk_update(to_update, _PERSON_FIELDS, batch_size=500)
    ids = dict(Person.objects.filter(email__in=list(wanted)).values_list("email", "pk"))
    roles = Role.objects.bulk_create(
        [
            Role(person_id=ids[email], kind=kind)
            for email, row in wanted.items()
            for kind in sorted(row.roles)
            if (ids[email], kind) not in have
        ],
        batch_size=500,
    )
    # One event for the whole import, not one per row (bulk writes send no model signals).
    audit_action_record(
        action=AuditAction.IMPORT,
        detail=f"people: {len(to_create)} created, {len(to_update)} updated, "
        f"{len(roles)} roles added",
    )
    return UpsertResult(created=len(to_create), updated=len(to_update))


def person_upsert(
    *,
    email: str,
    name: str,
    roles: Iterable[RoleKind | str],
    municipality: Municipality | None = None,
    region: Region | None = None,
    party: str = "",
    title: str = "",
    phone: str = "",
) -> Person:
    """Create or update one person by email and grant `roles` (see `people_upsert`)."""
    row = PersonData(
        email=email,
        name=name,
        roles=frozenset(RoleKind(kind) for kind in roles),
        municipality=municipality,
        region=region,
        party=party,
        title=title,
        phone=phone,
    )
    people_upsert(rows=[row])
    return Person.objects.get(email=email.strip().lower())


@transaction.atomic
def person_update(
    *,
    person: Person | None,
    email: str,
    name: str,
    roles: Iterable[RoleKind | str],
    municipality: Municipality | None = None,
    region: Region | None = None,
    party: str = "",
    title: str = "",
    phone: str = "",
) -> Person:
    """Save `person` (a new one when None) with these values and exactly these roles.

    Unlike `person_upsert`, this edits one known person: an email that another
    person already uses (compared case-insensitively) is refused rather than
    merged, and roles not in `roles` are removed. Municipal roles need a
    municipality and the KKR secretary role a region. A ServiceError says what
    is wrong, and nothing is saved.
    """
    email = email.strip().lower()
    kinds = frozenset(RoleKind(kind) for kind in roles)
    _validate_scope(
        PersonData(email=email, name=name, roles=kinds, municipality=municipality, region=region)
    )
    others = Person.objects.filter(email=email)
    if person is not None:
        others = others.exclude(pk=person.pk)
    if other := others.first():
        raise ServiceError(
            _("The email address %(email)s is already used by %(name)s.")
            % {"email": email, "name": other.name},
            code="email_taken",
        )
    person = person or Person()
    person.email, person.name = email, name.strip()
    person.municipality, person.region = municipality, region
    person.party, person.title, person.phone = party.strip(), title.strip(), phone.strip()
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # the same address saved by someone else a moment ago
        raise ServiceError(
            _("The email address %(email)s is already used by someone else.") % {"email": email},
            code="email_taken",
        ) from None
    person.roles.exclude(kind__in=kinds).delete()
    have = set(person.roles.values_list("kind", flat=True))
    added = Role.objects.bulk_create(
        [Role(person=person, kind=kind) for kind in sorted(kinds - have)]
    )
    audit_created_record(instances=added)
    return person


@transaction.atomic
def municipality_domains_set(*, municipality: Municipality, domains: Iterable[str]) -> None:
    """Make `domains` exactly the municipality's mail domains.

    A domain belongs to one municipality only; claiming another's is refused.
    """
    wanted = {domain.strip().lower() for domain in domains if domain.strip()}
    taken = EmailDomain.objects.filter(domain__in=wanted).exclude(municipality=municipality)
    if clash := taken.select_related("municipality").first():
        raise ServiceError(
            _("The domain %(domain)s already belongs to %(municipality)s.")
            % {"domain": clash.domain, "municipality": clash.municipality.name}
        )
    municipality.email_domains.exclude(domain__in=wanted).delete()
    have = set(municipality.email_domains.values_list("domain", flat=True))
    added = EmailDomain.objects.bulk_create(
        [EmailDomain(municipality=municipality, domain=d) for d in sorted(wanted - have)]
    )
    audit_created_record(instances=added)
