"""The analysis itself, free of the database: texts in, themes with their quotes out.

Discovery: each text is split into sentences, lemmatised (language.py) and cut
into passages of at most PASSAGE_WORDS content words; TF-IDF over the passages'
lemmas and NMF find `k` themes, k chosen from the number of passages. A theme's
top terms are its heaviest lemmas; a text raises a theme when one of its passages
gives the theme at least MEMBERSHIP_SHARE of its weight; its quotes are the
sentences of those texts that score highest for the theme (at most
QUOTES_PER_TEXT from one text, so one long text does not fill the list).

Service areas: the round's fixed themes are found by their lexicon: lemmas or
phrases ("ældrepleje", "specialiseret socialområde"), or prefixes ending in "*"
("ældre*") that also catch Danish compounds.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from samraad.themes.language import (
    MAX_TEXT_CHARS,
    Lemmas,
    Span,
    lemmatize,
    looks_danish,
    split_sentences,
)

PASSAGE_WORDS = 200
MIN_THEMES, MAX_THEMES = 4, 12
TOP_TERMS = 10
MEMBERSHIP_SHARE = 0.3
QUOTES_PER_THEME = 40
QUOTES_PER_TEXT = 2

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Text:
    """One text to analyse; `key` is the caller's, handed back with each quote."""

    key: object
    text: str


@dataclass
class QuoteResult:
    text_index: int
    start: int
    end: int
    sentence: str
    score: float
    lemmas: tuple[str, ...]


@dataclass
class ThemeResult:
    label: str
    top_terms: list[str]
    weight: float
    text_indices: set[int]
    quotes: list[QuoteResult]
    key: str = ""  # the service area's key; empty for a discovered theme


@dataclass
class AnalysisResult:
    texts: int = 0
    sentences: int = 0
    words: int = 0
    not_danish: list[int] = field(default_factory=list)
    truncated: list[int] = field(default_factory=list)
    discovered: list[ThemeResult] = field(default_factory=list)
    service_areas: list[ThemeResult] = field(default_factory=list)


@dataclass
class _Sentence:
    text_index: int
    span: Span
    lemmas: Lemmas


def number_of_themes(passages: int) -> int:
    """k grows with the corpus: about the square root of the number of passages, 4–12."""
    return max(MIN_THEMES, min(MAX_THEMES, round(math.sqrt(passages))))


def analyse(
    texts: Sequence[Text],
    lexicon: dict[str, list[str]] | None = None,
    *,
    progress: Progress | None = None,
) -> AnalysisResult:
    """Themes of `texts`: discovered ones, and the service areas of `lexicon` (key → terms).

    Texts that do not look Danish are left out (their indices in `not_danish`);
    texts longer than MAX_TEXT_CHARS are analysed up to there (`truncated`).
    The same input always gives the same themes.
    """
    report = progress or (lambda percent: None)
    result = AnalysisResult(texts=len(texts))
    sentences = _sentences(texts, result, report)
    danish = _danish_texts(sentences, len(texts), result)
    sentences = [s for s in sentences if s.text_index in danish]
    result.sentences = len(sentences)
    result.words = sum(len(s.lemmas.words) for s in sentences)
    report(60)
    result.discovered = _discover(sentences, texts)
    report(80)
    if lexicon:
        result.service_areas = _match_lexicon(sentences, texts, lexicon)
    report(90)
    return result


def _sentences(texts: Sequence[Text], result: AnalysisResult, report: Progress) -> list[_Sentence]:
    spans: list[tuple[int, Span, str]] = []
    for index, item in enumerate(texts):
        if len(item.text) > MAX_TEXT_CHARS:
            result.truncated.append(index)
        for span in split_sentences(item.text):
            spans.append((index, span, item.text[span.start : span.end]))
    out: list[_Sentence] = []
    total = max(1, len(spans))
    for n, lemmas in enumerate(lemmatize(sentence for _, _, sentence in spans)):
        index, span, _ = spans[n]
        out.append(_Sentence(index, span, lemmas))
        if n % 2000 == 0:
            report(5 + int(50 * n / total))
    return out


