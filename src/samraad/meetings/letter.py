"""The invitation as a letter PDF in the association's letterhead, typeset by Typst.

The letter says what the public round page says (the three tracks), in Danish,
addressed to one council member or to the members of the municipal councils.
`templates/meetings/letter.typ` holds the layout; this module fills its slots
with Typst markup in which every user-provided text is escaped (`typst_escape`),
so a title like `#panic("x")` is printed, never run.

Fonts: IBM Plex Sans, the typeface of Det Fælles Designsystem, from the TTF
files the `dkfds` npm package ships (found through the static files, like the
rest of dkfds). System fonts are ignored, so the PDF is the same on every
machine; Typst's own embedded fonts are the fallback for glyphs Plex lacks.
"""

from __future__ import annotations

import functools
import logging
import re
import string
from collections.abc import Mapping
from pathlib import Path

import typst
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import formats, timezone, translation
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from samraad.core.permissions import staff_required
from samraad.core.timeutils import local_zone
from samraad.directory.models import Person
from samraad.meetings.models import Meeting
from samraad.meetings.services import session_label

logger = logging.getLogger(__name__)

TEMPLATE = Path(__file__).resolve().parent / "templates" / "meetings" / "letter.typ"
FONT = "dkfds/fonts/IBMPlexSans/complete/ttf/IBMPlexSans-Regular.ttf"

# --- Typst markup ------------------------------------------------------------


class Markup(str):
    """Typst markup safe to put in a slot: escaped text joined with fixed markup."""


# Every ASCII punctuation character is escaped with a backslash: Typst reads
# `\` followed by any character as that very character. Quotes too, so that
# text is printed as typed rather than with typographic quotes.
_SPECIAL = re.compile(f"([{re.escape(string.punctuation)}])")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def typst_escape(text: object) -> Markup:
    """`text` as Typst markup that prints it literally, on one source line.

    Line breaks in the text become Typst line breaks (`\\ `); nothing in the
    result can start code, math, a label, a reference, raw text, a comment or a
    line-start construct (heading, list, numbered list).
    """
    if isinstance(text, Markup):
        return text
    lines = (_SPECIAL.sub(r"\\\1", _CONTROL.sub("", line)) for line in str(text).splitlines())
    return Markup(" \\ ".join(lines))


def _markup(*parts: object) -> Markup:
    """The parts joined, each escaped unless it is markup already."""
    return Markup("".join(typst_escape(part) for part in parts))


def _paragraphs(text: str) -> Markup:
    """A text with blank lines between paragraphs (as staff type it) as Typst paragraphs."""
    chunks = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").strip())
    return Markup("\n\n".join(typst_escape(chunk.strip()) for chunk in chunks if chunk.strip()))


def _strong(text: object) -> Markup:
    return Markup(f"#strong[{typst_escape(text)}]")


def _list(items: list[Markup]) -> Markup:
    return Markup("".join(f"- {item}\n" for item in items))


def _heading(text: object) -> Markup:
    return Markup(f"= {typst_escape(text)}\n")


_SLOT = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def fill_template(template: str, values: Mapping[str, object]) -> str:
    """`template` with every `{{ slot }}` replaced by its value, escaped unless it is markup.

    A slot without a value, or a value without a slot, is an error: the
    template and this module must agree.
    """
    slots = set(_SLOT.findall(template))
    if slots != set(values):
        raise ValueError(f"letter slots {sorted(slots)} do not match values {sorted(values)}")
    return _SLOT.sub(lambda match: typst_escape(values[match.group(1)]), template)


# --- The letter --------------------------------------------------------------


@functools.cache
def _fonts() -> typst.Fonts:
    paths: list[str] = []
    found = finders.find(FONT)
    if not found and settings.STATIC_ROOT:
        candidate = Path(settings.STATIC_ROOT) / FONT
        found = str(candidate) if candidate.exists() else None
    if found:
        paths.append(str(Path(found).parent))
    else:
        logger.warning("IBM Plex Sans (%s) not found; the letter uses Typst's own font", FONT)
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=paths)


def _recipient(person: Person | None) -> Markup:
    if person is None:
        return typst_escape(_("To the members of the municipal council"))
    lines = [person.name, person.title, person.municipality.name if person.municipality else ""]
    return typst_escape("\n".join(line for line in lines if line))


def _meetings_track(meeting: Meeting) -> Markup:
    round_ = meeting.round
    sessions = [
        typst_escape(f"{capfirst(session_label(session))}, {session.get_format_display()}")
        for session in meeting.sessions.order_by("starts_at")
    ]
    deadline = formats.date_format(
        timezone.localtime(meeting.registration_deadline), "DATETIME_FORMAT"
    )
    return _markup(
        _heading(_("Virtual large meetings")),
        _paragraphs(round_.text("meetings_text")),
        Markup("\n\n"),
        _list(sessions),
        Markup("\n"),
        _strong(_("Registration deadline") + ":"),
        f" {deadline}.",
        Markup("\n\n"),
        _(
            "You register for one of the sessions through the personal link in your "
            "invitation. The link to join the meeting is sent to everyone registered after "
            "the deadline."
        ),
        Markup("\n\n"),
    )


