"""The board briefing as a PDF, typeset by Typst in the association's letterhead.

The layout is `templates/briefing/briefing.typ`; this module writes what it
says as JSON (sections of blocks: paragraphs, notes, key figures, tables,
quotes, the map), already translated and formatted in the active language.
Typst reads the JSON as data, so text from municipalities, KKRs and staff is
printed literally and can never run as Typst code. Fonts are the invitation
letter's (IBM Plex Sans from dkfds, no system fonts).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import typst
from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from samraad.briefing.content import (
    QUOTES_PER_THEME,
    BriefingContent,
    absolute_url,
    no_themes_note,
    service_areas_table,
    speakers_table,
    themes_table,
)
from samraad.briefing.sources import BriefingQuote
from samraad.briefing.tables import Column, Kind, Table
from samraad.meetings.letter import _fonts as letter_fonts
from samraad.speakers.models import SpeakerStatus

logger = logging.getLogger(__name__)

TEMPLATE = Path(__file__).resolve().parent / "templates" / "briefing" / "briefing.typ"


def format_value(value: Any, kind: str) -> str:
    """A cell as the reader of the PDF sees it, in the active language."""
    if value is None or value == "":
        return "–"
    if kind == Kind.INT:
        return formats.number_format(value, force_grouping=True)
    if kind == Kind.SHARE:
        return f"{formats.number_format(round(value * 100))} %"
    if kind == Kind.BOOL:
        return _("Yes") if value else _("No")
    if kind == Kind.DATETIME:
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    return str(value)


def _weight(column: Column) -> int:
    """The column's share of the page width: numbers narrow, long texts wide."""
    if column.kind != Kind.TEXT:
        return 1
    return 3 if column.width and column.width >= 40 else 2


def _table(table: Table, *, caption: str = "") -> dict:
    shown = [index for index, column in enumerate(table.columns) if column.in_pdf]
    columns = [table.columns[index] for index in shown]
    return {
        "type": "table",
        "caption": caption,
        "header": [column.header for column in columns],
        "align": ["right" if c.kind in Kind.NUMERIC else "left" for c in columns],
        "widths": [_weight(column) for column in columns],
        "rows": [
            [format_value(row[index], table.columns[index].kind) for index in shown]
            for row in table.rows
        ],
    }


def _par(text: str) -> dict:
    return {"type": "par", "text": text}


def _note(text: str) -> dict:
    return {"type": "note", "text": text}


def _heading(text: str) -> dict:
    return {"type": "heading", "text": text}


def _coverage(content: BriefingContent) -> list[dict]:
    coverage = content.coverage
    blocks: list[dict] = []
    if coverage.is_empty:
        blocks.append(
            _note(
                _(
                    "There is no coverage data for this round yet: nobody has been invited, "
                    "no council has sent input, no KKR has recorded its discussion and no "
                    "speaker has been requested. The figures below are all zero."
                )
            )
        )
    blocks.append(
        {
            "type": "figures",
            "items": [
                [label, format_value(value, kind)] for label, value, kind in coverage.figures
            ],
        }
    )
    if coverage.map_svg:
        blocks.append({"type": "map", "caption": coverage.map_caption})
    blocks.append(_heading(_("By region")))
    if coverage.regions.rows:
        blocks.append(_table(coverage.regions))
    else:
        blocks.append(_note(coverage.regions.empty_note))
    blocks.append(
        _par(
            _(
                "The figures for each municipality are in the XLSX version of this briefing "
                "and on the round's coverage page in Samråd."
            )
        )
    )
    return blocks


def _themes(content: BriefingContent) -> list[dict]:
    themes = content.themes
    blocks = _discovered_themes(content) if themes else [_note(no_themes_note())]
    areas = service_areas_table(content)
    if areas.rows or themes:
        blocks.append(_heading(_("The round's service areas")))
        blocks.append(
            _par(
                _(
                    "How many municipalities mention each of the round's service areas, found "
                    "by the word lists staff maintain."
                )
            )
        )
        blocks.append(_table(areas) if areas.rows else _note(areas.empty_note))
    return blocks


def _attribution(quote: BriefingQuote) -> str:
    """Where a quote is from: its source (which names the place), and the municipality if not."""
    if not quote.source:
        return quote.municipality
    if quote.municipality and quote.municipality not in quote.source:
        return f"{quote.municipality}, {quote.source}"
    return quote.source


def _discovered_themes(content: BriefingContent) -> list[dict]:
    blocks: list[dict] = [
        _par(
            _(
                "The themes the analysis found in the round's texts, as reviewed by staff, "
                "with the number of municipalities that raise each theme, by region."
            )
        ),
        _table(themes_table(content)),
    ]
    for theme in content.themes:
        blocks.append(_heading(theme.name))
        if theme.top_terms:
            blocks.append(
                {"type": "labelled", "label": _("Top terms"), "text": ", ".join(theme.top_terms)}
            )
        counts = ", ".join(
            f"{region} {format_value(n, Kind.INT)}"
            for region, n in sorted(theme.region_counts.items())
            if n
        )
        blocks.append(
            {
                "type": "labelled",
                "label": _("Municipalities"),
                "text": format_value(theme.municipality_count, Kind.INT)
                + (f" ({counts})" if counts else ""),
            }
        )
        quotes = theme.quotes[:QUOTES_PER_THEME]
        if not quotes:
            blocks.append(_note(_("No quotes are linked to this theme.")))
        for quote in quotes:
            blocks.append(
                {
                    "type": "quote",
                    "text": quote.text,
                    "attribution": _attribution(quote),
                    "url": absolute_url(quote.url),
                }
            )
    return blocks


