"""Staff's review applied to a run's discovered themes: renames, rejections, merges, splits.

A decision names the theme it was made on by that theme's top terms. A run's
theme takes a decision when their top terms overlap by at least SIMILARITY
(Jaccard), the best match winning, so a re-run that finds much the same theme
(in other rows, with slightly different terms) keeps staff's decisions. Order:
rejections, then merges (a group takes the name and decisions of the theme it
was merged into), then splits, then renames.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from samraad.themes.models import DecisionKind, DiscoveredTheme, ReviewDecision, ThemeQuote

SIMILARITY = 0.34


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    first, second = set(a), set(b)
    union = first | second
    return len(first & second) / len(union) if union else 0.0


def best_match(
    terms: Sequence[str], themes: Sequence[DiscoveredTheme], *, exclude: int | None = None
) -> DiscoveredTheme | None:
    """The theme whose top terms overlap `terms` most, if enough."""
    best, best_score = None, SIMILARITY
    for theme in themes:
        if theme.pk == exclude:
            continue
        score = jaccard(terms, theme.top_terms)
        if score >= best_score and (best is None or score > best_score):
            best, best_score = theme, score
    return best


@dataclass
class Group:
    """A theme as staff see it after review: one or more run themes (merged), or a split part."""

    theme: DiscoveredTheme  # the one that names the group
    name: str
    top_terms: list[str]
    weight: float
    municipality_ids: set[int]
    region_ids: set[int]
    quotes: list[ThemeQuote]
    merged: list[DiscoveredTheme] = field(default_factory=list)
    decisions: list[ReviewDecision] = field(default_factory=list)
    part: int | None = None


@dataclass
class Reviewed:
    groups: list[Group]
    rejected: list[tuple[DiscoveredTheme, ReviewDecision]]
    decisions_by_theme: dict[int, list[ReviewDecision]]


def decisions_by_theme(
    themes: Sequence[DiscoveredTheme], decisions: Iterable[ReviewDecision]
) -> dict[int, list[ReviewDecision]]:
    """Each run theme's decisions, oldest first (a decision goes to its best match only)."""
    found: dict[int, list[ReviewDecision]] = {theme.pk: [] for theme in themes}
    for decision in decisions:
        theme = best_match(decision.terms, themes)
        if theme is not None:
            found[theme.pk].append(decision)
    return found


def apply(themes: Sequence[DiscoveredTheme], decisions: Sequence[ReviewDecision]) -> Reviewed:
    """`themes` (one run's discovered themes, quotes prefetched) after `decisions`."""
    by_theme = decisions_by_theme(themes, decisions)
    rejected = []
    kept = []
    for theme in themes:
        rejection = _latest(by_theme[theme.pk], DecisionKind.REJECT)
        if rejection:
            rejected.append((theme, rejection))
        else:
            kept.append(theme)

    parent = {theme.pk: theme.pk for theme in kept}
    for theme in kept:
        merge = _latest(by_theme[theme.pk], DecisionKind.MERGE)
        if merge:
            target = best_match(merge.target_terms, kept, exclude=theme.pk)
            if target is not None and _root(parent, target.pk) != theme.pk:
                parent[theme.pk] = target.pk

    groups: dict[int, Group] = {}
    for theme in sorted(kept, key=lambda t: _root(parent, t.pk) != t.pk):
        root = _root(parent, theme.pk)
        if root == theme.pk:
            groups[root] = _group(theme, by_theme[theme.pk])
        else:
            _absorb(groups, parent, root, theme, kept, by_theme)

    result = []
    for group in groups.values():
        split = _latest(group.decisions, DecisionKind.SPLIT)
        if split and len(split.parts) == 2:
            result.extend(_split(group, split))
        else:
            rename = _latest(group.decisions, DecisionKind.RENAME)
            if rename:
                group.name = rename.name
            result.append(group)
    result.sort(key=lambda g: -g.weight)
    return Reviewed(groups=result, rejected=rejected, decisions_by_theme=by_theme)


def _latest(decisions: Iterable[ReviewDecision], kind: str) -> ReviewDecision | None:
    chosen = None
    for decision in decisions:
        if decision.kind == kind:
            chosen = decision
    return chosen


def _root(parent: dict[int, int], pk: int) -> int:
    seen = set()
    while parent[pk] != pk and pk not in seen:
        seen.add(pk)
        pk = parent[pk]
    return pk


def _group(theme: DiscoveredTheme, decisions: list[ReviewDecision]) -> Group:
    return Group(
        theme=theme,
        name=theme.label,
        top_terms=list(theme.top_terms),
        weight=theme.weight,
        municipality_ids=set(theme.municipality_ids),
        region_ids=set(theme.region_ids),
        quotes=list(theme.quotes.all()),
        decisions=list(decisions),
    )


def _absorb(groups, parent, root, theme, kept, by_theme) -> None:
    if root not in groups:
        root_theme = next(t for t in kept if t.pk == root)
        groups[root] = _group(root_theme, by_theme[root])
    group = groups[root]
    group.merged.append(theme)
    group.weight += theme.weight
    group.municipality_ids |= set(theme.municipality_ids)
    group.region_ids |= set(theme.region_ids)
    group.top_terms += [t for t in theme.top_terms if t not in group.top_terms]
    group.quotes = sorted([*group.quotes, *theme.quotes.all()], key=lambda q: -q.score)
    group.decisions += [d for d in by_theme[theme.pk] if d.kind == DecisionKind.MERGE]


def _split(group: Group, split: ReviewDecision) -> list[Group]:
    """Two groups: each takes its named terms and the quotes that use them most (by share)."""
    part_terms = [set(part.get("terms", [])) for part in split.parts]
    part_quotes: list[list[ThemeQuote]] = [[], []]
    for quote in group.quotes:
        lemmas = set(quote.lemmas.split())
        # The share of each part's terms the sentence uses: a part of few terms still wins
        # the sentences that use them.
        overlaps = [len(lemmas & terms) / max(1, len(terms)) for terms in part_terms]
        part_quotes[1 if overlaps[1] > overlaps[0] else 0].append(quote)
    total = max(1, len(group.quotes))
    parts = []
    for index, part in enumerate(split.parts):
        quotes = part_quotes[index]
        terms = [t for t in group.top_terms if t in part_terms[index]] or list(part_terms[index])
        parts.append(
            Group(
                theme=group.theme,
                name=part.get("name") or ", ".join(terms[:3]),
                top_terms=terms,
                weight=group.weight * len(quotes) / total,
                municipality_ids={q.municipality_id for q in quotes if q.municipality_id},
                region_ids={q.region_id for q in quotes if q.region_id},
                quotes=quotes,
                merged=group.merged,
                decisions=group.decisions,
                part=index,
            )
        )
    return parts
