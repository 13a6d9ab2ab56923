"""Reads of council input: the roster of all municipalities, a page's rows, version diffs."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from samraad.councils.models import CouncilInput, InputStatus, InputVersion, ThemeRating
from samraad.directory.models import Municipality, Person, RoleKind
from samraad.rounds.models import Round, Theme


def input_roster(
    *, round: Round, region_id: int | None = None, status: str = ""
) -> QuerySet[Municipality]:
    """Every municipality with its input's status, last change and submitted versions: one query."""
    inputs = CouncilInput.objects.filter(round=round, municipality=OuterRef("pk"))
    versions = (
        InputVersion.objects.filter(
            council_input__round=round, council_input__municipality=OuterRef("pk")
        )
        .order_by()
        .values("council_input__municipality")
        .annotate(n=Count("id"))
        .values("n")
    )
    contacts = (
        Person.objects.filter(municipality=OuterRef("pk"), roles__kind=RoleKind.MUNICIPAL_CONTACT)
        .order_by()
        .values("municipality")
        .annotate(n=Count("id", distinct=True))
        .values("n")
    )
    rows = (
        Municipality.objects.select_related("region")
        .annotate(
            input_status=Coalesce(
                Subquery(inputs.values("status")[:1]), Value(InputStatus.NOT_STARTED.value)
            ),
            input_updated_at=Subquery(inputs.values("updated_at")[:1]),
            input_versions=Coalesce(Subquery(versions, output_field=IntegerField()), 0),
            contact_count=Coalesce(Subquery(contacts, output_field=IntegerField()), 0),
        )
        .order_by("name")
    )
    if region_id:
        rows = rows.filter(region_id=region_id)
    if status in InputStatus.values:
        rows = rows.filter(input_status=status)
    return rows


@dataclass(frozen=True)
class ThemeRow:
    theme: Theme
    rating: int | None
    text: str


def theme_rows(council_input: CouncilInput) -> list[ThemeRow]:
    """The round's themes in order, each with the input's rating and text (two queries)."""
    ratings = {r.theme_id: r for r in ThemeRating.objects.filter(council_input=council_input)}
    return [
        ThemeRow(
            theme=theme,
            rating=ratings[theme.pk].rating if theme.pk in ratings else None,
            text=ratings[theme.pk].text if theme.pk in ratings else "",
        )
        for theme in Theme.objects.filter(round_id=council_input.round_id)
    ]


# --- Versions and their differences -------------------------------------------------


def _theme_name(entry: dict) -> str:
    if (get_language() or "da").startswith("en") and entry.get("name_en"):
        return entry["name_en"]
    return entry.get("name") or entry.get("theme", "")


def _rating_text(entry: dict | None) -> str:
    if not entry:
        return ""
    parts = []
    if entry.get("rating"):
        parts.append(_("Pressure %(rating)s of 5") % {"rating": entry["rating"]})
    if entry.get("text"):
        parts.append(entry["text"])
    return "\n".join(parts)


def snapshot_fields(snapshot: dict) -> list[tuple[str, str]]:
    """A snapshot as (label, text) pairs in the form's order, ready to show or compare."""
    fields = [(_("Economic situation"), snapshot.get("economic_situation", ""))]
    for entry in snapshot.get("ratings", []):
        fields.append(
            (_("Pressure: %(theme)s") % {"theme": _theme_name(entry)}, _rating_text(entry))
        )
    discussed = snapshot.get("council_discussed")
    on = snapshot.get("council_discussed_on")
    fields += [
        (_("Proposals for the negotiations"), snapshot.get("proposals", "")),
        (_("Remarks for the joint budget coordination"), snapshot.get("budget_remarks", "")),
        (
            _("Discussed by the council"),
            (_("Yes") + (f", {on}" if on else "")) if discussed else _("No"),
        ),
        (_("From email"), snapshot.get("email_notes", "")),
        (
            _("Attachments"),
            "\n".join(a["filename"] for a in snapshot.get("attachments", [])),
        ),
    ]
    return fields


_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def text_diff(old: str, new: str) -> SafeString:
    """`old` → `new` word by word as HTML: removed words in <del>, added in <ins>, all escaped."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return mark_safe("".join(out))  # noqa: S308 (every piece is escaped above)


@dataclass(frozen=True)
class FieldDiff:
    label: str
    html: SafeString
    changed: bool


def version_diff(older: dict | None, newer: dict) -> list[FieldDiff]:
    """Field by field, what changed from `older` (None: nothing before) to `newer`."""
    old_fields = dict(snapshot_fields(older)) if older is not None else {}
    diffs = []
    for label, text in snapshot_fields(newer):
        if older is None:
            diffs.append(FieldDiff(label=label, html=escape(text), changed=False))
            continue
        before = old_fields.get(label, "")
        diffs.append(FieldDiff(label=label, html=text_diff(before, text), changed=before != text))
    return diffs


def versions_of(council_input: CouncilInput) -> QuerySet[InputVersion]:
    return InputVersion.objects.filter(council_input=council_input).order_by("-number")


def version_with_previous(
    council_input: CouncilInput, number: int
) -> tuple[InputVersion, InputVersion | None] | None:
    """Version `number` of the input and the one before it (None for the first)."""
    versions = {
        v.number: v
        for v in InputVersion.objects.filter(
            council_input=council_input, number__in=[number - 1, number]
        )
    }
    if number not in versions:
        return None
    return versions[number], versions.get(number - 1)
