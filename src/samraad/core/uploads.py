"""Checking uploaded documents: what a file is, by its content, never by its name.

Council input, KKR minutes and the like accept PDF, DOCX, XLSX and ODT. A
file is recognised by its bytes (the PDF signature; for the Office formats,
the ZIP's own parts), limited in size (settings.UPLOAD_MAX_BYTES) and, for
ZIP-based formats, in how much it unpacks to. The name is cleaned and given
the extension of what the file really is. Accepted files are stored in the
database, so every web process on every machine serves them, and only
through views that check who may see them.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from samraad.core.errors import ServiceError

PDF = "pdf"
DOCX = "docx"
XLSX = "xlsx"
ODT = "odt"
DOCUMENT_KINDS = (PDF, DOCX, XLSX, ODT)

CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ODT: "application/vnd.oasis.opendocument.text",
}
LABELS = {PDF: "PDF", DOCX: "Word (DOCX)", XLSX: "Excel (XLSX)", ODT: "OpenDocument (ODT)"}

# A ZIP may unpack to at most this many times the upload limit (zip bombs).
MAX_UNPACK_RATIO = 20


class UploadRejected(ServiceError):
    """The file is refused; `message` says why in words a user can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="upload_rejected")


@dataclass(frozen=True)
class CheckedFile:
    name: str
    kind: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


def clean_filename(name: str, kind: str) -> str:
    """A safe file name: no path, no control or shell characters, the right extension."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"[^\w\s().,-]+", "_", stem, flags=re.UNICODE)
    stem = re.sub(r"\s+", " ", stem).strip(" ._-")[:120] or _("document")
    return f"{stem}.{kind}"


def _zip_kind(data: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACK_RATIO * settings.UPLOAD_MAX_BYTES:
            raise UploadRejected(_("The file unpacks to far more than its size; it is refused."))
        if "mimetype" in names:
            mimetype = archive.read("mimetype").strip()
            if mimetype == CONTENT_TYPES[ODT].encode():
                return ODT
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
    except (zipfile.BadZipFile, KeyError, EOFError, NotImplementedError, RuntimeError):
        return None
    return None


def sniff_kind(data: bytes) -> str | None:
    """What the bytes are (one of DOCUMENT_KINDS), or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return None


def upload_check(upload: UploadedFile, *, kinds: tuple[str, ...] = DOCUMENT_KINDS) -> CheckedFile:
    """Read and check `upload`; raise UploadRejected with the reason when it is refused."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise UploadRejected(
            _("%(name)s is %(size)s; files may be at most %(limit)s.")
            % {
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(limit),
            }
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise UploadRejected(
            _("%(name)s is larger than %(limit)s.")
            % {"name": upload.name, "limit": filesizeformat(limit)}
        )
    if not data:
        raise UploadRejected(_("%(name)s is empty.") % {"name": upload.name})
    kind = sniff_kind(data)
    if kind not in kinds:
        raise UploadRejected(
            _("%(name)s is not one of the accepted kinds (%(kinds)s), whatever its name says.")
            % {"name": upload.name, "kinds": ", ".join(LABELS[k] for k in kinds)}
        )
    return CheckedFile(
        name=clean_filename(upload.name or "", kind),
        kind=kind,
        content_type=CONTENT_TYPES[kind],
        content=data,
    )
