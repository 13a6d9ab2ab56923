"""Every text of a round, each with where it came from: the input to the theme analysis.

- council input that was submitted: the economic situation, proposals, remarks for
  the joint budget coordination and the comments on the service areas;
- the KKR discussion records (summary and challenges) and the quotes in them;
- the questions or themes members sent in advance with their registration;
- presenters' notes after a council meeting;
- triaged email (attached to input or turned into a speaker request). Its text
  is also copied into the input's "from email" field, which is therefore not
  read again: the quote links to the message itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.urls import reverse

from samraad.councils.models import CouncilInput, InputStatus
from samraad.mail.models import InboundMessage, TriageStatus
from samraad.meetings.models import Registration, RegistrationStatus
from samraad.regional.models import KkrQuote, KkrRecord
from samraad.rounds.models import Round
from samraad.speakers.models import SpeakerRequest
from samraad.themes.models import SourceKind


@dataclass(frozen=True)
class Document:
    """One text of a round and its source: what it is, whose it is, where to read it."""

    kind: str  # a SourceKind value
    object_id: int
    municipality_id: int | None
    region_id: int | None
    region_name: str
    text: str
    url: str
    place: str  # the municipality's name, or the KKR's for a KKR record


def documents_for(round_: Round) -> Iterator[Document]:
    """Every non-empty text of `round_`, in a stable order."""
    yield from _council_inputs(round_)
    yield from _kkr(round_)
    yield from _questions(round_)
    yield from _presenter_notes(round_)
    yield from _emails(round_)


def _join(*parts: str) -> str:
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def _council_inputs(round_: Round) -> Iterator[Document]:
    inputs = (
        CouncilInput.objects.filter(
            round=round_,
            status__in=[InputStatus.SUBMITTED, InputStatus.RECEIVED, InputStatus.USED],
        )
        .select_related("municipality__region")
        .prefetch_related("ratings")
        .order_by("municipality__code")
    )
    for item in inputs:
        text = _join(
            item.economic_situation,
            item.proposals,
            item.budget_remarks,
            *(rating.text for rating in item.ratings.all()),
        )
        if text:
            municipality = item.municipality
            yield Document(
                kind=SourceKind.COUNCIL_INPUT,
                object_id=item.pk,
                municipality_id=municipality.pk,
                region_id=municipality.region_id,
                region_name=municipality.region.name,
                text=text,
                url=reverse("councils:staff_input", args=[round_.slug, municipality.code]),
                place=municipality.name,
            )


def _kkr(round_: Round) -> Iterator[Document]:
    records = KkrRecord.objects.filter(meeting__round=round_).select_related("meeting__region")
    for record in records.order_by("meeting__region__code"):
        region = record.meeting.region
        url = reverse("regional:meeting", args=[record.meeting_id])
        text = _join(record.summary, record.challenges)
        if text:
            yield Document(
                kind=SourceKind.KKR_RECORD,
                object_id=record.pk,
                municipality_id=None,
                region_id=region.pk,
                region_name=region.name,
                text=text,
                url=url,
                place=region.kkr_name,
            )
    quotes = (
        KkrQuote.objects.filter(record__meeting__round=round_)
        .select_related("municipality__region", "record__meeting")
        .order_by("record_id", "position", "id")
    )
    for item in quotes:
        if item.text.strip():
            yield Document(
                kind=SourceKind.KKR_QUOTE,
                object_id=item.pk,
                municipality_id=item.municipality_id,
                region_id=item.municipality.region_id,
                region_name=item.municipality.region.name,
                text=item.text.strip(),
                url=reverse("regional:meeting", args=[item.record.meeting_id]),
                place=f"{item.municipality.name} ({item.speaker_role})",
            )


def _questions(round_: Round) -> Iterator[Document]:
    registrations = (
        Registration.objects.filter(meeting__round=round_)
        .exclude(status=RegistrationStatus.CANCELLED)
        .exclude(question="")
        .select_related("person__municipality__region")
        .order_by("id")
    )
    for item in registrations:
        municipality = item.person.municipality
        url = reverse("meetings:staff_people", args=[round_.slug])
        yield Document(
            kind=SourceKind.QUESTION,
            object_id=item.pk,
            municipality_id=municipality.pk if municipality else None,
            region_id=municipality.region_id if municipality else None,
            region_name=municipality.region.name if municipality else "",
            text=item.question.strip(),
            url=f"{url}?{urlencode({'q': item.person.email})}",
            place=municipality.name if municipality else "",
        )


def _presenter_notes(round_: Round) -> Iterator[Document]:
    requests = (
        SpeakerRequest.objects.filter(round=round_)
        .exclude(presenter_notes="")
        .select_related("municipality__region")
        .order_by("id")
    )
    for item in requests:
        yield Document(
            kind=SourceKind.PRESENTER_NOTES,
            object_id=item.pk,
            municipality_id=item.municipality_id,
            region_id=item.municipality.region_id,
            region_name=item.municipality.region.name,
            text=item.presenter_notes.strip(),
            url=reverse("speakers:staff_detail", args=[item.pk]),
            place=item.municipality.name,
        )


def _emails(round_: Round) -> Iterator[Document]:
    messages = (
        InboundMessage.objects.filter(
            round=round_,
            triage_status__in=[TriageStatus.ATTACHED, TriageStatus.SPEAKER_REQUEST],
        )
        .exclude(body_text="")
        .select_related("municipality__region")
        .order_by("id")
    )
    for item in messages:
        municipality = item.municipality
        yield Document(
            kind=SourceKind.EMAIL,
            object_id=item.pk,
            municipality_id=municipality.pk if municipality else None,
            region_id=municipality.region_id if municipality else None,
            region_name=municipality.region.name if municipality else "",
            text=_join(item.subject, item.body_text),
            url=reverse("mail:inbound_detail", args=[item.pk]),
            place=municipality.name if municipality else item.from_email,
        )


def quote_url(url: str, sentence: str) -> str:
    """`url` with a text fragment that makes the browser scroll to and mark the sentence."""
    words = sentence.split()
    if not words:
        return url
    start = " ".join(words[:6])
    base = url.split("#", 1)[0]
    return f"{base}#:~:text={quote(start, safe='')}"
