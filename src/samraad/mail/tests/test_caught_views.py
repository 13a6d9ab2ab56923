"""The mail catcher's staff pages, over messages stored the way the catcher stores them."""

from __future__ import annotations

import base64
from email.message import EmailMessage

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samraad.mail.models import CaughtMessage
from samraad.mail.services import caught_message_store
from samraad.tests_support.factories import UserFactory
from samraad.tests_support.login import log_in_verified

pytestmark = pytest.mark.django_db

SUBJECT = "Referat fra dialogmødet på Ærø"
TEXT = "Kære alle,\n\nHer er referatet fra mødet om økonomien.\n"
HTML = '<p>Kære alle</p><script>alert("ø")</script><img src="https://tracker.example/x.png">'


def store(message: EmailMessage | bytes, *, to: list[str] | None = None) -> CaughtMessage:
    raw = message if isinstance(message, bytes) else message.as_bytes()
    return caught_message_store(
        mail_from="samraad@kl.example", rcpt_tos=to or ["soren@aeroe.example"], raw=raw
    )


def minutes(*, attachments: list[tuple[bytes, str, str, str | None]] = ()) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = SUBJECT
    message["From"] = "Samråd <samraad@kl.example>"
    message["To"] = "Søren Ærø <soren@aeroe.example>"
    message.set_content(TEXT)
    message.add_alternative(HTML, subtype="html")
    for data, maintype, subtype, filename in attachments:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


def urls(pk: int) -> list[str]:
    return [
        reverse("mail:caught_list"),
        reverse("mail:caught_detail", args=[pk]),
        reverse("mail:caught_html", args=[pk]),
        reverse("mail:caught_part", args=[pk, 0]),
    ]


def url_id(url: str) -> str:
    return url.strip("/").replace("/", "-")


# --- Access -----------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login_page(client):
    caught = store(minutes(attachments=[(b"x", "application", "pdf", "referat.pdf")]))
    for url in urls(caught.pk):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_logged_in_non_staff_users_are_refused(client):
    caught = store(minutes(attachments=[(b"x", "application", "pdf", "referat.pdf")]))
    log_in_verified(client, UserFactory(is_staff=False))
    for url in urls(caught.pk):
        assert client.get(url).status_code == 403, url


def test_staff_can_open_every_page_in_demo_mode(staff_client, settings):
    settings.DEMO_MODE = True
    caught = store(minutes(attachments=[(b"x", "application", "pdf", "referat.pdf")]))
    for url in urls(caught.pk):
        assert staff_client.get(url).status_code == 200, url


@override_settings(DEMO_MODE=False)
def test_every_page_is_missing_outside_demo_mode(staff_client):
    caught = store(minutes(attachments=[(b"x", "application", "pdf", "referat.pdf")]))
    for url in urls(caught.pk):
        assert staff_client.get(url).status_code == 404, url


@pytest.mark.parametrize("name", ["mail:caught_detail", "mail:caught_html"])
def test_an_unknown_message_is_missing(staff_client, name):
    assert staff_client.get(reverse(name, args=[987654])).status_code == 404


# --- List -------------------------------------------------------------------


def test_list_shows_subject_and_envelope_recipients(staff_client):
    caught = store(minutes(), to=["soren@aeroe.example", "kkr@kkr.example"])

    response = staff_client.get(reverse("mail:caught_list"))

    html = response.content.decode()
    assert SUBJECT in html
    assert "soren@aeroe.example, kkr@kkr.example" in html
    assert reverse("mail:caught_detail", args=[caught.pk]) in html


def test_list_query_count_does_not_grow_with_the_number_of_messages(staff_client):
    store(minutes())
    staff_client.get(reverse("mail:caught_list"))  # warm up per-process caches

    with CaptureQueriesContext(connection) as one:
        staff_client.get(reverse("mail:caught_list"))
    for _ in range(29):
        store(minutes())
    with CaptureQueriesContext(connection) as thirty:
        response = staff_client.get(reverse("mail:caught_list"))

    assert len(response.context["page"].object_list) == 30
    assert len(thirty) == len(one)
    # The raw messages are not read for the list.
    assert not any('"raw"' in query["sql"] for query in thirty.captured_queries)


def test_list_is_paged_fifty_at_a_time_newest_first(staff_client):
    for n in range(51):
        message = EmailMessage()
        message["Subject"] = f"Besked {n:02}"
        message.set_content("Hej")
        store(message)

    first = staff_client.get(reverse("mail:caught_list")).context["page"]
    second = staff_client.get(reverse("mail:caught_list"), {"page": 2}).context["page"]

    assert len(first.object_list) == 50
    assert first.object_list[0].subject == "Besked 50"
    assert [m.subject for m in second.object_list] == ["Besked 00"]


# --- Detail -----------------------------------------------------------------


