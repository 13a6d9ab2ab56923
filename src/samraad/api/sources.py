"""Where coverage and themes come from: the one place that knows the other apps' functions.

Coverage is `samraad.insights.coverage.coverage_for_round` (the same figures
as the staff dashboard, the map and the board briefing). Themes are the
reviewed themes of the theme analysis (`samraad.themes.selectors.reviewed_themes`)
once an analysis has run for the round, and the round's fixed theme list
(`rounds.Theme`) until then.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from samraad.insights.coverage import MunicipalityCoverage, RegionCoverage, coverage_for_round
from samraad.rounds.models import Round, Theme
from samraad.themes.selectors import reviewed_themes


def coverage_municipalities(
    *, round: Round, region_code: int | None = None
) -> list[MunicipalityCoverage]:
    """Every municipality (of one region, if given) with its coverage of `round`, by name."""
    rows = coverage_for_round(round).municipalities
    return [row for row in rows if region_code is None or row.region_code == region_code]


def coverage_regions(*, round: Round) -> list[RegionCoverage]:
    """Every region with its coverage of `round`, by name."""
    return list(coverage_for_round(round).regions)


@dataclass(frozen=True)
class ThemeEntry:
    key: str | None
    name: str
    name_en: str
    source: str
    top_terms: list[str] = field(default_factory=list)
    municipality_count: int | None = None
    region_counts: dict[str, int] = field(default_factory=dict)
    quotes: list[dict] = field(default_factory=list)


def theme_entries(*, round: Round) -> list[ThemeEntry]:
    """The reviewed themes of the analysis, heaviest first, if it has run; else the round's
    theme list in its order."""
    reviewed = reviewed_themes(round)
    if reviewed:
        return [
            ThemeEntry(
                key=theme.key or None,
                name=theme.name,
                name_en="",
                source="analysis",
                top_terms=list(theme.top_terms),
                municipality_count=theme.municipality_count,
                region_counts=dict(theme.region_counts),
                quotes=[
                    {
                        "text": quote.text,
                        "source": quote.source_label,
                        "municipality": quote.municipality or None,
                    }
                    for quote in theme.quotes
                ],
            )
            for theme in reviewed
        ]
    return [
        ThemeEntry(key=theme.key, name=theme.name, name_en=theme.name_en, source="theme_list")
        for theme in Theme.objects.filter(round=round).order_by("position", "id")
    ]
