"""What the audit log records: staff changes with before and after, logins, exports."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samraad.accounts.models import AccessPurpose
from samraad.accounts.services import access_link_create
from samraad.audit.context import current_request
from samraad.audit.models import AuditAction, AuditEvent
from samraad.audit.registry import HIDDEN
from samraad.directory.models import Municipality, Person, RoleKind
from samraad.directory.services import person_update
from samraad.meetings.models import Registration
from samraad.tests_support.factories import (
    MeetingFactory,
    PersonFactory,
    RoundFactory,
    SessionFactory,
    StaffUserFactory,
)
from samraad.tests_support.login import PASSWORD


def _person_form(person: Person, **changes) -> dict:
    data = {
        "name": person.name,
        "email": person.email,
        "municipality": person.municipality_id or "",
        "region": "",
        "party": person.party,
        "title": person.title,
        "phone": person.phone,
        "roles": ["council_member"],
    }
    data.update(changes)
    return data


def test_a_staff_change_to_a_person_records_who_when_and_before_and_after(staff_client, staff_user):
    person = PersonFactory(name="Karen Prøvesen", party="A")
    response = staff_client.post(
        reverse("directory:person_edit", args=[person.pk]),
        _person_form(person, name="Karen Hansen", party="V"),
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="directory.person")
    assert event.actor == staff_user
    assert event.actor_label == staff_user.username
    assert event.object_id == str(person.pk)
    assert event.person_id == person.pk
    assert event.changes == {"name": ["Karen Prøvesen", "Karen Hansen"], "party": ["A", "V"]}
    assert event.path == reverse("directory:person_edit", args=[person.pk])
    assert event.ip == "127.0.0.1"
    assert timezone.now() - event.at < datetime.timedelta(minutes=5)
    # The role the form granted was a creation, with the person it belongs to.
    role_event = AuditEvent.objects.get(object_type="directory.role")
    assert role_event.action == AuditAction.CREATE
    assert role_event.changes["kind"] == [None, "council_member"]
    assert role_event.person_id == person.pk


def test_saving_without_a_change_of_a_key_field_records_nothing(staff_client):
    person = PersonFactory(name="Karen Prøvesen")
    person_update(
        person=person,
        email=person.email,
        name=person.name,
        roles=[RoleKind.COUNCIL_MEMBER],
        municipality=person.municipality,
    )  # outside a request: no actor
    staff_client.post(reverse("directory:person_edit", args=[person.pk]), _person_form(person))
    assert not AuditEvent.objects.filter(object_type="directory.person").exists()


def test_a_join_link_change_is_recorded_as_changed_without_the_link(staff_client):
    meeting = MeetingFactory()
    session = SessionFactory(meeting=meeting, join_url="https://teams.example/old-secret")
    staff_client.post(
        reverse("meetings:staff_session", args=[meeting.round.slug, session.pk]),
        {
            "starts_at": "2025-03-31T19:00",
            "ends_at": "2025-03-31T20:30",
            "format": "teams_meeting",
            "capacity": "900",
            "join_url": "https://teams.example/new-secret",
        },
    )
    session.refresh_from_db()
    assert session.join_url == "https://teams.example/new-secret"
    event = AuditEvent.objects.get(object_type="meetings.session")
    assert event.changes["join_url"] == [HIDDEN, HIDDEN]
    assert event.changes["capacity"] == [1000, 900]
    assert "secret" not in json.dumps(list(AuditEvent.objects.values()), default=str)


def test_deleting_records_the_values_before(staff_client):
    person = PersonFactory(name="Karen Prøvesen")
    person_update(
        person=person,
        email=person.email,
        name=person.name,
        roles=[RoleKind.COUNCIL_MEMBER, RoleKind.MUNICIPAL_CONTACT],
        municipality=person.municipality,
    )
    staff_client.post(reverse("directory:person_edit", args=[person.pk]), _person_form(person))
    event = AuditEvent.objects.get(object_type="directory.role", action=AuditAction.DELETE)
    assert event.changes["kind"] == ["municipal_contact", None]


def test_a_members_own_change_through_a_personal_link_is_not_a_staff_change(client, db):
    now = timezone.now()
    round_ = RoundFactory(
        starts_on=(now - datetime.timedelta(days=30)).date(),
        ends_on=(now + datetime.timedelta(days=90)).date(),
    )
    meeting = MeetingFactory(
        round=round_,
        registration_opens_at=now - datetime.timedelta(days=10),
        registration_deadline=now + datetime.timedelta(days=10),
    )
    session = SessionFactory(
        meeting=meeting,
        starts_at=now + datetime.timedelta(days=14),
        ends_at=now + datetime.timedelta(days=14, hours=1),
    )
    person = PersonFactory(municipality=Municipality.objects.get(code=751))
    token = access_link_create(round=round_, person=person, purpose=AccessPurpose.MEMBER)
    response = client.post(
        reverse("meetings:member", args=[token]), {"session": session.pk, "question": "Skoler"}
    )
    assert response.status_code == 302
    assert Registration.objects.filter(person=person).exists()
    assert not AuditEvent.objects.exists()


def test_the_same_change_by_staff_is_recorded(staff_client, staff_user):
    meeting = MeetingFactory()
    first = SessionFactory(meeting=meeting)
    second = SessionFactory(meeting=meeting)
    person = PersonFactory()
    registration = Registration.objects.create(
        meeting=meeting, session=first, person=person, status="confirmed"
    )  # no actor yet: not recorded
    assert not AuditEvent.objects.filter(object_type="meetings.registration").exists()
    request = staff_client.get("/").wsgi_request
    request.user = staff_user
    token = current_request.set(request)
    try:
        registration.session = second
        registration.save()
    finally:
        current_request.reset(token)
    event = AuditEvent.objects.get(object_type="meetings.registration")
    before, after = event.changes["session"]
    assert before.endswith(f"(#{first.pk})")
    assert after.endswith(f"(#{second.pk})")
    assert event.actor == staff_user
    assert event.person_id == person.pk


def test_revoking_a_persons_links_is_recorded(staff_client):
    meeting = MeetingFactory()
    person = PersonFactory()
    access_link_create(round=meeting.round, person=person, purpose=AccessPurpose.MEMBER)
    staff_client.post(reverse("meetings:staff_revoke_links", args=[meeting.round.slug, person.pk]))
    event = AuditEvent.objects.get(action=AuditAction.REVOKE)
    assert event.person_id == person.pk
    assert event.changes == {"revoked_links": [None, 1]}


def test_login_failed_login_and_logout_are_recorded(db):
    user = StaffUserFactory(username="kim@kl.example")
    client = Client()
    assert not client.login(username="kim@kl.example", password="wrong")
    assert not client.login(username="nobody@kl.example", password="wrong")
    assert client.login(username="kim@kl.example", password=PASSWORD)
    client.logout()
    events = list(AuditEvent.objects.order_by("id").values_list("action", "actor_label", "actor"))
    assert events == [
        (AuditAction.LOGIN_FAILED, "kim@kl.example", None),
        (AuditAction.LOGIN_FAILED, "nobody@kl.example", None),
        (AuditAction.LOGIN, "kim@kl.example", user.pk),
        (AuditAction.LOGOUT, "kim@kl.example", user.pk),
    ]
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).earliest("id")
    assert failed.object_id == str(user.pk)
    assert "wrong" not in json.dumps(list(AuditEvent.objects.values()), default=str)


def test_a_csv_export_is_recorded_with_what_was_exported(staff_client, staff_user):
    meeting = MeetingFactory()
    session = SessionFactory(meeting=meeting)
    for _ in range(3):
        Registration.objects.create(
            meeting=meeting, session=session, person=PersonFactory(), status="confirmed"
        )
    response = staff_client.get(reverse("meetings:staff_export", args=[meeting.round.slug, "csv"]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == staff_user
    assert event.detail == f"{meeting.round.slug}-registrations.csv (3 rows) [text/csv]"
    assert event.path == reverse("meetings:staff_export", args=[meeting.round.slug, "csv"])


def test_an_xlsx_export_and_a_download_outside_the_helpers_are_recorded(staff_client):
    meeting = MeetingFactory()
    SessionFactory(meeting=meeting)
    staff_client.get(reverse("meetings:staff_export", args=[meeting.round.slug, "xlsx"]))
    staff_client.get(reverse("meetings:staff_letter", args=[meeting.round.slug]))
    details = list(
        AuditEvent.objects.filter(action=AuditAction.EXPORT)
        .order_by("id")
        .values_list("detail", flat=True)
    )
    assert details[0].startswith(f"{meeting.round.slug}-registrations.xlsx (0 rows)")
    assert details[1].startswith(f"{meeting.round.slug}-invitation.pdf")
    assert len(details) == 2


@pytest.mark.parametrize("path", ["/privacy/", "/"])
def test_an_anonymous_page_view_records_nothing(client, db, path):
    client.get(path)
    assert not AuditEvent.objects.exists()


@pytest.fixture
def acting(rf, staff_user):
    """Run code as if in a request by `staff_user` (what AuditContextMiddleware provides)."""
    request = rf.post("/staff/somewhere/")
    request.user = staff_user
    token = current_request.set(request)
    yield request
    current_request.reset(token)


def test_changes_made_without_model_signals_are_recorded_by_their_services(acting, staff_user):
    from samraad.councils.models import CouncilInput, InputStatus
    from samraad.councils.services import council_input_mark
    from samraad.directory.models import EmailDomain
    from samraad.directory.services import PersonData, municipality_domains_set, people_upsert

    aarhus = Municipality.objects.get(code=751)
    EmailDomain.objects.filter(municipality=aarhus).delete()
    EmailDomain.objects.create(municipality=aarhus, domain="old.aarhus.dk")
    municipality_domains_set(municipality=aarhus, domains=["aarhus.dk"])
    domain_events = AuditEvent.objects.filter(object_type="directory.emaildomain")
    assert sorted(domain_events.values_list("action", flat=True)) == ["create", "create", "delete"]
    assert domain_events.get(action="delete").changes["domain"] == ["old.aarhus.dk", None]

    council_input = CouncilInput.objects.create(
        round=RoundFactory(), municipality=aarhus, status=InputStatus.SUBMITTED
    )
    council_input_mark(council_input=council_input, status=InputStatus.RECEIVED)
    event = AuditEvent.objects.get(object_type="councils.councilinput", action="update")
    assert event.changes == {"status": ["submitted", "received"]}
    assert event.actor == staff_user
    assert event.path == "/staff/somewhere/"

    people_upsert(
        rows=[
            PersonData(
                email=f"m{n}@aarhus.dk",
                name=f"Medlem {n}",
                roles=frozenset({RoleKind.COUNCIL_MEMBER}),
                municipality=aarhus,
            )
            for n in range(3)
        ]
    )
    imported = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert imported.detail == "people: 3 created, 0 updated, 3 roles added"
    assert not AuditEvent.objects.filter(object_type="directory.person").exists()