def _kkr_track(meeting: Meeting) -> Markup:
    round_ = meeting.round
    parts: list[object] = [_heading(_("Discussions at the KKR meetings"))]
    parts += [_paragraphs(round_.text("kkr_text")), Markup("\n\n")]
    kkr_meetings = round_.kkr_meetings.select_related("region").order_by("starts_at")
    if kkr_meetings:
        cells = ["KKR", _("Date"), _("Place")]
        for kkr in kkr_meetings:
            starts = formats.date_format(timezone.localtime(kkr.starts_at), "DATE_FORMAT")
            cells += [kkr.region.kkr_name, capfirst(starts), kkr.place]
        parts.append(
            Markup("#kkr-table(" + ", ".join(f"[{typst_escape(c)}]" for c in cells) + ")\n\n")
        )
    return _markup(*parts)


def _input_track(meeting: Meeting) -> Markup:
    round_ = meeting.round
    parts: list[object] = [_heading(_("Input from the municipal councils"))]
    parts += [_paragraphs(round_.text("input_text")), Markup("\n\n")]
    if round_.input_deadline:
        deadline = formats.date_format(timezone.localtime(round_.input_deadline), "DATE_FORMAT")
        parts += [_strong(_("Please send input by") + ":"), f" {deadline}.", Markup("\n\n")]
    if round_.input_address:
        parts += [
            _("Input and requests for a presentation by KL can be sent to"),
            f" {round_.input_address}.",
            Markup("\n\n"),
        ]
    if contact := round_.contact:
        details = [contact.name, contact.title, contact.email]
        if contact.phone:
            details.append(f"{_('phone')} {contact.phone}")
        parts += [
            f"{_('Contact')}: {', '.join(d for d in details if d)}.",
            Markup("\n\n"),
        ]
    if round_.negotiations_start:
        parts += [
            _(
                "The negotiations with the government start on %(date)s. KL's board uses all "
                "the input to shape its opening position."
            )
            % {"date": formats.date_format(round_.negotiations_start, "DATE_FORMAT")},
            Markup("\n\n"),
        ]
    return _markup(*parts)


def _signature(meeting: Meeting) -> Markup:
    contact = meeting.round.contact
    lines = [contact.name, contact.title] if contact else []
    lines.append(settings.ASSOCIATION_LONG_NAME)
    return typst_escape("\n".join(line for line in lines if line))


def _page_of() -> Markup:
    # The translation is escaped as text; the two numbers are then put in as code.
    page, total = "SAMRAADPAGECURRENT", "SAMRAADPAGETOTAL"
    text = typst_escape(_("Page %(page)s of %(total)s") % {"page": page, "total": total})
    return Markup(text.replace(page, "#(current)").replace(total, "#(total)"))


def invitation_letter_pdf(*, meeting: Meeting, person: Person | None = None) -> bytes:
    """The invitation to `meeting` as a PDF letter in Danish, to `person` or to all members.

    Dated the round's first day; sessions, deadlines and KKR meetings in
    Copenhagen time; every page carries "Side X af Y". User-provided texts
    (round texts, titles, names, places) are printed literally.
    """
    round_ = meeting.round
    address = settings.ASSOCIATION_ADDRESS
    with translation.override("da"), timezone.override(local_zone()):
        values = {
            "association_name": settings.ASSOCIATION_NAME,
            "association_long_name": settings.ASSOCIATION_LONG_NAME,
            "association_address": address,
            "footer_sender": " · ".join([settings.ASSOCIATION_LONG_NAME, *address.splitlines()]),
            "page_of": _page_of(),
            "recipient": _recipient(person),
            "date": formats.date_format(round_.starts_on, "j. F Y"),
            "subject": round_.text("title"),
            "body": _markup(
                _paragraphs(round_.text("intro")),
                Markup("\n\n"),
                _meetings_track(meeting),
                _kkr_track(meeting),
                _input_track(meeting),
            ),
            "greeting": _("Kind regards"),
            "signature": _signature(meeting),
        }
    source = fill_template(TEMPLATE.read_text(encoding="utf-8"), values)
    pdf, warnings = typst.compile_with_warnings(
        source.encode(),
        root=str(TEMPLATE.parent),
        font_paths=_fonts(),
        ignore_system_fonts=True,
        format="pdf",
    )
    for warning in warnings:
        logger.warning("Typst: %s", warning.message)
    return pdf


@staff_required
def staff_letter(request: HttpRequest, slug: str) -> HttpResponse:
    """The invitation letter of the round `slug`, or `?person=<id>`'s personal copy."""
    meeting = Meeting.objects.select_related("round__contact").filter(round__slug=slug).first()
    if meeting is None:
        raise Http404
    person = None
    if person_id := request.GET.get("person"):
        if not person_id.isdigit():
            raise Http404
        person = get_object_or_404(Person.objects.select_related("municipality"), pk=person_id)
    filename = f"{slug}-invitation{f'-{person.pk}' if person else ''}.pdf"
    return HttpResponse(
        invitation_letter_pdf(meeting=meeting, person=person),
        content_type="application/pdf",
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )
