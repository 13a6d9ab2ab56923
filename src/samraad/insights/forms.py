from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from samraad.insights.coverage import RegionCoverage
from samraad.insights.measures import DEFAULT_MEASURE, MEASURES
from samraad.insights.table import DEFAULT_SORT, SORT_KEYS


class CoverageFilterForm(forms.Form):
    """The dashboard's GET parameters. A bad value is reported and that field falls back to
    its default; the others still apply."""

    measure = forms.ChoiceField(
        label=_("Colour the map by"),
        required=False,
        error_messages={"invalid_choice": _("Choose a measure from the list.")},
    )
    region = forms.TypedChoiceField(
        label=_("Region"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a region from the list.")},
    )
    q = forms.CharField(
        label=_("Municipality name or code contains"),
        required=False,
        max_length=100,
        error_messages={"max_length": _("Search for at most 100 characters.")},
    )
    sort = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": _("The table cannot be sorted by that column.")},
    )

    def __init__(self, *args, regions: Sequence[RegionCoverage], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [(m.key, m.label) for m in MEASURES.values()]
        self.fields["region"].choices = [("", _("All regions"))] + [
            (r.code, r.name) for r in regions
        ]
        self.fields["sort"].choices = [(key, key) for key in SORT_KEYS] + [
            (f"-{key}", key) for key in SORT_KEYS
        ]

    def chosen(self) -> dict:
        """The valid values, with defaults for missing or bad ones."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "measure": data.get("measure") or DEFAULT_MEASURE,
            "region": data.get("region"),
            "q": data.get("q") or "",
            "sort": data.get("sort") or DEFAULT_SORT,
        }
