import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from samraad.core.permissions import role_required
from samraad.directory.models import Region, RoleKind
from samraad.directory.services import person_upsert
from samraad.tests_support.factories import StaffUserFactory, UserFactory


@role_required(RoleKind.KKR_SECRETARY)
def view(request):
    return HttpResponse(request.person.email if request.person else "staff")


def request_as(user):
    request = RequestFactory().get("/x/")
    request.user = user
    return request


def test_anonymous_goes_to_login(db):
    assert view(request_as(AnonymousUser())).status_code == 302


def test_a_user_without_the_role_is_refused(db):
    with pytest.raises(PermissionDenied):
        view(request_as(UserFactory()))


def test_a_kkr_secretary_gets_in_with_their_person(db):
    person = person_upsert(
        email="kkr@kl.dk",
        name="KKR",
        roles=[RoleKind.KKR_SECRETARY],
        region=Region.objects.get(code=1081),
    )
    user = UserFactory(person=person)
    assert view(request_as(user)).content == b"kkr@kl.dk"


def test_staff_get_in_without_a_person(db):
    assert view(request_as(StaffUserFactory())).content == b"staff"
