"""The file's bytes as text (encodings, binary files, cut-off downloads), and its lines as cells."""

from __future__ import annotations

import codecs
import csv
import re

from django.utils.translation import gettext

from samraad.meetings.attendance.records import ReportError
from samraad.meetings.attendance.tables import _header, _summary_entry

# --- Bytes to text ---------------------------------------------------------------

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NOT_TEXT = (
    (b"PK\x03\x04", "xlsx"),
    (b"PK\x05\x06", "xlsx"),
    (b"%PDF", "pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),
)


def _not_text_message(kind: str) -> str:
    if kind == "xlsx":
        return gettext(
            "This is an Excel workbook (.xlsx) or another ZIP file, not the attendance "
            "report. Download the report from Teams as a .csv file, or save it from Excel "
            "as “CSV UTF-8”."
        )
    if kind == "xls":
        return gettext(
            "This is an old Excel (.xls) or other Office file, not the attendance report. "
            "Download the report from Teams as a .csv file."
        )
    if kind == "pdf":
        return gettext(
            "This is a PDF file, not the attendance report. Download the report from Teams "
            "as a .csv file."
        )
    return gettext(
        "This is a web page (HTML), not the attendance report. Download the report from "
        "Teams as a .csv file."
    )


def _empty() -> ReportError:
    return ReportError(gettext("The file is empty."))


def _decode(data: bytes, *, max_bytes: int) -> tuple[str, bool, list[str]]:
    """The file's text, whether its last character was cut off, and warnings.

    `max_bytes` is `MAX_BYTES`, passed by `parse_teams_report`.
    """
    if len(data) > max_bytes:
        raise ReportError(
            gettext("The file is larger than %(size)s MB; an attendance report is far smaller.")
            % {"size": max_bytes // (1024 * 1024)}
        )
    for magic, kind in _NOT_TEXT:
        if data.startswith(magic):
            raise ReportError(_not_text_message(kind))
    warnings: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        text, cut = _decode_strict(data[3:], "utf-8")
    elif data.startswith(codecs.BOM_UTF16_LE):
        text, cut = _decode_strict(data[2:], "utf-16-le")
    elif data.startswith(codecs.BOM_UTF16_BE):
        text, cut = _decode_strict(data[2:], "utf-16-be")
    elif encoding := _utf16_without_bom(data):
        text, cut = _decode_strict(data, encoding)
    else:
        try:
            text, cut = _decode_strict(data, "utf-8")
        except ReportError:
            text, cut = _decode_windows_1252(data), False
            warnings.append(
                gettext(
                    "The file is neither UTF-16 nor UTF-8 and was read as Windows-1252 "
                    "(Western European). Check that names with æ, ø and å look right."
                )
            )
    # Some tools pad a download with NULs or end it with a DOS end-of-file mark.
    text = text.replace("\ufeff", "").rstrip("\x00\x1a")
    if not text.strip():
        raise _empty()
    # A stray control character (Word's line break \x0b in a pasted meeting
    # title) becomes a space; many of them, or any NUL, mean binary data.
    controls = len(_CONTROL_RE.findall(text))
    if "\x00" in text or controls > max(8, len(text) // 100):
        raise ReportError(
            gettext(
                "The file holds binary data, not text, so it is not an attendance report. "
                "Download the report from Teams again as a .csv file."
            )
        )
    if controls:
        text = _CONTROL_RE.sub(" ", text)
    if text.lstrip()[:20].casefold().startswith(("<!doctype html", "<html")):
        raise ReportError(_not_text_message("html"))
    return text, cut, warnings


def _decode_strict(body: bytes, encoding: str) -> tuple[str, bool]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        text = decoder.decode(body, final=False)
    except UnicodeDecodeError as exc:
        raise ReportError(
            gettext(
                "The file could not be read as text: it looks like %(encoding)s but has "
                "invalid bytes at position %(position)s. Download the report from Teams again."
            )
            % {"encoding": encoding.upper(), "position": exc.start}
        ) from None
    # Bytes left in the decoder are half a character: the download was cut off.
    return text, bool(decoder.getstate()[0])


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _decode_windows_1252(data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ReportError(
            gettext(
                "The file could not be read as text (expected UTF-16 or UTF-8). "
                "Download the report from Teams again as a .csv file."
            )
        ) from None


# --- Text to rows ---------------------------------------------------------------

_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
_BARE_DATE_RE = re.compile(r"[0-9]{1,4}[./-][0-9]{1,2}[./-][0-9]{1,4}")
_BARE_TIME_RE = re.compile(r"[0-9]{1,2}[:.][0-9]{2}(?:[:.][0-9]{2})?(?:\s*[AaPp]\.?\s?[Mm]\.?)?")


def _split(line: str, delimiter: str) -> list[str]:
    if not line.strip():
        return []
    try:
        cells = next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        cells = line.split(delimiter)
    cells = [cell.strip() for cell in cells]
    if delimiter == ",":
        # "15/11/22, 09:30:17" saved without quotes became two cells.
        joined: list[str] = []
        for cell in cells:
            if joined and _BARE_TIME_RE.fullmatch(cell) and _BARE_DATE_RE.fullmatch(joined[-1]):
                joined[-1] = f"{joined[-1]}, {cell}"
            else:
                joined.append(cell)
        cells = joined
    return cells if any(cells) else []


def _sniff(lines: list[str]) -> str:
    """The delimiter under which the most of the report's structure appears."""
    best, best_score = "", 0
    sample = lines[:200]
    for delimiter in ("\t", ";", ","):
        score = 0
        for line in sample:
            cells = _split(line, delimiter)
            if _header(cells):
                score += 10
            elif _summary_entry(cells):
                score += 1
        if score > best_score:
            best, best_score = delimiter, score
    if best:
        return best
    counts = {d: sum(d in line for line in sample) for d in ("\t", ";", ",")}
    return max(counts, key=lambda d: counts[d])
