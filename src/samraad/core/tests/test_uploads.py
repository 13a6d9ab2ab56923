"""Uploaded documents are recognised by their content and limited in size."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from samraad.core.uploads import DOCX, ODT, PDF, XLSX, UploadRejected, clean_filename, upload_check


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX_BYTES = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX_BYTES = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT_BYTES = zip_bytes(
    {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"}
)
PDF_BYTES = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    "data,kind",
    [(PDF_BYTES, PDF), (DOCX_BYTES, DOCX), (XLSX_BYTES, XLSX), (ODT_BYTES, ODT)],
)
def test_each_accepted_kind_is_recognised_by_content_whatever_the_name(data, kind):
    checked = upload_check(SimpleUploadedFile("budget notat.txt", data))
    assert checked.kind == kind
    assert checked.name == f"budget notat.{kind}"
    assert checked.content == data


@pytest.mark.parametrize(
    "name,data",
    [
        ("notat.pdf", b"MZ\x90\x00 this is an executable"),
        ("notat.docx", zip_bytes({"evil.sh": b"rm -rf /"})),
        ("notat.pdf", b"<html><script>alert(1)</script></html>"),
        ("notat.xlsx", b"PK\x03\x04 not really a zip"),
    ],
)
def test_disguised_files_are_refused_with_a_reason(name, data):
    with pytest.raises(UploadRejected) as refused:
        upload_check(SimpleUploadedFile(name, data))
    assert name in refused.value.message


@override_settings(UPLOAD_MAX_BYTES=1000)
def test_oversized_files_are_refused():
    with pytest.raises(UploadRejected) as refused:
        upload_check(SimpleUploadedFile("stor.pdf", PDF_BYTES + b"x" * 2000))
    assert "stor.pdf" in refused.value.message


@override_settings(UPLOAD_MAX_BYTES=5000)
def test_a_zip_bomb_is_refused():
    bomb = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"0" * 5000 * 25})
    assert len(bomb) < 5000
    with pytest.raises(UploadRejected):
        upload_check(SimpleUploadedFile("bombe.docx", bomb))


def test_an_empty_file_is_refused():
    with pytest.raises(UploadRejected):
        upload_check(SimpleUploadedFile("tom.pdf", b""))


@pytest.mark.parametrize(
    "name,expected",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\x\\Økonomi 2026.pdf", "Økonomi 2026.pdf"),
        ("notat<script>.pdf", "notat_script.pdf"),
        ("...", "dokument.pdf"),  # the word is translated (Danish by default)
        ("rapport.exe", "rapport.pdf"),
    ],
)
def test_names_are_cleaned_and_get_the_real_extension(name, expected):
    assert clean_filename(name, PDF) == expected
