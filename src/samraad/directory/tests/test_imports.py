"""Importing council members: reading files, checking rows, the all-or-nothing import."""

from __future__ import annotations

import codecs
import io
import zipfile

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from samraad.core.errors import ServiceError
from samraad.directory import imports
from samraad.directory.imports import (
    ImportTable,
    MunicipalityLookup,
    RowStatus,
    people_file_read,
    people_import,
    people_import_check,
)
from samraad.directory.models import Municipality, Person, Region, Role, RoleKind
from samraad.directory.services import person_upsert
from samraad.tests_support.factories import PersonFactory

HEADER = ["Navn", "E-mail", "Kommune", "Parti", "Titel", "Telefon"]
SOREN = ["Søren Æblø Ågesen", "soeren@aarhus.dk", "Aarhus Kommune", "Venstre", "borgmester", ""]
KAREN = ["Karen Prøvesen", "karen@kk.dk", "0101", "Socialdemokratiet", "", "+45 33 66 33 66"]


@pytest.fixture(autouse=True)
def english():
    """Messages in English, so that the tests read the same before and after translation."""
    with translation.override("en"):
        yield


def csv_bytes(rows, *, header=HEADER, sep=";", encoding="utf-8") -> bytes:
    def line(cells):
        return sep.join(
            '"' + c.replace('"', '""') + '"' if sep in c or '"' in c else c for c in cells
        )

    return "".join(line(r) + "\r\n" for r in [header, *rows]).encode(encoding)


def xlsx_bytes(rows, *, header=HEADER, extra_sheet=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in [header, *rows]:
        sheet.append(row)
    if extra_sheet:
        other = workbook.create_sheet("Andet")
        for row in extra_sheet:
            other.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def refused(data: bytes) -> str:
    with pytest.raises(ServiceError) as caught:
        people_file_read(data)
    assert caught.value.code == "file"
    return caught.value.message


# --- Reading ------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "windows-1252"], ids=lambda e: e
)
def test_csv_in_each_encoding_keeps_the_danish_letters(encoding):
    data = csv_bytes([SOREN, KAREN], encoding=encoding)
    if encoding == "utf-16":
        assert data.startswith(codecs.BOM_UTF16_LE)
    table = people_file_read(data)
    assert table.columns == ("name", "email", "municipality", "party", "title", "phone")
    assert [row.number for row in table.rows] == [2, 3]
    assert table.rows[0].values["name"] == "Søren Æblø Ågesen"
    assert table.rows[1].values["phone"] == "+45 33 66 33 66"


@pytest.mark.parametrize("sep", [";", ",", "\t"], ids=["semicolon", "comma", "tab"])
def test_separator_is_sniffed(sep):
    odd = ["Hansen, Anne; Marie", "anne@x.dk", "Aarhus", "Det Konservative Folkeparti", "", ""]
    table = people_file_read(csv_bytes([odd, SOREN], sep=sep))
    assert table.rows[0].values["name"] == "Hansen, Anne; Marie"
    assert table.rows[1].values["email"] == "soeren@aarhus.dk"


def test_excel_sep_line_names_the_separator():
    data = b"sep=|\r\n" + csv_bytes([SOREN], sep="|")
    table = people_file_read(data)
    assert table.rows[0].values["municipality"] == "Aarhus Kommune"
    assert table.rows[0].number == 2  # numbered as the rows below "sep=" are


def test_headings_in_english_any_case_and_spacing_and_unknown_columns_ignored():
    header = [" NAME ", "e mail", "Municipality", "PARTY", "title", "Comment"]
    table = people_file_read(csv_bytes([[*SOREN[:5], "hej"]], header=header, sep=","))
    assert table.columns == ("name", "email", "municipality", "party", "title")
    assert table.ignored == ("Comment",)
    assert "phone" not in table.rows[0].values


def test_heading_row_may_sit_below_a_title_and_blank_rows_are_skipped():
    data = b"Kommunalbestyrelser 2025;;;;\r\n;;;;\r\n" + csv_bytes([SOREN, ["", "", "", "", ""]])
    table = people_file_read(data)
    assert [row.number for row in table.rows] == [4]


