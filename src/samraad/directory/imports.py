"""Importing council members from a CSV or Excel file.

Three steps, each usable alone:

- `people_file_read(data)` turns the bytes of an upload into an `ImportTable`
  (the cells as text, keyed on Samråd's fields). It is pure: no database, and
  no exception but `ServiceError` (with a translated message) escapes it.
- `rows_check(...)` validates every row against the municipalities and the
  people already there, both passed in, and says for each row whether it would
  be created, updated, left unchanged or is in error, with its problems. Also
  pure; `people_import_check(table=...)` loads what it needs and calls it.
- `people_import(table=...)` is the service: it checks the rows again against
  the database as it is now and imports all of them, or none.

What a file may look like:

- CSV in UTF-8 (with or without a BOM), UTF-16 with a BOM, or Windows-1252
  (Excel's plain "CSV" on Windows); separated by commas, semicolons (Danish
  Excel) or tabs, sniffed from the heading row; Excel's "sep=;" first line is
  understood. Excel workbooks (.xlsx): the first sheet, cached values rather
  than formulas.
- The file is recognised by its content, never by its name: a PDF, an image, an
  old .xls or any other ZIP renamed .csv is refused with a message saying what
  it is.
- The heading row names the columns in Danish or English, in any case and with
  any spacing (`COLUMN_NAMES`); it may sit below a title row or two. Columns
  Samråd does not know are ignored and listed in the preview.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import json
import re
import warnings
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models import TextChoices
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samraad.core.errors import ServiceError
from samraad.directory.models import Municipality, Person, Role, RoleKind
from samraad.directory.reference import danish_slug
from samraad.directory.services import PersonData, people_upsert

MAX_ROWS = 10_000

# Samråd's fields in the order the preview shows them. Phone is the one column
# a file may leave out; for people already there it then stays as it is.
FIELDS = ("name", "email", "municipality", "party", "title", "phone")
REQUIRED_FIELDS = ("name", "email", "municipality", "party", "title")

# Heading texts, compared after `_heading_key` (lower case, letters and digits only).
COLUMN_NAMES = {
    "name": ["name", "navn", "fulde navn", "full name", "fuldt navn"],
    "email": ["email", "e-mail", "mail", "e-mailadresse", "email address", "mailadresse"],
    "municipality": [
        "municipality",
        "kommune",
        "kommunenavn",
        "kommunekode",
        "municipality code",
        "municipality name",
    ],
    "party": ["party", "parti"],
    "title": ["title", "titel", "hverv"],
    "phone": ["phone", "telefon", "tlf", "telefonnummer", "phone number", "mobil", "mobile"],
}

# Names in circulation that the official names (directory/data/municipalities.csv)
# do not reach by spelling alone, as danish_slug writes both sides.
MUNICIPALITY_ALIASES = {
    "copenhagen": "koebenhavn",
    "bornholms-regionskommune": "bornholm",
    "regionskommune-bornholm": "bornholm",
    "broenderslev-dronninglund": "broenderslev",
    "nordfyn": "nordfyns",
    "vesthimmerland": "vesthimmerlands",
    "lyngby": "lyngby-taarbaek",
    "taastrup": "hoeje-taastrup",
}

# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@")
_PHONE = re.compile(r"\+?[\d\s()\-./]+")

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc, password-protected .xlsx
_IMAGES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")
# An .xlsx inflates a lot; more than this unpacked is not a list of council members.
_MAX_UNPACKED_FACTOR = 20
_MAX_COLUMNS = 60
# A heading row may sit below a title or two; look this far for it.
_HEADING_SEARCH_ROWS = 10

# What UTF-8 letters look like after being read as Windows-1252 and saved again:
# "Ã¸" for "ø", "Ã¦" for "æ", "Ã¥" for "å".
_MOJIBAKE = re.compile(
    "Ã[" + re.escape(bytes(range(0x80, 0xC0)).decode("windows-1252", errors="ignore")) + "]"
)
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _file_error(message: str) -> ServiceError:
    return ServiceError(message, code="file")


# --- Reading the file ------------------------------------------------------


@dataclass(frozen=True)
class SourceRow:
    """One row of the file: its number as a spreadsheet shows it, and its cells by field."""

    number: int
    values: Mapping[str, str]


@dataclass(frozen=True)
class ImportTable:
    """What an upload holds, as text: the fields it has, the rows, the headings ignored."""

    columns: tuple[str, ...]
    rows: tuple[SourceRow, ...]
    ignored: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """A compact, JSON-serialisable form (kept in the session between preview and import)."""
        return {
            "columns": list(self.columns),
            "ignored": list(self.ignored),
            "rows": [[row.number, [row.values[c] for c in self.columns]] for row in self.rows],
        }

    @classmethod
    def from_json(cls, data: Any) -> ImportTable:
        """The table `to_json` wrote; ValueError if `data` is not one."""
        try:
            columns = tuple(str(c) for c in data["columns"])
            if not set(REQUIRED_FIELDS) <= set(columns) <= set(FIELDS):
                raise ValueError("unexpected columns")
            rows = []
            for number, values in data["rows"]:
                if len(values) != len(columns):
                    raise ValueError("row width")
                rows.append(
                    SourceRow(int(number), dict(zip(columns, map(str, values), strict=True)))
                )
            return cls(columns, tuple(rows), tuple(str(i) for i in data.get("ignored", ())))
        except (KeyError, TypeError) as error:
            raise ValueError("not an import table") from error


def people_file_read(data: bytes) -> ImportTable:
    """Read an uploaded list of people; ServiceError (code "file") says what is wrong with it.

    The kind of file is decided by its content. The size limit is
    PEOPLE_IMPORT_MAX_BYTES, the row limit MAX_ROWS.
    """
    limit = settings.PEOPLE_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise _file_error(
            _("The file is larger than %(limit)s. Split it into smaller files.")
            % {"limit": filesizeformat(limit)}
        )
    if not data.strip():
        raise _file_error(_("The file is empty."))
    if data.startswith(_ZIP):
        cells = _xlsx_rows(data)
    elif data.startswith(b"%PDF"):
        raise _file_error(
            _("This is a PDF document, not a list. Save the list as CSV or Excel (.xlsx).")
        )
    elif data.startswith(_OLE):
        raise _file_error(
            _(
                "This is an old Excel file (.xls) or a workbook with a password. Save it in "
                "Excel as an Excel workbook (.xlsx) without a password, or as CSV."
            )
        )
    elif data.startswith(_IMAGES):
        raise _file_error(_("This is an image, not a list. Save the list as CSV or Excel (.xlsx)."))
    else:
        cells = _csv_rows(_decode(data))
    return _table(cells)


def _decode(data: bytes) -> str:
    try:
        if data.startswith(codecs.BOM_UTF8):
            text = data[len(codecs.BOM_UTF8) :].decode("utf-8")
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                # Excel's plain "CSV" on Windows; a few bytes are undefined in it.
                text = data.decode("windows-1252")
    except UnicodeDecodeError:
        raise _file_error(
            _(
                "The file could not be read as text in any encoding Samråd knows. "
                "Save it in Excel as “CSV UTF-8” and upload it again."
            )
        ) from None
    if "\x00" in text:
        raise _file_error(
            _(
                "This does not look like a CSV or Excel file. "
                "Save the list as CSV or Excel (.xlsx) and upload it again."
            )
        )
    if _MOJIBAKE.search(text):
        raise _file_error(
            _(
                "The Danish letters in the file are garbled (for example “Ã¸” instead of "
                "“ø”): it was saved with the wrong encoding somewhere on the way. Save it in "
                "Excel as “CSV UTF-8” and upload it again."
            )
        )
    return _CONTROL.sub(" ", text)


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    skip = 0
    if re.fullmatch(r"\s*sep=.\s*", first, flags=re.IGNORECASE):
        # Excel writes (and honours) "sep=;" as a first line naming the separator.
        # lstrip, not strip: the separator itself may be a tab or a space.
        delimiter, skip = first.lstrip()[4], 1
    else:
        delimiter = _sniff_delimiter(lines)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if number > skip:
                yield number - skip, cells
    except csv.Error:
        raise _file_error(
            _(
                "The file could not be read as CSV after row %(row)d. Look for a quotation "
                "mark that is never closed."
            )
            % {"row": number - skip}
        ) from None


def _sniff_delimiter(lines: Sequence[str]) -> str:
    """The separator among ; , and tab that splits the heading rows into the most known columns.

    Ties go to the one that splits them into the most cells, then to ; (Danish Excel).
    """
    sample = [line for line in lines if line.strip()][:_HEADING_SEARCH_ROWS]

    def score(delimiter: str) -> tuple[int, int]:
        rows: list[list[str]] = []
        # A broken row is reported when the whole file is read; the rows before it count here.
        with contextlib.suppress(csv.Error):
            rows.extend(csv.reader(sample, delimiter=delimiter))
        known = max((len(_known_fields(row)) for row in rows), default=0)
        return known, max((len(row) for row in rows), default=0)

    return max([";", "\t", ","], key=score)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
    except Exception:  # zipfile raises many kinds on a damaged archive (the fuzz tests find them)
        raise _xlsx_unreadable() from None
    if "xl/workbook.xml" not in names:
        raise _file_error(
            _(
                "This is a ZIP file but not an Excel workbook (.xlsx). "
                "Save the list as CSV or Excel (.xlsx)."
            )
        )
    if unpacked > _MAX_UNPACKED_FACTOR * settings.PEOPLE_IMPORT_MAX_BYTES:
        raise _file_error(
            _("The workbook is too large when unpacked. Split it into smaller files.")
        )
    # Imported here: only workbooks need openpyxl, and it is slow to import.
    from openpyxl import load_workbook

    rows: list[tuple[int, list[str]]] = []
    try:
        # openpyxl warns about parts of a workbook it does not read (data
        # validation, conditional formatting); they do not matter here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                if not workbook.worksheets:
                    raise _file_error(_("The workbook has no sheet to read."))
                sheet = workbook.worksheets[0]
                filled = 0
                for number, values in enumerate(
                    sheet.iter_rows(max_col=_MAX_COLUMNS, values_only=True), start=1
                ):
                    cells = [_cell_text(value) for value in values]
                    if any(cells):
                        filled += 1
                        # The heading and at most MAX_ROWS rows; one more tells _table to refuse.
                        if filled > MAX_ROWS + _HEADING_SEARCH_ROWS + 1:
                            break
                    rows.append((number, cells))
            finally:
                workbook.close()
    except ServiceError:
        raise
    except Exception:  # openpyxl's errors on a damaged workbook are of many kinds
        raise _xlsx_unreadable() from None
    return iter(rows)


def _xlsx_unreadable() -> ServiceError:
    return _file_error(
        _(
            "The Excel workbook could not be read; it may be damaged. "
            "Open it in Excel, save it again and upload it."
        )
    )


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 0101 typed as a number as 101.0
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _clean(value: str) -> str:
    return " ".join(value.replace("\xa0", " ").split()) if value else ""


def _heading_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


_HEADINGS = {_heading_key(name): field for field, names in COLUMN_NAMES.items() for name in names}


def _known_fields(cells: Iterable[str]) -> set[str]:
    return {_HEADINGS[key] for key in map(_heading_key, cells) if key in _HEADINGS}


def _table(cells: Iterable[tuple[int, list[str]]]) -> ImportTable:
    rows = [(number, [_clean(cell) for cell in values]) for number, values in cells]
    filled = [(number, values) for number, values in rows if any(values)]
    if not filled:
        raise _file_error(_("The file is empty."))
    # The heading row: the first of the first few rows that names two known
    # columns; otherwise the first row, and the missing columns are reported.
    candidates = filled[:_HEADING_SEARCH_ROWS]
    heading_index = next(
        (i for i, (_n, values) in enumerate(candidates) if len(_known_fields(values)) >= 2), 0
    )
    heading = filled[heading_index][1]
    positions: dict[str, int] = {}
    ignored = []
    for position, text in enumerate(heading):
        name = _HEADINGS.get(_heading_key(text))
        if name is None:
            if text:
                ignored.append(text)
        elif name in positions:
            raise _file_error(
                _("The column “%(column)s” appears more than once in the heading row.")
                % {"column": text}
            )
        else:
            positions[name] = position
    missing = [name for name in REQUIRED_FIELDS if name not in positions]
    if missing:
        raise _file_error(
            _(
                "The file lacks these columns: %(columns)s. The first row must name the "
                "columns, in Danish or English (for example Navn, E-mail, Kommune, Parti, "
                "Titel; Telefon is optional)."
            )
            % {"columns": ", ".join(field_label(name) for name in missing)}
        )
    body = filled[heading_index + 1 :]
    if not body:
        raise _file_error(_("The file has a heading row but no people below it."))
    if len(body) > MAX_ROWS:
        raise _file_error(
            _("The file has more than %(max)s rows. Split it into smaller files.")
            % {"max": number_format(MAX_ROWS, force_grouping=True)}
        )
    columns = tuple(name for name in FIELDS if name in positions)

    def cell(values: list[str], name: str) -> str:
        position = positions[name]
        return values[position] if position < len(values) else ""

    return ImportTable(
        columns=columns,
        rows=tuple(
            SourceRow(number, {name: cell(values, name) for name in columns})
            for number, values in body
        ),
        ignored=tuple(ignored),
    )


def field_label(name: str) -> str:
    """The name of one of FIELDS as the user interface writes it ("Municipality")."""
    return str(capfirst(Person._meta.get_field(name).verbose_name))


# --- Municipalities by code or name ------------------------------------------


def _name_keys(text: str) -> list[str]:
    """The keys a municipality name is looked up by, most exact first."""
    slug = danish_slug(text)
    slug = re.sub(r"-(kommune|municipality)$", "", slug)
    slug = re.sub(r"^(kommune|municipality-of)-", "", slug)
    slug = MUNICIPALITY_ALIASES.get(slug, slug)
    # Written without æ, ø, å: "Kobenhavn", "Tarnby", "Hoje Tastrup".
    plain = re.sub(r"-(kommune|municipality)$", "", _plain_slug(text))
    keys = [slug, plain]
    # Genitive: "Københavns Kommune", "Bornholms Regionskommune".
    if slug.endswith("-regionskommune"):
        keys.append(slug.removesuffix("-regionskommune").removesuffix("s"))
    keys += [key[:-1] for key in (slug, plain) if key.endswith("s")]
    return keys


def _plain_slug(text: str) -> str:
    folded = text.translate(str.maketrans("æøåÆØÅ", "aoaAOA"))
    return "plain:" + danish_slug(folded)


class MunicipalityLookup:
    """Finds a municipality by its code (101, 0101) or a name in any common variant."""

    def __init__(self, municipalities: Iterable[Municipality]) -> None:
        self.by_code: dict[int, Municipality] = {}
        self.by_name: dict[str, Municipality] = {}
        for municipality in municipalities:
            self.by_code[municipality.code] = municipality
            self.by_name[danish_slug(municipality.name)] = municipality
            self.by_name.setdefault(_plain_slug(municipality.name), municipality)

    def find(self, text: str) -> Municipality | None:
        text = text.strip()
        if re.fullmatch(r"\d{1,4}(\.0+)?", text):
            return self.by_code.get(int(float(text)))
        for key in _name_keys(text):
            if key in self.by_name:
                return self.by_name[key]
        return None


# --- Checking the rows -------------------------------------------------------


class RowStatus(TextChoices):
    CREATED = "created", gettext_lazy("new")
    UPDATED = "updated", gettext_lazy("updated")
    UNCHANGED = "unchanged", gettext_lazy("unchanged")
    ERROR = "error", gettext_lazy("error")


@dataclass(frozen=True)
class Known:
    """A person already in the directory, with the kinds of role they hold."""

    person: Person
    roles: frozenset[str]


@dataclass(frozen=True)
class Problem:
    """An error or warning on a row. `code` is stable across languages, `message` is translated."""

    code: str
    message: str


@dataclass
class CheckedRow:
    number: int
    values: Mapping[str, str]
    municipality: Municipality | None = None
    known: Known | None = None
    status: str = RowStatus.ERROR
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # What an update changes: names from FIELDS, and "role" for the council member role.
    changes: list[str] = field(default_factory=list)

    @property
    def email(self) -> str:
        return self.values["email"].lower()

    @property
    def change_labels(self) -> list[str]:
        return [
            str(RoleKind.COUNCIL_MEMBER.label) if name == "role" else field_label(name)
            for name in self.changes
        ]

    def get_status_display(self) -> str:
        return str(RowStatus(self.status).label)

    def person_data(self) -> PersonData:
        """The person this row imports; a person already there keeps their region and,
        when the file has no phone column, their phone."""
        known = self.known.person if self.known else None
        return PersonData(
            email=self.email,
            name=self.values["name"],
            roles=frozenset({RoleKind.COUNCIL_MEMBER}),
            municipality=self.municipality,
            region=known.region if known else None,
            party=self.values["party"],
            title=self.values["title"],
            phone=self.values.get("phone", known.phone if known else ""),
        )


@dataclass
class ImportCheck:
    """Every row of a table with its status and problems; importable only without errors."""

    table: ImportTable
    rows: list[CheckedRow]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(RowStatus.values, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts

    @property
    def has_errors(self) -> bool:
        return any(row.errors for row in self.rows)

    @property
    def warning_count(self) -> int:
        return sum(1 for row in self.rows if row.warnings)

    @property
    def fingerprint(self) -> str:
        """Changes whenever the rows or what importing them would do change.

        The preview shows it and the import compares it, so that what is
        imported is exactly what staff looked at (not another upload in another
        tab, nor a directory someone changed in between).
        """
        summary = [
            [
                row.number,
                row.status,
                [row.values[c] for c in self.table.columns],
                row.municipality.pk if row.municipality else None,
                sorted(p.code for p in [*row.errors, *row.warnings]),
                row.changes,
            ]
            for row in self.rows
        ]
        encoded = json.dumps([list(self.table.columns), summary], ensure_ascii=False)
        return hashlib.sha256(encoded.encode()).hexdigest()


def _max_length(name: str) -> int:
    return Person._meta.get_field(name).max_length


_email_validator = EmailValidator()


def rows_check(
    *,
    table: ImportTable,
    municipalities: MunicipalityLookup,
    known: Mapping[str, Known],
) -> ImportCheck:
    """Check every row of `table`; `known` maps lower-case emails to the people already there.

    Errors (the import refuses the file): a missing name, email or
    municipality; an invalid email; an unknown municipality; a value too long;
    an email twice in the file (every row that has it). Warnings (shown, the
    import goes ahead): a person moving to another municipality, a changed
    name, a text cell that starts like a spreadsheet formula.
    """
    rows = [CheckedRow(number=source.number, values=source.values) for source in table.rows]
    numbers_by_email: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.email:
            numbers_by_email[row.email].append(row.number)
    for row in rows:
        _check_values(row, municipalities)
        others = [n for n in numbers_by_email.get(row.email, []) if n != row.number]
        if others:
            row.errors.append(
                Problem(
                    "email_duplicate",
                    _("The email address is also in row %(rows)s.")
                    % {"rows": ", ".join(map(str, others))},
                )
            )
        row.known = known.get(row.email)
        _compare(row, table.columns)
    return ImportCheck(table=table, rows=rows)


def _check_values(row: CheckedRow, municipalities: MunicipalityLookup) -> None:
    values = row.values
    if not values["name"]:
        row.errors.append(Problem("name_missing", _("The name is missing.")))
    if not values["email"]:
        row.errors.append(Problem("email_missing", _("The email address is missing.")))
    else:
        try:
            _email_validator(values["email"])
        except ValidationError:
            row.errors.append(
                Problem(
                    "email_invalid",
                    _("“%(email)s” is not a valid email address.") % {"email": values["email"]},
                )
            )
    if not values["municipality"]:
        row.errors.append(Problem("municipality_missing", _("The municipality is missing.")))
    else:
        row.municipality = municipalities.find(values["municipality"])
        if row.municipality is None:
            row.errors.append(
                Problem(
                    "municipality_unknown",
                    _("Unknown municipality: “%(municipality)s”. Write its name or its code.")
                    % {"municipality": values["municipality"]},
                )
            )
    for name, value in values.items():
        if name == "municipality":
            continue
        if len(value) > _max_length(name):
            row.errors.append(
                Problem(
                    f"too_long:{name}",
                    _("%(field)s is too long: at most %(max)d characters.")
                    % {"field": field_label(name), "max": _max_length(name)},
                )
            )
        if _looks_like_formula(name, value):
            row.warnings.append(
                Problem(
                    f"formula:{name}",
                    _(
                        "%(field)s starts with “%(character)s” like a spreadsheet formula. "
                        "It is stored as text; check that it is meant."
                    )
                    % {"field": field_label(name), "character": value[0]},
                )
            )


def _looks_like_formula(name: str, value: str) -> bool:
    if len(value) < 2 or not value.startswith(FORMULA_STARTS):
        return False
    return not (name == "phone" and _PHONE.fullmatch(value))


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _compare(row: CheckedRow, columns: Sequence[str]) -> None:
    """Set the row's status and the warnings that come from the person already there."""
    if row.errors:
        row.status = RowStatus.ERROR
    if row.known is None:
        if not row.errors:
            row.status = RowStatus.CREATED
        return
    person = row.known.person
    if (
        row.municipality is not None
        and person.municipality_id is not None
        and person.municipality_id != row.municipality.pk
    ):
        row.warnings.append(
            Problem(
                "moves",
                _("Moves from %(old)s to %(new)s.")
                % {"old": person.municipality.name, "new": row.municipality.name},
            )
        )
    if row.values["name"] and not _same_name(person.name, row.values["name"]):
        row.warnings.append(
            Problem(
                "renamed",
                _("The name changes from “%(old)s” to “%(new)s”.")
                % {"old": person.name, "new": row.values["name"]},
            )
        )
    if row.errors:
        return
    wanted = row.person_data()
    current = {
        "name": person.name,
        "municipality": person.municipality_id,
        "party": person.party,
        "title": person.title,
        "phone": person.phone,
    }
    new = {
        "name": wanted.name,
        "municipality": wanted.municipality.pk if wanted.municipality else None,
        "party": wanted.party,
        "title": wanted.title,
        "phone": wanted.phone,
    }
    row.changes = [name for name in current if current[name] != new[name]]
    if RoleKind.COUNCIL_MEMBER not in row.known.roles:
        row.changes.append("role")
    row.status = RowStatus.UPDATED if row.changes else RowStatus.UNCHANGED


