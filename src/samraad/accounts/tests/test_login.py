"""Each role lands on its own page after logging in."""

import pytest
from django.urls import reverse

from samraad.directory.models import Municipality, Region, RoleKind
from samraad.directory.services import person_upsert
from samraad.tests_support.factories import StaffUserFactory, UserFactory

PASSWORD = "correct horse battery staple"


def log_in(client, user):
    return client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})


def test_staff_land_in_the_back_office(client, db):
    assert log_in(client, StaffUserFactory())["Location"] == reverse("core:staff_home")


@pytest.mark.parametrize(
    "kind,target",
    [
        (RoleKind.KKR_SECRETARY, "regional:index"),
        (RoleKind.BOARD_MEMBER, "speakers:engagements"),
        (RoleKind.SECRETARIAT, "speakers:engagements"),
        (RoleKind.COUNCIL_MEMBER, "rounds:current"),
    ],
)
def test_other_roles_land_on_their_own_page(client, db, kind, target):
    person = person_upsert(
        email=f"{kind}@kl.dk",
        name="Prøve",
        roles=[kind],
        region=Region.objects.get(code=1081),
        municipality=Municipality.objects.get(code=851),
    )
    response = log_in(client, UserFactory(person=person))
    assert response["Location"] == reverse(target)


def test_next_wins_over_the_start_page(client, db):
    user = StaffUserFactory()
    response = client.post(
        reverse("accounts:login") + "?next=/staff/mail/",
        {"username": user.username, "password": PASSWORD, "next": "/staff/mail/"},
    )
    assert response["Location"] == "/staff/mail/"