def _danish_texts(sentences: list[_Sentence], count: int, result: AnalysisResult) -> set[int]:
    words: dict[int, list[str]] = defaultdict(list)
    for s in sentences:
        words[s.text_index].extend(s.lemmas.words)
    danish = set()
    for index in range(count):
        if looks_danish(words.get(index, [])):
            danish.add(index)
        else:
            result.not_danish.append(index)
    return danish


def _passages(sentences: list[_Sentence]) -> tuple[list[list[str]], list[int]]:
    """Consecutive sentences of one text, grouped up to PASSAGE_WORDS content words."""
    passages: list[list[str]] = []
    owners: list[int] = []
    for s in sentences:
        if not s.lemmas.content:
            continue
        if (
            not owners
            or owners[-1] != s.text_index
            or len(passages[-1]) + len(s.lemmas.content) > PASSAGE_WORDS
        ):
            passages.append([])
            owners.append(s.text_index)
        passages[-1].extend(s.lemmas.content)
    return passages, owners


def _identity(words: list[str]) -> list[str]:
    return words


def _discover(sentences: list[_Sentence], texts: Sequence[Text]) -> list[ThemeResult]:
    import numpy as np
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    passages, owners = _passages(sentences)
    if len(passages) < 2:
        return []
    many = len(passages) >= 20
    vectorizer = TfidfVectorizer(
        analyzer=_identity,
        min_df=2 if many else 1,
        max_df=0.7 if many else 1.0,
        sublinear_tf=True,
        max_features=20_000,
    )
    try:
        matrix = vectorizer.fit_transform(passages)
    except ValueError:  # no term left after min_df/max_df
        return []
    terms = vectorizer.get_feature_names_out()
    k = min(number_of_themes(len(passages)), len(passages), len(terms))
    if k < 2:
        return []
    nmf = NMF(n_components=k, init="nndsvda", random_state=0, max_iter=400)
    weights = nmf.fit_transform(matrix)
    components = nmf.components_
    total = float(weights.sum()) or 1.0

    row_sums = weights.sum(axis=1, keepdims=True)
    shares = np.divide(weights, row_sums, out=np.zeros_like(weights), where=row_sums > 0)
    members: list[set[int]] = [set() for _ in range(k)]
    for passage, owner in enumerate(owners):
        for theme in np.flatnonzero(shares[passage] >= MEMBERSHIP_SHARE):
            members[theme].add(owner)

    # Each sentence scored against each theme's term profile (cosine of TF-IDF vectors).
    scored = [s for s in sentences if s.lemmas.content]
    sentence_matrix = vectorizer.transform([list(s.lemmas.content) for s in scored])
    norms = np.linalg.norm(components, axis=1, keepdims=True)
    profiles = np.divide(components, norms, out=np.zeros_like(components), where=norms > 0)
    scores = np.asarray(sentence_matrix @ profiles.T)
    best = scores.argmax(axis=1) if len(scored) else np.array([], dtype=int)

    themes = []
    for theme in range(k):
        if not members[theme]:
            continue
        order = np.argsort(-components[theme])[:TOP_TERMS]
        top = [str(terms[i]) for i in order if components[theme][i] > 0]
        candidates = [
            (float(scores[n, theme]), s)
            for n, s in enumerate(scored)
            if best[n] == theme and s.text_index in members[theme] and scores[n, theme] > 0
        ]
        themes.append(
            ThemeResult(
                label=", ".join(top[:3]),
                top_terms=top,
                weight=float(weights[:, theme].sum()) / total,
                text_indices=members[theme],
                quotes=_quotes(candidates, texts),
            )
        )
    themes.sort(key=lambda t: -t.weight)
    return themes


def _quotes(candidates: Iterable[tuple[float, _Sentence]], texts: Sequence[Text]) -> list:
    """The best sentences, at most QUOTES_PER_TEXT from one text first, then the next best."""
    ranked = sorted(candidates, key=lambda c: -c[0])
    chosen: list[tuple[float, _Sentence]] = []
    later: list[tuple[float, _Sentence]] = []
    per_text: Counter[int] = Counter()
    seen: set[str] = set()
    for score, s in ranked:
        sentence = texts[s.text_index].text[s.span.start : s.span.end]
        normalised = " ".join(sentence.lower().split())
        if normalised in seen:
            continue
        seen.add(normalised)
        if per_text[s.text_index] < QUOTES_PER_TEXT:
            per_text[s.text_index] += 1
            chosen.append((score, s))
        elif len(later) < QUOTES_PER_THEME:
            later.append((score, s))
        if len(chosen) >= QUOTES_PER_THEME:
            break
    return [
        QuoteResult(
            s.text_index,
            s.span.start,
            s.span.end,
            texts[s.text_index].text[s.span.start : s.span.end],
            score,
            s.lemmas.content,
        )
        for score, s in (chosen + later)[:QUOTES_PER_THEME]
    ]