def test_whitespace_and_non_breaking_spaces_are_tidied():
    row = ["  Anne\u00a0 Hansen ", " ANNE@X.DK ", " 751 ", "V", "", ""]
    values = people_file_read(csv_bytes([row])).rows[0].values
    assert values["name"] == "Anne Hansen"
    assert values["email"] == "ANNE@X.DK"  # lower-cased when compared and saved
    assert values["municipality"] == "751"


def test_xlsx_first_sheet_values_with_numbers_and_row_numbers_as_excel_shows_them():
    data = xlsx_bytes(
        [SOREN, [], ["Karen Prøvesen", "karen@kk.dk", 101, "S", None, 33663366]],
        extra_sheet=[["Navn", "E-mail"], ["Not read", "no@x.dk"]],
    )
    table = people_file_read(data)
    assert [row.number for row in table.rows] == [2, 4]
    assert table.rows[1].values == {
        "name": "Karen Prøvesen",
        "email": "karen@kk.dk",
        "municipality": "101",
        "party": "S",
        "title": "",
        "phone": "33663366",
    }


def test_xlsx_gives_the_values_formulas_computed_not_the_formulas():
    data = xlsx_bytes([["Karen", "karen@kk.dk", "=100+1", "S", "", ""]])
    # openpyxl writes no cached value; Excel would. Add the one Excel writes.
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b"<f>100+1</f><v />" in content
                content = content.replace(b"<f>100+1</f><v />", b"<f>100+1</f><v>101</v>")
            target.writestr(item, content)
    table = people_file_read(buffer.getvalue())
    assert table.rows[0].values["municipality"] == "101"


def test_xlsx_text_that_looks_like_a_formula_is_read_as_text():
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(["Karen", "karen@kk.dk", "101", "S", "", ""])
    cell = workbook.active.cell(row=2, column=4, value='=HYPERLINK("http://x")')
    cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = people_file_read(buffer.getvalue())
    assert table.rows[0].values["party"] == '=HYPERLINK("http://x")'


# --- Bad files ------------------------------------------------------------------


def test_missing_columns_are_named():
    message = refused(csv_bytes([["Anne", "Aarhus"]], header=["Navn", "Kommune"]))
    assert "lacks these columns: Email, Party, Title." in message


def test_a_column_twice_is_refused():
    message = refused(csv_bytes([[*SOREN, "x"]], header=[*HEADER, "mail"]))
    assert "“mail” appears more than once" in message


@pytest.mark.parametrize("data", [b"", b"  \r\n ", codecs.BOM_UTF8, codecs.BOM_UTF16_LE])
def test_empty_file(data):
    assert refused(data) == "The file is empty."


def test_heading_without_rows():
    assert "no people below it" in refused(csv_bytes([]))


def test_pdf_renamed_csv():
    assert "This is a PDF document" in refused(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")


def test_old_excel_file():
    assert "old Excel file (.xls)" in refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))


@pytest.mark.parametrize("magic", [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"GIF89a"])
def test_images(magic):
    assert "This is an image" in refused(magic + bytes(64))


def test_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert "ZIP file but not an Excel workbook" in refused(buffer.getvalue())


