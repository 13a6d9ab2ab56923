"""The benchmark's floor endpoint: one authenticated INSERT, and routed only in benchmark mode."""

from __future__ import annotations

import datetime

import pytest
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from samraad.accounts.models import AccessLink, AccessPurpose
from samraad.accounts.services import access_link_create
from samraad.core.bench import floor
from samraad.directory.models import Municipality, RoleKind
from samraad.directory.services import person_upsert
from samraad.tests_support.factories import RoundFactory


def test_the_floor_is_not_routed_outside_benchmark_mode(settings):
    assert settings.BENCH_MODE is False
    with pytest.raises(NoReverseMatch):
        reverse("bench:floor", args=["token"])


@pytest.mark.django_db
def test_the_floor_inserts_one_row_for_a_live_link_and_nothing_for_another():
    today = timezone.localdate()
    round_ = RoundFactory(
        starts_on=today - datetime.timedelta(days=30), ends_on=today + datetime.timedelta(days=90)
    )
    person = person_upsert(
        email="karen@aarhus.dk",
        name="Karen Prøvesen",
        roles=[RoleKind.COUNCIL_MEMBER],
        municipality=Municipality.objects.get(code=751),
    )
    token = access_link_create(round=round_, person=person, purpose=AccessPurpose.MEMBER)
    factory = RequestFactory()

    assert floor(factory.post("/bench/floor/"), token=token).status_code == 204
    assert AccessLink.objects.filter(person=person).count() == 2
    assert floor(factory.post("/bench/floor/"), token="forged").status_code == 404
    assert floor(factory.get("/bench/floor/"), token=token).status_code == 405
    assert AccessLink.objects.count() == 2
