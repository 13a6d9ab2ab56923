"""Danish text: sentences with their offsets, lemmas, stop words, a Danish-or-not guess.

spaCy's blank Danish pipeline gives the tokenizer and the stop words; its lookup
lemmatizer reads the Danish table that `spacy-lookups-data` ships. No trained
model is loaded, so nothing is ever downloaded. The pipeline is built once per
process (loading the table takes a few seconds) and then shared.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Words too common in this domain to tell one theme from another.
DOMAIN_STOP_WORDS = frozenset(
    """
    kommune kommunal kommunalbestyrelse kommunalbestyrelsen byråd kkr kl region regional
    økonomiaftale økonomiaftalen aftale forhandling forhandlingerne år året borger ønske
    ønsker vigtig vigtigt stor større god bedre behov samtidig fortsat følge sikre gøre
    komme tage give se mere mange meget også ved videre dog både nok ny nye hel helt
    herunder fx f.eks blandt derfor fordi mens under oa26 øa26 øa27 øa28 øa hos
    bruge få holde skabe sætte lægge stå gå ligge finde vise betyde kræve stige falde øge
    mangle løse dække betale bidrage fremme foreslå opleve forvente arbejde håbe mene pege
    understrege styrke fortsætte udsætte videreføre stille hæve bede
    fælles fuld dyr vanskelig permanent privat mulig nødvendig central særlig høj lav
    samlet fremtidig
    mål højde styr plads opgave ansvar regering område del tid grund måde mulighed
    løsning udfordring situation niveau
    """.split()  # noqa: SIM905
)

# A "sentence" longer than this many words (text without punctuation) is cut up.
MAX_SENTENCE_WORDS = 60
# Texts beyond this many characters are analysed only up to here.
MAX_TEXT_CHARS = 100_000

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"'«»(\[]?[A-ZÆØÅ0-9])|\n\s*\n|\n(?=\s*[-*•])")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class Span:
    """A sentence of a text: `text[start:end]`."""

    start: int
    end: int


def split_sentences(text: str) -> list[Span]:
    """Sentences of `text` with their character offsets (rule-based, for Danish punctuation).

    Blank lines and list bullets also end a sentence, and a run of more than
    MAX_SENTENCE_WORDS words without punctuation is cut into pieces, so a quote
    is never a whole page.
    """
    spans: list[Span] = []
    position = 0
    text = text[:MAX_TEXT_CHARS]
    for match in [*_SENTENCE_END.finditer(text), None]:
        end = match.start() if match else len(text)
        spans.extend(_pieces(text, position, end))
        if match:
            position = match.end()
    return spans


def _pieces(text: str, start: int, end: int) -> Iterator[Span]:
    words = list(_WORD.finditer(text, start, end))
    for first in range(0, len(words), MAX_SENTENCE_WORDS):
        chunk = words[first : first + MAX_SENTENCE_WORDS]
        yield Span(chunk[0].start(), chunk[-1].end())


@functools.cache
def pipeline():
    """spaCy's blank Danish pipeline with the lookup lemmatizer (once per process)."""
    import spacy

    nlp = spacy.blank("da")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the lemma table from spacy-lookups-data; no download
    return nlp


@functools.cache
def stop_words() -> frozenset[str]:
    from spacy.lang.da.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | DOMAIN_STOP_WORDS


@dataclass(frozen=True, slots=True)
class Lemmas:
    """A sentence's `words` (lower case, in order), their lemmas (`all`, for phrase
    matching) and the `content` lemmas (no stop words, digits or short words) for
    theme discovery."""

    words: tuple[str, ...]
    all: tuple[str, ...]
    content: tuple[str, ...]


def lemmatize(sentences: Iterable[str], *, batch_size: int = 1000) -> Iterator[Lemmas]:
    """The lemmas of each sentence, in order.

    Lower-cased first: the Danish table is keyed on lower-case forms ("Kommunerne"
    would otherwise not be found). The lemma of a word form is what the pipeline's
    lookup lemmatizer gives (`table.get(text, text)`), read from the same table but
    once per distinct form rather than once per token: on a round's text that is
    about five times faster, with the same result (a test holds both to it).
    """
    from spacy.attrs import ORTH

    stops = stop_words()
    nlp = pipeline()
    strings = nlp.vocab.strings
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    # word id → (word, lemma, is a word, is content)
    forms: dict[int, tuple[str, str, bool, bool]] = {}
    with nlp.select_pipes(disable=["lemmatizer"]):
        for doc in nlp.pipe((s.lower() for s in sentences), batch_size=batch_size):
            words, lemmas, content = [], [], []
            for orth in doc.to_array(ORTH).tolist() if len(doc) else ():
                form = forms.get(orth)
                if form is None:
                    text = strings[orth]
                    lemma = table.get(text, text)
                    is_word = text.isalpha() or _hyphenated(text)
                    # A stop word stays one whatever the table makes of it ("med" → "mede").
                    is_content = is_word and len(lemma) > 2 and not (stops & {text, lemma})
                    form = forms[orth] = (text, lemma, is_word, is_content)
                if form[2]:
                    words.append(form[0])
                    lemmas.append(form[1])
                    if form[3]:
                        content.append(form[1])
            yield Lemmas(words=tuple(words), all=tuple(lemmas), content=tuple(content))


def _hyphenated(word: str) -> bool:
    """sosu-assistent, it-system: words joined by hyphens count as words."""
    parts = word.split("-")
    return len(parts) > 1 and all(part.isalpha() for part in parts)


@functools.cache
def _marker_words() -> tuple[frozenset[str], frozenset[str]]:
    """Stop words that are only Danish, and those that are only English."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    from spacy.lang.da.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS - ENGLISH_STOP_WORDS), frozenset(ENGLISH_STOP_WORDS - STOP_WORDS)


def looks_danish(words: Iterable[str], *, minimum_words: int = 12) -> bool:
    """Whether a text (its lower-case words) looks Danish; too short to judge counts as Danish.

    Danish prose has about a third Danish-only stop words ("og", "det", "ikke");
    English text has English ones instead, and German or other text neither,
    which is how a non-Danish text is recognised without a language model.
    """
    words = list(words)
    if len(words) < minimum_words:
        return True
    danish_only, english_only = _marker_words()
    danish = sum(1 for w in words if w in danish_only) / len(words)
    english = sum(1 for w in words if w in english_only) / len(words)
    return danish >= 0.08 and danish >= english
