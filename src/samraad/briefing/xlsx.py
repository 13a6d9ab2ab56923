"""The board briefing as an XLSX workbook: every table of the briefing as a sheet.

Each sheet has a styled, frozen header row, an autofilter and column widths
from its contents; text is written through `core.exports.xlsx_fill_sheet`, so
nothing a municipality typed can become a formula. An empty table keeps its
header and says in its second row why there is nothing yet.
"""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from samraad.briefing.content import BriefingContent, all_tables
from samraad.briefing.tables import Kind, Table
from samraad.core.exports import xlsx_fill_sheet

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="0B3D5C")
NOTE_FONT = Font(italic=True, color="555555")
NUMBER_FORMATS = {
    Kind.INT: "#,##0",
    Kind.SHARE: "0%",
    Kind.DATETIME: "yyyy-mm-dd hh:mm",
}
MAX_WIDTH = 60
# Excel refuses these in a sheet name, and names longer than 31 characters.
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str, taken: set[str]) -> str:
    name = _SHEET_NAME_FORBIDDEN.sub(" ", title).strip()[:31] or "Sheet"
    candidate, n = name, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = name[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def _width(table: Table, index: int) -> int:
    column = table.columns[index]
    if column.width:
        return column.width
    longest = max(
        [len(column.header)]
        + [len(str(row[index]).split("\n")[0]) for row in table.rows if row[index] is not None],
    )
    return min(max(longest + 2, 8), MAX_WIDTH)


def _write(sheet, table: Table) -> None:
    xlsx_fill_sheet(sheet, [c.header for c in table.columns], table.rows)
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = _width(table, index - 1)
        header = sheet.cell(row=1, column=index)
        header.font = HEADER_FONT
        header.fill = HEADER_FILL
        header.alignment = Alignment(vertical="top", wrap_text=True)
        number_format = NUMBER_FORMATS.get(column.kind)
        wrap = column.width is not None and column.width >= 40
        for row in range(2, len(table.rows) + 2):
            cell = sheet.cell(row=row, column=index)
            if number_format:
                cell.number_format = number_format
            if wrap:
                cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = "A2"
    if table.rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"
    elif table.empty_note:
        note = sheet.cell(row=2, column=1, value=table.empty_note)
        note.font = NOTE_FONT


def briefing_xlsx(content: BriefingContent) -> bytes:
    """Every table of the briefing as one sheet of a workbook, in the active language."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for table in all_tables(content):
        _write(workbook.create_sheet(sheet_name(table.title, taken)), table)
    workbook.properties.title = f"{content.round.code}: {content.round.text('title')}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
