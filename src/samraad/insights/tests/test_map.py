"""The SVG map: 98 circles with titles, a legend, colours that follow the measure."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from samraad.councils.models import InputStatus
from samraad.insights.coverage import coverage_for_round
from samraad.insights.measures import MEASURES
from samraad.insights.svgmap import NO_DATA, PALETTE, Scale, render_map
from samraad.tests_support.factories import RoundFactory

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def _coverage_with(changes_by_code=None):
    """The empty coverage of a new round, with some municipalities' figures replaced."""
    changes_by_code = changes_by_code or {}
    coverage = coverage_for_round(RoundFactory())
    rows = tuple(
        dataclasses.replace(m, **changes_by_code.get(m.code, {})) for m in coverage.municipalities
    )
    return dataclasses.replace(coverage, municipalities=rows)


def _fills(svg: str) -> dict[int, str]:
    root = ET.fromstring(svg)
    return {int(c.get("data-code")): c.get("fill") for c in root.iter(f"{SVG}circle")}


def test_98_circles_with_titles_legend_and_accessible_name():
    coverage = _coverage_with({101: {"registered": 40}, 751: {"registered": 10}})
    with translation.override("en"):
        svg = render_map(coverage, "registered")
    root = ET.fromstring(svg)  # well-formed, standalone XML (the briefing embeds it)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}desc").get("id") == desc_id
    assert "Registered by municipality" in root.find(f"{SVG}title").text

    circles = list(root.iter(f"{SVG}circle"))
    assert len(circles) == 98
    titles = {c.find(f"{SVG}title").text for c in circles}
    assert "København: 40" in titles and "Aarhus: 10" in titles and "Aalborg: 0" in titles
    assert all(c.get("fill", "").startswith("#") for c in circles)
    assert "style=" not in svg

    legend = root.find(f"{SVG}g[@class='legend']")
    legend_texts = [t.text for t in legend.iter(f"{SVG}text")]
    assert legend_texts[0] == "Registered"
    assert legend_texts[1:] == ["0", "1–10", "11–20", "21–30", "31–40"]


def test_colour_follows_the_measure():
    coverage = _coverage_with(
        {
            101: {"registered": 40, "input_status": InputStatus.NOT_STARTED},
            751: {"registered": 0, "input_status": InputStatus.USED},
        }
    )
    by_registered = _fills(render_map(coverage, "registered"))
    by_input = _fills(render_map(coverage, "input_status"))
    assert by_registered[101] == PALETTE[-1] and by_registered[751] == PALETTE[0]
    assert by_input[101] == PALETTE[0] and by_input[751] == PALETTE[-1]


def test_share_without_council_size_is_no_data():
    coverage = _coverage_with({101: {"attended_share": 0.8}, 751: {"attended_share": 0.1}})
    with translation.override("en"):
        svg = render_map(coverage, "attended_share")
    fills = _fills(svg)
    assert fills[101] == PALETTE[4] and fills[751] == PALETTE[1]
    assert fills[851] == NO_DATA  # no council size, no council members: no share
    assert "No data" in svg


def test_names_are_escaped():
    coverage = _coverage_with({101: {"name": 'A <b> & "C"'}})
    svg = render_map(coverage, "registered")
    ET.fromstring(svg)
    assert "<b>" not in svg and "A &lt;b&gt; &amp; &quot;C&quot;" in svg


def test_unknown_measure_is_refused():
    with pytest.raises(ValueError):
        render_map(_coverage_with(), "nonsense")


@pytest.mark.parametrize(
    ("maximum", "value", "expected"),
    [(0, 0, 0), (10, 1, 1), (10, 3, 1), (10, 4, 2), (10, 10, 4), (1, 1, 4), (2, 1, 2), (2, 2, 4)],
)
def test_count_classes(maximum, value, expected):
    assert Scale(MEASURES["registered"], maximum).class_of(value) == expected


def test_every_measure_renders():
    coverage = _coverage_with()
    for key in MEASURES:
        assert len(re.findall(r"<circle ", render_map(coverage, key))) == 98
