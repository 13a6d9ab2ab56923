from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from samraad.tests_support.factories import StaffUserFactory
from samraad.tests_support.login import log_in_verified


@pytest.fixture
def auditor(db):
    """A staff user who may read the audit log and erase people (an administrator's rights)."""
    user = StaffUserFactory(first_name="Anne", last_name="Auditor")
    user.user_permissions.add(
        Permission.objects.get(codename="view_auditevent", content_type__app_label="audit"),
        Permission.objects.get(codename="erase_person", content_type__app_label="audit"),
    )
    return user


@pytest.fixture
def auditor_client(client, auditor):
    client.cookies["samraad_language"] = "en"
    return log_in_verified(client, auditor)
