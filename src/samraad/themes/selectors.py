"""Reads of the theme analysis: the reviewed themes (what the briefing uses) and comparisons."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from samraad.directory.models import Municipality, Region
from samraad.rounds.models import Round
from samraad.themes import review
from samraad.themes.models import (
    AnalysisRun,
    DecisionKind,
    DiscoveredTheme,
    ReviewDecision,
    RunStatus,
    SourceKind,
    ThemeKind,
    ThemeQuote,
)
from samraad.themes.sources import quote_url


@dataclass(frozen=True)
class Quote:
    """A sentence behind a theme and where it came from."""

    text: str
    source_label: str
    url: str
    municipality: str  # the municipality's name; empty for a KKR's own record


@dataclass
class ReviewedTheme:
    """A theme after staff's review, as the briefing shows it."""

    name: str
    top_terms: list[str]
    municipality_count: int
    region_counts: dict[str, int]  # region name → municipalities of it that raise the theme
    quotes: list[Quote]
    weight: float = 0.0
    kind: str = ThemeKind.DISCOVERED
    key: str = ""  # the service area's key
    theme_id: int | None = None  # the run's theme that names it (for the review page)
    part: int | None = None  # 0 or 1 for the halves of a split theme
    municipality_ids: frozenset[int] = field(default_factory=frozenset)
    decisions: list[ReviewDecision] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)  # labels of the themes merged into it
    merged_ids: list[int] = field(default_factory=list)


def latest_run(round_: Round) -> AnalysisRun | None:
    """The round's newest run, whatever its status."""
    return AnalysisRun.objects.filter(round=round_).first()


def latest_finished_run(round_: Round) -> AnalysisRun | None:
    """The round's newest run that finished: its results are what the pages show."""
    return AnalysisRun.objects.filter(round=round_, status=RunStatus.DONE).first()


def _themes(run: AnalysisRun, kind: str) -> list[DiscoveredTheme]:
    quotes = ThemeQuote.objects.select_related("municipality").order_by("position")
    return list(
        run.themes.filter(kind=kind)
        .select_related("service_area")
        .prefetch_related(Prefetch("quotes", queryset=quotes))
        .order_by("position")
    )


class _Places:
    """Municipality and region names, loaded once per call (98 + 5 rows)."""

    def __init__(self) -> None:
        self.region_of = dict(Municipality.objects.values_list("pk", "region_id"))
        self.region_name = dict(Region.objects.values_list("pk", "name"))

    def region_counts(self, municipality_ids: set[int], region_ids: set[int]) -> dict[str, int]:
        counts = Counter(self.region_of.get(pk) for pk in municipality_ids)
        ids = sorted((set(counts) | region_ids) - {None})
        return {self.region_name[pk]: counts.get(pk, 0) for pk in ids if pk in self.region_name}


def _quote(quote: ThemeQuote) -> Quote:
    kind = SourceKind(quote.source_kind).label if quote.source_kind in SourceKind.values else ""
    label = f"{kind}, {quote.place}" if quote.place else str(kind)
    return Quote(
        text=quote.text,
        source_label=label,
        url=quote_url(quote.url, quote.text),
        municipality=quote.municipality.name if quote.municipality else "",
    )


def _reviewed(round_: Round, run: AnalysisRun) -> review.Reviewed:
    decisions = list(ReviewDecision.objects.filter(round=round_))
    return review.apply(_themes(run, ThemeKind.DISCOVERED), decisions)


def reviewed_themes(round_: Round) -> list[ReviewedTheme]:
    """The round's discovered themes after staff's review, heaviest first; rejected ones left out.

    From the newest finished run; empty when there is none. Every quote links
    to its source.
    """
    run = latest_finished_run(round_)
    if run is None:
        return []
    places = _Places()
    return [_from_group(group, places) for group in _reviewed(round_, run).groups]


def _from_group(group: review.Group, places: _Places) -> ReviewedTheme:
    return ReviewedTheme(
        name=group.name,
        top_terms=list(group.top_terms),
        municipality_count=len(group.municipality_ids),
        region_counts=places.region_counts(group.municipality_ids, group.region_ids),
        quotes=[_quote(q) for q in group.quotes],
        weight=group.weight,
        theme_id=group.theme.pk,
        part=group.part,
        municipality_ids=frozenset(group.municipality_ids),
        decisions=list(group.decisions),
        merged=[theme.label for theme in group.merged],
        merged_ids=[theme.pk for theme in group.merged],
    )


def service_area_themes(round_: Round) -> list[ReviewedTheme]:
    """The round's service areas found in its text by their lexicon, most mentioned first."""
    run = latest_finished_run(round_)
    if run is None:
        return []
    places = _Places()
    result = []
    for theme in _themes(run, ThemeKind.SERVICE_AREA):
        municipality_ids = set(theme.municipality_ids)
        result.append(
            ReviewedTheme(
                name=theme.service_area.label if theme.service_area else theme.label,
                top_terms=list(theme.top_terms),
                municipality_count=len(municipality_ids),
                region_counts=places.region_counts(municipality_ids, set(theme.region_ids)),
                quotes=[_quote(q) for q in theme.quotes.all()],
                weight=theme.weight,
                kind=ThemeKind.SERVICE_AREA,
                key=theme.service_area.key if theme.service_area else "",
                theme_id=theme.pk,
                municipality_ids=frozenset(municipality_ids),
            )
        )
    return result


@dataclass
class ReviewPage:
    run: AnalysisRun | None
    finished: AnalysisRun | None
    themes: list[ReviewedTheme]
    rejected: list[tuple[DiscoveredTheme, ReviewDecision]]
    service_areas: list[ReviewedTheme]