def people_import_check(*, table: ImportTable) -> ImportCheck:
    """`rows_check` against the municipalities and people in the database now (three queries)."""
    emails = {row.values["email"].lower() for row in table.rows if row.values["email"]}
    people = list(Person.objects.filter(email__in=emails).select_related("municipality", "region"))
    roles: dict[int, set[str]] = defaultdict(set)
    for person_id, kind in Role.objects.filter(person__in=people).values_list("person_id", "kind"):
        roles[person_id].add(kind)
    return rows_check(
        table=table,
        municipalities=MunicipalityLookup(Municipality.objects.all()),
        known={p.email: Known(person=p, roles=frozenset(roles[p.pk])) for p in people},
    )


@dataclass(frozen=True)
class ImportOutcome:
    created: int
    updated: int
    unchanged: int


def people_import(*, table: ImportTable, fingerprint: str | None = None) -> ImportOutcome:
    """Import every row of `table` as a council member, or none.

    The rows are checked again against the database as it is now. Any row in
    error refuses the whole table; so does a `fingerprint` (from the preview
    staff saw) that no longer matches, because the table or the people in it
    changed since. New people are created, changed ones updated by email (they
    keep their other roles and their region), unchanged ones are not written.
    Importing the same table twice changes nothing the second time.
    """
    try:
        with transaction.atomic():
            check = people_import_check(table=table)
            if check.has_errors:
                raise ServiceError(
                    _(
                        "Nothing was imported: %(count)d rows have errors. Correct them in "
                        "the file and upload it again."
                    )
                    % {"count": check.counts[RowStatus.ERROR]},
                    code="rows",
                )
            if fingerprint is not None and fingerprint != check.fingerprint:
                raise ServiceError(
                    _(
                        "Nothing was imported: the people in the file have changed in Samråd "
                        "since the preview was shown. Look at the preview again."
                    ),
                    code="stale",
                )
            people_upsert(
                rows=[
                    row.person_data()
                    for row in check.rows
                    if row.status in (RowStatus.CREATED, RowStatus.UPDATED)
                ]
            )
    except IntegrityError:
        # Someone added one of these people while this import ran.
        raise ServiceError(
            _(
                "Nothing was imported: someone changed the same people at the same time. "
                "Look at the preview again."
            ),
            code="stale",
        ) from None
    counts = check.counts
    return ImportOutcome(
        created=counts[RowStatus.CREATED],
        updated=counts[RowStatus.UPDATED],
        unchanged=counts[RowStatus.UNCHANGED],
    )
