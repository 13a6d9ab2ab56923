"""The one place where the briefing reads the colleagues' analyses: coverage and themes.

`samraad.insights` computes coverage (`coverage_for_round`) and draws the map
(`render_map`); `samraad.themes` holds the staff-reviewed themes
(`reviewed_themes`). This module turns what they return into the briefing's
own shapes (key figures, `Table`s, `BriefingTheme`s), so a change in their
interfaces is absorbed here and nowhere else. Everything is read in the active
language (the caller sets it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from samraad.briefing.tables import Column, Kind, Table
from samraad.insights.coverage import Coverage, coverage_for_round
from samraad.insights.measures import MEASURES, display_value
from samraad.insights.svgmap import render_map
from samraad.rounds.models import Round
from samraad.themes import selectors as themes_selectors


@dataclass(frozen=True)
class CoverageSummary:
    is_empty: bool
    figures: list[tuple[str, int | float | None, str]]  # label, value, Kind
    municipalities: Table
    regions: Table
    map_svg: str  # an SVG document
    map_caption: str = ""


@dataclass(frozen=True)
class BriefingQuote:
    text: str
    municipality: str
    source: str
    url: str


@dataclass(frozen=True)
class BriefingTheme:
    name: str
    top_terms: list[str]
    municipality_count: int
    region_counts: dict[str, int]
    quotes: list[BriefingQuote] = field(default_factory=list)


# The measure the briefing's map is coloured by: what the board asks first is who has spoken.
MAP_MEASURE = "input_status"


def _kkr_label(status: str) -> str:
    return display_value(MEASURES["kkr_status"], status)


def _input_label(status: str) -> str:
    return display_value(MEASURES["input_status"], status)


def coverage_summary(round: Round) -> CoverageSummary:
    """Key figures, the tables per municipality and per region, and the map of `round`."""
    coverage = coverage_for_round(round)
    total = coverage.total
    figures = [
        (_("Municipalities that have sent input"), total.inputs_submitted, Kind.INT),
        (_("Council members invited"), total.invited, Kind.INT),
        (_("Council members registered"), total.registered, Kind.INT),
        (_("Council members who attended"), total.attended, Kind.INT),
        (_("Attended, share of all council seats"), total.attended_share, Kind.SHARE),
        (_("KKRs that have discussed the round"), total.kkr_discussed, Kind.INT),
        (_("Speaker requests"), total.speaker_requested, Kind.INT),
        (_("Presentations held"), total.speaker_held, Kind.INT),
    ]
    municipalities = Table(
        key="municipalities",
        title=_("Coverage by municipality"),
        columns=[
            Column(_("Code"), width=7),
            Column(_("Municipality")),
            Column(_("Region")),
            Column(_("Council seats"), Kind.INT),
            Column(_("Invited"), Kind.INT),
            Column(_("Registered"), Kind.INT),
            Column(_("Attended"), Kind.INT),
            Column(_("Attended, share of the council"), Kind.SHARE),
            Column(_("Minutes in the meeting"), Kind.INT),
            Column(_("Council input")),
            Column(_("KKR")),
            Column(_("Speaker requests"), Kind.INT),
            Column(_("Presentations held"), Kind.INT),
        ],
        rows=[
            [
                m.official_code,
                m.name,
                m.region_name,
                m.council,
                m.invited,
                m.registered,
                m.attended,
                m.attended_share,
                m.minutes,
                _input_label(m.input_status),
                _kkr_label(m.kkr_status),
                m.speaker_requested,
                m.speaker_held,
            ]
            for m in coverage.municipalities
        ],
        empty_note=_("There are no municipalities in the directory."),
    )
    regions = Table(
        key="regions",
        title=_("Coverage by region"),
        columns=[
            Column(_("Region")),
            Column(_("Municipalities"), Kind.INT),
            Column(_("Invited"), Kind.INT),
            Column(_("Registered"), Kind.INT),
            Column(_("Attended"), Kind.INT),
            Column(_("Attended, share of the council"), Kind.SHARE),
            Column(_("Input sent"), Kind.INT),
            Column(_("KKR")),
            Column(_("Speaker requests"), Kind.INT),
            Column(_("Presentations held"), Kind.INT),
        ],
        rows=[
            [
                r.name,
                r.municipalities,
                r.invited,
                r.registered,
                r.attended,
                r.attended_share,
                r.inputs_submitted,
                _kkr_label(r.kkr_status),
                r.speaker_requested,
                r.speaker_held,
            ]
            for r in coverage.regions
        ],
        empty_note=_("There are no regions in the directory."),
    )
    map_svg, map_caption = _map(coverage)
    return CoverageSummary(
        is_empty=coverage.is_empty,
        figures=figures,
        municipalities=municipalities,
        regions=regions,
        map_svg=map_svg,
        map_caption=map_caption,
    )


def _map(coverage: Coverage) -> tuple[str, str]:
    caption = _("The municipalities by the status of their council input")
    return render_map(coverage, MAP_MEASURE, id_prefix="briefing-map"), caption


def _theme(theme) -> BriefingTheme:
    return BriefingTheme(
        name=theme.name,
        top_terms=list(theme.top_terms),
        municipality_count=theme.municipality_count,
        region_counts=dict(theme.region_counts),
        quotes=[
            BriefingQuote(
                text=quote.text,
                municipality=quote.municipality,
                source=quote.source_label,
                url=quote.url,
            )
            for quote in theme.quotes
        ],
    )


def reviewed_themes(round: Round) -> list[BriefingTheme]:
    """The staff-reviewed themes of `round`, heaviest first; empty before any analysis."""
    return [_theme(theme) for theme in themes_selectors.reviewed_themes(round)]


def service_areas(round: Round) -> list[BriefingTheme]:
    """The round's service areas (its fixed theme list) found in its texts, most raised first."""
    return [_theme(theme) for theme in themes_selectors.service_area_themes(round)]
