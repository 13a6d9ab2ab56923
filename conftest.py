"""Fixtures shared by every app's tests."""

import pytest

from samraad.tests_support.factories import StaffUserFactory
from samraad.tests_support.login import log_in_verified


@pytest.fixture
def staff_user(db):
    return StaffUserFactory()


@pytest.fixture
def staff_client(client, staff_user):
    """A client logged in as staff, two-factor login passed."""
    return log_in_verified(client, staff_user)
