from samraad.themes.analysis import (
    MAX_TEXT_CHARS,
    Text,
    analyse,
    compile_lexicon,
    matched_terms,
    number_of_themes,
)
from samraad.themes.language import lemmatize
from samraad.themes.tests.conftest import PLANTED, planted_text

KEYS = list(PLANTED)


def corpus(n=30):
    return [Text(i, planted_text(KEYS[i % len(KEYS)], seed=i)) for i in range(n)]


def lemma_of(word):
    return next(lemmatize([word])).all[0]


def test_discovery_finds_the_planted_themes():
    texts = corpus()
    result = analyse(texts)
    assert result.texts == 30 and result.sentences == 180
    for key, words in PLANTED.items():
        planted = {lemma_of(w) for w in words}
        owners = {i for i in range(30) if i % len(KEYS) == KEYS.index(key)}
        # Some theme is made of this planted theme's words, and its texts are the right ones.
        matching = [t for t in result.discovered if len(set(t.top_terms[:5]) & planted) >= 4]
        assert matching, (key, [t.top_terms for t in result.discovered])
        assert set().union(*(t.text_indices for t in matching)) <= owners
        for quote in matching[0].quotes:
            assert quote.text_index in owners
            assert texts[quote.text_index].text[quote.start : quote.end] == quote.sentence
    weights = [t.weight for t in result.discovered]
    assert weights == sorted(weights, reverse=True)


def test_the_number_of_themes_grows_with_the_corpus_within_bounds():
    assert number_of_themes(3) == 4
    assert number_of_themes(49) == 7
    assert number_of_themes(10_000) == 12


def test_the_lexicon_matches_lemmas_phrases_and_prefixes():
    compiled = compile_lexicon(
        {"x": ["skole", "ældre*", "specialiseret socialområde", "grøn omstilling"]}
    )["x"]

    def found(sentence):
        return matched_terms(compiled, next(lemmatize([sentence])))

    assert found("Skolerne mangler lærere.") == {"skole"}  # inflected form, found by lemma
    assert found("Hjemmeplejen og ældreplejen.") == {"ældre*"}  # compound, found by prefix
    assert found("Det specialiserede socialområde vokser.") == {"specialiseret socialområde"}
    assert found("Den grønne omstilling koster.") == {"grøn omstilling"}
    assert found("Omstilling til grøn energi.") == set()  # the words, but not the phrase


def test_service_areas_come_with_their_terms_and_quotes():
    result = analyse(corpus(), {"elderly_care": ["ældre*", "demens"], "health": ["hospital*"]})
    assert [t.key for t in result.service_areas] == ["elderly_care"]  # nothing on hospitals
    elderly = result.service_areas[0]
    assert set(elderly.top_terms) == {"ældre*", "demens"}
    assert elderly.text_indices == {i for i in range(30) if i % len(KEYS) == 0}
    for quote in elderly.quotes:
        assert "ældre" in quote.sentence.lower() or "demens" in quote.sentence.lower()


def test_non_danish_and_very_long_text_are_handled():
    english = "The municipality needs more money for the elderly and for the schools. " * 5
    long = planted_text("climate", seed=99, sentences=4) + " " + "x" * (MAX_TEXT_CHARS + 10)
    texts = [*corpus(), Text("en", english), Text("long", long)]
    result = analyse(texts, {"climate": ["klima*"]})
    assert result.not_danish == [30]
    assert result.truncated == [31]
    quoted = {q.text_index for t in result.discovered + result.service_areas for q in t.quotes}
    assert 30 not in quoted
    assert 31 in result.service_areas[0].text_indices  # its Danish start is still read


def test_empty_and_tiny_input_gives_no_themes_and_no_error():
    assert analyse([]).discovered == []
    assert analyse([Text(1, "Kort.")]).discovered == []
    assert analyse([Text(1, "")], {"x": ["klima*"]}).service_areas == []
