"""The staff pages for outgoing mail: counts, failures, history, resend, templates."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from samraad.mail.models import MailTemplate, OutboxMessage, OutboxStatus
from samraad.mail.services import Attachment, mail_queue, mail_queue_template
from samraad.tests_support.factories import UserFactory
from samraad.tests_support.login import log_in_verified


def queue(n: int = 1, **overrides) -> list[OutboxMessage]:
    return [
        mail_queue(
            purpose=overrides.get("purpose", "test"),
            to_email=overrides.get("to_email", f"person{i}@aarhus.dk"),
            subject=f"Emne {i} æøå",
            text="Tekst",
            about=f"x{i}",
        )
        for i in range(n)
    ]


def fail(message: OutboxMessage, reason: str = "550 5.1.1 No such user") -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.FAILED, last_error=reason, attempts=1
    )


@pytest.mark.parametrize(
    "name,args",
    [
        ("mail:outbox", []),
        ("mail:history", []),
        ("mail:templates", []),
        ("mail:template_edit", ["test", "da"]),
    ],
)
def test_staff_only(client, db, name, args):
    url = reverse(name, args=args)
    assert client.get(url).status_code == 302  # to the login page
    log_in_verified(client, UserFactory())
    assert client.get(url).status_code == 403


def test_outbox_shows_counts_and_failures_with_reason(staff_client):
    messages = queue(4)
    fail(messages[0])
    OutboxMessage.objects.filter(pk=messages[1].pk).update(status=OutboxStatus.SENT)
    page = staff_client.get(reverse("mail:outbox")).content.decode()
    assert 'data-testid="count-queued">2<' in page
    assert 'data-testid="count-sent">1<' in page
    assert 'data-testid="count-failed">1<' in page
    assert "550 5.1.1 No such user" in page
    assert reverse("mail:message", args=[messages[0].pk]) in page


def test_outbox_query_count_does_not_grow_with_failures(staff_client):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(reverse("mail:outbox")).status_code == 200
        return len(ctx)

    for message in queue(1, purpose="a"):
        fail(message)
    few = count_queries()
    for message in queue(20, purpose="b"):
        fail(message)
    assert count_queries() == few


def test_history_of_one_address_in_any_case(staff_client):
    queue(1, to_email="Karen.Proevesen@Aarhus.dk")
    queue(1, to_email="someone.else@aarhus.dk", purpose="other")
    page = staff_client.get(
        reverse("mail:history"), {"email": "karen.proevesen@aarhus.dk"}
    ).content.decode()
    assert "Emne 0 æøå" in page
    assert page.count("<tr>") == 2  # header row and the one message


def test_history_with_a_bad_address_says_so(staff_client):
    response = staff_client.get(reverse("mail:history"), {"email": "not an address"})
    assert response.status_code == 200
    assert "form-error-message" in response.content.decode()


def test_resend_a_failed_message(staff_client):
    (message,) = queue(1)
    fail(message)
    response = staff_client.post(reverse("mail:resend", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == OutboxStatus.QUEUED
    assert message.attempts == 0
    assert message.next_attempt_at <= timezone.now()
    assert OutboxMessage.objects.count() == 1  # the same message, not a new one


def test_resend_refuses_a_message_on_its_way(staff_client):
    (message,) = queue(1)
    response = staff_client.post(reverse("mail:resend", args=[message.pk]), follow=True)
    assert "Denne mail er allerede på vej." in response.content.decode()
    message.refresh_from_db()
    assert message.status == OutboxStatus.QUEUED


def test_send_test_mail_to_myself_once_a_minute(staff_client, staff_user):
    staff_client.post(reverse("mail:send_test"))
    staff_client.post(reverse("mail:send_test"))
    (message,) = OutboxMessage.objects.all()
    assert message.to_email == staff_user.email
    assert message.purpose == "test"
    assert "Samråd" in message.subject


def test_template_page_previews_the_default_with_example_values(staff_client):
    page = staff_client.get(reverse("mail:template_edit", args=["test", "da"])).content.decode()
    assert "Karen Prøvesen" in page  # the example name, filled into the preview
    assert "{name}" in page  # the placeholder list and the editable text


def test_template_with_an_unknown_placeholder_cannot_be_saved(staff_client):
    url = reverse("mail:template_edit", args=["test", "da"])
    response = staff_client.post(
        url, {"subject": "Hej {navn}", "body": "Kære {name} {link}", "save": "1"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "{link}" in page and "{navn}" in page
    assert 'role="alert"' in page
    assert not MailTemplate.objects.exists()


def test_saved_wording_is_used_for_new_mail_and_reset_restores_the_default(staff_client):
    url = reverse("mail:template_edit", args=["test", "en"])
    response = staff_client.post(
        url, {"subject": "Hello {name}", "body": "Hi {name} from {association}", "save": "1"}
    )
    assert response.status_code == 302
    message = mail_queue_template(
        key="test", to_email="a@b.dk", values={"name": "Ib"}, language="en"
    )
    assert message.subject == "Hello Ib"
    assert message.body_text == "Hi Ib from KL"
    assert "Hi Ib from KL" in message.body_html
    staff_client.post(url, {"subject": "x", "body": "y", "reset": "1"})
    assert not MailTemplate.objects.exists()


def test_preview_of_an_unsaved_edit(staff_client):
    url = reverse("mail:template_edit", args=["test", "da"])
    response = staff_client.post(
        url, {"subject": "Prøve til {name}", "body": "Hej {name}", "preview": "1"}
    )
    page = response.content.decode()
    assert "Prøve til Karen Prøvesen" in page
    assert not MailTemplate.objects.exists()


@pytest.mark.parametrize("args", [["nope", "da"], ["test", "de"]])
def test_unknown_template_or_language_is_404(staff_client, args):
    assert staff_client.get(reverse("mail:template_edit", args=args)).status_code == 404


def test_message_page_lists_the_attachments_sent_with_a_bounded_query_count(staff_client):
    def page_of(message: OutboxMessage) -> tuple[str, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = staff_client.get(reverse("mail:message", args=[message.pk]))
        assert response.status_code == 200
        return response.content.decode(), len(ctx)

    plain = mail_queue(purpose="test", to_email="a@aarhus.dk", subject="Uden bilag", text="x")
    with_files = mail_queue(
        purpose="test",
        to_email="b@aarhus.dk",
        subject="Med bilag",
        text="x",
        attachments=[
            Attachment("dialogmøde.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
            Attachment("program.pdf", "application/pdf", b"%PDF-1.4"),
            Attachment("kort.png", "image/png", b"\x89PNG"),
        ],
    )

    page, queries = page_of(with_files)
    assert "dialogmøde.ics, program.pdf, kort.png" in page
    assert "dialogmøde.ics" not in page_of(plain)[0]
    assert queries == page_of(plain)[1]


def test_message_that_could_not_be_written_shows_why_and_offers_no_resend(staff_client):
    (message,) = queue(1)
    broken = mail_queue(purpose="test", to_email="c@aarhus.dk", subject="To\nlinjer", text="x")
    resend_url = reverse("mail:resend", args=[broken.pk])

    page = staff_client.get(reverse("mail:message", args=[broken.pk])).content.decode()
    assert "linefeed" in page  # the reason, stored when it was queued
    assert resend_url not in page
    assert "linefeed" in staff_client.get(reverse("mail:outbox")).content.decode()

    response = staff_client.post(resend_url, follow=True)
    assert response.status_code == 200
    assert "alert-error" in response.content.decode()  # refused, with the reason
    broken.refresh_from_db()
    assert broken.status == OutboxStatus.FAILED
    assert "linefeed" in broken.last_error
    fail(message)
    page = staff_client.get(reverse("mail:message", args=[message.pk])).content.decode()
    assert reverse("mail:resend", args=[message.pk]) in page  # a message with bytes can


def test_admin_shows_an_outgoing_message_with_its_attachments(client, db):
    log_in_verified(client, UserFactory(is_staff=True, is_superuser=True))
    message = mail_queue(
        purpose="test",
        to_email="a@aarhus.dk",
        subject="Med bilag",
        text="x",
        attachments=[Attachment("dialogmøde.ics", "text/calendar", b"BEGIN:VCALENDAR\r\n")],
    )

    page = client.get(reverse("admin:mail_outboxmessage_change", args=[message.pk]))

    assert page.status_code == 200
    assert "dialogmøde.ics" in page.content.decode()
