"""people_upsert / person_upsert and municipality_domains_set."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samraad.core.errors import ServiceError
from samraad.directory.models import EmailDomain, Municipality, Person, Region, Role, RoleKind
from samraad.directory.services import (
    PersonData,
    municipality_domains_set,
    people_upsert,
    person_upsert,
)

COUNCIL = frozenset({RoleKind.COUNCIL_MEMBER})


@pytest.fixture
def copenhagen(db):
    return Municipality.objects.get(code=101)


@pytest.fixture
def aarhus(db):
    return Municipality.objects.get(code=751)


def _members(municipality, count, *, start=0, prefix="member", domain="koebenhavn.dk"):
    return [
        PersonData(
            email=f"{prefix}{n}@{domain}",
            name=f"Member Prøvesen {n}",
            roles=COUNCIL,
            municipality=municipality,
            party="Venstre",
        )
        for n in range(start, start + count)
    ]


def _counts():
    return Person.objects.count(), Role.objects.count()


def test_people_upsert_creates_people_with_their_roles(copenhagen):
    result = people_upsert(rows=_members(copenhagen, 3))

    assert (result.created, result.updated) == (3, 0)
    assert Person.objects.filter(municipality=copenhagen).count() == 3
    assert Person.objects.with_role(RoleKind.COUNCIL_MEMBER).count() == 3
    person = Person.objects.get(email="member1@koebenhavn.dk")
    assert (person.name, person.party) == ("Member Prøvesen 1", "Venstre")


def test_people_upsert_again_updates_in_place(copenhagen, aarhus):
    people_upsert(rows=_members(copenhagen, 3))
    pk = Person.objects.get(email="member0@koebenhavn.dk").pk

    result = people_upsert(
        rows=[
            PersonData(
                email="  MEMBER0@Koebenhavn.DK ",
                name=" Renamed Prøvesen ",
                roles=COUNCIL,
                municipality=aarhus,
                party="Radikale Venstre",
                title="Borgmester",
            ),
            *_members(copenhagen, 2, start=1),
        ]
    )

    assert (result.created, result.updated) == (0, 3)
    assert _counts() == (3, 3)
    person = Person.objects.get(pk=pk)
    assert person.email == "member0@koebenhavn.dk"
    assert (person.name, person.municipality, person.party, person.title) == (
        "Renamed Prøvesen",
        aarhus,
        "Radikale Venstre",
        "Borgmester",
    )


def test_people_upsert_same_email_twice_in_one_load_is_one_person(copenhagen):
    rows = [
        PersonData(email="anne@koebenhavn.dk", name="Anne", roles=COUNCIL, municipality=copenhagen),
        PersonData(
            email="ANNE@koebenhavn.dk", name="Anne P", roles=COUNCIL, municipality=copenhagen
        ),
    ]
    people_upsert(rows=rows)
    assert list(Person.objects.values_list("email", "name")) == [("anne@koebenhavn.dk", "Anne P")]


def test_roles_are_added_never_removed(copenhagen):
    person_upsert(
        email="mayor@koebenhavn.dk",
        name="Mayor",
        roles=[RoleKind.COUNCIL_MEMBER],
        municipality=copenhagen,
    )
    person = person_upsert(
        email="Mayor@koebenhavn.dk",
        name="Mayor",
        roles=[RoleKind.BOARD_MEMBER],
        municipality=copenhagen,
    )
    again = person_upsert(
        email="mayor@koebenhavn.dk",
        name="Mayor",
        roles=[RoleKind.COUNCIL_MEMBER],
        municipality=copenhagen,
    )

    assert again.pk == person.pk
    assert set(person.roles.values_list("kind", flat=True)) == {
        RoleKind.COUNCIL_MEMBER,
        RoleKind.BOARD_MEMBER,
    }
    assert _counts() == (1, 2)


def _kkr_secretary_without_region():
    return PersonData(
        email="kkr@kl.dk", name="KKR secretary", roles=frozenset({RoleKind.KKR_SECRETARY})
    )


def _member_without_municipality():
    return PersonData(email="nowhere@example.dk", name="No Municipality", roles=COUNCIL)


def _contact_without_municipality():
    return PersonData(
        email="contact@example.dk",
        name="Contact",
        roles=frozenset({RoleKind.MUNICIPAL_CONTACT}),
    )


@pytest.mark.parametrize(
    ("bad_row", "named"),
    [
        (_member_without_municipality, "nowhere@example.dk"),
        (_contact_without_municipality, "contact@example.dk"),
        (_kkr_secretary_without_region, "kkr@kl.dk"),
    ],
)
def test_a_person_out_of_scope_saves_nothing(copenhagen, bad_row, named):
    people_upsert(rows=_members(copenhagen, 2))
    before = _counts()
    rows = [
        # an update of an existing person and a new person, both valid, before the bad row
        PersonData(
            email="member0@koebenhavn.dk",
            name="Changed",
            roles=frozenset({RoleKind.COUNCIL_MEMBER, RoleKind.BOARD_MEMBER}),
            municipality=copenhagen,
        ),
        *_members(copenhagen, 5, start=10),
        bad_row(),
    ]

    with pytest.raises(ServiceError) as error:
        people_upsert(rows=rows)

    assert named in error.value.message
    assert _counts() == before
    assert Person.objects.get(email="member0@koebenhavn.dk").name == "Member Prøvesen 0"
    assert not Role.objects.filter(kind=RoleKind.BOARD_MEMBER).exists()


def test_kkr_secretary_with_region_and_council_member_with_municipality_are_accepted(copenhagen):
    region = Region.objects.get(code=1084)
    people_upsert(
        rows=[
            PersonData(
                email="kkr@kl.dk",
                name="KKR secretary",
                roles=frozenset({RoleKind.KKR_SECRETARY}),
                region=region,
            ),
            PersonData(email="board@kl.dk", name="Board", roles=frozenset({RoleKind.BOARD_MEMBER})),
        ]
    )
    assert Person.objects.get(email="kkr@kl.dk").region == region
    assert _counts() == (2, 2)


def test_a_council_member_cannot_lose_the_municipality_by_a_later_load(copenhagen):
    """The role is kept (roles are never removed), so the municipality must stay too."""
    person_upsert(
        email="mayor@koebenhavn.dk",
        name="Mayor",
        roles=[RoleKind.COUNCIL_MEMBER],
        municipality=copenhagen,
    )

    with pytest.raises(ServiceError) as error:
        person_upsert(email="mayor@koebenhavn.dk", name="Mayor", roles=[RoleKind.BOARD_MEMBER])

    assert "mayor@koebenhavn.dk" in error.value.message
    person = Person.objects.get(email="mayor@koebenhavn.dk")
    assert person.municipality == copenhagen
    assert list(person.roles.values_list("kind", flat=True)) == [RoleKind.COUNCIL_MEMBER]


def _queries(rows):
    with CaptureQueriesContext(connection) as queries:
        people_upsert(rows=rows)
    return len(queries)


def test_people_upsert_query_count_does_not_grow_with_the_rows(copenhagen, aarhus):
    create_10 = _queries(_members(copenhagen, 10, prefix="a"))
    create_100 = _queries(_members(copenhagen, 100, prefix="b"))
    update_10 = _queries(_members(aarhus, 10, prefix="a"))
    update_100 = _queries(_members(aarhus, 100, prefix="b"))

    assert create_10 == create_100
    assert update_10 == update_100
    assert Person.objects.filter(municipality=aarhus).count() == 110
    assert _counts() == (110, 110)


def test_domains_set_makes_exactly_the_given_domains(copenhagen):
    municipality_domains_set(municipality=copenhagen, domains=["kk.dk", "kff.kk.dk"])
    municipality_domains_set(municipality=copenhagen, domains=[" KK.dk ", "bib.kk.dk", ""])

    assert set(copenhagen.email_domains.values_list("domain", flat=True)) == {"kk.dk", "bib.kk.dk"}

    municipality_domains_set(municipality=copenhagen, domains=[])
    assert not copenhagen.email_domains.exists()


def test_domains_set_refuses_the_domain_of_another_municipality(copenhagen, aarhus):
    municipality_domains_set(municipality=aarhus, domains=["aarhus.dk"])
    municipality_domains_set(municipality=copenhagen, domains=["kk.dk"])

    with pytest.raises(ServiceError) as error:
        municipality_domains_set(municipality=copenhagen, domains=["kk.dk", "Aarhus.dk", "new.dk"])

    assert "aarhus.dk" in error.value.message
    assert "Aarhus" in error.value.message
    assert list(copenhagen.email_domains.values_list("domain", flat=True)) == ["kk.dk"]
    assert list(
        EmailDomain.objects.filter(domain="aarhus.dk").values_list("municipality", flat=True)
    ) == [aarhus.pk]
