"""The staff page of the audit log: who may see it, and its filters."""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samraad.audit.models import AuditAction, AuditEvent
from samraad.core.timeutils import local_datetime
from samraad.tests_support.factories import PersonFactory, UserFactory
from samraad.tests_support.login import log_in_verified

URL = "/staff/audit/"


def _event(**fields) -> AuditEvent:
    values = {"at": timezone.now(), "action": AuditAction.UPDATE, "actor_label": "kim"}
    values.update(fields)
    return AuditEvent.objects.create(**values)


def test_the_page_is_at_its_address():
    assert reverse("audit:event_list") == URL


def test_staff_without_the_audit_permission_are_refused(staff_client):
    assert staff_client.get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_back_office_links_the_log_only_for_auditors(staff_user, auditor):
    staff, audit = log_in_verified(Client(), staff_user), log_in_verified(Client(), auditor)
    assert URL not in staff.get(reverse("core:staff_home")).content.decode()
    assert URL in audit.get(reverse("core:staff_home")).content.decode()


def test_an_auditor_sees_events_with_their_changes(auditor_client):
    _event(
        object_type="directory.person",
        object_id="7",
        object_label="Karen Hansen",
        changes={"name": ["Karen Prøvesen", "Karen Hansen"]},
    )
    page = auditor_client.get(URL).content.decode()
    assert "Karen Prøvesen → Karen Hansen" in page
    assert "directory.person #7" in page


def _shown(client, **params) -> set[str]:
    page = client.get(URL, params).content.decode()
    return {label for label in ("alpha", "beta", "gamma") if f">{label}<" in page}


def test_filters_by_actor_action_object_type_date_and_text(auditor_client):
    _event(
        actor_label="kim",
        action=AuditAction.UPDATE,
        object_type="directory.person",
        object_label="alpha",
        at=local_datetime(2026, 3, 2, 0, 30),
    )
    _event(
        actor_label="sara",
        action=AuditAction.DELETE,
        object_type="directory.role",
        object_label="beta",
        at=local_datetime(2026, 3, 3, 23, 30),
        detail="needle",
    )
    _event(
        actor_label="sara",
        action=AuditAction.EXPORT,
        object_label="gamma",
        at=local_datetime(2026, 3, 5, 12),
    )
    assert _shown(auditor_client) == {"alpha", "beta", "gamma"}
    assert _shown(auditor_client, actor="SAR") == {"beta", "gamma"}
    assert _shown(auditor_client, action="delete") == {"beta"}
    assert _shown(auditor_client, object_type="directory.person") == {"alpha"}
    # Whole Copenhagen days, both ends included.
    assert _shown(auditor_client, date_from="2026-03-02", date_to="2026-03-03") == {
        "alpha",
        "beta",
    }
    assert _shown(auditor_client, date_from="2026-03-04") == {"gamma"}
    assert _shown(auditor_client, q="needle") == {"beta"}


def test_a_bad_filter_is_explained_not_an_error(auditor_client):
    response = auditor_client.get(
        URL, {"date_from": "2026-03-05", "date_to": "2026-03-01", "action": "bogus"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The end date is before the start date." in page
    assert "Select a valid choice" in page


def test_the_log_is_paginated(auditor_client):
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(at=now - datetime.timedelta(seconds=n), action="update", object_label=f"e{n}")
        for n in range(60)
    )
    first = auditor_client.get(URL).content.decode()
    assert ">e0<" in first and ">e59<" not in first
    second = auditor_client.get(URL, {"page": 2}).content.decode()
    assert ">e59<" in second


def test_the_admin_cannot_change_or_delete_an_event(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    log_in_verified(client, admin)
    event = _event(object_label=PersonFactory().name)
    change = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert change.status_code == 200  # view only
    assert 'name="_save"' not in change.content.decode()
    delete = client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