@dataclass(frozen=True)
class _Term:
    label: str
    lemmas: tuple[str, ...]
    prefix: bool


def compile_lexicon(lexicon: dict[str, list[str]]) -> dict[str, list[_Term]]:
    """Each term as a sequence of lemmas (inflected forms match their lemma);
    a one-word term ending in "*" matches every word that starts with it."""
    raw: list[tuple[str, str, bool]] = []
    for key, entries in lexicon.items():
        for entry in entries:
            term = " ".join(entry.lower().split())
            if not term:
                continue
            prefix = term.endswith("*") and " " not in term
            raw.append((key, term.rstrip("*"), prefix))
    compiled: dict[str, list[_Term]] = {key: [] for key in lexicon}
    for (key, term, prefix), lemmas in zip(raw, lemmatize(t for _, t, _ in raw), strict=True):
        sequence = (term,) if prefix else lemmas.all or tuple(term.split())
        compiled[key].append(_Term(term + ("*" if prefix else ""), sequence, prefix))
    return compiled


class _Index:
    """Which terms each word (lemma or inflected form) triggers, for a corpus's vocabulary."""

    def __init__(self, compiled: dict[str, list[_Term]], vocabulary: Iterable[str]) -> None:
        self.single: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.phrases: dict[str, list[tuple[str, _Term]]] = defaultdict(list)
        prefixes: list[tuple[str, str, str]] = []
        for key, terms in compiled.items():
            for term in terms:
                if term.prefix:
                    prefixes.append((term.lemmas[0], key, term.label))
                elif len(term.lemmas) == 1:
                    self.single[term.lemmas[0]].append((key, term.label))
                else:
                    self.phrases[term.lemmas[0]].append((key, term))
        for word in vocabulary:
            for stem, key, label in prefixes:
                if word.startswith(stem):
                    self.single[word].append((key, label))

    def matches(self, lemmas: Lemmas) -> dict[str, set[str]]:
        """Service-area key → the terms of it found in the sentence."""
        found: dict[str, set[str]] = defaultdict(set)
        for word in set(lemmas.all) | set(lemmas.words):
            for key, label in self.single.get(word, ()):
                found[key].add(label)
            for key, term in self.phrases.get(word, ()):
                if _contains(lemmas.all, term.lemmas) or _contains(lemmas.words, term.lemmas):
                    found[key].add(term.label)
        return found


def matched_terms(terms: list[_Term], lemmas: Lemmas) -> set[str]:
    """The terms found in one sentence (by lemma, or by the word itself)."""
    index = _Index({"": terms}, set(lemmas.all) | set(lemmas.words))
    return index.matches(lemmas).get("", set())


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


def _match_lexicon(
    sentences: list[_Sentence], texts: Sequence[Text], lexicon: dict[str, list[str]]
) -> list[ThemeResult]:
    compiled = compile_lexicon(lexicon)
    vocabulary = set()
    for s in sentences:
        vocabulary.update(s.lemmas.all)
        vocabulary.update(s.lemmas.words)
    index = _Index(compiled, vocabulary)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    candidates: dict[str, list] = defaultdict(list)
    members: dict[str, set[int]] = defaultdict(set)
    for s in sentences:
        for key, found in index.matches(s.lemmas).items():
            counts[key].update(found)
            members[key].add(s.text_index)
            candidates[key].append((len(found) + min(len(s.lemmas.content), 20) / 100, s))
    total = max(1, len(sentences))
    results = [
        ThemeResult(
            label=key,
            key=key,
            top_terms=[term for term, _ in counts[key].most_common(TOP_TERMS)],
            weight=len(candidates[key]) / total,
            text_indices=members[key],
            quotes=_quotes(candidates[key], texts),
        )
        for key in compiled
        if members[key]
    ]
    results.sort(key=lambda t: -t.weight)
    return results
