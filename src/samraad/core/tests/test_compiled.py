"""CompiledQuery: the same rows and instances as the queryset, from SQL compiled once."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from samraad.core.compiled import CompiledQuery
from samraad.directory.models import Municipality, Person
from samraad.meetings.models import Registration, RegistrationStatus, Session
from samraad.tests_support.factories import MeetingFactory, PersonFactory, SessionFactory

pytestmark = pytest.mark.django_db

PEOPLE = CompiledQuery(
    lambda email: Person.objects.select_related("municipality__region").filter(email=email),
    email=str,
)


def test_it_gives_the_instances_the_queryset_gives_with_their_relations():
    person = PersonFactory(email="karen@aarhus.dk", municipality=Municipality.objects.get(code=751))
    PersonFactory(email="someone@else.dk")
    (found,) = PEOPLE.run(email="karen@aarhus.dk")
    expected = Person.objects.select_related("municipality__region").get(pk=person.pk)
    assert found == expected
    assert found.name == person.name and found.email == "karen@aarhus.dk"
    assert found._state.adding is False and found._state.db == "default"
    with CaptureQueriesContext(connection) as loading:
        assert found.municipality.name == "Aarhus"
        assert found.municipality.region == expected.municipality.region
    assert len(loading) == 0, "select_related rows must come with the instance"


def test_each_call_runs_with_its_own_values_and_only_the_sql():
    PersonFactory(email="a@example.dk")
    PersonFactory(email="b@example.dk")
    PEOPLE.run(email="a@example.dk")
    with CaptureQueriesContext(connection) as queries:
        assert [p.email for p in PEOPLE.run(email="b@example.dk")] == ["b@example.dk"]
        assert PEOPLE.run(email="nobody@example.dk") == []
    assert len(queries) == 2
    # A value is a value, never SQL.
    assert PEOPLE.run(email="x' OR '1'='1") == []
    assert PEOPLE.first(email="a@example.dk").email == "a@example.dk"
    assert PEOPLE.first(email="nobody@example.dk") is None


def test_annotations_and_integer_values():
    meeting = MeetingFactory()
    first, second = SessionFactory(meeting=meeting), SessionFactory(meeting=meeting)
    SessionFactory()  # another meeting's
    for number in range(3):
        Registration.objects.create(
            meeting=meeting,
            session=first if number else second,
            person=PersonFactory(),
            status=RegistrationStatus.CONFIRMED if number < 2 else RegistrationStatus.WAITLISTED,
        )
    seats = CompiledQuery(
        lambda meeting_id: (
            Session.objects.filter(meeting_id=meeting_id)
            .annotate(taken=Count("registrations", filter=Q(registrations__status="confirmed")))
            .order_by("id")
        ),
        meeting_id=int,
    )
    assert [(s.pk, s.taken) for s in seats.run(meeting_id=meeting.pk)] == [
        (first.pk, 1),
        (second.pk, 1),
    ]
    assert seats.run(meeting_id="999999999") == []  # converted to the declared type


def test_a_locking_read_runs_in_the_callers_transaction():
    session = SessionFactory()
    lock = CompiledQuery(
        lambda session_id: Session.objects.select_for_update().filter(pk=session_id),
        session_id=int,
    )
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        (locked,) = lock.run(session_id=session.pk)
    assert locked.pk == session.pk
    locking = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert len(locking) == (1 if connection.features.has_select_for_update else 0), queries


def test_a_query_it_cannot_handle_fails_at_once():
    not_a_value = CompiledQuery(
        lambda email: Person.objects.filter(email__iexact=email.upper()), email=str
    )
    with pytest.raises(TypeError, match="did not reach the SQL"):
        not_a_value.run(email="a@example.dk")
    values = CompiledQuery(lambda email: Person.objects.filter(email=email).values("id"), email=str)
    with pytest.raises(TypeError, match="plain model querysets"):
        values.run(email="a@example.dk")
    with pytest.raises(TypeError, match="exactly"):
        PEOPLE.run(mail="a@example.dk")
    with pytest.raises(TypeError, match="str and int"):
        CompiledQuery(lambda when: Person.objects.filter(created_at=when), when=object)
