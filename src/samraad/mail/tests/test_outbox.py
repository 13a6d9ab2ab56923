"""The outbox service: a row per message, in the caller's transaction, at most once per purpose."""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samraad.core.errors import ServiceError
from samraad.mail.delivery import outbox_claim
from samraad.mail.models import OutboxMessage, OutboxStatus
from samraad.mail.services import (
    Attachment,
    dedupe_key,
    mail_queue,
    mail_queue_template,
    outbox_message_resend,
)
from samraad.tests_support.factories import PersonFactory
from samraad.tests_support.mail import outbox_attachments

ICS = (
    "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:Dialogmøde\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()
MESSAGE_ID = re.compile(r"^<[0-9a-f]{32}@samraad\.local>$")


def queue(**overrides) -> OutboxMessage:
    values = {
        "purpose": "invitation",
        "to_email": "soren@aeroe.example",
        "subject": "Invitation til dialogmøde",
        "text": "Kære Søren",
        "about": "meeting:1",
    }
    return mail_queue(**(values | overrides))


def statements(queries: CaptureQueriesContext) -> list[str]:
    """The SQL run, without transaction control (savepoints, BEGIN, COMMIT)."""
    control = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT")
    return [q["sql"] for q in queries.captured_queries if not q["sql"].upper().startswith(control)]


@pytest.mark.django_db
class TestMailQueue:
    def test_creates_a_queued_row_due_now(self):
        message = queue(html="<p>Kære Søren</p>", to_name="Søren Ærø", reply_to="svar@kl.example")

        stored = OutboxMessage.objects.get()
        assert stored == message
        assert stored.status == OutboxStatus.QUEUED
        assert stored.attempts == 0
        assert stored.purpose == "invitation"
        assert stored.dedupe_key == "invitation:soren@aeroe.example:meeting:1"
        assert (stored.subject, stored.body_text, stored.body_html) == (
            "Invitation til dialogmøde",
            "Kære Søren",
            "<p>Kære Søren</p>",
        )
        assert (stored.to_name, stored.reply_to, stored.language) == (
            "Søren Ærø",
            "svar@kl.example",
            "da",
        )
        assert stored.next_attempt_at <= timezone.now()  # due at once
        assert MESSAGE_ID.match(stored.message_id)

    def test_is_part_of_the_callers_transaction(self):
        with pytest.raises(RuntimeError), transaction.atomic():
            queue()
            assert OutboxMessage.objects.count() == 1
            raise RuntimeError("the change that caused the mail fails")

        assert not OutboxMessage.objects.exists()

    def test_a_second_call_returns_the_same_message(self):
        first = queue()
        second = queue(subject="Another wording", text="Other text")

        assert second.pk == first.pk
        assert second.message_id == first.message_id
        assert OutboxMessage.objects.get().subject == "Invitation til dialogmøde"

    def test_the_recipient_is_compared_without_case_or_spaces(self):
        first = queue(to_email="Soren@Aeroe.example")
        second = queue(to_email="  soren@aeroe.example ")

        assert second.pk == first.pk
        assert OutboxMessage.objects.count() == 1

    def test_another_purpose_recipient_or_object_is_another_message(self):
        messages = {
            queue(),
            queue(purpose="reminder"),
            queue(to_email="mette@aeroe.example"),
            queue(about="meeting:2"),
            queue(about=None),
        }

        assert len({m.pk for m in messages}) == 5
        assert len({m.message_id for m in messages}) == 5

    def test_a_model_instance_is_part_of_the_key(self):
        person = PersonFactory()

        message = queue(about=person, person=person)

        assert message.dedupe_key == f"invitation:soren@aeroe.example:directory.person:{person.pk}"
        assert queue(about=person).pk == message.pk
        assert list(person.outbox_messages.all()) == [message]

    def test_a_long_key_is_hashed_and_still_unique(self):
        long_about = "x" * 300

        key = dedupe_key("invitation", "soren@aeroe.example", long_about)

        assert len(key) <= 255
        assert key.startswith("invitation:sha256:")
        assert key != dedupe_key("invitation", "soren@aeroe.example", long_about + "y")
        assert queue(about=long_about).pk == queue(about=long_about).pk

    def test_a_duplicate_inside_the_callers_transaction_leaves_it_usable(self):
        """The insert hits the unique key (queued before, or by another process a moment
        ago); the caller's transaction goes on."""
        existing = queue()

        with transaction.atomic():
            again = queue(subject="Sent twice by a retried request")
            assert OutboxMessage.objects.count() == 1
            OutboxMessage.objects.filter(pk=existing.pk).update(to_name="Still usable")

        assert again.pk == existing.pk
        assert again.message_id == existing.message_id
        assert OutboxMessage.objects.get().subject == "Invitation til dialogmøde"
        assert OutboxMessage.objects.get().to_name == "Still usable"

    def test_attachments_are_stored_with_the_message(self):
        message = queue(
            attachments=[
                Attachment("dialogmøde.ics", "text/calendar", ICS),
                Attachment("program.pdf", "application/pdf", b"%PDF-1.4 \x00\xff"),
            ]
        )

        stored = [
            (a.get_filename(), a.get_content_type(), a.get_payload(decode=True))
            for a in outbox_attachments(OutboxMessage.objects.get(pk=message.pk))
        ]
        assert stored == [
            ("dialogmøde.ics", "text/calendar", ICS),
            ("program.pdf", "application/pdf", b"%PDF-1.4 \x00\xff"),
        ]

    def test_a_duplicate_call_does_not_add_attachments(self):
        attachment = Attachment("dialogmøde.ics", "text/calendar", ICS)
        first = queue(attachments=[attachment])
        again = queue(attachments=[attachment, attachment])

        stored = OutboxMessage.objects.get()
        assert bytes(again.raw) == bytes(stored.raw) == bytes(first.raw)
        assert len(outbox_attachments(stored)) == 1

    def test_a_new_message_is_one_statement(self):
        """Every registration queues a confirmation with an .ics: one INSERT, attachment and
        all, and no read back of what it wrote."""
        attachment = Attachment("dialogmøde.ics", "text/calendar", ICS)

        with CaptureQueriesContext(connection) as queries:
            message = queue(attachments=[attachment])

        (insert,) = statements(queries)
        assert insert.upper().startswith("INSERT")
        stored = OutboxMessage.objects.get()
        assert (stored.pk, stored.message_id) == (message.pk, message.message_id)
        assert bytes(stored.raw) == bytes(message.raw)
        assert not message._state.adding

    def test_a_duplicate_returns_the_message_already_there_and_adds_no_row(self):
        first = queue()

        with CaptureQueriesContext(connection) as queries:
            again = queue(subject="Another wording", to_name="Someone else")

        assert len(statements(queries)) == 2  # the insert that does nothing, and the read
        assert (again.pk, again.message_id) == (first.pk, first.message_id)
        assert (again.subject, again.to_name) == ("Invitation til dialogmøde", "")
        assert OutboxMessage.objects.count() == 1

    @pytest.mark.parametrize(
        "overrides",
        [
            {"subject": "Two\nlines"},
            {"to_name": "Søren\r\nBcc: someone@else.example"},
            {"to_email": "søren@ærø.example"},  # smtplib could not send to it
        ],
    )
    def test_a_message_that_cannot_be_written_is_kept_failed_with_the_reason(self, overrides):
        """The caller is not stopped; staff see the row and why; the worker never claims it."""
        with CaptureQueriesContext(connection) as queries:
            message = queue(**overrides)  # no exception

        assert len(statements(queries)) == 1
        stored = OutboxMessage.objects.get()
        assert stored.pk == message.pk
        assert stored.status == OutboxStatus.FAILED
        assert stored.last_error.startswith("cannot send: ")
        assert bytes(stored.raw) == b""
        assert outbox_claim(worker_id="test", limit=10) == []
        assert queue(**overrides).pk == message.pk  # still at most one

    def test_the_reason_a_message_cannot_be_written_is_named(self):
        message = queue(subject="Two\nlines")

        assert "linefeed" in message.last_error
        assert "linefeed" in OutboxMessage.objects.get().last_error


@pytest.mark.django_db
class TestMailQueueTemplate:
    def test_renders_the_default_wording_in_danish_and_queues_it(self):
        message = mail_queue_template(
            key="test", to_email="soren@aeroe.example", values={"name": "Søren Ærø"}
        )

        assert message.purpose == "test"
        assert message.subject == "Testmail fra Samråd"
        assert message.body_text.startswith("Kære Søren Ærø\n\n")
        assert "{" not in message.body_text
        assert "Søren Ærø" in message.body_html
        assert message.language == "da"

    def test_english(self):
        message = mail_queue_template(
            key="test", to_email="soren@aeroe.example", values={"name": "Søren"}, language="en"
        )

        assert message.subject == "Test mail from Samråd"
        assert message.body_text.startswith("Dear Søren\n\n")
        assert message.language == "en"

    def test_a_second_call_returns_the_same_message(self):
        first = mail_queue_template(
            key="test", to_email="soren@aeroe.example", values={"name": "Søren"}, about="x:1"
        )
        second = mail_queue_template(
            key="test", to_email="soren@aeroe.example", values={"name": "Mette"}, about="x:1"
        )

        assert second.pk == first.pk
        assert OutboxMessage.objects.get().body_text.startswith("Kære Søren")

    def test_another_purpose_is_another_message(self):
        first = mail_queue_template(
            key="test", to_email="soren@aeroe.example", values={"name": "Søren"}, about="x:1"
        )
        second = mail_queue_template(
            key="test",
            to_email="soren@aeroe.example",
            values={"name": "Søren"},
            about="x:1",
            purpose="test-again",
        )

        assert second.pk != first.pk
        assert second.message_id != first.message_id


@pytest.mark.django_db
class TestMessageId:
    def test_is_unique_per_message(self):
        ids = {queue(to_email=f"person{n}@aeroe.example").message_id for n in range(50)}

        assert len(ids) == 50
        assert all(MESSAGE_ID.match(message_id) for message_id in ids)

    def test_the_database_refuses_two_rows_with_one_message_id(self):
        first = queue()

        with pytest.raises(IntegrityError), transaction.atomic():
            OutboxMessage.objects.create(
                dedupe_key="other",
                purpose="other",
                message_id=first.message_id,
                to_email="mette@aeroe.example",
                subject="x",
                body_text="x",
                next_attempt_at=first.next_attempt_at,
            )

    def test_stays_the_same_when_the_message_is_resent(self):
        message = queue()
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxStatus.FAILED, attempts=3, last_error="550 no such user"
        )
        message.refresh_from_db()

        resent = outbox_message_resend(message=message)

        assert resent.message_id == message.message_id
        assert resent.status == OutboxStatus.QUEUED
        assert resent.attempts == 0
        assert resent.claimed_by == ""
        assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("status", [OutboxStatus.QUEUED, OutboxStatus.SENDING])
