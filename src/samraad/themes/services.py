"""Every change to the theme analysis: runs, their results, staff's review, the lexicon."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samraad.accounts.models import User
from samraad.core.errors import ServiceError
from samraad.core.tasks import enqueue_on_commit
from samraad.rounds.models import Round, Theme
from samraad.themes.analysis import AnalysisResult, Text, ThemeResult, analyse
from samraad.themes.lexicon import lexicon_for
from samraad.themes.models import (
    AnalysisRun,
    DecisionKind,
    DiscoveredTheme,
    ReviewDecision,
    RunStatus,
    ThemeKind,
    ThemeLexicon,
    ThemeQuote,
)
from samraad.themes.selectors import decisions_on, merge_would_discard
from samraad.themes.sources import Document, documents_for

logger = logging.getLogger(__name__)

# A run queued or running for longer than this belonged to a worker that died.
STALE_AFTER = datetime.timedelta(hours=1)


def analysis_request(*, round: Round, by: User | None) -> AnalysisRun:
    """Queue a new analysis of the round's text for the worker (after commit).

    Refused while another run of the round is queued or running (unless it is
    so old that its worker must have died).
    """
    from samraad.themes.tasks import run_analysis

    with transaction.atomic():
        Round.objects.select_for_update().get(pk=round.pk)  # one request at a time per round
        active = AnalysisRun.objects.filter(
            round=round, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
        )
        if active.filter(created_at__gte=timezone.now() - STALE_AFTER).exists():
            raise ServiceError(_("An analysis of this round is already under way."), code="busy")
        active.update(
            status=RunStatus.FAILED, error="Stopped: its worker did not finish it within an hour."
        )
        run = AnalysisRun.objects.create(round=round, requested_by=by)
        enqueue_on_commit(run_analysis, run.pk)
    return run


def analysis_execute(*, run_id: int) -> AnalysisRun:
    """Analyse the round's text and store the themes found, reporting progress as it goes.

    The results replace those of the round's earlier runs; staff's decisions
    are kept apart and apply to the new themes. A failure is recorded on the
    run (and raised for the worker's record).
    """
    run = AnalysisRun.objects.select_related("round").get(pk=run_id)
    if run.status != RunStatus.QUEUED:
        return run  # run already (a task delivered twice)
    AnalysisRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), progress=1
    )
    try:
        documents = list(documents_for(run.round))
        _progress(run.pk, 3)
        result = None
        if documents:
            result = analyse(
                [Text(index, doc.text) for index, doc in enumerate(documents)],
                lexicon_for(run.round),
                progress=lambda percent: _progress(run.pk, percent),
            )
        _store(run, documents, result)
    except Exception as error:
        logger.exception("theme analysis %s failed", run.pk)
        AnalysisRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    run.refresh_from_db()
    return run


def _progress(run_id: int, percent: int) -> None:
    # Outside any transaction, so the page sees it at once; never goes backwards.
    AnalysisRun.objects.filter(pk=run_id, progress__lt=percent).update(progress=min(percent, 99))


@transaction.atomic
def _store(run: AnalysisRun, documents: list[Document], result: AnalysisResult | None) -> None:
    service_areas = {theme.key: theme for theme in run.round.themes.all()}
    if result is not None:
        position = 0
        for found in result.discovered:
            _store_theme(run, ThemeKind.DISCOVERED, found, documents, position, None)
            position += 1
        for found in result.service_areas:
            _store_theme(
                run, ThemeKind.SERVICE_AREA, found, documents, position, service_areas[found.key]
            )
            position += 1
    AnalysisRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE,
        progress=100,
        finished_at=timezone.now(),
        texts=len(documents),
        sentences=result.sentences if result else 0,
        words=result.words if result else 0,
        not_danish=[_describe(documents[i]) for i in result.not_danish] if result else [],
        truncated=[_describe(documents[i]) for i in result.truncated] if result else [],
    )
    # The newest results replace the older ones (decisions live on, apart from runs).
    AnalysisRun.objects.filter(round=run.round, created_at__lt=run.created_at).exclude(
        status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).delete()


def _describe(document: Document) -> dict[str, str]:
    return {"kind": document.kind, "place": document.place, "url": document.url}


def _store_theme(
    run: AnalysisRun,
    kind: str,
    found: ThemeResult,
    documents: list[Document],
    position: int,
    service_area: Theme | None,
) -> None:
    raising = [documents[i] for i in sorted(found.text_indices)]
    theme = DiscoveredTheme.objects.create(
        run=run,
        kind=kind,
        service_area=service_area,
        position=position,
        label=(service_area.name if service_area else found.label)[:200],
        top_terms=found.top_terms,
        weight=found.weight,
        municipality_ids=sorted({d.municipality_id for d in raising if d.municipality_id}),
        region_ids=sorted({d.region_id for d in raising if d.region_id}),
        text_count=len(raising),
    )
    quotes = []
    for index, quote in enumerate(found.quotes):
        document = documents[quote.text_index]
        quotes.append(
            ThemeQuote(
                theme=theme,
                position=index,
                source_kind=document.kind,
                source_id=document.object_id,
                place=document.place[:300],
                url=document.url,
                text=quote.sentence,
                start=quote.start,
                end=quote.end,
                score=quote.score,
                lemmas=" ".join(quote.lemmas),
                municipality_id=document.municipality_id,
                region_id=document.region_id,
            )
        )
    ThemeQuote.objects.bulk_create(quotes)


# Review ------------------------------------------------------------------------------


def _replace(
    round: Round,
    theme: DiscoveredTheme,
    kinds: tuple[str, ...],
) -> None:
    ids = [d.pk for d in decisions_on(round, theme) if d.kind in kinds]
    ReviewDecision.objects.filter(pk__in=ids).delete()


@transaction.atomic
def theme_rename(
    *,
    round: Round,
    theme: DiscoveredTheme,
    name: str,
    by: User | None,
) -> ReviewDecision:
    """Give a discovered theme staff's own name (kept when the analysis runs again)."""
    name = " ".join(name.split())
    if not name:
        raise ServiceError(_("Give the theme a name."))
    _replace(round, theme, (DecisionKind.RENAME,))
    return ReviewDecision.objects.create(
        round=round, kind=DecisionKind.RENAME, terms=theme.top_terms, name=name[:200], created_by=by
    )


@transaction.atomic
def theme_reject(
    *,
    round: Round,
    theme: DiscoveredTheme,
    by: User | None,
) -> ReviewDecision:
    """Leave a discovered theme out of the reviewed set (and the briefing); it can be restored."""
    _replace(round, theme, (DecisionKind.REJECT,))
    return ReviewDecision.objects.create(
        round=round, kind=DecisionKind.REJECT, terms=theme.top_terms, created_by=by
    )


@transaction.atomic
def theme_merge(
    *,
    round: Round,
    source: DiscoveredTheme,
    target: DiscoveredTheme,
    by: User | None,
    confirmed: bool = False,
) -> ReviewDecision:
    """Merge `source` into `target`: one theme under the target's name.

    When the source has staff decisions the merge would discard (its own name,
    its split), the merge is refused with code "confirm" unless `confirmed`;
    confirmed, those decisions are removed.
    """
    if source.pk == target.pk or source.run_id != target.run_id:
        raise ServiceError(_("Choose another theme to merge into."))
    discarded = merge_would_discard(round, source)
    if discarded and not confirmed:
        raise ServiceError(
            _("The merge would discard staff's decisions on this theme. Confirm to go on."),
            code="confirm",
        )
    ReviewDecision.objects.filter(pk__in=[d.pk for d in discarded]).delete()
    _replace(round, source, (DecisionKind.MERGE,))
    return ReviewDecision.objects.create(
        round=round,
        kind=DecisionKind.MERGE,
        terms=source.top_terms,
        target_terms=target.top_terms,
        created_by=by,
    )


@transaction.atomic
def theme_split(
    *,
    round: Round,
    theme: DiscoveredTheme,
    names: tuple[str, str],
    first_terms: list[str],
    by: User | None,
) -> ReviewDecision:
    """Split a theme in two named themes: `first_terms` go to the first, the other top
    terms to the second, and each quote to the part whose terms it uses most (by share)."""
    first = [t for t in theme.top_terms if t in set(first_terms)]
    second = [t for t in theme.top_terms if t not in set(first_terms)]
    clean = tuple(" ".join(n.split()) for n in names)
    if not all(clean):
        raise ServiceError(_("Give both new themes a name."))
    if not first or not second:
        raise ServiceError(_("Give each new theme at least one of the terms."))
    _replace(round, theme, (DecisionKind.SPLIT, DecisionKind.RENAME))
    return ReviewDecision.objects.create(
        round=round,
        kind=DecisionKind.SPLIT,
        terms=theme.top_terms,
        parts=[{"name": clean[0][:200], "terms": first}, {"name": clean[1][:200], "terms": second}],
        created_by=by,
    )


def decision_undo(*, round: Round, decision_id: int) -> None:
    """Take back one of staff's decisions (restore a rejected theme, undo a merge, …)."""
    deleted, _count = ReviewDecision.objects.filter(round=round, pk=decision_id).delete()
    if not deleted:
        raise ServiceError(_("That decision no longer exists."))


def lexicon_save(*, round: Round, terms: dict[int, str]) -> None:
    """Store staff's words for each of the round's service areas (theme id → one per line);
    they apply from the next analysis."""
    themes = {theme.pk: theme for theme in round.themes.all()}
    with transaction.atomic():
        for pk, text in terms.items():
            if pk not in themes:
                continue
            lines = [" ".join(line.split()) for line in text.splitlines()]
            ThemeLexicon.objects.update_or_create(
                theme=themes[pk], defaults={"terms": "\n".join(line for line in lines if line)}
            )
