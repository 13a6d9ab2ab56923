import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from samraad.core.permissions import role_required, staff_required
from samraad.directory.models import Region, RoleKind
from samraad.directory.services import person_upsert
from samraad.tests_support.factories import StaffUserFactory, UserFactory
from samraad.tests_support.login import verified_device


@role_required(RoleKind.KKR_SECRETARY)
def view(request):
    return HttpResponse(request.person.email if request.person else "staff")


def request_as(user, *, verified: bool = True):
    """A request from `user`; `verified` stands for a session that passed two-factor login."""
    request = RequestFactory().get("/x/")
    if user.is_authenticated:
        user.is_verified = lambda: verified
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


def test_a_kkr_secretary_without_the_second_step_is_sent_to_it(db):
    person = person_upsert(
        email="kkr@kl.dk",
        name="KKR",
        roles=[RoleKind.KKR_SECRETARY],
        region=Region.objects.get(code=1081),
    )
    response = view(request_as(UserFactory(person=person), verified=False))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:setup") + "?next=%2Fx%2F"


def test_staff_without_the_second_step_are_sent_to_it(db):
    user = StaffUserFactory()
    verified_device(user)
    for decorated in (view, staff_required(lambda request: HttpResponse("in"))):
        response = decorated(request_as(user, verified=False))
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:verify") + "?next=%2Fx%2F"
