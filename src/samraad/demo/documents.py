"""Files the demo needs as real bytes: a PDF letter, a Teams attendance report, an email.

They are built the way the real ones are (a PDF a viewer opens, the UTF-16
tab-separated report the Danish Teams client downloads, MIME from
`email.message.EmailMessage`), so the demo's data goes through the same
parsers and upload checks as real data.
"""

from __future__ import annotations

import datetime
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

# --- PDF ------------------------------------------------------------------------------

_PAGE_LINES = 50


def _pdf_text(line: str) -> bytes:
    # WinAnsiEncoding is Windows-1252: æ, ø, å and the dashes are in it.
    data = line.encode("cp1252", errors="replace")
    return data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def simple_pdf(title: str, paragraphs: Sequence[str]) -> bytes:
    """A plain A4 PDF (Helvetica, one or more pages) with a title and wrapped paragraphs."""
    lines: list[tuple[str, bool]] = [(title, True), ("", False)]
    for paragraph in paragraphs:
        for part in paragraph.splitlines() or [""]:
            lines += [(text, False) for text in textwrap.wrap(part, 88) or [""]]
        lines.append(("", False))
    pages = [lines[i : i + _PAGE_LINES] for i in range(0, len(lines), _PAGE_LINES)]

    objects: list[bytes] = []  # object n is objects[n - 1]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(b"")  # the page tree, once the pages' numbers are known
    fonts = b"<< /F1 3 0 R /F2 4 0 R >>"
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
    )
    kids = []
    for page in pages:
        stream = [b"BT", b"14 TL", b"56 790 Td"]
        for text, bold in page:
            stream.append(b"/F2 13 Tf" if bold else b"/F1 10.5 Tf")
            stream.append(b"(" + _pdf_text(text) + b") Tj T*")
        stream.append(b"ET")
        content = b"\n".join(stream)
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        content_number = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font " + fonts + b" >> /Contents %d 0 R >>" % content_number
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )

    out = bytearray(b"%PDF-1.4\n%\xe6\xf8\xe5\xc6\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# --- Teams attendance report ----------------------------------------------------------


@dataclass
class Attendee:
    name: str
    email: str
    role: str = "Deltager"
    intervals: list[tuple[datetime.datetime, datetime.datetime]] = field(default_factory=list)

    @property
    def seconds(self) -> int:
        return sum(int((left - joined).total_seconds()) for joined, left in self.intervals)


def _stamp(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%d/%m/%y, %H:%M:%S")


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{hours}t" if hours else "", f"{minutes}m" if minutes else ""]
    parts.append(f"{seconds}s" if seconds or not (hours or minutes) else "")
    return " ".join(part for part in parts if part)


def teams_report(
    *,
    title: str,
    start: datetime.datetime,
    end: datetime.datetime,
    attendees: Sequence[Attendee],
) -> bytes:
    """The attendance report as the Danish Teams client downloads it: UTF-16, tab-separated,
    three sections (overview, participants, activities), times in Copenhagen."""
    average = sum(a.seconds for a in attendees) // max(len(attendees), 1)
    rows: list[list[str]] = [
        ["1. Oversigt"],
        ["Mødetitel", title],
        ["Deltagere", str(len(attendees))],
        ["Starttidspunkt", _stamp(start)],
        ["Sluttidspunkt", _stamp(end)],
        ["Mødevarighed", _duration(int((end - start).total_seconds()))],
        ["Gennemsnitlig deltagelsestid", _duration(average)],
        [],
        ["2. Deltagere"],
        [
            "Navn",
            "Første deltagelse",
            "Sidste udtræden",
            "Varighed i mødet",
            "E-mail",
            "Deltager-id (UPN)",
            "Rolle",
        ],
    ]
    for a in attendees:
        rows.append(
            [
                a.name,
                _stamp(min(joined for joined, _left in a.intervals)),
                _stamp(max(left for _joined, left in a.intervals)),
                _duration(a.seconds),
                a.email,
                a.email,
                a.role,
            ]
        )
    rows += [
        [],
        ["3. Aktiviteter i mødet"],
        [
            "Navn",
            "Tidspunkt for deltagelse",
            "Tidspunkt for udtræden",
            "Varighed",
            "E-mail",
            "Rolle",
        ],
    ]
    for a in attendees:
        for joined, left in a.intervals:
            seconds = int((left - joined).total_seconds())
            rows.append([a.name, _stamp(joined), _stamp(left), _duration(seconds), a.email, a.role])
    text = "\r\n".join("\t".join(row) for row in rows) + "\r\n"
    return "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")


# --- Email ----------------------------------------------------------------------------


def email_message(
    *,
    from_name: str,
    from_email: str,
    to: str,
    subject: str,
    body: str,
    sent_at: datetime.datetime,
    html: str = "",
    attachments: Sequence[tuple[str, str, bytes]] = (),
    charset: str = "utf-8",
    headers: Sequence[tuple[str, str]] = (),
) -> bytes:
    """An email as a mail client writes it; `attachments` are (filename, content type, bytes)."""
    message = EmailMessage()
    message["From"] = Address(display_name=from_name, addr_spec=from_email)
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.localtime(sent_at))
    message["Message-ID"] = make_msgid(domain=from_email.rpartition("@")[2])
    for name, value in headers:
        message[name] = value
    message.set_content(body, charset=charset)
    if html:
        message.add_alternative(html, subtype="html")
    for filename, content_type, content in attachments:
        maintype, _slash, subtype = content_type.partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()
