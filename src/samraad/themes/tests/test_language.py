import socket

import pytest

from samraad.themes import language
from samraad.themes.language import (
    MAX_SENTENCE_WORDS,
    lemmatize,
    looks_danish,
    pipeline,
    split_sentences,
)


@pytest.fixture
def offline(monkeypatch):
    """No network: a pipeline that tried to download anything would fail here."""

    def refuse(*args, **kwargs):
        raise OSError("network used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    language.pipeline.cache_clear()
    yield
    language.pipeline.cache_clear()


def test_the_danish_lookup_table_lemmatises_offline(offline):
    nlp = pipeline()
    assert nlp.pipe_names == ["lemmatizer"]
    assert nlp.get_pipe("lemmatizer").mode == "lookup"
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    # What spacy-lookups-data's Danish table says, read from the table itself:
    assert table["kommunerne"] == "kommune"
    assert table["børnene"] == "barn"
    lemmas = next(lemmatize(["Kommunerne og børnene i ældreplejen"]))
    assert lemmas.all == ("kommune", "og", "barn", "i", "ældrepleje")
    # Stop words ("og", "i") and domain words ("kommune") are not content.
    assert lemmas.content == ("barn", "ældrepleje")


def test_the_pipeline_is_built_once_per_process():
    assert pipeline() is pipeline()


def test_sentences_keep_their_offsets():
    text = "Ældreplejen er presset. Skolerne mangler lærere!\n\nKlima og kyster: diger?"
    spans = split_sentences(text)
    assert [text[s.start : s.end] for s in spans] == [
        "Ældreplejen er presset.",
        "Skolerne mangler lærere!",
        "Klima og kyster: diger?",
    ]


def test_a_text_without_punctuation_is_cut_into_sentences_of_bounded_length():
    text = " ".join(["ord"] * (MAX_SENTENCE_WORDS * 2 + 5))
    spans = split_sentences(text)
    assert [len(text[s.start : s.end].split()) for s in spans] == [
        MAX_SENTENCE_WORDS,
        MAX_SENTENCE_WORDS,
        5,
    ]


def test_danish_is_told_from_english():
    danish = [
        "vi",
        "har",
        "brug",
        "for",
        "at",
        "der",
        "er",
        "flere",
        "penge",
        "til",
        "de",
        "ældre",
        "og",
        "til",
        "skolerne",
        "i",
        "kommunen",
    ]
    english = [
        "we",
        "need",
        "more",
        "money",
        "for",
        "the",
        "elderly",
        "and",
        "for",
        "the",
        "schools",
        "in",
        "the",
        "municipality",
    ]
    assert looks_danish(danish)
    assert not looks_danish(english)
    assert looks_danish(["hello", "world"])  # too short to judge


def test_german_is_not_taken_for_danish():
    german = "die gemeinde braucht mehr geld für die schulen und die altenpflege weil es knapp ist"
    assert not looks_danish(german.split())


def test_hyphenated_words_are_words():
    assert next(lemmatize(["sosu-assistenter mangler"])).all[0] == "sosu-assistenter"


def test_the_memoised_lookup_gives_what_the_lemmatizer_component_gives():
    text = "Kommunerne har brug for flere penge til ældreplejen, skolerne og it-systemerne i 2026."
    component = [t.lemma_ for t in pipeline()(text.lower()) if t.is_alpha]
    assert component[:3] == ["kommune", "have", "brug"]
    ours = next(lemmatize([text]))
    assert "it-systemerne" in ours.words  # hyphenated words count; the component skips them
    assert [w for w in ours.all if "-" not in w] == component
