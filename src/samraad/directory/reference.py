"""The reference facts that ship with Samråd: five regions and 98 municipalities.

Used by the data migration; re-running it updates in place (keyed on the
official codes), so a corrected CSV can be loaded by a later migration.
"""

from __future__ import annotations

import csv
import datetime
import re
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"

_DANISH_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa"})


def danish_slug(name: str) -> str:
    """A slug as Danish domains spell names: æ→ae, ø→oe, å→aa (Høje-Taastrup → hoeje-taastrup)."""
    text = name.translate(_DANISH_LETTERS)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _date(value: str) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def read_regions() -> list[dict[str, Any]]:
    with (DATA_DIR / "regions.csv").open(encoding="utf-8", newline="") as handle:
        return [
            {
                "code": int(row["region_code"]),
                "name": row["name"],
                "kkr_name": row["kkr_name"],
                "valid_from": _date(row["valid_from"]),
                "valid_to": _date(row["valid_to"]),
            }
            for row in csv.DictReader(handle)
        ]


def read_municipalities() -> list[dict[str, Any]]:
    with (DATA_DIR / "municipalities.csv").open(encoding="utf-8", newline="") as handle:
        return [
            {
                "code": int(row["code"]),
                "name": row["name"],
                "slug": danish_slug(row["name"]),
                "region_code": int(row["region_code"]),
                "latitude": Decimal(row["lat"]),
                "longitude": Decimal(row["lon"]),
            }
            for row in csv.DictReader(handle)
        ]


def load_reference_data(region_model: Any, municipality_model: Any) -> None:
    """Create or update every region and municipality from the shipped CSV files."""
    regions = {}
    for row in read_regions():
        code = row.pop("code")
        regions[code], _ = region_model.objects.update_or_create(code=code, defaults=row)
    for row in read_municipalities():
        code = row.pop("code")
        row["region"] = regions[row.pop("region_code")]
        municipality_model.objects.update_or_create(code=code, defaults=row)
