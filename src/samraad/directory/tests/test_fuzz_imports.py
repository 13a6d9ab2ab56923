"""Property tests: the people import, from the uploaded bytes to the checked rows, never raises
anything but a ServiceError, whatever the file holds (CSV in any encoding and delimiter, or
an Excel workbook with any cell values)."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.utils import translation
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from samraad.core.errors import ServiceError
from samraad.directory.imports import (
    COLUMN_NAMES,
    ImportCheck,
    ImportTable,
    MunicipalityLookup,
    people_file_read,
    people_import,
    rows_check,
)
from samraad.directory.models import Municipality, Person, Region

FUZZ = settings(max_examples=150, deadline=None, database=None)

HEADINGS = [
    *sorted({name for names in COLUMN_NAMES.values() for name in names}),
    "Noter",
    "",
    "Kommunekode",
]
# Cells: any text, and text that looks like what a list of people holds.
CELLS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["Aarhus", "0751", "751", "København", "=1+1", "søren@aarhus.dk", "a@b", " ", "+45 12"]
    ),
    st.emails(),
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _lookup() -> MunicipalityLookup:
    """Two municipalities, in memory: rows_check needs no database."""
    region = Region(pk=1, code=1082, name="Region Midtjylland", kkr_name="KKR Midtjylland")
    return MunicipalityLookup(
        [
            Municipality(pk=1, code=751, name="Aarhus", slug="aarhus", region=region),
            Municipality(pk=2, code=101, name="København", slug="kobenhavn", region=region),
        ]
    )


def read_and_check(data: bytes) -> ImportCheck | None:
    """What the import page does with an upload: read it, then check every row."""
    try:
        table = people_file_read(data)
    except ServiceError as error:
        assert error.code == "file"
        assert error.message
        return None
    check = rows_check(table=table, municipalities=_lookup(), known={})
    assert sum(check.counts.values()) == len(table.rows)
    assert check.fingerprint
    for row in check.rows:
        assert row.get_status_display()
        assert isinstance(row.change_labels, list)
    # The preview keeps the table in the session as JSON and reads it back.
    assert ImportTable.from_json(table.to_json()) == table
    return check


@st.composite
def csv_files(draw) -> bytes:
    heading = draw(st.lists(st.sampled_from(HEADINGS), min_size=1, max_size=8))
    rows = draw(st.lists(st.lists(CELLS, max_size=len(heading) + 2), max_size=6))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    out = io.StringIO()
    if draw(st.booleans()):
        out.write(f"sep={delimiter}\n")
    csv.writer(out, delimiter=delimiter).writerows([heading, *rows])
    text = out.getvalue()
    if draw(st.booleans()):  # a cut-off file
        text = text[: draw(st.integers(0, len(text)))]
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "windows-1252"]))
    return text.encode(encoding, errors="replace")


@FUZZ
@given(csv_files())
# Found by this test: "sep=" naming a tab or a space as the separator raised IndexError.
@example(b"sep=\t\ne-mail\r\n")
@example(b"sep= \nnavn e-mail kommune parti titel\r\na b@c.dk Aarhus V x\r\n")
def test_any_csv_list_gives_checked_rows_or_a_clear_refusal(data):
    read_and_check(data)


# What openpyxl can store in a cell (it refuses control characters in text).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_CELLS = st.one_of(
    CELLS.map(lambda text: _ILLEGAL.sub("", text)),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(datetime.date(1900, 3, 1), datetime.date(2100, 1, 1)),
    st.none(),
)


@st.composite
def workbooks(draw) -> bytes:
    book = Workbook()
    sheet = book.active
    for _ in range(draw(st.integers(0, 2))):  # title rows above the heading
        sheet.append([draw(XLSX_CELLS)])
    sheet.append(draw(st.lists(st.sampled_from(HEADINGS), min_size=1, max_size=8)))
    for row in draw(st.lists(st.lists(XLSX_CELLS, max_size=8), max_size=5)):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@FUZZ
@given(workbooks())
def test_any_workbook_gives_checked_rows_or_a_clear_refusal(data):
    read_and_check(data)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(csv_files())
def test_importing_any_list_saves_every_row_or_none(data):
    try:
        table = people_file_read(data)
    except ServiceError:
        return
    before = Person.objects.count()
    try:
        outcome = people_import(table=table)
    except ServiceError as error:
        assert error.message
        assert Person.objects.count() == before
    else:
        assert outcome is not None
