"""Each role lands on its own page after logging in (password, then the code where needed)."""

import pytest
from django.urls import reverse

from samraad.directory.models import Municipality, Region, RoleKind
from samraad.directory.services import person_upsert
from samraad.tests_support.factories import StaffUserFactory, UserFactory
from samraad.tests_support.login import PASSWORD, totp_code, verified_device


def log_in(client, user, next_url=None):
    """Both steps through the pages; the answer to the last one."""
    device = verified_device(user)
    data = {"username": user.username, "password": PASSWORD}
    url = reverse("accounts:login")
    if next_url:
        data["next"] = next_url
        url += f"?next={next_url}"
    response = client.post(url, data)
    if not response["Location"].startswith(reverse("accounts:verify")):
        return response
    return client.post(response["Location"], {"code": totp_code(device)})


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
    response = log_in(client, StaffUserFactory(), next_url="/staff/mail/")
    assert response["Location"] == "/staff/mail/"


def test_next_to_another_site_is_ignored(client, db):
    response = log_in(client, StaffUserFactory(), next_url="https://evil.example/")
    assert response["Location"] == reverse("core:staff_home")
