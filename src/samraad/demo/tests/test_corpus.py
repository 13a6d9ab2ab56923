"""The Danish text generator and the files the demo builds (no database needed)."""

import io
import random
import re
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from samraad.core.uploads import upload_check
from samraad.demo import corpus
from samraad.demo.documents import Attendee, email_message, simple_pdf, teams_report
from samraad.mail.inbound import parse_raw
from samraad.meetings.attendance import parse_teams_report
from samraad.rounds.models import DEFAULT_THEMES

# Words only one service area uses: finding them says the area's vocabulary is there.
MARKERS = {
    "aeldre": ["plejebolig", "hjemmepleje", "ældrereform", "plejehjem"],
    "boern": ["specialundervisning", "pædagog", "folkeskole", "dagtilbud"],
    "social": ["botilbud", "anbringelse", "barnets lov", "voksenhandicap"],
    "beskaeftigelse": ["sygedagpenge", "jobcentre", "kontanthjælp", "flexjob"],
    "sundhed": ["sundhedsreform", "praktiserende læge", "genoptræning", "sundhedsvæsen"],
    "anlaeg": ["anlægsloft", "anlægsramme", "almene boliger", "byggepriser"],
    "klima": ["klimatilpasning", "kystbeskyttelse", "grønne trepart", "skybrud"],
    "digitalisering": ["kunstig intelligens", "licenser", "cybersikkerhed", "it-systemer"],
    "demografi": ["befolkningsprognose", "fraflytning", "forsørgerbyrde", "erhvervsaktive"],
    "rekruttering": ["vikarudgift", "sundhedsassistenter", "uddannelsespladser", "arbejdskraft"],
    "budget": ["serviceramme", "budgetkoordinering", "sanktion", "råderum"],
    "udligning": ["udligning", "bloktilskud", "beskatningsgrundlag", "tilskudspulje"],
}


def _areas_in(text: str) -> set[str]:
    lower = text.lower()
    return {area for area, words in MARKERS.items() if any(word in lower for word in words)}


def test_generate_documents_is_deterministic_per_seed():
    first = corpus.generate_documents(20, words=150, seed=7)

    assert corpus.generate_documents(20, words=150, seed=7) == first
    assert corpus.generate_documents(20, words=150, seed=8) != first
    assert len(set(first)) == 20


@pytest.mark.parametrize("words", [60, 400, 1200])
def test_documents_have_about_the_asked_word_count(words):
    documents = corpus.generate_documents(30, words=words, seed=1)

    counts = [len(document.split()) for document in documents]
    assert all(words <= count <= words * 1.15 + 30 for count in counts), counts


def test_documents_are_danish_text_about_several_service_areas():
    documents = corpus.generate_documents(200, words=400, seed=3)

    covered = Counter(area for document in documents for area in _areas_in(document))
    # every area turns up across the corpus, and each text is about a few of them
    assert set(covered) == set(MARKERS)
    assert all(count >= 10 for count in covered.values()), covered
    per_document = [len(_areas_in(document)) for document in documents]
    assert min(per_document) >= 1
    assert sum(n >= 2 for n in per_document) >= 0.9 * len(documents)
    # no slot or alternative is left unfilled, and the text is Danish
    text = "\n".join(documents)
    assert not re.search(r"[{}\[\]]", text)
    assert all(word in text for word in ("kommune", "økonomi", "æ", "ø", "å"))
    # municipality-specific details: names, amounts in Danish notation, years
    assert re.search(r"\d+,\d mio\. kr\.", text)
    assert re.search(r"\b20[23]\d\b", text)
    assert "Aalborg Kommune" in text or "Københavns Kommune" in text


def test_regions_lean_towards_their_own_areas():
    rng = random.Random(11)
    north = corpus.Place("Hjørring", 1081)
    capital = corpus.Place("Gentofte", 1084)

    def share(place, area):
        texts = [corpus.document(place, rng, words=300) for _ in range(80)]
        return sum(area in _areas_in(text) for text in texts) / len(texts)

    assert share(north, "demografi") > share(capital, "demografi") + 0.2
    assert share(capital, "anlaeg") > share(north, "anlaeg") + 0.2


def test_a_topic_model_finds_distinct_themes():
    sklearn = pytest.importorskip("sklearn")
    del sklearn
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    documents = corpus.generate_documents(300, words=400, seed=5)
    vectorizer = TfidfVectorizer(max_df=0.5, min_df=5)
    matrix = vectorizer.fit_transform(documents)
    model = NMF(n_components=8, random_state=0, max_iter=500).fit(matrix)
    terms = vectorizer.get_feature_names_out()

    found = set()
    for weights in model.components_:
        top = " ".join(terms[i] for i in weights.argsort()[::-1][:12])
        areas = _areas_in(top)
        if len(areas) == 1:  # a theme that is clearly one area
            found |= areas
    assert len(found) >= 5, found


