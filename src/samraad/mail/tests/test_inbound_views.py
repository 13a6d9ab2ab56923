"""The staff pages of inbound mail: the triage queue and each message."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime

from samraad.directory.models import EmailDomain, Municipality
from samraad.mail.inbound import inbound_receive
from samraad.mail.models import InboundMessage, InboundSource, TriageStatus
from samraad.tests_support.factories import RoundFactory, UserFactory
from samraad.tests_support.login import log_in_verified

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "corpus"
HTML = '<p>Kære KL</p><script>alert("ø")</script><img src="https://tracker.example/x.png">'


@pytest.fixture(autouse=True)
def setup_data(db):
    EmailDomain.objects.create(municipality=Municipality.objects.get(code=751), domain="aarhus.dk")
    EmailDomain.objects.create(municipality=Municipality.objects.get(code=630), domain="vejle.dk")
    RoundFactory(
        code="ØA26",
        slug="oa26",
        starts_on=date(2025, 2, 7),
        ends_on=date(2025, 6, 30),
        input_address="oa26@kl.dk",
    )


def receive(raw: bytes, *, envelope_from: str = "jens@aarhus.dk") -> InboundMessage:
    return inbound_receive(
        raw=raw, source=InboundSource.SMTP, envelope_from=envelope_from, envelope_to=["oa26@kl.dk"]
    )


def input_mail(
    subject: str = "Aarhus Kommunes input",
    *,
    sender: str = "Jens Hansen <jens.hansen@aarhus.dk>",
    attachments: list[tuple[bytes, str]] = (),
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "ØA26 <oa26@kl.dk>"
    message["Cc"] = "Anne Nielsen <ani@kl.dk>"
    message["Subject"] = subject
    message["Date"] = "Mon, 10 Mar 2025 09:13:58 +0000"
    message["Message-ID"] = "<input-1@aarhus.dk>"
    message.set_content("Kære KL\n\nByrådet peger på ældreområdet.\n")
    message.add_alternative(HTML, subtype="html")
    for data, filename in attachments:
        message.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    return message.as_bytes()


def urls(message: InboundMessage) -> list[str]:
    return [
        reverse("mail:inbound_list"),
        reverse("mail:inbound_detail", args=[message.pk]),
        reverse("mail:inbound_html", args=[message.pk]),
        reverse("mail:inbound_raw", args=[message.pk]),
        reverse("mail:inbound_attachment", args=[message.pk, message.attachments.get().pk]),
    ]


# --- Access -----------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login_page(client):
    message = receive(input_mail(attachments=[(b"%PDF", "bilag.pdf")]))
    for url in urls(message):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_logged_in_non_staff_users_are_refused(client):
    message = receive(input_mail(attachments=[(b"%PDF", "bilag.pdf")]))
    log_in_verified(client, UserFactory(is_staff=False))
    for url in urls(message):
        assert client.get(url).status_code == 403, url


def test_staff_can_open_every_page_also_outside_demo_mode(staff_client, settings):
    settings.DEMO_MODE = False
    message = receive(input_mail(attachments=[(b"%PDF", "bilag.pdf")]))
    for url in urls(message):
        assert staff_client.get(url).status_code == 200, url


@pytest.mark.parametrize("name", ["mail:inbound_detail", "mail:inbound_html", "mail:inbound_raw"])
def test_an_unknown_message_is_missing(staff_client, name):
    assert staff_client.get(reverse(name, args=[987654])).status_code == 404


def test_an_attachment_is_found_only_under_its_own_message(staff_client):
    first = receive(input_mail(attachments=[(b"%PDF", "bilag.pdf")]))
    other = receive(input_mail("Andet"))
    attachment = first.attachments.get()

    url = reverse("mail:inbound_attachment", args=[other.pk, attachment.pk])
    assert staff_client.get(url).status_code == 404
    url = reverse("mail:inbound_attachment", args=[first.pk, attachment.pk + 1000])
    assert staff_client.get(url).status_code == 404


def test_a_message_without_html_has_no_html_page(staff_client):
    message = receive((CORPUS / "02_iso8859_1_plain.eml").read_bytes())

    assert staff_client.get(reverse("mail:inbound_html", args=[message.pk])).status_code == 404
    detail = staff_client.get(reverse("mail:inbound_detail", args=[message.pk])).content.decode()
    assert reverse("mail:inbound_html", args=[message.pk]) not in detail


# --- The triage queue -----------------------------------------------------------------


def test_the_queue_shows_sender_subject_received_municipality_and_parsing(staff_client):
    parsed = receive(input_mail())
    forwarded = receive((CORPUS / "05_forward_as_attachment.eml").read_bytes())
    broken = receive((CORPUS / "13_garbage_not_mime.eml").read_bytes(), envelope_from="x@y.dk")

    response = staff_client.get(reverse("mail:inbound_list"))

    assert response.status_code == 200
    html = response.content.decode()
    row = html[html.index(f'data-testid="inbound-{parsed.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Jens Hansen &lt;jens.hansen@aarhus.dk&gt;" in row
    assert reverse("mail:inbound_detail", args=[parsed.pk]) in row
    assert "Aarhus Kommunes input</a>" in row
    assert "<td>Aarhus</td>" in row
    assert f"<td>{parsed.get_parse_status_display()}</td>" in row
    with translation.override("da"):
        received = date_format(localtime(parsed.received_at), "SHORT_DATETIME_FORMAT")
    assert f"<td>{received}</td>" in row
    assert "videresendt fra anne.berg@vejle.dk" in html
    assert "<td>Vejle</td>" in html
    assert forwarded.get_parse_status_display() != broken.get_parse_status_display()
    assert f'<span class="status-bad">{broken.get_parse_status_display()}</span>' in html


def test_the_queue_shows_new_messages_first_then_newest_first(staff_client):
    oldest = receive(input_mail("Ældste"))
    dismissed = receive(input_mail("Afvist"))
    newest = receive(input_mail("Nyeste"))
    InboundMessage.objects.filter(pk=dismissed.pk).update(triage_status=TriageStatus.DISMISSED)

    page = staff_client.get(reverse("mail:inbound_list")).context["page"]

    assert [m.pk for m in page.object_list] == [newest.pk, oldest.pk, dismissed.pk]


@pytest.mark.parametrize(
    ("triage", "expected"),
    [
        ("new", ["Ny"]),
        ("dismissed", ["Afvist"]),
        ("", ["Ny", "Afvist"]),
        ("nonsense", ["Ny", "Afvist"]),
    ],
)
def test_the_queue_filters_by_triage_status(staff_client, triage, expected):
    dismissed = receive(input_mail("Afvist"))
    receive(input_mail("Ny"))
    InboundMessage.objects.filter(pk=dismissed.pk).update(triage_status=TriageStatus.DISMISSED)

    response = staff_client.get(reverse("mail:inbound_list"), {"triage": triage})

    assert [m.subject for m in response.context["page"].object_list] == expected
    if triage in TriageStatus.values:
        assert f'<option value="{triage}" selected>' in response.content.decode()


def test_queue_query_count_does_not_grow_with_the_number_of_messages(staff_client):
    receive(input_mail(attachments=[(b"%PDF", "a.pdf")]))
    staff_client.get(reverse("mail:inbound_list"))  # warm up per-process caches

    with CaptureQueriesContext(connection) as one:
        staff_client.get(reverse("mail:inbound_list"))
    for n in range(12):
        receive(input_mail(f"Besked {n}", attachments=[(b"%PDF", "a.pdf"), (b"%PDF", "b.pdf")]))
        receive((CORPUS / "05_forward_as_attachment.eml").read_bytes())
    with CaptureQueriesContext(connection) as many:
        response = staff_client.get(reverse("mail:inbound_list"))

    assert len(response.context["page"].object_list) == 25
    assert len(many) == len(one)
    # Neither the raw messages nor the bodies are read for the list.
    for query in many.captured_queries:
        assert '"raw"' not in query["sql"]
        assert '"body_html"' not in query["sql"]
    assert "(2 vedhæftede filer)" in response.content.decode()


def test_the_queue_is_paged_fifty_at_a_time_and_keeps_the_filter(staff_client):
    for n in range(51):
        receive(input_mail(f"Besked {n:02}"))

    first = staff_client.get(reverse("mail:inbound_list"), {"triage": "new"})
    second = staff_client.get(reverse("mail:inbound_list"), {"triage": "new", "page": 2})

    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].object_list[0].subject == "Besked 50"
    assert "?triage=new&amp;page=2" in first.content.decode()
    assert [m.subject for m in second.context["page"].object_list] == ["Besked 00"]


# --- One message --------------------------------------------------------------------


def test_detail_shows_a_summary_and_the_text_but_never_the_html_inline(staff_client):
    message = receive(input_mail(attachments=[(b"%PDF-1.4 bilag", "Økonomi 2025.pdf")]))

    response = staff_client.get(reverse("mail:inbound_detail", args=[message.pk]))

    html = response.content.decode()
    assert "<h1>Aarhus Kommunes input</h1>" in html
    assert "Jens Hansen &lt;jens.hansen@aarhus.dk&gt;" in html
    assert "ØA26 &lt;oa26@kl.dk&gt;" in html  # To
    assert "Anne Nielsen &lt;ani@kl.dk&gt;" in html  # Cc
    assert "&lt;input-1@aarhus.dk&gt;" in html  # Message-ID
    assert "jens@aarhus.dk → oa26@kl.dk" in html  # the envelope
    assert "<dd>Aarhus</dd>" in html  # the suggested municipality
    assert "<dd>ØA26</dd>" in html  # the round
    assert "Kære KL\n\nByrådet peger på ældreområdet." in html
    # The sender's HTML is only linked, never part of Samråd's page.
    assert "<script>" not in html and "tracker.example" not in html
    assert reverse("mail:inbound_html", args=[message.pk]) in html
    attachment = message.attachments.get()
    assert reverse("mail:inbound_attachment", args=[message.pk, attachment.pk]) in html
    assert "Økonomi 2025.pdf" in html
    assert reverse("mail:inbound_raw", args=[message.pk]) in html
    assert reverse("mail:message", args=[response.context["receipt"].pk]) in html


def test_detail_of_a_message_that_could_not_be_read(staff_client):
    message = receive((CORPUS / "13_garbage_not_mime.eml").read_bytes(), envelope_from="x@y.dk")

    response = staff_client.get(reverse("mail:inbound_detail", args=[message.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="alert alert-error"' in html
    assert "not an email message" in html
    assert reverse("mail:inbound_raw", args=[message.pk]) in html


def test_detail_warns_about_a_truncated_message_and_lists_copies(staff_client):
    raw = (CORPUS / "12_truncated_multipart.eml").read_bytes()
    first = receive(raw)
    second = receive(raw)

    html = staff_client.get(reverse("mail:inbound_detail", args=[second.pk])).content.decode()

    assert 'class="alert alert-warning"' in html
    assert "it may be truncated" in html
    assert reverse("mail:inbound_detail", args=[first.pk]) in html


def test_html_body_is_served_alone_in_a_sandbox(staff_client):
    message = receive(input_mail())

    response = staff_client.get(reverse("mail:inbound_html", args=[message.pk]))

    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response.content.decode().strip() == HTML
    policy = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert policy[0] == "sandbox"
    assert "default-src 'none'" in policy


@pytest.mark.parametrize(
    ("filename", "disposition"),
    [
        ("Økonomi 2025.pdf", "attachment; filename*=utf-8''%C3%98konomi%202025.pdf"),
        ("bilag.pdf", 'attachment; filename="bilag.pdf"'),
        ("..\\..\\windows\\evil.pdf", 'attachment; filename="evil.pdf"'),
        ('a"b.pdf', 'attachment; filename="a_b.pdf"'),
    ],
)
def test_attachments_are_downloads_with_a_safe_filename(staff_client, filename, disposition):
    message = receive(input_mail(attachments=[(b"%PDF-1.4 bilag", filename)]))
    attachment = message.attachments.get()

    response = staff_client.get(
        reverse("mail:inbound_attachment", args=[message.pk, attachment.pk])
    )

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == b"%PDF-1.4 bilag"


def test_the_raw_message_downloads_exactly_as_it_arrived(staff_client):
    raw = (CORPUS / "01_outlook_windows1252_qp.eml").read_bytes()
    message = receive(raw)

    response = staff_client.get(reverse("mail:inbound_raw", args=[message.pk]))

    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="message-{message.pk}.eml"'
    assert response.content == raw
