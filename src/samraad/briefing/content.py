"""What the board briefing says, gathered once and written as PDF (`pdf`) or XLSX (`xlsx`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from samraad.briefing.selectors import EngagementRow, KkrSummary
from samraad.briefing.sources import BriefingTheme, CoverageSummary
from samraad.briefing.tables import Column, Kind, Table
from samraad.rounds.models import Round

# Representative quotes shown per theme in the PDF (the workbook has them all).
QUOTES_PER_THEME = 3


@dataclass
class BriefingContent:
    round: Round
    generated_at: datetime.datetime
    coverage: CoverageSummary
    themes: list[BriefingTheme]  # discovered, as staff reviewed them
    service_areas: list[BriefingTheme]  # the round's fixed theme list, found by its lexicon
    kkr: list[KkrSummary]
    engagements: list[EngagementRow]
    speaker_counts: dict[str, int]


def absolute_url(url: str) -> str:
    """A link in a file leaves Samråd: relative URLs are made absolute with BASE_URL."""
    if url.startswith("/"):
        return settings.BASE_URL + url
    return url if url.startswith(("http://", "https://")) else ""


def no_themes_note() -> str:
    return _(
        "There are no reviewed themes yet. Run the theme analysis on the round's texts and "
        "review its themes; the briefing shows the themes staff have kept."
    )


def theme_regions(themes: list[BriefingTheme]) -> list[str]:
    """Every region any theme is raised in, in alphabetical order: the columns by region."""
    return sorted({region for theme in themes for region in theme.region_counts})


def themes_table(content: BriefingContent) -> Table:
    return _theme_table(content.themes, key="themes", title=_("Themes"))


def service_areas_table(content: BriefingContent) -> Table:
    table = _theme_table(content.service_areas, key="service_areas", title=_("Service areas"))
    table.columns[0] = Column(_("Service area"))
    if not content.service_areas:
        table.empty_note = (
            _("No service area of the round is mentioned in its texts.")
            if content.themes
            else no_themes_note()
        )
    return table


def _theme_table(themes: list[BriefingTheme], *, key: str, title: str) -> Table:
    regions = theme_regions(themes)
    return Table(
        key=key,
        title=title,
        columns=[
            Column(_("Theme")),
            Column(_("Municipalities"), Kind.INT),
            *(Column(region, Kind.INT) for region in regions),
            Column(_("Top terms"), width=60, in_pdf=False),
        ],
        rows=[
            [
                theme.name,
                theme.municipality_count,
                *(theme.region_counts.get(region, 0) for region in regions),
                ", ".join(theme.top_terms),
            ]
            for theme in themes
        ],
        empty_note=no_themes_note(),
    )


def quotes_table(content: BriefingContent) -> Table:
    return Table(
        key="quotes",
        title=_("Quotes"),
        columns=[
            Column(_("Theme")),
            Column(_("Quote"), width=80),
            Column(_("Municipality")),
            Column(_("Source")),
            Column(_("Link"), width=50),
        ],
        rows=[
            [theme.name, quote.text, quote.municipality, quote.source, absolute_url(quote.url)]
            for theme in content.themes
            for quote in theme.quotes
        ],
        empty_note=no_themes_note(),
    )


def kkr_table(content: BriefingContent) -> Table:
    return Table(
        key="kkr",
        title=_("KKR summaries"),
        columns=[
            Column(_("KKR")),
            Column(_("Meeting"), Kind.DATETIME),
            Column(_("Place")),
            Column(_("Record approved"), Kind.DATETIME),
            Column(_("Summary"), width=80),
            Column(_("Challenges"), width=80),
            Column(_("Themes"), width=40),
            Column(_("Quotes"), width=80),
        ],
        rows=[
            [
                kkr.kkr_name,
                kkr.starts_at,
                kkr.place,
                kkr.approved_at,
                kkr.summary,
                kkr.challenges,
                ", ".join(kkr.themes),
                "\n".join(f"{q.text} ({q.speaker_role}, {q.municipality})" for q in kkr.quotes),
            ]
            for kkr in content.kkr
        ],
        empty_note=_("This round has no KKR meetings yet."),
    )


def speakers_table(content: BriefingContent) -> Table:
    return Table(
        key="speakers",
        title=_("Speaker engagements"),
        columns=[
            Column(_("Starts"), Kind.DATETIME),
            Column(_("Municipality")),
            Column(_("Region")),
            Column(_("Presenter")),
            Column(_("Topic"), width=50),
            Column(_("In person or online")),
            Column(_("Status")),
        ],
        rows=[
            [
                e.starts_at,
                e.municipality,
                e.region,
                ", ".join(part for part in (e.presenter, e.presenter_title) if part),
                e.topic,
                e.meeting_format,
                e.status,
            ]
            for e in content.engagements
        ],
        empty_note=_("No presenter has been assigned to a speaker request of this round yet."),
    )


def all_tables(content: BriefingContent) -> list[Table]:
    """Every table of the briefing, in the order of the workbook's sheets."""
    return [
        content.coverage.municipalities,
        content.coverage.regions,
        themes_table(content),
        quotes_table(content),
        service_areas_table(content),
        kkr_table(content),
        speakers_table(content),
    ]
