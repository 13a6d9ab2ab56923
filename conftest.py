"""Fixtures shared by every app's tests."""

import pytest

from samraad.tests_support.factories import StaffUserFactory


@pytest.fixture
def staff_user(db):
    return StaffUserFactory()


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client
