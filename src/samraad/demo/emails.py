"""The demo's emailed input: real MIME, stored raw and run through the inbound parser.

Part of the demo's activity (see demo.activity): what municipalities mailed to
the round's input address and what KL's staff did with it in triage.
"""

from __future__ import annotations

import datetime
import hashlib
import random

from django.utils import timezone

from samraad.core.timeutils import local_datetime
from samraad.councils.models import CouncilInput
from samraad.councils.services import (
    inbound_attach_to_input,
    inbound_dismiss,
)
from samraad.demo import corpus
from samraad.demo.documents import email_message, simple_pdf
from samraad.demo.history import (
    DAY,
    HOUR,
    between,
    contacts_by_municipality,
    mail_sent,
    outbox_mark,
)
from samraad.directory.models import Municipality, Person, RoleKind
from samraad.mail.inbound import inbound_parse
from samraad.mail.models import InboundMessage, InboundSource
from samraad.rounds.models import Round
from samraad.speakers.services import speaker_request_from_inbound


def inbound_emails_load(
    *, round: Round, rng: random.Random, as_of: datetime.datetime, staff_name: str
) -> int:
    """Six emails to the round's input address, each stored raw and run through the parser.

    Staff attached three to a municipality's input (one with a PDF, one
    written in HTML and Latin-1 from a subdomain), turned one into a speaker
    request and dismissed an auto-reply; a colleague's forward of a
    municipality's letter waits in the triage queue.
    """
    if not round.input_address:
        return 0
    contacts = contacts_by_municipality()
    inputs = CouncilInput.objects.filter(round=round)
    with_input = set(inputs.values_list("municipality", flat=True))
    municipalities = list(Municipality.objects.select_related("region").order_by("code"))
    without = [m for m in municipalities if m.pk not in with_input and contacts.get(m.pk)]
    submitted = [m for m in municipalities if m.pk in with_input and contacts.get(m.pk)]
    if len(without) < 4 or len(submitted) < 2:
        return 0
    plain, html_from, forwarded, speaker = rng.sample(without, 4)
    pdf_from, away = rng.sample(submitted, 2)
    to = round.input_address
    start = max(
        local_datetime(round.starts_on.year, round.starts_on.month, round.starts_on.day, 9)
        + 10 * DAY,
        as_of - 30 * DAY,
    )

    def letter(municipality: Municipality) -> tuple[Person, dict[str, str]]:
        person = contacts[municipality.pk][0]
        text = corpus.inbound_email(
            municipality,
            rng,
            sender=f"{person.name}\n{person.title}, {corpus.place_of(municipality).official_name}",
            year=round.year,
            code=round.code,
        )
        return person, text

    stored: list[tuple[InboundMessage, str, Municipality]] = []

    def receive(raw: bytes, envelope_from: str, when: datetime.datetime, then: str, m) -> None:
        # As `inbound_receive` stores it, minus its durable transaction of its own (the
        # demo loads in one transaction); then the same parser and matching.
        message = InboundMessage.objects.create(
            source=InboundSource.SMTP,
            raw=raw,
            raw_sha256=hashlib.sha256(raw).hexdigest(),
            envelope_from=envelope_from,
            envelope_to=[to],
        )
        InboundMessage.objects.filter(pk=message.pk).update(received_at=when)
        message.refresh_from_db()
        mark = outbox_mark()
        message = inbound_parse(message=message)
        mail_sent(mark, when)
        stored.append((message, then, m))

    times = sorted(between(rng, start, as_of - HOUR) for _ in range(6))

    person, text = letter(plain)
    raw = email_message(
        from_name=person.name,
        from_email=person.email,
        to=to,
        subject=text["subject"],
        body=text["body"],
        sent_at=times[0],
    )
    receive(raw, person.email, times[0], "attach", plain)

    person, text = letter(pdf_from)
    pdf = simple_pdf(text["subject"], text["body"].split("\n\n"))
    raw = email_message(
        from_name=person.name,
        from_email=person.email,
        to=to,
        subject=text["subject"],
        body=text["body"] + "\n\nBilag: kommunalbestyrelsens budgetnotat.",
        sent_at=times[1],
        attachments=[(f"Budgetnotat {pdf_from.name}.pdf", "application/pdf", pdf)],
    )
    receive(raw, person.email, times[1], "attach", pdf_from)

    person, text = letter(html_from)
    domain = person.email.rpartition("@")[2]
    sender = f"borgmesterkontoret@post.{domain}"
    body = text["body"].encode("iso-8859-1", errors="replace").decode("iso-8859-1")
    paragraphs = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in body.split("\n\n"))
    raw = email_message(
        from_name=f"Borgmesterkontoret, {html_from.name}",
        from_email=sender,
        to=to,
        subject=text["subject"],
        body=body,
        html=f"<html><body>{paragraphs}</body></html>",
        sent_at=times[2],
        charset="iso-8859-1",
    )
    receive(raw, sender, times[2], "attach", html_from)

    person, text = letter(forwarded)
    colleague = Person.objects.with_role(RoleKind.SECRETARIAT).filter(title__startswith="Konsulent")
    colleague = colleague.order_by("pk").last()
    original_time = times[3] - 3 * DAY
    body = (
        "Hej\n\nJeg fik denne fra kommunen på min egen mail. Den hører vel hjemme hos jer.\n\n"
        f"Venlig hilsen\n{colleague.name if colleague else 'KL'}\n\n"
        "-----Oprindelig meddelelse-----\n"
        f"Fra: {person.name} <{person.email}>\n"
        f"Sendt: {timezone.localtime(original_time):%d. %m. %Y %H:%M}\n"
        f"Til: {colleague.email if colleague else to}\n"
        f"Emne: {text['subject']}\n\n"
        f"{text['body']}"
    )
    raw = email_message(
        from_name=colleague.name if colleague else "KL",
        from_email=colleague.email if colleague else f"sekretariatet@{to.rpartition('@')[2]}",
        to=to,
        subject=f"VS: {text['subject']}",
        body=body,
        sent_at=times[3],
    )
    receive(raw, colleague.email if colleague else to, times[3], "leave", forwarded)

    person = contacts[speaker.pk][0]
    raw = email_message(
        from_name=person.name,
        from_email=person.email,
        to=to,
        subject=f"Ønske om oplæg om {round.code} i kommunalbestyrelsen",
        body=(
            "Kære KL\n\n"
            f"Kommunalbestyrelsen i {corpus.place_of(speaker).official_name} vil gerne have besøg "
            f"af en repræsentant for KL's bestyrelse eller sekretariat til en drøftelse af "
            f"økonomiforhandlingerne om {round.year}. Vi holder temamøde i de kommende uger og "
            "er fleksible med datoen.\n\n"
            f"Med venlig hilsen\n{person.name}\n{person.title}"
        ),
        sent_at=times[4],
    )
    receive(raw, person.email, times[4], "speaker", speaker)

    person = contacts[away.pk][0]
    raw = email_message(
        from_name=person.name,
        from_email=person.email,
        to=to,
        subject=f"Automatisk svar: Input til {round.code}",
        body=(
            f"Tak for din mail. Jeg er på ferie og læser ikke mails før den "
            f"{timezone.localtime(times[5] + 7 * DAY):%d.%m.}. Ved hastende sager kontakt "
            "kommunens hovednummer."
        ),
        sent_at=times[5],
        headers=[("Auto-Submitted", "auto-replied")],
    )
    receive(raw, person.email, times[5], "dismiss", away)

    for message, then, municipality in stored:
        if then == "attach":
            inbound_attach_to_input(
                message=message,
                round=round,
                municipality=message.municipality or municipality,
                by_name=staff_name,
            )
        elif then == "speaker":
            speaker_request_from_inbound(message=message)
        elif then == "dismiss":
            inbound_dismiss(message=message, reason="Automatisk fraværsbesked", by_name=staff_name)
    return len(stored)