def test_a_message_on_its_way_cannot_be_resent(status):
    message = queue()
    OutboxMessage.objects.filter(pk=message.pk).update(status=status)
    message.refresh_from_db()

    with pytest.raises(ServiceError):
        outbox_message_resend(message=message)


@pytest.mark.django_db
def test_a_message_without_bytes_to_send_cannot_be_resent():
    """Its bytes could not be written when it was queued (or were erased): sending it again
    would only fail again."""
    message = queue(subject="Two\nlines")

    with pytest.raises(ServiceError) as error:
        outbox_message_resend(message=message)

    assert error.value.code == "nothing_to_send"

    stored = OutboxMessage.objects.get()
    assert stored.status == OutboxStatus.FAILED
    assert "linefeed" in stored.last_error


# --- Two connections racing for the same message (PostgreSQL) ---------------


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


class _RolledBack(Exception):
    pass


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first_commits", [True, False], ids=["commits", "rolls-back"])
def test_two_transactions_queueing_the_same_message_make_one_row(first_commits):
    """The second insert waits for the first transaction, then finds its row; or, when
    that one rolls back, inserts its own."""
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks seen from a second connection (PostgreSQL)")
    first_inserted = threading.Event()
    commit_first = threading.Event()
    results: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = queue(subject="From the first transaction")
                first_inserted.set()
                commit_first.wait(30)
                if not first_commits:
                    raise _RolledBack
        except _RolledBack:
            pass
        except BaseException as error:  # reported by the test below
            results["first"] = error
        finally:
            first_inserted.set()
            connections.close_all()

    def second() -> None:
        try:
            with transaction.atomic():
                results["second"] = queue(subject="From the second transaction")
        except BaseException as error:
            results["second"] = error
        finally:
            connections.close_all()

    one = threading.Thread(target=first)
    one.start()
    two = None
    try:
        assert first_inserted.wait(30)
        two = threading.Thread(target=second)
        two.start()
        deadline = time.monotonic() + 30
        while not _waiting_on_a_lock():
            assert two.is_alive(), f"the second insert did not wait: {results.get('second')!r}"
            assert time.monotonic() < deadline, "the second insert never waited for the first"
            time.sleep(0.02)
    finally:
        commit_first.set()
        one.join(30)
        if two is not None:
            two.join(30)

    first_message, second_message = results["first"], results["second"]
    assert isinstance(first_message, OutboxMessage), first_message
    assert isinstance(second_message, OutboxMessage), second_message
    stored = OutboxMessage.objects.get()
    if first_commits:
        assert second_message.pk == first_message.pk == stored.pk
        assert second_message.message_id == first_message.message_id == stored.message_id
        assert stored.subject == "From the first transaction"
    else:
        assert (second_message.pk, second_message.message_id) == (stored.pk, stored.message_id)
        assert second_message.message_id != first_message.message_id
        assert stored.subject == "From the second transaction"
