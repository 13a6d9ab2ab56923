"""The staff coverage dashboard: who may see it, sorting, filtering, exports, query count."""

from __future__ import annotations

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from samraad.directory.models import Municipality
from samraad.insights.tests.scenario import coverage_bulk_add, coverage_tracks_fill
from samraad.tests_support.factories import RoundFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def en(client):
    client.cookies["samraad_language"] = "en"
    return client


@pytest.fixture
def staff(staff_client):
    staff_client.cookies["samraad_language"] = "en"
    return staff_client


@pytest.fixture
def round_():
    round_ = RoundFactory()
    coverage_bulk_add(round=round_, count=196)  # two per municipality, one attended
    coverage_tracks_fill(round=round_)
    return round_


def url(round_, **params) -> str:
    base = reverse("insights:coverage", args=[round_.slug])
    if params:
        from urllib.parse import urlencode

        base += "?" + urlencode(params)
    return base


def _row_codes(html: str) -> list[int]:
    return [int(code) for code in re.findall(r'<tr data-code="(\d+)"', html)]


def test_anonymous_goes_to_login(client, round_):
    response = client.get(url(round_))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_non_staff_is_refused(client, round_):
    client.force_login(UserFactory())
    assert client.get(url(round_)).status_code == 403
    export = reverse("insights:coverage_export", args=[round_.slug, "csv"])
    assert client.get(export).status_code == 403


def test_unknown_round_is_404(staff):
    assert staff.get("/staff/rounds/no-such-round/insights/").status_code == 404


def test_dashboard_shows_map_table_and_regions(staff, round_):
    response = staff.get(url(round_))
    html = response.content.decode()
    assert response.status_code == 200
    assert len(_row_codes(html)) == 98
    assert html.count('class="municipality"') == 98
    assert 'role="img"' in html and "<title" in html
    assert 'data-region="total"' in html and html.count("data-region=") == 6
    assert "Coverage of" in html and "No data yet" not in html
    # The default order is by name, and the name column says so.
    assert re.search(r'<th scope="col" aria-sort="ascending"><a [^>]*data-sort="name"', html)
    assert "style=" not in html.split('data-testid="map"')[1].split("</figure>")[0]


def test_linked_from_the_back_office(staff, round_):
    html = staff.get(reverse("core:staff_home")).content.decode()
    assert url(round_) in html


def test_sorting(staff, round_):
    html = staff.get(url(round_, sort="-input_status")).content.decode()
    codes = _row_codes(html)
    assert re.search(r'aria-sort="descending"><a [^>]*data-sort="input_status"', html)
    # Every other municipality by code has submitted input; they come first.
    all_codes = sorted(Municipality.objects.values_list("code", flat=True))
    assert set(codes[:49]) == set(all_codes[::2])
    ascending = _row_codes(staff.get(url(round_, sort="name")).content.decode())
    descending = _row_codes(staff.get(url(round_, sort="-name")).content.decode())
    assert ascending == list(reversed(descending))


def test_filter_by_region_and_text(staff, round_):
    html = staff.get(url(round_, region=1081)).content.decode()
    assert len(_row_codes(html)) == 11
    assert len(_row_codes(staff.get(url(round_, q="aarhus")).content.decode())) == 1
    assert _row_codes(staff.get(url(round_, q="0101")).content.decode()) == [101]
    nothing = staff.get(url(round_, q="Atlantis")).content.decode()
    assert "No municipality matches the filter." in nothing


def test_measure_changes_the_map(staff, round_):
    by_registered = staff.get(url(round_, measure="registered")).content.decode()
    by_speaker = staff.get(url(round_, measure="speaker_held")).content.decode()
    assert "Registered by municipality" in by_registered
    assert "Speaker held by municipality" in by_speaker
    fill = re.compile(r'data-code="101"[^>]*fill="(#[0-9a-f]{6})"')
    assert fill.search(by_registered).group(1) != fill.search(by_speaker).group(1)


def test_bad_parameters_are_explained_not_an_error(staff, round_):
    response = staff.get(url(round_, measure="x", region="nowhere", sort="evil", q="a" * 500))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose a measure from the list." in html
    assert "Choose a region from the list." in html
    assert "The table cannot be sorted by that column." in html
    assert len(_row_codes(html)) == 98


def test_empty_round_explains(staff):
    round_ = RoundFactory()
    response = staff.get(url(round_))
    html = response.content.decode()
    assert response.status_code == 200
    assert "No data yet" in html
    assert len(_row_codes(html)) == 98


def test_csv_and_xlsx_exports(staff, round_):
    base = reverse("insights:coverage_export", args=[round_.slug, "csv"])
    response = staff.get(base + "?region=1081&sort=-name")
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Code;Municipality;Region;Council seats;Invited;Registered")
    assert len(lines) == 12
    assert lines[1].split(";")[1] == "Vesthimmerlands"
    xlsx = staff.get(reverse("insights:coverage_export", args=[round_.slug, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 99
    assert sheet.cell(row=1, column=2).value == "Municipality"
    pdf = reverse("insights:coverage_export", args=[round_.slug, "pdf"])
    assert staff.get(pdf).status_code == 404


def test_queries_do_not_grow_with_registrations(staff):
    """The same number of queries at 100 and at 10,000 registrations."""
    round_ = RoundFactory()
    coverage_tracks_fill(round=round_)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = staff.get(url(round_))
        assert response.status_code == 200
        return len(ctx)

    coverage_bulk_add(round=round_, count=100)
    small = queries()
    assert "100 registered" in staff.get(url(round_)).content.decode()
    coverage_bulk_add(round=round_, count=9900)
    large = queries()
    assert "10000 registered" in staff.get(url(round_)).content.decode()
    assert small == large