def review_page(round_: Round) -> ReviewPage:
    """Everything the theme page shows: the newest run, its reviewed and rejected themes."""
    run = latest_run(round_)
    finished = run if run and run.status == RunStatus.DONE else latest_finished_run(round_)
    if finished is None:
        return ReviewPage(run, None, [], [], [])
    places = _Places()
    reviewed = _reviewed(round_, finished)
    return ReviewPage(
        run=run,
        finished=finished,
        themes=[_from_group(group, places) for group in reviewed.groups],
        rejected=reviewed.rejected,
        service_areas=service_area_themes(round_),
    )


def run_theme(round_: Round, pk: int) -> DiscoveredTheme | None:
    """A discovered theme of the round's newest finished run (None for any other)."""
    run = latest_finished_run(round_)
    if run is None:
        return None
    return run.themes.filter(pk=pk, kind=ThemeKind.DISCOVERED).first()


def decisions_on(round_: Round, theme: DiscoveredTheme) -> list[ReviewDecision]:
    """The decisions that apply to `theme` (in its run), oldest first."""
    themes = list(theme.run.themes.filter(kind=ThemeKind.DISCOVERED))
    decisions = ReviewDecision.objects.filter(round=round_)
    return review.decisions_by_theme(themes, decisions)[theme.pk]


def merge_would_discard(round_: Round, source: DiscoveredTheme) -> list[ReviewDecision]:
    """The staff decisions lost when `source` is merged into another theme: its own name
    and its split (the merged theme takes the target's name)."""
    return [
        decision
        for decision in decisions_on(round_, source)
        if decision.kind in (DecisionKind.RENAME, DecisionKind.SPLIT)
    ]


# Comparisons ---------------------------------------------------------------------------

# Council sizes (seats) that make a band; the last band is "unknown".
SIZE_BANDS = ((0, 19), (20, 27), (28, 999))


def size_band_labels() -> list[str]:
    return [_("Up to 19 seats"), _("21–27 seats"), _("29 seats or more"), _("Council size unknown")]


def _size_band(council_size: int | None) -> int:
    if council_size is None:
        return 3
    for index, (low, high) in enumerate(SIZE_BANDS):
        if low <= council_size <= high:
            return index
    return 3


@dataclass
class Cell:
    count: int
    total: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.count / self.total) if self.total else None


@dataclass
class ComparisonRow:
    name: str
    kind: str
    cells: list[Cell]


@dataclass
class PreviousRow:
    name: str
    kind: str
    now: int
    before: int | None  # None: no such theme in the previous round


@dataclass
class Comparisons:
    regions: list[str]
    by_region: list[ComparisonRow]
    bands: list[str]
    by_size: list[ComparisonRow]
    previous_round: Round | None
    previous: list[PreviousRow]
    municipalities_with_text: int


def previous_round(round_: Round) -> Round | None:
    """The round before `round_` (rounds are yearly: the newest that started earlier)."""
    return (
        Round.objects.filter(starts_on__lt=round_.starts_on).order_by("-starts_on", "-id").first()
    )


def _municipalities_with_text(run: AnalysisRun) -> set[int]:
    ids: set[int] = set()
    for municipality_ids in run.themes.values_list("municipality_ids", flat=True):
        ids.update(municipality_ids)
    return ids


def comparisons(round_: Round) -> Comparisons | None:
    """How often each theme comes up: per region and per council size (share of the
    municipalities with text that raise it), and against the previous round."""
    run = latest_finished_run(round_)
    if run is None:
        return None
    themes = reviewed_themes(round_) + service_area_themes(round_)
    municipalities = {
        m.pk: m
        for m in Municipality.objects.filter(pk__in=_municipalities_with_text(run)).select_related(
            "region"
        )
    }
    regions = list(
        Region.objects.filter(pk__in={m.region_id for m in municipalities.values()}).order_by(
            "code"
        )
    )
    region_totals = Counter(m.region_id for m in municipalities.values())
    band_totals = Counter(_size_band(m.council_size) for m in municipalities.values())
    by_region, by_size = [], []
    for theme in themes:
        present = [municipalities[pk] for pk in theme.municipality_ids if pk in municipalities]
        per_region = Counter(m.region_id for m in present)
        per_band = Counter(_size_band(m.council_size) for m in present)
        by_region.append(
            ComparisonRow(
                theme.name,
                theme.kind,
                [Cell(per_region[r.pk], region_totals[r.pk]) for r in regions],
            )
        )
        by_size.append(
            ComparisonRow(
                theme.name, theme.kind, [Cell(per_band[b], band_totals[b]) for b in range(4)]
            )
        )
    earlier = previous_round(round_)
    previous_rows = []
    if earlier is not None and latest_finished_run(earlier) is not None:
        before_discovered = reviewed_themes(earlier)
        before_areas = {t.key: t for t in service_area_themes(earlier)}
        for theme in themes:
            if theme.kind == ThemeKind.SERVICE_AREA:
                match = before_areas.get(theme.key)
            else:
                match = _similar(theme, before_discovered)
            previous_rows.append(
                PreviousRow(
                    theme.name,
                    theme.kind,
                    theme.municipality_count,
                    match.municipality_count if match else None,
                )
            )
    return Comparisons(
        regions=[r.name for r in regions],
        by_region=by_region,
        bands=size_band_labels(),
        by_size=by_size,
        previous_round=earlier,
        previous=previous_rows,
        municipalities_with_text=len(municipalities),
    )


def _similar(theme: ReviewedTheme, candidates: list[ReviewedTheme]) -> ReviewedTheme | None:
    named = [c for c in candidates if c.name.casefold() == theme.name.casefold()]
    if named:
        return named[0]
    best, best_score = None, 0.2
    for candidate in candidates:
        score = review.jaccard(theme.top_terms, candidate.top_terms)
        if score >= best_score:
            best, best_score = candidate, score
    return best
