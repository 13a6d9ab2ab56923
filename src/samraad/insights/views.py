"""The staff coverage dashboard of a round: map, sortable and filterable table, exports."""

from __future__ import annotations

import dataclasses
from html import escape

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from samraad.core.exports import csv_response, xlsx_response
from samraad.core.permissions import staff_required
from samraad.insights.coverage import Coverage, MunicipalityCoverage, coverage_for_round
from samraad.insights.forms import CoverageFilterForm
from samraad.insights.measures import CATEGORY, KKR_LABELS, MEASURES, Formatter, percent
from samraad.insights.svgmap import render_map
from samraad.insights.table import (
    COLUMNS,
    export_headers,
    export_rows,
    filter_rows,
    sort_rows,
)
from samraad.rounds.models import Round


def _coverage(slug: str) -> tuple[Round, Coverage]:
    round_ = get_object_or_404(Round, slug=slug)
    return round_, coverage_for_round(round_)


def _chosen(request: HttpRequest, coverage: Coverage) -> tuple[CoverageFilterForm, dict]:
    form = CoverageFilterForm(request.GET or None, regions=coverage.regions)
    return form, form.chosen()


def _rows(coverage: Coverage, chosen: dict) -> list[MunicipalityCoverage]:
    found = filter_rows(coverage, region_code=chosen["region"], text=chosen["q"])
    return sort_rows(found, chosen["sort"])


def _headers(request: HttpRequest, sort: str) -> list[dict]:
    """Each column with its aria-sort state and the link that sorts by it (the other way round
    when it is the current column; numbers most first, text A to Z otherwise)."""
    current, descending = sort.lstrip("-"), sort.startswith("-")
    headers = []
    for column in COLUMNS:
        params = request.GET.copy()
        if column.key == current:
            state = "descending" if descending else "ascending"
            params["sort"] = column.key if descending else f"-{column.key}"
        else:
            state = ""
            params["sort"] = f"-{column.key}" if column.numeric else column.key
        headers.append(
            {
                "key": column.key,
                "label": column.label,
                "numeric": column.numeric,
                "aria_sort": state,
                "url": f"?{params.urlencode()}",
            }
        )
    return headers


def _table_body(rows: list[MunicipalityCoverage], slug: str) -> SafeString:
    """The table's rows. Built here rather than in a template loop: 98 rows of a dozen cells
    cost the template engine more than all the coverage queries together. The standard
    library's escape, since Django's marks every result safe, which adds up over 1,000 cells."""
    text = Formatter()
    measures = [(measure, measure.kind != CATEGORY) for measure in MEASURES.values()]
    right = '<td class="align-text-right">'
    # One reverse for all rows: the code is the link's last part.
    link_zero = reverse("councils:staff_input", args=[slug, 0])
    html = []
    for m in rows:
        cells = "".join(
            f"{right if is_number else '<td>'}{escape(text.value(measure, measure.value(m)))}</td>"
            for measure, is_number in measures
        )
        link = link_zero.removesuffix("/0/") + f"/{m.code}/"
        html.append(
            f'<tr data-code="{m.code}"><th scope="row"><a href="{escape(link)}">{escape(m.name)}'
            f"</a></th><td>{escape(m.region_name)}</td>{right}{text.number(m.council)}</td>"
            f"{cells}</tr>"
        )
    return mark_safe("".join(html))  # noqa: S308  (every value above is escaped)


@staff_required
def coverage(request: HttpRequest, slug: str) -> HttpResponse:
    round_, data = _coverage(slug)
    form, chosen = _chosen(request, data)
    rows = _rows(data, chosen)
    # The map shows what the table shows: the table is its accessible equivalent.
    shown = dataclasses.replace(data, municipalities=tuple(rows))
    return render(
        request,
        "insights/coverage.html",
        {
            "round": round_,
            "coverage": data,
            "form": form,
            "chosen": chosen,
            # render_map escapes every text it writes; the SVG is Samråd's own markup.
            "map_svg": mark_safe(render_map(shown, chosen["measure"])),  # noqa: S308
            "headers": _headers(request, chosen["sort"]),
            "rows": rows,
            "table_body": _table_body(rows, round_.slug),
            "regions": [
                (r, percent(r.attended_share), KKR_LABELS[r.kkr_status]) for r in data.regions
            ],
            "total_share": percent(data.total.attended_share),
            "export_query": request.GET.urlencode(),
            "filtered": len(rows) != len(data.municipalities),
        },
    )


@staff_required
def export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    round_, data = _coverage(slug)
    _form, chosen = _chosen(request, data)
    rows = _rows(data, chosen)
    filename = f"coverage-{round_.slug}"
    if fmt == "csv":
        return csv_response(export_headers(), export_rows(rows), filename)
    return xlsx_response(export_headers(), export_rows(rows), filename, title=_("Coverage"))
