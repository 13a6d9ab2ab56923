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

from django.dispatch import Signal
from django.http import HttpResponse
from django.utils import timezone

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Sent for every download built here and in core.responses, with `filename`,
# `content_type` and (for tables) `rows`: the audit log records each export
# (samraad.audit.receivers) without every view having to.
export_served = Signal()


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
    count = 0
    for count, row in enumerate(rows, start=1):  # noqa: B007
        writer.writerow([csv_safe(v) for v in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    export_served.send(
        sender=csv_response, filename=f"{filename}.csv", content_type="text/csv", rows=count
    )
    return response


def xlsx_response(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], filename: str, *, title: str
) -> HttpResponse:
    """An XLSX workbook with one sheet; text is always text, never a formula."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    rows = list(rows)  # the workbook holds them all anyway; counted for the audit log
    xlsx_fill_sheet(sheet, headers, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    export_served.send(
        sender=xlsx_response,
        filename=f"{filename}.xlsx",
        content_type=response["Content-Type"],
        rows=len(rows),
    )
    return response


def xlsx_fill_sheet(sheet: Any, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write `headers` and `rows` into an openpyxl worksheet; text is always text, never a formula.

    Aware datetimes are written as Copenhagen wall-clock time (Excel has no time zones).
    """
    for row_number, row in enumerate([headers, *rows], start=1):
        for column, value in enumerate(row, start=1):
            if isinstance(value, datetime.datetime) and timezone.is_aware(value):
                value = timezone.localtime(value).replace(tzinfo=None)
            cell = sheet.cell(row=row_number, column=column, value=value)
            if cell.data_type == "f":  # openpyxl takes "=…" for a formula: keep it text
                cell.data_type = "s"