def _kkr(content: BriefingContent) -> list[dict]:
    if not content.kkr:
        return [_note(_("This round has no KKR meetings yet."))]
    blocks: list[dict] = []
    for kkr in content.kkr:
        blocks.append(_heading(kkr.kkr_name))
        when = format_value(kkr.starts_at, Kind.DATETIME)
        blocks.append(
            {
                "type": "labelled",
                "label": _("Meeting"),
                "text": ", ".join(part for part in (when, kkr.place) if part),
            }
        )
        if not kkr.approved:
            blocks.append(_note(_("The record of this KKR's discussion is not approved yet.")))
            continue
        blocks.append(
            {
                "type": "labelled",
                "label": _("Record approved"),
                "text": format_value(kkr.approved_at, Kind.DATETIME),
            }
        )
        if kkr.summary:
            blocks.append(_par(kkr.summary))
        else:
            blocks.append(_note(_("The record has no summary.")))
        if kkr.challenges:
            blocks.append({"type": "labelled", "label": _("Challenges"), "text": ""})
            blocks.append(_par(kkr.challenges))
        if kkr.themes:
            blocks.append({"type": "labelled", "label": _("Themes"), "text": ", ".join(kkr.themes)})
        for quote in kkr.quotes:
            blocks.append(
                {
                    "type": "quote",
                    "text": quote.text,
                    "attribution": f"{quote.speaker_role}, {quote.municipality}",
                    "url": "",
                }
            )
    return blocks


def _speakers(content: BriefingContent) -> list[dict]:
    counts = content.speaker_counts
    summary = _(
        "Speaker requests: %(requested)s waiting for a presenter, %(assigned)s assigned, "
        "%(confirmed)s confirmed, %(held)s held and %(cancelled)s cancelled."
    ) % {
        "requested": counts[SpeakerStatus.REQUESTED],
        "assigned": counts[SpeakerStatus.ASSIGNED],
        "confirmed": counts[SpeakerStatus.CONFIRMED],
        "held": counts[SpeakerStatus.HELD],
        "cancelled": counts[SpeakerStatus.CANCELLED],
    }
    table = speakers_table(content)
    return [_par(summary), _table(table) if table.rows else _note(table.empty_note)]


def _method() -> list[dict]:
    return [
        _par(
            _(
                "Coverage counts, for each municipality, the council members invited to the "
                "virtual large meeting, those with a confirmed registration and those found in "
                "the Teams attendance reports; whether the council has sent its input; whether "
                "the KKR of its region has an approved record of its discussion; and its speaker "
                "requests."
            )
        ),
        _par(
            _(
                "Themes were found in all the round's texts (council input, KKR records, "
                "questions sent in advance, presenters' notes and emailed input) by an analysis "
                "of Danish text: words are reduced to their dictionary form, common words are "
                "left out, and groups of words that occur together are found by statistics "
                "(TF-IDF and non-negative matrix factorisation), next to the round's fixed "
                "service areas matched by a word list staff maintain. Staff then reviewed the "
                "themes: renamed, merged, split or rejected them. Only the themes staff kept are "
                "in this briefing. Every quote is a sentence from its source, quoted verbatim "
                "and linked to it."
            )
        ),
        _par(
            _(
                "KKR summaries are shown only once the record of the discussion is approved. "
                "Personal data is limited to the presenters of speaker engagements."
            )
        ),
    ]


def briefing_document(content: BriefingContent) -> dict:
    """The briefing as the JSON the Typst template lays out, in the active language."""
    round_ = content.round
    address = settings.ASSOCIATION_ADDRESS
    generated = timezone.localtime(content.generated_at)
    return {
        "lang": (get_language() or settings.LANGUAGE_CODE)[:2],
        "association": {
            "name": settings.ASSOCIATION_NAME,
            "long_name": settings.ASSOCIATION_LONG_NAME,
            "address": address,
        },
        "footer": " · ".join([settings.ASSOCIATION_LONG_NAME, _("Board briefing"), round_.code]),
        "page_of": _("Page %(page)s of %(total)s") % {"page": "{page}", "total": "{total}"},
        "title": _("Board briefing"),
        "subtitle": round_.text("title"),
        "round": round_.code,
        "date": formats.date_format(generated, "DATE_FORMAT"),
        "prepared": _("Prepared with Samråd from the round's data on %(time)s.")
        % {"time": formats.date_format(generated, "DATETIME_FORMAT")},
        "contents": _("Contents"),
        "sections": [
            {"heading": _("Coverage"), "blocks": _coverage(content)},
            {"heading": _("Themes"), "blocks": _themes(content)},
            {"heading": _("KKR summaries"), "blocks": _kkr(content)},
            {"heading": _("Speaker engagements"), "blocks": _speakers(content)},
            {"heading": _("Method"), "blocks": _method()},
        ],
    }


def briefing_pdf(content: BriefingContent) -> bytes:
    """The briefing typeset as a PDF in the active language."""
    inputs = {"data": json.dumps(briefing_document(content), ensure_ascii=False)}
    if content.coverage.map_svg:
        inputs["map"] = content.coverage.map_svg
    pdf, warnings = typst.compile_with_warnings(
        TEMPLATE.read_bytes(),
        root=str(TEMPLATE.parent),
        font_paths=letter_fonts(),
        ignore_system_fonts=True,
        sys_inputs=inputs,
        format="pdf",
    )
    for warning in warnings:
        logger.warning("Typst: %s", warning.message)
    return pdf
