"""`match_key`: a person's name reduced to what matters for matching it to another spelling."""

from __future__ import annotations

import re
import unicodedata

# --- Names ---------------------------------------------------------------------

_SUFFIX_RE = re.compile(
    r"\s*[(\[]\s*(?:guest|gæst|gaest|gast|external|ekstern|extern|unverified"
    r"|ikke bekræftet|ikke verificeret)\s*[)\]]\s*$",
    re.IGNORECASE,
)
# Danish letters become their usual two-letter spellings, and the Swedish and
# German ä/ö (the same letters as æ/ø) follow them, so that "Sören" typed on a
# German keyboard meets "Søren". Other accents are dropped (é → e, ü → u).
_TRANSLITERATE = str.maketrans(
    {
        "æ": "ae",
        "ø": "oe",
        "å": "aa",
        "ä": "ae",
        "ö": "oe",
        "œ": "oe",
        "ß": "ss",
        "ð": "d",
        "đ": "d",
        "þ": "th",
        "ł": "l",
        "ı": "i",
    }
)
_APOSTROPHES_RE = re.compile(r"['’ʼ`´]")
_NOT_WORD_RE = re.compile(r"[\W_]+")


def match_key(name: str) -> str:
    """A person's name reduced to what matters for matching it to another spelling.

    "Søren Østergaard (Gæst)", "soeren  oestergaard", "Østergaard, Søren" and
    "SØREN ØSTERGAARD" share a key. æ, ø and å become ae, oe and aa (as in
    Danish email addresses), other accents are dropped, punctuation becomes a
    space (Hans-Henrik = Hans Henrik) except apostrophes, which vanish; the
    suffix Teams adds to guests and external users is removed, and "Last,
    First" is turned around. "Soren" (ø written as o) does NOT meet "Søren":
    staff match such rows by hand.
    """
    text = unicodedata.normalize("NFKC", name)
    while (stripped := _SUFFIX_RE.sub("", text)) != text:
        text = stripped
    if text.count(",") == 1:
        last, first = text.split(",")
        if last.strip() and first.strip():
            text = f"{first} {last}"
    text = text.casefold().translate(_TRANSLITERATE)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _APOSTROPHES_RE.sub("", text)
    return " ".join(_NOT_WORD_RE.sub(" ", text).split())