def test_detail_shows_the_text_body_and_lists_attachments(staff_client):
    caught = store(minutes(attachments=[(b"%PDF-1.4", "application", "pdf", "referat æøå.pdf")]))

    response = staff_client.get(reverse("mail:caught_detail", args=[caught.pk]))

    html = response.content.decode()
    assert SUBJECT in html
    assert "Her er referatet fra mødet om økonomien." in html
    assert "referat æøå.pdf" in html
    assert reverse("mail:caught_part", args=[caught.pk, 0]) in html
    # The HTML body is never inlined into Samråd's own page.
    assert "<script>alert" not in html


def test_detail_lists_the_decoded_headers(staff_client):
    caught = store(minutes())

    html = staff_client.get(reverse("mail:caught_detail", args=[caught.pk])).content.decode()

    assert "Søren Ærø &lt;soren@aeroe.example&gt;" in html
    assert "Samråd &lt;samraad@kl.example&gt;" in html


def test_detail_of_a_message_in_an_unknown_charset_still_opens(staff_client):
    caught = store(
        b"Subject: Ukendt tegns\xc3\xa6t\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n"
        b"\r\n"
        b"Tekst i et ukendt tegns\xc3\xa6t.\r\n"
    )

    response = staff_client.get(reverse("mail:caught_detail", args=[caught.pk]))

    assert response.status_code == 200
    assert "Tekst i et ukendt tegnsæt." in response.content.decode()


# --- HTML body --------------------------------------------------------------


def test_html_body_is_served_alone_in_a_sandbox(staff_client):
    caught = store(minutes())

    response = staff_client.get(reverse("mail:caught_html", args=[caught.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response.content.decode().strip() == HTML
    directives = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    assert directives[0] == "sandbox"  # no allow-scripts, no allow-same-origin
    assert "default-src 'none'" in directives
    assert not any("allow-" in d for d in directives)
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_a_message_without_html_has_no_html_page(staff_client):
    message = EmailMessage()
    message["Subject"] = "Kun tekst"
    message.set_content("Bare tekst.")
    caught = store(message)

    assert staff_client.get(reverse("mail:caught_html", args=[caught.pk])).status_code == 404


def test_html_in_an_unknown_charset_is_still_served(staff_client):
    caught = store(
        b"Subject: Ukendt tegns\xc3\xa6t\r\n"
        b"Content-Type: text/html; charset=x-no-such-charset\r\n"
        b"\r\n"
        b"<p>M\xc3\xb8de</p>\r\n"
    )

    response = staff_client.get(reverse("mail:caught_html", args=[caught.pk]))

    assert response.status_code == 200
    assert "<p>Møde</p>" in response.content.decode()
    assert response["Content-Security-Policy"].startswith("sandbox")


# --- Attachments ------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "served_as"),
    [
        ("referat.pdf", "referat.pdf"),
        ("dialogmøde ærø.ics", "dialogm_de_r_.ics"),
        ('../../etc/passwd"; x=.ics', ".._.._etc_passwd_x_.ics"),
        ("æøå", "_"),
    ],
)
def test_attachments_are_downloads_with_a_safe_filename(staff_client, filename, served_as):
    data = "BEGIN:VCALENDAR\r\nSUMMARY:Møde\r\nEND:VCALENDAR\r\n".encode()
    caught = store(minutes(attachments=[(data, "text", "calendar", filename)]))

    response = staff_client.get(reverse("mail:caught_part", args=[caught.pk, 0]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="{served_as}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == data


def test_calendar_part_without_a_filename_is_offered_as_an_invite(staff_client):
    message = minutes()
    message.add_attachment(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text", "calendar")
    caught = store(message)

    response = staff_client.get(reverse("mail:caught_part", args=[caught.pk, 0]))

    assert response["Content-Disposition"] == 'attachment; filename="invite.ics"'
    assert response.content == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"


def test_attachments_keep_their_order_and_an_index_past_the_end_is_missing(staff_client):
    caught = store(
        minutes(
            attachments=[
                (b"first", "application", "pdf", "a.pdf"),
                (b"second", "application", "pdf", "b.pdf"),
            ]
        )
    )

    def part(index: int):
        return staff_client.get(reverse("mail:caught_part", args=[caught.pk, index]))

    assert part(0).content == b"first"
    assert part(1).content == b"second"
    assert part(2).status_code == 404


# --- Storing ----------------------------------------------------------------


def test_a_message_with_broken_headers_is_stored_raw():
    raw = (
        b"Subject: M\xf8de om \xf8konomi\r\n"  # Latin-1 bytes in a header
        b"From: <<<@@>>>\r\n"
        b"Content-Type: multipart/mixed; boundary=\r\n"
        b"\r\n"
        b"--\r\nnot really multipart\r\n"
    )

    caught = store(raw)

    caught.refresh_from_db()
    assert bytes(caught.raw) == raw
    assert caught.mail_from == "samraad@kl.example"
    assert "de om" in caught.subject


def test_an_encoded_subject_folded_by_django_is_stored_without_the_fold():
    encoded = base64.b64encode("Møde på Ærø".encode())
    # As Django's compat32 policy folds a long encoded subject: onto a continuation line.
    raw = b"Subject: \r\n =?utf-8?b?" + encoded + b"?=\r\n\r\nHej\r\n"

    assert store(raw).subject == "Møde på Ærø"
