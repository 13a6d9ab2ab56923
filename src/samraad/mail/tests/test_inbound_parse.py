"""Inbound mail: stored raw first, then parsed, matched, and answered with one receipt.

The corpus (`corpus/*.eml`) holds real-shaped messages as they arrive from Exchange,
Outlook, Gmail, Apple Mail, Postfix and odd old systems, broken ones included. Each is
stored and either parsed (its fields asserted below) or flagged failed; none makes
`inbound_receive` raise.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.db import transaction

from samraad.directory.models import EmailDomain, Municipality
from samraad.mail import inbound
from samraad.mail.inbound import (
    clean_text,
    decode_bytes,
    decode_header_value,
    html_to_text,
    inbound_parse,
    inbound_parse_pending,
    inbound_receive,
    inline_forwarded_from,
    is_no_reply_address,
    safe_filename,
)
from samraad.mail.models import (
    InboundAttachment,
    InboundMessage,
    InboundSource,
    OutboxMessage,
    ParseStatus,
)
from samraad.mail.services import dedupe_key
from samraad.tests_support.factories import RoundFactory

CORPUS = Path(__file__).parent / "corpus"
INPUT_ADDRESS = "oa26@kl.dk"

DOMAINS = {
    751: "aarhus.dk",
    461: "odense.dk",
    630: "vejle.dk",
    561: "esbjerg.dk",
    157: "gentofte.dk",
    265: "roskilde.dk",
    657: "herning.dk",
    492: "aeroe.dk",
}


@pytest.fixture
def domains(db):
    for code, domain in DOMAINS.items():
        EmailDomain.objects.create(municipality=Municipality.objects.get(code=code), domain=domain)


@pytest.fixture
def rounds(db):
    """ØA25 and ØA26 published, ØA27 prepared but not published yet."""
    return {
        "ØA25": RoundFactory(
            code="ØA25", slug="oa25", starts_on=date(2024, 2, 7), ends_on=date(2024, 6, 30),
            input_address="oa25@kl.dk",
        ),
        "ØA26": RoundFactory(
            code="ØA26", slug="oa26", starts_on=date(2025, 2, 7), ends_on=date(2025, 6, 30),
            input_address="OA26@KL.dk",
        ),
        "ØA27": RoundFactory(
            code="ØA27", slug="oa27", starts_on=date(2026, 2, 7), ends_on=date(2026, 6, 30),
            input_address="oa27@kl.dk", is_published=False,
        ),
    }  # fmt: skip


def receive(raw: bytes, **envelope) -> InboundMessage:
    envelope.setdefault("source", InboundSource.SMTP)
    envelope.setdefault("envelope_from", "sender@example.org")
    envelope.setdefault("envelope_to", [INPUT_ADDRESS])
    return inbound_receive(raw=raw, **envelope)


def mail(
    *,
    sender: str = "Jens Hansen <jens.hansen@aarhus.dk>",
    to: str = INPUT_ADDRESS,
    subject: str = "Input til ØA26",
    text: str = "Kære KL\n\nHer er vores input.\n",
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = "Mon, 10 Mar 2025 09:13:58 +0000"
    message["Message-ID"] = "<test@aarhus.dk>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    return message.as_bytes()


def receipts() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(purpose="inbound_receipt").order_by("id"))


# --- The corpus -------------------------------------------------------------------

EXPECTED = {
    "01_outlook_windows1252_qp.eml": {
        "subject": "Input fra Aarhus Kommune til ØA26 – økonomisk situation",
        "from": ("Jens Hansen", "jens.hansen@aarhus.dk"),
        "sent_at": datetime(2025, 3, 10, 9, 13, 58, tzinfo=UTC),
        "message_id": "<AM0PR03MB59214F1E2D3C4B5A69788A7B6C5D4E3F2"
                      "@AM0PR03MB5921.eurprd03.prod.outlook.com>",
        "text": ["Kære KL\n\nAarhus Kommune sender hermed byrådets input til ØA26.",
                 "steget med 40 mio. kr. – og vi forventer et merforbrug på € 5 mio."],
        "html": ['<p class="MsoNormal">Kære KL<o:p></o:p></p>', "på € 5 mio."],
        "municipality": 751,
        "receipt": True,
    },
    "02_iso8859_1_plain.eml": {
        "subject": "Høringssvar: Odense Kommunes økonomi",
        "from": ("Borgmesterkontoret Odense", "borgmester@mail.odense.dk"),
        "sent_at": datetime(2025, 3, 11, 7, 30, 10, tzinfo=UTC),
        # Declared iso-8859-1 but written by Outlook: 0x96 and 0x80 are windows-1252's – and €.
        "text": ["Odense Kommunes høringssvar om økonomien", "Anlægsloftet – især",
                 "3 mio. €.", "ÆØÅ æøå"],
        "municipality": 461,  # mail.odense.dk is a subdomain of odense.dk
        "receipt": True,
    },
    "03_html_only_base64_utf8.eml": {
        "subject": "Vejle Kommunes input til ØA26",
        "from": ("Larsen, Mette", "mette.larsen@vejle.dk"),
        "text": ["Vejle Kommunes input\n\nKære KL,\n\nVi vil gerne fremhæve:\n\n"
                 "- Specialiserede socialområde & handicap\n- Beskæftigelse\n\n"
                 "Med venlig hilsen\nMette Larsen\nVejle Kommune"],
        "not_text": ["alert", "font-family", "<p>"],
        "html": ["<h1>Vejle Kommunes input</h1>"],
        "municipality": 630,
        "receipt": True,
    },
    "04_attachments_pdf_docx.eml": {
        "subject": "Herning Kommune – økonomisk redegørelse",
        "from": ("Økonomisekretariatet", "oekonomi@herning.dk"),
        "sent_at": datetime(2025, 3, 13, 14, 45, 8, tzinfo=UTC),
        "text": ["Vedhæftet er Herning Kommunes økonomiske redegørelse"],
        "attachments": [
            ("Økonomisk redegørelse 2025.pdf", "application/pdf"),
            ("Bemærkninger til budgetkoordinering.docx",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ],
        "municipality": 657,
        "receipt": True,
    },
    "05_forward_as_attachment.eml": {
        "subject": "VS: Input fra Vejle Kommune",
        "from": ("Peter Kjær", "pkj@kl.dk"),
        "original_from_email": "anne.berg@vejle.dk",
        "text": ["Videresender input fra Vejle",
                 "---------- Forwarded message ----------\nFrom: Anne Berg <anne.berg@vejle.dk>",
                 "Her er Vejle Kommunes input til ØA26."],
        "attachments": [
            ("Vejle – input ØA26.xlsx",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ],
        "municipality": 630,  # by the original sender: a KL colleague forwarded it
        "receipt": True,
    },
    "06_forward_inline_outlook_da.eml": {
        "subject": "VS: Kommunalbestyrelsens input – Esbjerg",
        "from": ("Sofie Holm", "soh@kl.dk"),
        "original_from_email": "mette.sorensen@esbjerg.dk",
        "text": ["-----Oprindelig meddelelse-----\nFra: Mette Sørensen"],
        "municipality": 561,
        "receipt": True,
    },
    "07_forward_gmail_da.eml": {
        "subject": "Fwd: Gentoftes bemærkninger",
        "from": ("Lars Mikkelsen", "lars.mikkelsen@gmail.com"),
        "original_from_email": "kj@gentofte.dk",
        "text": ["Gentofte Kommune ønsker at fremhæve anlægsrammen."],
        "html": ['class="gmail_quote"'],
        "municipality": 157,
        "receipt": True,
    },
    "08_forward_apple_mail.eml": {
        "subject": "Fwd: Roskildes input",
        "from": ("Birgit Lund", "birgit.lund@icloud.com"),
        "original_from_email": "ole.dam@roskilde.dk",
        "text": ["Begin forwarded message:", "Roskilde Kommune peger på demografien."],
        "municipality": 265,
        "receipt": True,
    },
    "09_auto_reply.eml": {
        "subject": "Automatisk svar: Modtaget: Input fra Aarhus Kommune til ØA26",
        "from": ("Jens Hansen", "jens.hansen@aarhus.dk"),
        "text": ["Jeg er på ferie til og med 21. marts"],
        "municipality": 751,
        "receipt": False,  # Auto-Submitted: auto-replied
    },
    "10_bounce_mailer_daemon.eml": {
        "envelope_from": "",  # the null sender <>
        "subject": "Undelivered Mail Returned to Sender",
        "from": ("Mail Delivery System", "MAILER-DAEMON@mx.kl.dk"),
        "text": ["Recipient address rejected"],
        # The returned message is kept, but it is not a forward.
        "original_from_email": "",
        "attachments": [
            ("delivery-status.txt", "message/delivery-status"),
            ("message.eml", "message/rfc822"),
        ],
        "municipality": None,
        "receipt": False,
    },
    "11_unknown_charset.eml": {
        # An unknown charset is read as UTF-8 if valid, else as windows-1252.
        "subject": "Budgetændring 2026",
        "from": ("Gammelt System", "system@odense.dk"),
        "text": ["Økonomiudvalget har behandlet budgetændringen.",
                 "Anden del med et ugyldigt byte: \ufffd slut."],
        "municipality": 461,
        "receipt": True,
    },
    "12_truncated_multipart.eml": {
        "subject": "Afbrudt mail med bilag",
        "from": ("", "oekonomi@herning.dk"),
        "text": ["Bilaget følger her."],
        "attachments": [("bilag.pdf", "application/pdf")],
        "warning": "truncated",
        "municipality": 657,
        "receipt": True,
    },
    "13_garbage_not_mime.eml": {"failed": "not an email message"},
    "14_no_from.eml": {
        "envelope_from": "scanner@odense.dk",
        "subject": "Scannet dokument",
        "from": ("", ""),
        "text": ["Scannet dokument fra multifunktionsprinter."],
        "municipality": 461,  # no From: the envelope sender's domain
        "receipt": False,  # nobody to answer
    },
    "15_newsletter_list.eml": {
        "subject": "Ugens nyheder om kommunaløkonomi",
        "from": ("Kommunal Nyt", "nyhedsbrev@nyhedsbrev.example"),
        "text": ["økonomiaftalen nærmer sig"],
        "municipality": None,
        "receipt": False,  # Precedence: bulk, List-Id
    },
    "16_raw_utf8_headers.eml": {
        "subject": "Høringssvar fra Ærø Kommune",
        "from": ("Søren Ærø", "soren@aeroe.dk"),
        "sent_at": datetime(2025, 3, 24, 11, 59, 58, tzinfo=UTC),  # "-0000": UTC
        "text": ["Ærø Kommune er en ø-kommune med særlige udfordringer på færgeområdet."],
        "municipality": 492,
        "receipt": True,
    },
}  # fmt: skip


def test_the_corpus_is_complete_and_every_file_has_expectations():
    files = {path.name for path in CORPUS.glob("*.eml")}
    assert len(files) >= 12
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_message_is_stored_and_parsed_or_flagged(name, domains, rounds):
    expected = EXPECTED[name]
    raw = (CORPUS / name).read_bytes()
    sender = expected.get("from", ("", "sender@example.org"))[1] or "sender@example.org"

    message = receive(raw, envelope_from=expected.get("envelope_from", sender))

    stored = InboundMessage.objects.get()
    assert stored.pk == message.pk
    assert bytes(stored.raw) == raw
    assert stored.raw_sha256 == inbound.hashlib.sha256(raw).hexdigest()

    if "failed" in expected:
        assert stored.parse_status == ParseStatus.FAILED
        assert expected["failed"] in stored.parse_error
        assert not stored.attachments.exists()
        assert receipts() == []
        return

    assert stored.parse_status == ParseStatus.PARSED
    if "warning" in expected:
        assert expected["warning"] in stored.parse_error
    else:
        assert stored.parse_error == ""
    assert stored.subject == expected["subject"]
    assert (stored.from_name, stored.from_email) == expected["from"]
    if "sent_at" in expected:
        assert stored.sent_at == expected["sent_at"]
    else:
        assert stored.sent_at is not None
    if "message_id" in expected:
        assert stored.message_id == expected["message_id"]
    for fragment in expected["text"]:
        assert fragment in stored.body_text
    for fragment in expected.get("not_text", []):
        assert fragment not in stored.body_text
    assert "\r" not in stored.body_text
    for fragment in expected.get("html", []):
        assert fragment in stored.body_html
    if "html" not in expected:
        assert stored.body_html == ""
    assert stored.original_from_email == expected.get("original_from_email", "")
    attachments = [(a.filename, a.content_type) for a in stored.attachments.all()]
    assert attachments == expected.get("attachments", [])
    municipality = expected["municipality"]
    assert (stored.municipality.code if stored.municipality else None) == municipality
    assert stored.round == rounds["ØA26"]

    sent = receipts()
    if expected["receipt"]:
        assert [(r.to_email, r.language) for r in sent] == [(stored.from_email, "da")]
        assert sent[0].subject == f"Modtaget: {stored.subject}"
    else:
        assert sent == []


def test_attachment_bytes_survive_intact(domains, rounds):
    message = receive((CORPUS / "04_attachments_pdf_docx.eml").read_bytes())

    pdf, docx = message.attachments.all()
    assert bytes(pdf.content).startswith(b"%PDF-1.4") and bytes(pdf.content).endswith(b"%%EOF\n")
    assert pdf.size == len(bytes(pdf.content)) == 303
    with zipfile.ZipFile(io.BytesIO(bytes(docx.content))) as document:
        assert (
            "Bemærkninger til budgetkoordineringen" in document.read("word/document.xml").decode()
        )


def test_the_forwarded_message_attachment_comes_with_the_forward(domains, rounds):
    message = receive((CORPUS / "05_forward_as_attachment.eml").read_bytes())

    (sheet,) = message.attachments.all()
    assert bytes(sheet.content).startswith(b"PK\x03\x04")
    assert sheet.size == 56


# --- Never lost ---------------------------------------------------------------------


def test_a_crash_while_parsing_keeps_the_raw_message_flagged_failed(monkeypatch, domains, rounds):
    def crash(raw: bytes):
        raise RuntimeError("the parser fell over")

    monkeypatch.setattr(inbound, "parse_raw", crash)
    raw = mail()

    message = receive(raw)

    stored = InboundMessage.objects.get()
    assert stored.pk == message.pk
    assert bytes(stored.raw) == raw
    assert stored.parse_status == ParseStatus.FAILED
    assert stored.parse_error == "RuntimeError: the parser fell over"
    assert receipts() == []

    monkeypatch.undo()  # fixed: parse it again
    inbound_parse(message=stored)

    stored.refresh_from_db()
    assert stored.parse_status == ParseStatus.PARSED
    assert stored.parse_error == ""
    assert stored.municipality.code == 751
    assert len(receipts()) == 1


def test_a_crash_while_writing_the_parse_leaves_no_half_written_result(
    monkeypatch, domains, rounds
):
    def crash(**kwargs):
        raise RuntimeError("disk full")

    # The last step inside the write transaction, after the attachments and fields.
    monkeypatch.setattr(inbound, "_receipt_queue", crash)

    message = receive((CORPUS / "04_attachments_pdf_docx.eml").read_bytes())

    stored = InboundMessage.objects.get(pk=message.pk)
    assert stored.parse_status == ParseStatus.FAILED
    assert stored.parse_error == "RuntimeError: disk full"
    assert stored.subject == ""
    assert stored.municipality is None
    assert not InboundAttachment.objects.exists()
    assert receipts() == []


def test_pending_messages_are_parsed_later(domains, rounds):
    """A process that died while parsing leaves the message pending; it is parsed on restart."""
    message = InboundMessage.objects.create(
        source=InboundSource.SMTP, raw=mail(), raw_sha256="x", envelope_to=[INPUT_ADDRESS]
    )

    assert inbound_parse_pending() == 1

    message.refresh_from_db()
    assert message.parse_status == ParseStatus.PARSED
    assert message.subject == "Input til ØA26"
    assert inbound_parse_pending() == 0


def test_text_that_postgresql_would_refuse_is_cleaned(domains, rounds):
    raw = (
        b"From: =?utf-8?q?Broken <<<@@>>>\r\n"
        b"To: oa26@kl.dk\r\n"
        b"Subject: M\xf8de om \xf8konomi\x00 =?x-unknown?q?=E6?=\r\n"
        b"Date: not a date\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"\r\n"
        b"NUL \x00 and a lone byte \xe6.\r\n"
    )

    message = receive(raw)

    message.refresh_from_db()
    assert message.parse_status == ParseStatus.PARSED
    assert message.subject == "Møde om økonomi æ"
    assert message.sent_at is None
    assert message.from_email == ""
    assert message.body_text == "NUL  and a lone byte \ufffd."


# --- Idempotency ---------------------------------------------------------------------


def test_parsing_twice_sends_one_receipt_and_keeps_one_set_of_attachments(domains, rounds):
    message = receive((CORPUS / "04_attachments_pdf_docx.eml").read_bytes())

    inbound_parse(message=message)
    inbound_parse(message=InboundMessage.objects.get(pk=message.pk))

    assert InboundAttachment.objects.filter(message=message).count() == 2
    (receipt,) = receipts()
    assert receipt.dedupe_key == dedupe_key("inbound_receipt", "oekonomi@herning.dk", message)


def test_the_same_imap_message_is_stored_once(domains, rounds):
    raw = mail()

    first = receive(raw, source=InboundSource.IMAP, imap_mailbox="INBOX/7", imap_uid="42")
    again = receive(raw, source=InboundSource.IMAP, imap_mailbox="INBOX/7", imap_uid="42")
    other_mailbox = receive(raw, source=InboundSource.IMAP, imap_mailbox="INBOX/8", imap_uid="42")

    assert again.pk == first.pk
    assert other_mailbox.pk != first.pk
    assert InboundMessage.objects.count() == 2


def test_identical_bytes_over_smtp_are_stored_again_but_answered_once(domains, rounds):
    """Our documented choice: a re-delivery is kept (never merged away) but not re-answered."""
    raw = mail()

    first = receive(raw)
    second = receive(raw)

    assert first.pk != second.pk
    assert first.raw_sha256 == second.raw_sha256
    assert second.parse_status == ParseStatus.PARSED
    assert [r.dedupe_key for r in receipts()] == [
        dedupe_key("inbound_receipt", "jens.hansen@aarhus.dk", first)
    ]


# --- Matching -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("envelope_to", "to", "cc", "expected"),
    [
        (["oa25@kl.dk"], "oa25@kl.dk", "", "ØA25"),
        (["other@kl.dk"], "other@kl.dk", "Arkiv <OA25@kl.dk>", "ØA25"),  # Cc, any case
        (["oa25@kl.dk"], "undisclosed-recipients:;", "", "ØA25"),  # Bcc: only the envelope
        (["oa26@kl.dk"], "oa26@kl.dk", "", "ØA26"),
        (["someone@kl.dk"], "someone@kl.dk", "", "ØA26"),  # no match: the current round
        (["oa27@kl.dk"], "oa27@kl.dk", "", "ØA26"),  # ØA27 is not published
    ],
)
def test_round_is_the_one_whose_input_address_got_the_mail(
    envelope_to, to, cc, expected, domains, rounds
):
    headers = {"Cc": cc} if cc else {}
    message = receive(mail(to=to, headers=headers), envelope_to=envelope_to)

    assert message.round.code == expected


def test_without_a_published_round_there_is_no_round(domains):
    RoundFactory(is_published=False, input_address=INPUT_ADDRESS)

    message = receive(mail())

    assert message.parse_status == ParseStatus.PARSED
    assert message.round is None
    assert "arbejdet med KL," in receipts()[0].body_text  # the association stands in


@pytest.mark.parametrize(
    ("sender", "expected"),
    [
        ("jens@aarhus.dk", 751),
        ("jens@MAIL.Aarhus.DK", 751),
        ("jens@a.b.aarhus.dk", 751),
        ("jens@notaarhus.dk", None),
        ("jens@aarhus.dk.example.com", None),
        ("jens@dk", None),
    ],
)
def test_municipality_by_sender_domain_and_its_subdomains(sender, expected, domains, rounds):
    message = receive(mail(sender=sender))

    assert (message.municipality.code if message.municipality else None) == expected


def test_a_municipal_sender_wins_over_the_message_they_forward(domains, rounds):
    text = (
        "Se nedenfor.\n\n---------- Forwarded message ---------\nFrom: Ole <ole@roskilde.dk>\n\nX\n"
    )

    message = receive(mail(sender="jens@aarhus.dk", subject="Fwd: X", text=text))

    assert message.original_from_email == "ole@roskilde.dk"
    assert message.municipality.code == 751


def test_the_first_municipal_address_in_a_forward_chain_is_the_original(domains, rounds):
    text = (
        "FYI\n\n-----Original Message-----\nFrom: Kollega <kollega@kl.dk>\n\nSe her\n\n"
        "-----Oprindelig meddelelse-----\nFra: Ole Dam [mailto:ole@roskilde.dk]\n"
        "Sendt: i går\n\nX\n"
    )

    message = receive(mail(sender="soh@kl.dk", subject="VS: VS: X", text=text))

    assert message.original_from_email == "ole@roskilde.dk"
    assert message.municipality.code == 265


# --- Receipts (RFC 3834) ----------------------------------------------------------------


def test_the_receipt_is_danish_and_names_the_sender_subject_and_round(domains, rounds):
    message = receive(mail(sender="Jens Hansen <jens.hansen@aarhus.dk>", subject="Vores input"))

    (receipt,) = receipts()
    assert receipt.to_email == "jens.hansen@aarhus.dk"
    assert receipt.to_name == "Jens Hansen"
    assert receipt.language == "da"
    assert receipt.subject == "Modtaget: Vores input"
    assert receipt.body_text.startswith("Kære Jens Hansen\n\nTak for din mail «Vores input»")
    assert "arbejdet med ØA26" in receipt.body_text
    assert receipt.dedupe_key == dedupe_key("inbound_receipt", "jens.hansen@aarhus.dk", message)


@pytest.mark.parametrize(
    ("headers", "sender", "envelope_from", "answered"),
    [
        ({}, "jens@aarhus.dk", "jens@aarhus.dk", True),
        ({"Auto-Submitted": "no"}, "jens@aarhus.dk", "jens@aarhus.dk", True),
        ({"Auto-Submitted": "auto-generated"}, "jens@aarhus.dk", "jens@aarhus.dk", False),
        ({"Auto-Submitted": "auto-replied; owner-email=x"}, "jens@aarhus.dk", "j@aarhus.dk", False),
        ({"Precedence": "bulk"}, "jens@aarhus.dk", "jens@aarhus.dk", False),
        ({"Precedence": "junk"}, "jens@aarhus.dk", "jens@aarhus.dk", False),
        ({"Precedence": "list"}, "jens@aarhus.dk", "jens@aarhus.dk", False),
        ({"List-Id": "<oekonomi.lists.aarhus.dk>"}, "jens@aarhus.dk", "jens@aarhus.dk", False),
        ({"X-Auto-Response-Suppress": "All"}, "jens@aarhus.dk", "jens@aarhus.dk", False),
        ({"X-Auto-Response-Suppress": "DR, RN"}, "jens@aarhus.dk", "jens@aarhus.dk", True),
        ({}, "jens@aarhus.dk", "", False),  # null envelope sender
        ({}, "jens@aarhus.dk", "<>", False),
        ({}, "MAILER-DAEMON@mx.aarhus.dk", "", False),
        ({}, "noreply@aarhus.dk", "noreply@aarhus.dk", False),
        ({}, "no-reply+system@aarhus.dk", "no-reply+system@aarhus.dk", False),
        ({}, "jens@aarhus.dk", "bounces+123@mailer.aarhus.dk", False),
        ({}, "ØA26 <oa26@kl.dk>", "oa26@kl.dk", False),  # our own address: a loop
    ],
)
def test_no_receipt_to_mail_sent_by_machines(headers, sender, envelope_from, answered, rounds):
    receive(mail(sender=sender, headers=headers), envelope_from=envelope_from)

    assert len(receipts()) == (1 if answered else 0)


def test_imap_mail_with_a_null_return_path_gets_no_receipt(rounds):
    raw = mail(headers={"Return-Path": "<>"})

    receive(raw, source=InboundSource.IMAP, envelope_from="", imap_mailbox="INBOX/1", imap_uid="1")

    assert receipts() == []


def test_imap_mail_without_return_path_is_answered(rounds):
    receive(
        mail(), source=InboundSource.IMAP, envelope_from="", imap_mailbox="INBOX/1", imap_uid="1"
    )

    assert len(receipts()) == 1


def test_a_sender_that_keeps_writing_stops_getting_receipts(rounds):
    """An auto-responder that marks its mail with none of the headers must not loop forever."""
    for n in range(inbound.RECEIPTS_PER_SENDER_PER_HOUR + 3):
        receive(mail(subject=f"Svar {n}"))

    assert len(receipts()) == inbound.RECEIPTS_PER_SENDER_PER_HOUR


def test_a_failing_receipt_does_not_undo_the_parse(monkeypatch, domains, rounds):
    def broken(**kwargs):
        raise RuntimeError("template exploded")

    monkeypatch.setattr(inbound, "mail_queue_template", broken)

    message = receive(mail())

    message.refresh_from_db()
    assert message.parse_status == ParseStatus.PARSED
    assert message.municipality.code == 751
    assert receipts() == []


# --- The pieces ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "charset", "expected"),
    [
        ("æøå".encode(), "utf-8", "æøå"),
        ("æøå €".encode("cp1252"), "windows-1252", "æøå €"),
        ("Ø – €".encode("cp1252"), "iso-8859-1", "Ø – €"),  # as browsers read latin-1
        ("Ø – €".encode("cp1252"), "us-ascii", "Ø – €"),  # not UTF-8: windows-1252
        ("Ø".encode(), "us-ascii", "Ø"),  # valid UTF-8 wins over a wrong "ascii"
        ("Ø".encode(), "x-unknown", "Ø"),
        ("Ø".encode("cp1252"), "x-unknown", "Ø"),
        ("Ø".encode(), "hex", "Ø"),  # a codec, but not a text encoding
        (b"\xff\xfe", "utf-8", "\ufffd\ufffd"),
        ("Ø".encode("cp1252"), None, "Ø"),
    ],
)
def test_decode_bytes_never_fails(data, charset, expected):
    assert decode_bytes(data, charset) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("=?utf-8?q?=C3=98konomi?=", "Økonomi"),
        ("=?UTF-8?B?w5g=?=\r\n =?UTF-8?B?a29ub21p?=", "Økonomi"),  # folded, space dropped
        ("=?utf-8?B?w6?= =?utf-8?B?g=?=", "\ufffd =?utf-8?B?g=?="),  # junk stays as written
        ("=?utf-8?q?=C3?= =?utf-8?q?=98?=", "Ø"),  # a character split across two words
        ("=?iso-8859-1?q?K=E6re?= Jens", "Kære Jens"),
        ("Re: =?windows-1252?Q?=D8A26_=96_input?=", "Re: ØA26 – input"),
        ("=?x-unknown?q?=E6?=", "æ"),
        ("=?utf-8*da?q?=C3=A6?=", "æ"),  # RFC 2231 language tag
        ("Ren tekst", "Ren tekst"),
    ],
)
def test_decode_header_value(raw, expected):
    assert decode_header_value(raw) == expected


def test_clean_text_decodes_escaped_bytes_and_drops_nul():
    assert clean_text("M\udcf8de\x00") == "Møde"
    assert clean_text("\udcc3\udcb8") == "ø"


def test_html_to_text_keeps_structure_and_drops_scripts():
    html = (
        "<html><head><title>T</title><style>p { color: red }</style></head><body>"
        "<script>alert(1)</script><p>Kære  Jens,</p><p>Linje<br>to &amp; &aelig;</p>"
        "<ul><li>a</li><li>b</li></ul><table><tr><td>x</td><td>y</td></tr></table>"
        "<pre>  beholdt\n  som er</pre></body></html>"
    )

    assert html_to_text(html) == "Kære Jens,\n\nLinje\nto & æ\n\n- a\n- b\n\nx y\n\nbeholdt\nsom er"


@pytest.mark.parametrize(
    ("subject", "text", "expected"),
    [
        (
            "VS: X",
            "Hej\n-----Oprindelig meddelelse-----\nFra: A <a@esbjerg.dk>\n",
            ["a@esbjerg.dk"],
        ),
        ("X", "-----Original Message-----\nFrom: a@esbjerg.dk\n", ["a@esbjerg.dk"]),
        ("SV: X", "Tak!\n-----Oprindelig meddelelse-----\nFra: a@esbjerg.dk\n", []),  # a reply
        ("SV: X", "---------- Forwarded message ---------\nFrom: a@esbjerg.dk\n", ["a@esbjerg.dk"]),
        ("X", "Begin forwarded message:\n\nFrom: Ole <o@roskilde.dk>\n", ["o@roskilde.dk"]),
        ("X", "Start på videresendt besked:\n\nFra: o@roskilde.dk\n", ["o@roskilde.dk"]),
        (
            "X",
            "---------- Videresendt meddelelse ---------\n*Fra:* B <b@vejle.dk>\n",
            ["b@vejle.dk"],
        ),
        ("VS: X", "________________________________\nFra: Hans Hansen\nSendt: i dag\n", []),
        ("X", "Hej, jeg skriver fra: x@y.dk\n", []),  # no marker, no forward
    ],
)
def test_inline_forwarded_from(subject, text, expected):
    assert inline_forwarded_from(text, subject) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Økonomisk redegørelse.pdf", "Økonomisk redegørelse.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\jens\\bilag.docx", "bilag.docx"),
        ('a"b\r\nc<>.pdf', "a_b_c_.pdf"),
        ("..", "attachment"),
        ("", "attachment"),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("MAILER-DAEMON@mx.kl.dk", True),
        ("postmaster@aarhus.dk", True),
        ("noreply@aarhus.dk", True),
        ("no-reply-system@aarhus.dk", True),
        ("<donotreply@aarhus.dk>", True),
        ("jens.hansen@aarhus.dk", False),
        ("norbert@aarhus.dk", False),
    ],
)
def test_no_reply_addresses(address, expected):
    assert is_no_reply_address(address) is expected


@pytest.mark.django_db
def test_receive_refuses_to_run_inside_a_transaction():
    """Inside a caller's transaction "stored" would not mean "committed"."""
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        receive(mail())
