"""The words that find each service area in Danish text, until staff edit them.

Keys are those of rounds.models.DEFAULT_THEMES; a theme a round adds itself has
no words until staff give it some on the lexicon page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the defaults are read without Django too (bench/analysis.py)
    from samraad.rounds.models import Round

DEFAULT_LEXICON: dict[str, list[str]] = {
    "elderly_care": [
        "ældre*",
        "hjemmepleje*",
        "plejehjem*",
        "plejecent*",
        "demens*",
        "sosu*",
        "genoptræning",
    ],
    "children_schools": [
        "folkeskole*",
        "skole*",
        "elev*",
        "lærer*",
        "dagtilbud*",
        "daginstitution*",
        "vuggestue*",
        "børnehave*",
        "pædagog*",
        "specialundervisning*",
    ],
    "specialised_social": [
        "specialiseret socialområde",
        "socialområde*",
        "handicap*",
        "anbringelse*",
        "botilbud*",
        "udsat*",
        "socialpsykiatri*",
    ],
    "employment": [
        "beskæftigelse*",
        "ledig*",
        "jobcent*",
        "kontanthjælp*",
        "sygedagpenge*",
        "førtidspension*",
        "arbejdsmarked*",
        "arbejdskraft*",
    ],
    "health": [
        "sundhed*",
        "forebyggelse*",
        "sygehus*",
        "hospital*",
        "praktiserende læge",
        "psykiatri*",
        "medicin*",
    ],
    "construction": [
        "anlæg*",
        "investering*",
        "renovering*",
        "byggeri*",
        "vedligehold*",
        "infrastruktur*",
    ],
    "climate": [
        "klima*",
        "oversvømmelse*",
        "kystsikring*",
        "grøn omstilling",
        "co2",
        "spildevand*",
    ],
    "digitalisation": [
        "digital*",
        "kunstig intelligens",
        "velfærdsteknologi*",
        "automatisering*",
        "it-system*",
    ],
    "economic_framework": [
        "serviceramme*",
        "budget*",
        "bloktilskud*",
        "udligning*",
        "finansiering*",
        "likviditet*",
        "økonomisk ramme",
    ],
}


def lexicon_for(round_: Round) -> dict[str, list[str]]:
    """Each of the round's service areas (by key) with its words: staff's, else the defaults."""
    themes = round_.themes.select_related("lexicon").order_by("position", "id")
    result = {}
    for theme in themes:
        lexicon = getattr(theme, "lexicon", None)
        result[theme.key] = (
            lexicon.term_list if lexicon is not None else DEFAULT_LEXICON.get(theme.key, [])
        )
    return result
