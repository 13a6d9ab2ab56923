"""The coverage map of Denmark, drawn as SVG from the municipalities' coordinates.

`render_map(coverage, measure)` is a pure function: a standalone SVG document
(inline in the dashboard, embedded in the board briefing) with one circle per
municipality at its centre, coloured by the measure on a colour-blind-safe
sequential palette (ColorBrewer YlGnBu), a legend, and a <title> on every
circle with the name and the value. Greater Copenhagen, where the
municipalities lie too close for circles, is drawn enlarged beside the map and
outlined in it; Bornholm sits in a box of its own. The SVG is `role="img"`,
labelled by its title and description; the dashboard's table is its
accessible equivalent. Only presentation attributes (fill=, stroke=), no style
attributes, so a strict Content Security Policy allows it.

Projection: equirectangular with the longitude scaled by cos(56°), which keeps
Denmark's shape to within a few per cent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.translation import gettext as _

from samraad.insights.coverage import Coverage, MunicipalityCoverage
from samraad.insights.measures import CATEGORY, COUNT, MEASURES, SHARE, Formatter, Measure

# ColorBrewer YlGnBu, five classes: sequential, colour-blind safe, light = little.
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
NO_DATA = "#d9d9d9"
STROKE = "#1a1a1a"
TEXT = "#1a1a1a"
FONT = "IBM Plex Sans, Arial, sans-serif"

X_FACTOR = math.cos(math.radians(56))
SCALE = 200.0  # pixels per degree of latitude on the main map
INSET_ZOOM = 4.0
PAD = 16.0
RADIUS, INSET_RADIUS = 6.0, 8.0
# Greater Copenhagen (lon, lat): drawn enlarged beside the map, outlined in it.
CAPITAL_BOX = (12.18, 55.57, 12.70, 55.90)
BORNHOLM_EAST_OF = 14.0  # longitude beyond which a municipality is drawn in Bornholm's box
RIGHT_COLUMN = 250.0


@dataclass(frozen=True)
class LegendEntry:
    colour: str
    label: str


@dataclass(frozen=True)
class Scale:
    """Which colour a value gets, and the legend that explains it."""

    measure: Measure
    maximum: float

    def class_of(self, value) -> int | None:
        """Index into PALETTE, or None for "no data"."""
        kind = self.measure.kind
        if kind == CATEGORY:
            categories = self.measure.categories
            if value not in categories:
                return None
            if len(categories) == 1:
                return len(PALETTE) - 1
            return round(categories.index(value) * (len(PALETTE) - 1) / (len(categories) - 1))
        if value is None:
            return None
        if kind == SHARE:
            percent = round(value * 100)
            return 0 if percent <= 0 else min(4, (percent - 1) // 25 + 1)
        if value <= 0:
            return 0
        bins = self._count_bins()
        return next((index for _low, high, index in bins if value <= high), bins[-1][2])

    def colour(self, value) -> str:
        index = self.class_of(value)
        return NO_DATA if index is None else PALETTE[index]

    def _count_bins(self) -> list[tuple[int, int, int]]:
        """(low, high, palette index): up to four ranges of whole numbers from 1 to the maximum
        (fewer when the maximum is below four), spread over the palette so that the highest
        range always gets the darkest colour."""
        top = max(math.ceil(self.maximum), 1)
        ranges, low = [], 1
        for step in range(1, 5):
            high = math.ceil(top * step / 4)
            if low <= high:
                ranges.append((low, high))
            low = high + 1
        last = len(PALETTE) - 1
        return [
            (low, high, round(number * last / len(ranges)))
            for number, (low, high) in enumerate(ranges, start=1)
        ]

    def legend(self, values: Sequence) -> list[LegendEntry]:
        kind = self.measure.kind
        entries: list[LegendEntry] = []
        if kind == CATEGORY:
            text = Formatter()
            for category in self.measure.categories:
                label = text.value(self.measure, category)
                entries.append(LegendEntry(self.colour(category), label))
        elif kind == SHARE:
            labels = (
                "0 %",
                "1–25 %",
                "26–50 %",
                "51–75 %",
                _("%(share)s or more") % {"share": "76 %"},
            )
            entries = [LegendEntry(c, label) for c, label in zip(PALETTE, labels, strict=True)]
        else:
            entries.append(LegendEntry(PALETTE[0], "0"))
            if self.maximum > 0:
                for low, high, index in self._count_bins():
                    label = str(low) if low == high else f"{low}–{high}"
                    entries.append(LegendEntry(PALETTE[index], label))
        if any(self.class_of(v) is None for v in values):
            entries.append(LegendEntry(NO_DATA, _("No data")))
        return entries


def _measure(measure: str | Measure) -> Measure:
    if isinstance(measure, Measure):
        return measure
    try:
        return MEASURES[measure]
    except KeyError:
        raise ValueError(f"unknown measure {measure!r}") from None


def _in_capital(m: MunicipalityCoverage) -> bool:
    west, south, east, north = CAPITAL_BOX
    return west <= m.longitude <= east and south <= m.latitude <= north


def _in_bornholm(m: MunicipalityCoverage) -> bool:
    return m.longitude > BORNHOLM_EAST_OF


@dataclass(frozen=True)
class _Frame:
    """A projection of (lon, lat) into a box of the drawing."""

    west: float
    north: float
    scale: float
    left: float
    top: float

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            self.left + (lon - self.west) * X_FACTOR * self.scale,
            self.top + (self.north - lat) * self.scale,
        )


def _bounds(points: Sequence[MunicipalityCoverage], pad: float) -> tuple[float, ...]:
    if not points:
        return (8.0, 54.5, 12.7, 57.8)
    return (
        min(p.longitude for p in points) - pad,
        min(p.latitude for p in points) - pad,
        max(p.longitude for p in points) + pad,
        max(p.latitude for p in points) + pad,
    )


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, content: str, *, size: int = 13, weight: str = "") -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-family="{FONT}" font-size="{size}"'
        f'{bold} fill="{TEXT}">{escape(content)}</text>'
    )


def _circle(m: MunicipalityCoverage, x: float, y: float, r: float, fill: str, title: str) -> str:
    return (
        f'<circle class="municipality" data-code="{m.code}" cx="{_num(x)}" cy="{_num(y)}" '
        f'r="{_num(r)}" fill="{fill}" stroke="{STROKE}" stroke-width="0.75">'
        f"<title>{escape(title)}</title></circle>"
    )


def render_map(
    coverage: Coverage, measure: str | Measure, *, id_prefix: str = "coverage-map"
) -> str:
    """The coverage of every municipality by `measure` (a key of MEASURES) as an SVG string."""
    chosen = _measure(measure)
    rows = coverage.municipalities
    values = [chosen.value(m) for m in rows]
    numeric = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    scale = Scale(chosen, max(numeric, default=0) if chosen.kind == COUNT else 1)

    capital = [m for m in rows if _in_capital(m)]
    bornholm = [m for m in rows if _in_bornholm(m)]
    mainland = [m for m in rows if not _in_capital(m) and not _in_bornholm(m)]

    west, south, east, north = _bounds(mainland, 0.08)
    main = _Frame(west=west, north=north, scale=SCALE, left=PAD, top=PAD)
    main_width = (east - west) * X_FACTOR * SCALE
    main_height = (north - south) * SCALE

    column = PAD + main_width + 24
    c_west, c_south, c_east, c_north = CAPITAL_BOX
    inset_scale = SCALE * INSET_ZOOM
    capital_top = PAD + 22
    capital_frame = _Frame(
        west=c_west, north=c_north, scale=inset_scale, left=column, top=capital_top
    )
    capital_width = (c_east - c_west) * X_FACTOR * inset_scale
    capital_height = (c_north - c_south) * inset_scale

    b_west, b_south, b_east, b_north = _bounds(bornholm, 0.12)
    bornholm_top = capital_top + capital_height + 40
    bornholm_frame = _Frame(west=b_west, north=b_north, scale=SCALE, left=column, top=bornholm_top)
    bornholm_width = (b_east - b_west) * X_FACTOR * SCALE
    bornholm_height = (b_north - b_south) * SCALE

    legend = scale.legend(values)
    legend_top = bornholm_top + bornholm_height + 36
    legend_height = 22 + 22 * len(legend)
    width = column + max(RIGHT_COLUMN, capital_width) + PAD
    height = max(PAD + main_height + PAD, legend_top + legend_height + PAD)

    title = _("%(measure)s by municipality, %(round)s") % {
        "measure": chosen.label,
        "round": coverage.round_code,
    }
    description = _(
        "A map of Denmark with one circle for each of the %(count)s municipalities, placed at "
        "its centre and coloured by %(measure)s: the darker, the more. Greater Copenhagen is "
        "enlarged beside the map, Bornholm shown in a box of its own. The table on the page "
        "gives the same figures."
    ) % {"count": len(rows), "measure": str(chosen.label).lower()}

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="coverage-map" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="{_num(width)}" '
        f'height="{_num(height)}" role="img" aria-labelledby="{id_prefix}-title {id_prefix}-desc">',
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        f'<desc id="{id_prefix}-desc">{escape(description)}</desc>',
    ]

    text = Formatter()

    def circles(points, frame: _Frame, radius: float) -> None:
        for m in points:
            x, y = frame.xy(m.longitude, m.latitude)
            value = chosen.value(m)
            label = f"{m.name}: {text.value(chosen, value)}"
            parts.append(_circle(m, x, y, radius, scale.colour(value), label))

    # Greater Copenhagen's outline on the main map.
    x1, y1 = main.xy(c_west, c_north)
    x2, y2 = main.xy(c_east, c_south)
    parts.append(
        f'<rect x="{_num(x1)}" y="{_num(y1)}" width="{_num(x2 - x1)}" height="{_num(y2 - y1)}" '
        f'fill="none" stroke="{STROKE}" stroke-width="1" stroke-dasharray="4 3"/>'
    )
    circles(mainland, main, RADIUS)

    parts.append(_text(column, capital_top - 8, _("Greater Copenhagen (dashed box)"), size=12))
    parts.append(
        f'<rect x="{_num(column)}" y="{_num(capital_top)}" width="{_num(capital_width)}" '
        f'height="{_num(capital_height)}" fill="none" stroke="{STROKE}" stroke-width="1" '
        f'stroke-dasharray="4 3"/>'
    )
    circles(capital, capital_frame, INSET_RADIUS)

    if bornholm:
        parts.append(_text(column, bornholm_top - 8, _("Bornholm"), size=12))
        parts.append(
            f'<rect x="{_num(column)}" y="{_num(bornholm_top)}" width="{_num(bornholm_width)}" '
            f'height="{_num(bornholm_height)}" fill="none" stroke="{STROKE}" stroke-width="1"/>'
        )
        circles(bornholm, bornholm_frame, RADIUS)

    parts.append(f'<g class="legend" transform="translate({_num(column)} {_num(legend_top)})">')
    parts.append(_text(0, 0, str(chosen.label), size=13, weight="600"))
    for index, entry in enumerate(legend):
        y = 12 + 22 * index
        parts.append(
            f'<rect x="0" y="{_num(y)}" width="16" height="16" fill="{entry.colour}" '
            f'stroke="{STROKE}" stroke-width="0.75"/>'
        )
        parts.append(_text(24, y + 13, entry.label, size=12))
    parts.append("</g></svg>")
    return "".join(parts)
