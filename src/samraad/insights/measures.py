"""The measures a coverage map can be coloured by, with their labels and how to read them.

A measure is a count (coloured from none to the highest value), a share of the
council (0 to 100 %), or an ordered category (input status, the KKR's status).
The same definitions name the dashboard's columns and its CSV/XLSX headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from samraad.councils.models import InputStatus
from samraad.insights.coverage import KkrStatus

COUNT, SHARE, CATEGORY = "count", "share", "category"

INPUT_LABELS = dict(InputStatus.choices)
KKR_LABELS = {
    KkrStatus.NO_MEETING: _("No KKR meeting"),
    KkrStatus.PLANNED: _("Not yet recorded"),
    KkrStatus.DRAFT: _("Recorded, draft"),
    KkrStatus.APPROVED: _("Discussed (approved)"),
}


@dataclass(frozen=True)
class Measure:
    key: str
    label: Any  # a lazy translation
    kind: str
    # For categories: the values in their order, from "nothing yet" to "done".
    categories: tuple[str, ...] = ()
    category_labels: dict[str, Any] | None = None

    def value(self, row: Any) -> Any:
        return getattr(row, self.key)


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure("invited", _("Invited"), COUNT),
        Measure("registered", _("Registered"), COUNT),
        Measure("attended", _("Attended"), COUNT),
        Measure("attended_share", _("Attended, share of the council"), SHARE),
        Measure("minutes", _("Minutes in the meeting"), COUNT),
        Measure(
            "input_status",
            _("Council input"),
            CATEGORY,
            categories=tuple(InputStatus.values),
            category_labels=INPUT_LABELS,
        ),
        Measure(
            "kkr_status",
            _("KKR discussed"),
            CATEGORY,
            categories=KkrStatus.ORDER,
            category_labels=KKR_LABELS,
        ),
        Measure("speaker_requested", _("Speaker requested"), COUNT),
        Measure("speaker_held", _("Speaker held"), COUNT),
    )
}
DEFAULT_MEASURE = "registered"


def percent(share: float | None) -> str:
    if share is None:
        return "–"
    return f"{round(share * 100)} %"


class Formatter:
    """Values as text in the active language: numbers with its thousands separator, categories
    by their labels. Made once per page, since looking up the language for each of a
    thousand cells costs more than the rest of the table."""

    def __init__(self) -> None:
        self.separator = get_format("THOUSAND_SEPARATOR")
        self.labels = {
            key: {value: str(label) for value, label in (m.category_labels or {}).items()}
            for key, m in MEASURES.items()
            if m.kind == CATEGORY
        }

    def number(self, value: int) -> str:
        return f"{value:,}".replace(",", self.separator)

    def value(self, measure: Measure, value: Any) -> str:
        if measure.kind == SHARE:
            return percent(value)
        if measure.kind == CATEGORY:
            return self.labels[measure.key].get(value, str(value))
        return self.number(value)


def display_value(measure: Measure, value: Any) -> str:
    """One value as text (see Formatter for many)."""
    return Formatter().value(measure, value)
