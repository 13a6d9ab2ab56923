"""A hand-built round for the briefing: two municipalities with data, two KKRs, a speaker,
and two reviewed themes (one renamed by staff, one rejected) from a finished analysis."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from samraad.briefing.models import BriefingExport
from samraad.core.timeutils import local_datetime
from samraad.councils.models import CouncilInput, InputStatus
from samraad.directory.models import Municipality, Region, Role, RoleKind
from samraad.meetings.models import Invitation, Registration, RegistrationStatus
from samraad.regional.models import KkrQuote, KkrRecord, KkrRecordStatus
from samraad.rounds.models import Theme
from samraad.speakers.models import MeetingFormat, PresenterKind, SpeakerRequest, SpeakerStatus
from samraad.tests_support.factories import (
    KkrMeetingFactory,
    MeetingFactory,
    PersonFactory,
    RoundFactory,
    SessionFactory,
    StaffUserFactory,
)
from samraad.themes.models import (
    AnalysisRun,
    DecisionKind,
    DiscoveredTheme,
    ReviewDecision,
    RunStatus,
    SourceKind,
    ThemeKind,
    ThemeQuote,
)

NOW = local_datetime(2025, 4, 20, 12)

ELDERLY_QUOTES = [
    "Ældreplejen i Aalborg mangler hænder, og udgifterne vokser hurtigere end rammen.",
    "Vi må prioritere hjemmeplejen før anlæg – det er et svært valg for byrådet.",
    '=HYPERLINK("http://evil.example") er ikke en formel, men et citat.',
    "Et fjerde citat, som kun står i regnearket.",
]


def pdf_pages(content: bytes) -> list[str]:
    assert bytes(content).startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(bytes(content))).pages]


def pdf_outline(content: bytes) -> list[str]:
    """The PDF's bookmarks (Typst writes one per heading), flattened, in order."""

    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item.title

    return list(walk(PdfReader(io.BytesIO(bytes(content))).outline))


def flat(text: str) -> str:
    return " ".join(text.split())


def member(n: int, municipality: Municipality):
    person = PersonFactory(name=f"Medlem {n}", email=f"m{n}@example.dk", municipality=municipality)
    Role.objects.create(person=person, kind=RoleKind.COUNCIL_MEMBER)
    return person


@pytest.fixture
def empty_round(db):
    return RoundFactory(code="ØA40", slug="oa40", title="Dialog om ØA40")


