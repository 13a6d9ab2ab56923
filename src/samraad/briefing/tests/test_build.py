"""Building the briefing: PDF and XLSX of a hand-built round, progress, failure, empty round."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from samraad.briefing import services
from samraad.briefing.models import BriefingExport, BriefingStatus, BriefingStep
from samraad.briefing.services import briefing_export_build
from samraad.briefing.tasks import build_briefing

from .conftest import ELDERLY_QUOTES, flat, pdf_outline, pdf_pages

ENGLISH_SHEETS = [
    "Coverage by municipality",
    "Coverage by region",
    "Themes",
    "Quotes",
    "Service areas",
    "KKR summaries",
    "Speaker engagements",
]


def built(export: BriefingExport) -> BriefingExport:
    result = build_briefing.call(export.pk)
    assert result["built"] is True
    export.refresh_from_db()
    assert export.status == BriefingStatus.DONE, export.error
    return export


def test_pdf_has_title_contents_and_every_section_in_english(scenario, make_export):
    export = built(make_export(scenario, format="pdf", language="en"))
    pages = pdf_pages(export.content)
    # Title, contents, then each of the five sections starts a page of its own.
    assert len(pages) >= 7
    title = flat(pages[0])
    assert "Kommunernes Landsforening" in title
    assert "Weidekampsgade 10" in title
    assert "Board briefing" in title
    assert "Dialogue on the preparation of ØA30" in title

    contents = flat(pages[1])
    assert contents.startswith("Contents")
    for entry in ("1 Coverage", "2 Themes", "2.1 Ældreplejens økonomi", "3 KKR summaries"):
        assert entry in contents
    outline = pdf_outline(export.content)
    assert outline[:3] == ["1 Coverage", "1.1 By region", "2 Themes"]
    assert "4 Speaker engagements" in outline
    assert "5 Method" in outline

    text = flat(" ".join(pages))
    # Coverage: key figures and the region table (2 registered of 3 invited).
    assert "Council members invited" in text
    assert "Region Nordjylland" in text
    # The map: its caption, and its own text (Typst draws the SVG's labels as text).
    assert "The municipalities by the status of their council input" in text
    assert "Bornholm" in text
    # Themes: the staff's name, not the rejected theme; three quotes of four, attributed.
    assert "vejr, sol, regn" not in text
    for quote in ELDERLY_QUOTES[:2]:
        assert flat(quote) in text
    assert "Et fjerde citat" not in text
    assert "— Council input, Aalborg" in text
    assert "The round's service areas" in text
    # KKR: the approved summary with Danish letters, never the draft.
    assert "KKR Nordjylland drøftede ældreplejen og anlægsloftet." in text
    assert "ÆØÅ æøå skal overleve." in text
    assert "Vi kan ikke både bygge skoler og ansætte i ældreplejen." in text
    assert "Hemmeligt udkast" not in text
    assert "The record of this KKR's discussion is not approved yet." in text
    # Speakers: the confirmed engagement, not the unassigned request.
    assert "Bestyrelsesmedlem Bodil Ørsted" in text
    assert "Økonomien i ældreplejen" in text
    assert "Ikke tildelt endnu" not in text
    assert "1 waiting for a presenter" in text
    # Method and the footer on every page.
    assert "Themes were found in all the round's texts" in text
    assert f"Page 3 of {len(pages)}" in text


def test_pdf_in_danish_uses_the_danish_round_texts(scenario, make_export):
    export = built(make_export(scenario, format="pdf", language="da"))
    text = flat(" ".join(pdf_pages(export.content)))
    assert "Dialog om forberedelsen af ØA30" in text
    assert "Dialogue on the preparation" not in text
    assert "Ældreplejens økonomi" in text


def test_xlsx_has_every_table_as_a_styled_sheet(scenario, make_export):
    export = built(make_export(scenario, format="xlsx", language="en"))
    workbook = load_workbook(io.BytesIO(bytes(export.content)))
    assert workbook.sheetnames == ENGLISH_SHEETS
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.bold
        assert sheet.column_dimensions["A"].width >= 7

    municipalities = workbook["Coverage by municipality"]
    rows = list(municipalities.iter_rows(values_only=True))
    assert rows[0][:4] == ("Code", "Municipality", "Region", "Council seats")
    assert len(rows) == 1 + 98
    copenhagen = next(row for row in rows if row[1] == "København")
    assert copenhagen[0] == "0101"
    assert copenhagen[4:6] == (2, 1)  # invited, registered
    aalborg = next(row for row in rows if row[1] == "Aalborg")
    assert aalborg[9] == "Submitted"

    regions = {row[0]: row for row in workbook["Coverage by region"].iter_rows(values_only=True)}
    assert regions["Region Nordjylland"][1] == 11  # municipalities

    themes = list(workbook["Themes"].iter_rows(values_only=True))
    assert themes[0][:2] == ("Theme", "Municipalities")
    assert [row[0] for row in themes[1:]] == ["Ældreplejens økonomi"]
    assert themes[1][1] == 2

    quotes = list(workbook["Quotes"].iter_rows(values_only=False))
    assert [row[1].value for row in quotes[1:]] == ELDERLY_QUOTES
    formula = quotes[3][1]
    assert formula.value.startswith("=HYPERLINK")
    assert formula.data_type == "s"  # text, never a formula
    assert quotes[1][4].value.startswith("http://127.0.0.1:8000/staff/rounds/oa30/input/aalborg/")

    areas = list(workbook["Service areas"].iter_rows(values_only=True))
    assert areas[0][:3] == ("Service area", "Municipalities", "Region Nordjylland")
    assert areas[1][:3] == ("Elderly care", 1, 1)

    kkr = list(workbook["KKR summaries"].iter_rows(values_only=True))
    assert [row[0] for row in kkr[1:]] == ["KKR Hovedstaden", "KKR Nordjylland"]
    assert "ÆØÅ æøå" in kkr[2][4]
    assert kkr[1][4] in ("", None)  # a draft's summary stays out

    speakers = list(workbook["Speaker engagements"].iter_rows(values_only=True))
    assert len(speakers) == 2
    assert speakers[1][1] == "Aalborg"
    assert speakers[1][0].hour == 17  # Copenhagen wall-clock time


def test_progress_goes_from_zero_to_one_hundred_section_by_section(
    scenario, make_export, monkeypatch
):
    export = make_export(scenario, format="xlsx")
    assert (export.status, export.progress) == (BriefingStatus.QUEUED, 0)
    seen = []
    report = services._report

    def recording(export_, progress, step):
        report(export_, progress, step)
        stored = BriefingExport.objects.values_list("status", "progress", "step").get(pk=export.pk)
        seen.append(stored)

    monkeypatch.setattr(services, "_report", recording)
    built(export)
    progress = [p for _status, p, _step in seen]
    assert progress[0] == 0
    assert progress == sorted(progress)
    assert len(set(progress)) == len(progress)
    assert {status for status, _p, _s in seen} == {BriefingStatus.RUNNING}
    steps = [step for _status, _p, step in seen]
    for step in (BriefingStep.COVERAGE, BriefingStep.THEMES, BriefingStep.KKR, BriefingStep.RENDER):
        assert step in steps
    assert (export.progress, export.step) == (100, BriefingStep.DONE)
    assert export.started_at <= export.finished_at


def test_a_failure_records_the_error_and_keeps_older_exports(scenario, make_export, monkeypatch):
    older = built(make_export(scenario, format="pdf"))
    older_content = bytes(older.content)

    def broken(content):
        raise RuntimeError("Typst fell over")

    monkeypatch.setattr(services, "briefing_pdf", broken)
    failing = make_export(scenario, format="pdf")
    with pytest.raises(RuntimeError):
        build_briefing.call(failing.pk)
    failing.refresh_from_db()
    assert failing.status == BriefingStatus.FAILED
    assert failing.error == "RuntimeError: Typst fell over"
    assert failing.content is None
    assert failing.finished_at is not None
    older.refresh_from_db()
    assert older.status == BriefingStatus.DONE
    assert bytes(older.content) == older_content


def test_an_export_is_built_once(scenario, make_export, monkeypatch):
    export = built(make_export(scenario, format="xlsx"))
    monkeypatch.setattr(services, "_build", lambda export: pytest.fail("built twice"))
    assert briefing_export_build(export_id=export.pk) is None
    assert build_briefing.call(export.pk) == {"export": export.pk, "built": False}


def test_an_empty_round_still_builds_and_says_why_each_section_is_empty(empty_round, make_export):
    pdf = built(make_export(empty_round, format="pdf", language="en"))
    text = flat(" ".join(pdf_pages(pdf.content)))
    assert "There is no coverage data for this round yet" in text
    assert "There are no reviewed themes yet" in text
    assert "This round has no KKR meetings yet." in text
    assert "No presenter has been assigned to a speaker request of this round yet." in text
    assert "5 Method" in pdf_outline(pdf.content)

    xlsx = built(make_export(empty_round, format="xlsx", language="en"))
    workbook = load_workbook(io.BytesIO(bytes(xlsx.content)))
    assert workbook.sheetnames == ENGLISH_SHEETS
    themes = list(workbook["Themes"].iter_rows(values_only=True))
    assert themes[1][0].startswith("There are no reviewed themes yet")
    assert len(themes) == 2
    speakers = list(workbook["Speaker engagements"].iter_rows(values_only=True))
    assert speakers[1][0].startswith("No presenter has been assigned")