def test_council_input_text_fills_the_form():
    municipality = corpus.Place("Vejle", 1083)

    fields = corpus.council_input_text(municipality, random.Random(2), year=2026)

    assert fields == corpus.council_input_text(municipality, random.Random(2), year=2026)
    assert len(fields["economic_situation"].split()) > 80
    assert "Vejle Kommune" in fields["economic_situation"]
    assert fields["proposals"].startswith("- ")
    assert fields["budget_remarks"]
    theme_keys = {key for key, _name, _en in DEFAULT_THEMES}
    assert set(fields["ratings"]) <= theme_keys
    assert len(fields["ratings"]) >= 8
    ratings = [rating for rating, _text in fields["ratings"].values()]
    assert all(1 <= rating <= 5 for rating in ratings)
    assert max(ratings) >= 4  # the most pressing area, with a comment
    assert any(text for rating, text in fields["ratings"].values() if rating >= 4)


def test_kkr_summary_quotes_come_from_the_region():
    text = corpus.kkr_summary(1081, random.Random(4), year=2026, quotes=3)

    north = {place.name for place in corpus.places() if place.region_code == 1081}
    assert text.summary.startswith("KKR Nordjylland drøftede")
    assert len(text.quotes) == 3
    assert all(quote.municipality.name in north for quote in text.quotes)
    assert all(quote.speaker_role and quote.text for quote in text.quotes)
    assert text.challenges.count("\n") == 2
    assert text.theme_keys and set(text.theme_keys) <= {k for k, _n, _e in DEFAULT_THEMES}


def test_other_helpers_write_danish():
    rng = random.Random(9)
    place = corpus.Place("København", 1084)

    question = corpus.advance_question(rng, region=1084)
    assert question.rstrip().endswith("?")
    letter = corpus.inbound_email(place, rng, sender="Anne Prøvesen", year=2026)
    assert "Københavns Kommune" in letter["body"]
    assert letter["body"].startswith("Kære KL")
    assert letter["subject"]
    notes = corpus.presenter_notes(place, rng, year=2026)
    assert "Københavns Kommune" in notes
    topic, audience = corpus.speaker_topic(rng, year=2026)
    assert topic and audience


def test_simple_pdf_is_a_pdf_that_uploads_accept():
    data = simple_pdf("Budgetnotat for Ærø", ["Økonomien er presset (meget).", "Linje " * 400])

    checked = upload_check(SimpleUploadedFile("notat.pdf", data))
    assert checked.kind == "pdf"
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 1
    assert "Ærø" in reader.pages[0].extract_text()


def test_teams_report_reads_as_a_danish_teams_report():
    import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Copenhagen")
    start = datetime.datetime(2025, 3, 31, 19, tzinfo=zone)
    end = datetime.datetime(2025, 3, 31, 20, 30, tzinfo=zone)
    attendees = [
        Attendee("Åse Prøvegaard", "aase@thisted.dk", "Deltager", [(start, end)]),
        Attendee("Anonym", "", "Deltager", [(start, start + datetime.timedelta(minutes=20))]),
    ]

    data = teams_report(title="Stormøde", start=start, end=end, attendees=attendees)

    assert data.startswith(b"\xff\xfe")
    report = parse_teams_report(data, tz=zone)
    assert report.title == "Stormøde"
    assert [p.name for p in report.participants] == ["Åse Prøvegaard", "Anonym"]
    assert report.participants[0].seconds == 90 * 60
    assert report.start == start


def test_email_message_parses_with_its_attachment():
    import datetime

    raw = email_message(
        from_name="Borgmesterkontoret, Ærø",
        from_email="post@aeroe.dk",
        to="oa26-input@kl.dk",
        subject="Input fra Ærø Kommune",
        body="Kære KL\n\nHer er vores input.",
        sent_at=datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC),
        attachments=[("Notat.pdf", "application/pdf", simple_pdf("Notat", ["Tekst"]))],
        charset="iso-8859-1",
    )

    parsed = parse_raw(raw)
    assert parsed.from_email == "post@aeroe.dk"
    assert parsed.from_name == "Borgmesterkontoret, Ærø"
    assert parsed.subject == "Input fra Ærø Kommune"
    assert "Her er vores input." in parsed.body_text
    assert [a.filename for a in parsed.attachments] == ["Notat.pdf"]
