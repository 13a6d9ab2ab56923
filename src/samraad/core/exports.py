"""Tables as CSV and XLSX downloads, safe to open in a spreadsheet.

A cell that starts with =, +, -, @, tab or carriage return would be run as a
formula by Excel (CSV injection, OWASP): such text gets a leading apostrophe
in CSV, and is written as a plain string in XLSX.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_response(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], filename: str
) -> HttpResponse:
    """A UTF-8 CSV (with BOM, so Excel reads æøå) with `;` as Danish Excel expects."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([csv_safe(h) for h in headers])
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], filename: str, *, title: str
) -> HttpResponse:
    """An XLSX workbook with one sheet; text is always text, never a formula."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for row_number, row in enumerate([headers, *rows], start=1):
        for column, value in enumerate(row, start=1):
            if isinstance(value, datetime.datetime):
                value = timezone.localtime(value).replace(tzinfo=None)
            cell = sheet.cell(row=row_number, column=column, value=value)
            if cell.data_type == "f":  # openpyxl takes "=…" for a formula: keep it text
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
