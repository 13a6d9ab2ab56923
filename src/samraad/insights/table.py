"""The coverage table: its columns, filtering by region and text, sorting, and export rows.

Pure functions over a `Coverage`: the 98 rows are already in memory, so the
dashboard filters and sorts them without another query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from samraad.insights.coverage import Coverage, MunicipalityCoverage
from samraad.insights.measures import CATEGORY, MEASURES, Formatter


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    numeric: bool


COLUMNS: tuple[Column, ...] = (
    Column("name", _("Municipality"), False),
    Column("region_name", _("Region"), False),
    Column("council", _("Council seats"), True),
    *(Column(m.key, m.label, m.kind != CATEGORY) for m in MEASURES.values()),
)
SORT_KEYS = tuple(c.key for c in COLUMNS)
DEFAULT_SORT = "name"


def filter_rows(
    coverage: Coverage, *, region_code: int | None = None, text: str = ""
) -> list[MunicipalityCoverage]:
    """The municipalities of `region_code` (all when None) whose name or code contains `text`."""
    needle = text.strip().casefold()
    return [
        m
        for m in coverage.municipalities
        if (region_code is None or m.region_code == region_code)
        and (not needle or needle in m.name.casefold() or needle in m.official_code)
    ]


def _sort_value(row: MunicipalityCoverage, key: str) -> tuple:
    measure = MEASURES.get(key)
    value = getattr(row, key)
    if measure is not None and measure.kind == CATEGORY:
        value = measure.categories.index(value) if value in measure.categories else -1
    if isinstance(value, str):
        return (0, value.casefold())
    # "No data" (a share without a council size) sorts below every number.
    return (0, value) if value is not None else (-1, 0)


def sort_rows(rows: Sequence[MunicipalityCoverage], sort: str) -> list[MunicipalityCoverage]:
    """`rows` by `sort` (a column key, "-key" for descending), then by name."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORT_KEYS:
        key, descending = DEFAULT_SORT, False
    by_name = sorted(rows, key=lambda r: r.name.casefold())
    return sorted(by_name, key=lambda r: _sort_value(r, key), reverse=descending)


def export_headers() -> list[str]:
    """The columns of export_rows; the share is written in per cent."""
    return [
        str(_("Code")),
        *(f"{c.label} (%)" if c.key == "attended_share" else str(c.label) for c in COLUMNS),
    ]


def export_rows(rows: Sequence[MunicipalityCoverage]) -> list[list[Any]]:
    """One row per municipality: numbers as numbers, the share in per cent, categories as text."""
    text = Formatter()
    out = []
    for m in rows:
        row: list[Any] = [m.official_code, m.name, m.region_name, m.council]
        for measure in MEASURES.values():
            value = measure.value(m)
            if measure.kind == CATEGORY:
                value = text.value(measure, value)
            elif measure.key == "attended_share":
                value = None if value is None else round(value * 100, 1)
            row.append(value)
        out.append(row)
    return out
