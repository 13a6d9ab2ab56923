"""A briefing table: typed columns and rows, written both into the PDF and as an XLSX sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class Kind:
    """How a column's values are shown: the PDF formats them, the workbook keeps them typed."""

    TEXT = "text"
    INT = "int"
    SHARE = "share"  # a fraction 0–1 (or None), shown as a percentage
    BOOL = "bool"
    DATETIME = "datetime"  # aware, shown in Copenhagen time

    NUMERIC = frozenset({INT, SHARE})


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = Kind.TEXT
    # Width in the workbook, in characters; None: from the longest value (capped).
    width: int | None = None
    # Whether the PDF shows the column (the workbook has them all).
    in_pdf: bool = True


@dataclass
class Table:
    key: str  # stable, for tests and file structure
    title: str  # translated: the sheet's name and the PDF's caption
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    empty_note: str = ""  # translated: why there are no rows yet

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(
                    f"table {self.key}: a row has {len(row)} cells, not {len(self.columns)}"
                )