def test_damaged_workbook():
    data = xlsx_bytes([SOREN])
    assert "could not be read; it may be damaged" in refused(data[: len(data) // 2])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not really")
    assert "could not be read; it may be damaged" in refused(buffer.getvalue())


def test_bytes_undefined_in_every_encoding_tried():
    assert "could not be read as text" in refused(csv_bytes([SOREN]) + b"\x81\x8d\x90")


def test_garbled_danish_letters():
    data = csv_bytes([SOREN]).decode().encode("utf-8").decode("windows-1252").encode("utf-8")
    assert "Ã¸" in data.decode()
    assert "Danish letters in the file are garbled" in refused(data)


def test_utf16_without_bom_is_not_taken_for_text():
    assert "does not look like a CSV or Excel file" in refused(
        csv_bytes([SOREN], encoding="utf-16-le")
    )


def test_unclosed_quotation_mark():
    data = csv_bytes([SOREN]) + b'Anne;"anne@x.dk;Aarhus;V;' + b"x" * 140_000
    assert "could not be read as CSV after row" in refused(data)


@override_settings(PEOPLE_IMPORT_MAX_BYTES=200)
def test_file_over_the_size_limit():
    assert refused(csv_bytes([SOREN] * 5)) == (
        "The file is larger than 200\xa0bytes. Split it into smaller files."
    )


def test_workbook_that_unpacks_too_large():
    # A zip bomb in miniature: small packed, twenty times that unpacked.
    data = xlsx_bytes([[*SOREN, "x" * 30_000] for _ in range(20)], header=[*HEADER, "Note"])
    with override_settings(PEOPLE_IMPORT_MAX_BYTES=len(data)):
        assert "too large when unpacked" in refused(data)
    with override_settings(PEOPLE_IMPORT_MAX_BYTES=len(data) * 10):
        assert len(people_file_read(data).rows) == 20


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
def test_row_limit(monkeypatch, make):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    rows = [[f"P{n}", f"p{n}@x.dk", "101", "", "", ""] for n in range(4)]
    assert len(people_file_read(make(rows[:3])).rows) == 3
    assert "more than 3 rows" in refused(make(rows))


def test_default_row_limit_is_ten_thousand():
    assert imports.MAX_ROWS == 10_000


# --- Municipalities -------------------------------------------------------------


@pytest.fixture
def lookup(db):
    return MunicipalityLookup(Municipality.objects.all())


@pytest.mark.parametrize(
    "text,name",
    [
        ("101", "København"),
        ("0101", "København"),
        ("101.0", "København"),
        ("751", "Aarhus"),
        ("Aarhus Kommune", "Aarhus"),
        ("aarhus kommune", "Aarhus"),
        ("Århus", "Aarhus"),
        ("  AARHUS  ", "Aarhus"),
        ("Københavns Kommune", "København"),
        ("Copenhagen", "København"),
        ("Kobenhavn", "København"),
        ("Vesthimmerlands", "Vesthimmerlands"),
        ("Vesthimmerland", "Vesthimmerlands"),
        ("Vesthimmerlands Kommune", "Vesthimmerlands"),
        ("Nordfyns", "Nordfyns"),
        ("Nordfyn", "Nordfyns"),
        ("Nordfyns Kommune", "Nordfyns"),
        ("Bornholms Regionskommune", "Bornholm"),
        ("Bornholm", "Bornholm"),
        ("Lyngby Taarbæk", "Lyngby-Taarbæk"),
        ("Høje Tåstrup", "Høje-Taastrup"),
        ("Tarnby", "Tårnby"),
        ("Brønderslev-Dronninglund", "Brønderslev"),
        ("Assens", "Assens"),
        ("Horsens Kommune", "Horsens"),
    ],
)
def test_municipality_by_code_or_any_common_name(lookup, text, name):
    found = lookup.find(text)
    assert found is not None and found.name == name


@pytest.mark.parametrize("text", ["9999", "0", "Atlantis", "Region Midtjylland", "Kommune"])
def test_unknown_municipality(lookup, text):
    assert lookup.find(text) is None


def test_every_official_name_and_code_is_found(lookup):
    for municipality in Municipality.objects.all():
        assert lookup.find(municipality.name) == municipality
        assert lookup.find(f"{municipality.name} Kommune") == municipality
        assert lookup.find(municipality.official_code) == municipality


# --- Checking rows ----------------------------------------------------------------


def table_of(rows, *, header=HEADER) -> ImportTable:
    return people_file_read(csv_bytes(rows, header=header))


def problems(row) -> list[str]:
    return sorted(p.code for p in [*row.errors, *row.warnings])


@pytest.fixture
def aarhus(db):
    return Municipality.objects.get(code=751)


@pytest.fixture
def copenhagen(db):
    return Municipality.objects.get(code=101)


def test_new_people_are_created_and_resolved(aarhus, copenhagen):
    check = people_import_check(table=table_of([SOREN, KAREN]))
    assert [r.status for r in check.rows] == [RowStatus.CREATED, RowStatus.CREATED]
    assert [r.municipality for r in check.rows] == [aarhus, copenhagen]
    assert not check.has_errors
    assert check.counts == {"created": 2, "updated": 0, "unchanged": 0, "error": 0}


def test_every_kind_of_row_error_is_reported_on_its_row(db):
    rows = [
        ["", "a@x.dk", "101", "", "", ""],
        ["B", "", "101", "", "", ""],
        ["C", "not-an-address", "101", "", "", ""],
        ["D", "d@x.dk", "", "", "", ""],
        ["E", "e@x.dk", "Atlantis", "", "", ""],
        ["F" * 201, "f@x.dk", "101", "", "", ""],
        ["G", "g@x.dk", "101", "", "", ""],
    ]
    check = people_import_check(table=table_of(rows))
    assert [problems(r) for r in check.rows] == [
        ["name_missing"],
        ["email_missing"],
        ["email_invalid"],
        ["municipality_missing"],
        ["municipality_unknown"],
        ["too_long:name"],
        [],
    ]
    assert check.rows[4].errors[0].message == (
        "Unknown municipality: “Atlantis”. Write its name or its code."
    )
    assert check.rows[5].errors[0].message == "Name is too long: at most 200 characters."
    assert check.has_errors
    assert check.counts == {"created": 1, "updated": 0, "unchanged": 0, "error": 6}


def test_an_email_twice_in_the_file_flags_every_row_that_has_it(db):
    rows = [SOREN, KAREN, ["Søren igen", "Soeren@Aarhus.DK", "751", "", "", ""], SOREN]
    check = people_import_check(table=table_of(rows))
    assert [r.status for r in check.rows] == ["error", "created", "error", "error"]
    assert check.rows[0].errors[0].message == "The email address is also in row 4, 5."
    assert check.rows[2].errors[0].message == "The email address is also in row 2, 5."


def test_a_person_moving_to_another_municipality_is_a_warning_not_an_error(copenhagen, aarhus):
    PersonFactory(email="soeren@aarhus.dk", name=SOREN[0], municipality=copenhagen)
    row = people_import_check(table=table_of([SOREN])).rows[0]
    assert row.status == RowStatus.UPDATED
    assert [w.message for w in row.warnings] == ["Moves from København to Aarhus."]
    assert "municipality" in row.changes


def test_same_email_with_another_name_is_a_warning(aarhus):
    PersonFactory(email="soeren@aarhus.dk", name="Søren Andersen", municipality=aarhus)
    PersonFactory(email="karen@kk.dk", name="karen  PRØVESEN")
    check = people_import_check(table=table_of([SOREN, KAREN]))
    assert [w.message for w in check.rows[0].warnings] == [
        "The name changes from “Søren Andersen” to “Søren Æblø Ågesen”."
    ]
    # Only case and spacing differ: an update, no warning.
    assert check.rows[1].warnings == []
    assert check.rows[1].status == RowStatus.UPDATED


def test_unchanged_and_updated(aarhus):
    person_upsert(
        email="soeren@aarhus.dk",
        name=SOREN[0],
        roles=[RoleKind.COUNCIL_MEMBER],
        municipality=aarhus,
        party="Venstre",
        title="borgmester",
    )
    PersonFactory(email="karen@kk.dk", name=KAREN[0], party="Socialdemokratiet")
    check = people_import_check(table=table_of([SOREN, KAREN]))
    assert check.rows[0].status == RowStatus.UNCHANGED
    assert check.rows[1].status == RowStatus.UPDATED
    assert check.rows[1].changes == ["phone", "role"]
    assert check.rows[1].change_labels == ["Phone", "council member"]
    with translation.override("da"):
        assert check.rows[1].change_labels == ["Telefon", "kommunalbestyrelsesmedlem"]


@pytest.mark.parametrize(
    "column,value,flagged",
    [
        ("name", '=HYPERLINK("http://evil","Klik")', True),
        ("name", "@SUM(1+1)", True),
        ("party", "+Venstre", True),
        ("title", "-2+3", True),
        ("party", "-", False),
        ("phone", "+45 33 66 33 66", False),
        ("phone", "+45 (33) 66-33-66", False),
        ("phone", "=1+1", True),
        ("name", "Anne-Marie", False),
    ],
)
def test_cells_that_look_like_formulas_are_warnings(db, column, value, flagged):
    row = dict(
        zip(["name", "email", "municipality", "party", "title", "phone"], SOREN, strict=True)
    )
    row[column] = value
    checked = people_import_check(table=table_of([list(row.values())])).rows[0]
    assert (f"formula:{column}" in problems(checked)) is flagged
    assert checked.status == RowStatus.CREATED


def test_checking_costs_the_same_queries_for_ten_rows_or_three_hundred(aarhus):
    def queries(count: int) -> int:
        rows = [[f"P {n}", f"p{count}.{n}@x.dk", "751", "", "", ""] for n in range(count)]
        for n in range(0, count, 2):
            PersonFactory(email=f"p{count}.{n}@x.dk", municipality=aarhus)
        table = table_of(rows)
        with CaptureQueriesContext(connection) as ctx:
            people_import_check(table=table)
        return len(ctx)

    assert queries(10) == queries(300) == 3


def test_table_survives_the_session_round_trip():
    table = table_of([SOREN, KAREN])
    assert ImportTable.from_json(table.to_json()) == table
    for broken in [{}, {"columns": ["name"], "rows": []}, {"columns": list(table.columns)}, None]:
        with pytest.raises(ValueError):
            ImportTable.from_json(broken)


# --- Importing ----------------------------------------------------------------------


def test_import_creates_council_members(aarhus, copenhagen):
    outcome = people_import(table=table_of([SOREN, KAREN]))
    assert (outcome.created, outcome.updated, outcome.unchanged) == (2, 0, 0)
    soeren = Person.objects.get(email="soeren@aarhus.dk")
    assert (soeren.name, soeren.municipality, soeren.party, soeren.title) == (
        "Søren Æblø Ågesen",
        aarhus,
        "Venstre",
        "borgmester",
    )
    karen = Person.objects.get(email="karen@kk.dk")
    assert (karen.municipality, karen.phone) == (copenhagen, "+45 33 66 33 66")
    assert set(Role.objects.values_list("kind", flat=True)) == {RoleKind.COUNCIL_MEMBER}
    assert Role.objects.count() == 2


def test_one_bad_row_imports_nothing(db):
    table = table_of([SOREN, KAREN, ["X", "x@x.dk", "Atlantis", "", "", ""]])
    with pytest.raises(ServiceError) as caught:
        people_import(table=table)
    assert caught.value.code == "rows"
    assert "Nothing was imported: 1 rows have errors" in caught.value.message
    assert Person.objects.count() == 0
    assert Role.objects.count() == 0


def test_reimporting_the_same_file_changes_nothing(aarhus):
    data = xlsx_bytes([SOREN, KAREN])
    people_import(table=people_file_read(data))
    before = list(Person.objects.order_by("pk").values_list("pk", "updated_at"))
    outcome = people_import(table=people_file_read(data))
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 2)
    assert list(Person.objects.order_by("pk").values_list("pk", "updated_at")) == before
    assert Role.objects.count() == 2


def test_reimport_updates_in_place_by_email_in_any_case(aarhus):
    people_import(table=table_of([SOREN]))
    changed = ["Søren Æblø Ågesen", "SOEREN@aarhus.dk", "751", "Radikale Venstre", "", ""]
    outcome = people_import(table=table_of([changed]))
    assert (outcome.created, outcome.updated) == (0, 1)
    soeren = Person.objects.get()
    assert (soeren.email, soeren.party, soeren.title) == (
        "soeren@aarhus.dk",
        "Radikale Venstre",
        "",
    )


def test_import_keeps_other_roles_region_and_phone_when_the_file_has_no_phone(copenhagen):
    region = Region.objects.get(code=1084)
    person_upsert(
        email="karen@kk.dk",
        name="Karen Prøvesen",
        roles=[RoleKind.KKR_SECRETARY, RoleKind.MUNICIPAL_CONTACT],
        municipality=copenhagen,
        region=region,
        phone="12345678",
    )
    table = table_of([KAREN[:5]], header=HEADER[:5])
    people_import(table=table)
    karen = Person.objects.get()
    assert (karen.region, karen.phone, karen.party) == (region, "12345678", "Socialdemokratiet")
    assert set(karen.roles.values_list("kind", flat=True)) == {
        RoleKind.KKR_SECRETARY,
        RoleKind.MUNICIPAL_CONTACT,
        RoleKind.COUNCIL_MEMBER,
    }


def test_formula_text_is_stored_as_text(db):
    row = ["=1+1", "formula@x.dk", "101", "@Parti", "", ""]
    people_import(table=table_of([row]))
    assert Person.objects.values_list("name", "party").get() == ("=1+1", "@Parti")


def test_import_checks_again_against_the_database_as_it_is_now(copenhagen, aarhus):
    table = table_of([SOREN, KAREN])
    seen = people_import_check(table=table).fingerprint
    # Between the preview and the import, someone adds Søren in Copenhagen.
    PersonFactory(email="soeren@aarhus.dk", name=SOREN[0], municipality=copenhagen)
    with pytest.raises(ServiceError) as caught:
        people_import(table=table, fingerprint=seen)
    assert caught.value.code == "stale"
    assert Person.objects.count() == 1
    # Looked at again, the preview says what would happen, and the import goes ahead.
    again = people_import_check(table=table)
    assert again.rows[0].status == RowStatus.UPDATED
    outcome = people_import(table=table, fingerprint=again.fingerprint)
    assert (outcome.created, outcome.updated) == (1, 1)
    assert Person.objects.get(email="soeren@aarhus.dk").municipality == aarhus


def test_fingerprint_does_not_depend_on_the_language(copenhagen):
    PersonFactory(email="soeren@aarhus.dk", name="Søren Andersen", municipality=copenhagen)
    table = table_of([SOREN])
    with translation.override("da"):
        danish = people_import_check(table=table).fingerprint
    assert people_import_check(table=table).fingerprint == danish
    assert table_of([KAREN]) != table
    assert people_import_check(table=table_of([KAREN])).fingerprint != danish


# --- Any bytes at all ------------------------------------------------------------------

FUZZ = settings(
    max_examples=300,
    deadline=None,
    # The autouse `english` fixture is the same for every example.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def read_or_refuse(data: bytes) -> None:
    try:
        table = people_file_read(data)
    except ServiceError as error:
        assert error.code == "file"
        assert error.message
    else:
        assert set(imports.REQUIRED_FIELDS) <= set(table.columns)


@FUZZ
@given(st.binary(max_size=3000))
def test_any_bytes_give_a_table_or_a_clear_refusal(data):
    for candidate in (data, csv_bytes([SOREN]) + data, b"PK\x03\x04" + data):
        read_or_refuse(candidate)


@FUZZ
@given(st.text(max_size=500))
def test_any_text_in_a_file_with_headings_gives_a_table_or_a_clear_refusal(text):
    for encoding in ("utf-8", "utf-16"):
        read_or_refuse(csv_bytes([SOREN]).decode().__add__(text).encode(encoding))


WORKBOOK = xlsx_bytes([SOREN, KAREN])


@FUZZ
@given(st.integers(0, len(WORKBOOK) - 1), st.binary(min_size=1, max_size=16))
def test_damaged_workbooks_give_a_table_or_a_clear_refusal(position, junk):
    read_or_refuse(WORKBOOK[:position] + junk + WORKBOOK[position + len(junk) :])