@pytest.fixture
def scenario(db):
    """ØA30 with data in København (101) and Aalborg (851)."""
    copenhagen = Municipality.objects.get(code=101)
    aalborg = Municipality.objects.get(code=851)
    meeting = MeetingFactory(
        round__code="ØA30",
        round__slug="oa30",
        round__title="Dialog om forberedelsen af ØA30",
        round__title_en="Dialogue on the preparation of ØA30",
    )
    round_ = meeting.round
    session = SessionFactory(meeting=meeting)
    for n, municipality in ((1, copenhagen), (2, copenhagen), (3, aalborg)):
        person = member(n, municipality)
        Invitation.objects.create(meeting=meeting, person=person, sent_at=NOW)
        if n != 2:
            Registration.objects.create(
                meeting=meeting, session=session, person=person, status=RegistrationStatus.CONFIRMED
            )
    CouncilInput.objects.create(
        round=round_,
        municipality=aalborg,
        economic_situation="Stram økonomi.",
        status=InputStatus.SUBMITTED,
        submitted_at=NOW,
    )
    staff = StaffUserFactory(username="godkender@kl.example")
    nordjylland = KkrMeetingFactory(round=round_, region=Region.objects.get(code=1081))
    record = KkrRecord.objects.create(
        meeting=nordjylland,
        summary="KKR Nordjylland drøftede ældreplejen og anlægsloftet.\n\nÆØÅ æøå skal overleve.",
        challenges="Rekruttering i ældreplejen.",
        status=KkrRecordStatus.APPROVED,
        approved_at=NOW,
        approved_by=staff,
    )
    elderly_care = Theme.objects.create(
        round=round_, key="elderly_care", name="Ældreområdet", name_en="Elderly care"
    )
    record.themes.add(elderly_care)
    KkrQuote.objects.create(
        record=record,
        text="Vi kan ikke både bygge skoler og ansætte i ældreplejen.",
        speaker_role="Borgmester",
        municipality=aalborg,
    )
    hovedstaden = KkrMeetingFactory(
        round=round_,
        region=Region.objects.get(code=1084),
        starts_at=local_datetime(2025, 4, 7, 10),
        place="København",
    )
    KkrRecord.objects.create(meeting=hovedstaden, summary="Hemmeligt udkast, ikke godkendt.")
    presenter = PersonFactory(name="Bestyrelsesmedlem Bodil Ørsted", title="Borgmester")
    Role.objects.create(person=presenter, kind=RoleKind.BOARD_MEMBER)
    SpeakerRequest.objects.create(
        round=round_,
        municipality=aalborg,
        presenter_kind=PresenterKind.BOARD,
        meeting_format=MeetingFormat.IN_PERSON,
        address="Aalborg Rådhus",
        topic="Økonomien i ældreplejen",
        status=SpeakerStatus.CONFIRMED,
        presenter=presenter,
        starts_at=local_datetime(2025, 4, 22, 17),
        ends_at=local_datetime(2025, 4, 22, 18),
    )
    SpeakerRequest.objects.create(
        round=round_,
        municipality=copenhagen,
        presenter_kind=PresenterKind.EITHER,
        meeting_format=MeetingFormat.ONLINE,
        topic="Ikke tildelt endnu",
    )
    _themes(round_, copenhagen, aalborg, elderly_care)
    return round_


def _themes(round_, copenhagen, aalborg, elderly_care):
    run = AnalysisRun.objects.create(
        round=round_, status=RunStatus.DONE, progress=100, finished_at=timezone.now()
    )
    elderly = DiscoveredTheme.objects.create(
        run=run,
        kind=ThemeKind.DISCOVERED,
        position=0,
        label="ældrepleje, hjemmepleje, hænder",
        top_terms=["ældrepleje", "hjemmepleje", "hænder", "udgift"],
        weight=2.0,
        municipality_ids=[copenhagen.pk, aalborg.pk],
        region_ids=[copenhagen.region_id, aalborg.region_id],
    )
    for position, text in enumerate(ELDERLY_QUOTES):
        ThemeQuote.objects.create(
            theme=elderly,
            position=position,
            source_kind=SourceKind.COUNCIL_INPUT,
            source_id=1,
            place=aalborg.name,
            url="/staff/rounds/oa30/input/aalborg/",
            text=text,
            municipality=aalborg,
        )
    DiscoveredTheme.objects.create(
        run=run,
        kind=ThemeKind.DISCOVERED,
        position=1,
        label="vejr, sol, regn",
        top_terms=["vejr", "sol", "regn"],
        weight=1.0,
        municipality_ids=[copenhagen.pk],
        region_ids=[copenhagen.region_id],
    )
    DiscoveredTheme.objects.create(
        run=run,
        kind=ThemeKind.SERVICE_AREA,
        service_area=elderly_care,
        position=0,
        label="Ældreområdet",
        top_terms=["ældrepleje", "plejehjem"],
        weight=3.0,
        municipality_ids=[aalborg.pk],
        region_ids=[aalborg.region_id],
    )
    ReviewDecision.objects.create(
        round=round_, kind=DecisionKind.RENAME, terms=elderly.top_terms, name="Ældreplejens økonomi"
    )
    ReviewDecision.objects.create(
        round=round_, kind=DecisionKind.REJECT, terms=["vejr", "sol", "regn"]
    )


@pytest.fixture
def make_export(db):
    def make(round_, *, format="pdf", language="en", **fields):
        return BriefingExport.objects.create(
            round=round_,
            format=format,
            language=language,
            requested_by=StaffUserFactory(),
            **fields,
        )

    return make


@pytest.fixture
def yesterday():
    return timezone.now() - datetime.timedelta(days=1)
