"""Requesting a board briefing and building it (the worker's part)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samraad.accounts.models import User
from samraad.briefing.content import BriefingContent
from samraad.briefing.models import (
    ACTIVE_STATUSES,
    STALE_AFTER,
    BriefingExport,
    BriefingFormat,
    BriefingStatus,
    BriefingStep,
)
from samraad.briefing.pdf import briefing_pdf
from samraad.briefing.selectors import kkr_summaries, speaker_engagements, speaker_request_counts
from samraad.briefing.sources import coverage_summary, reviewed_themes, service_areas
from samraad.core.errors import ServiceError
from samraad.core.tasks import enqueue_on_commit
from samraad.core.timeutils import local_zone
from samraad.rounds.models import Round

logger = logging.getLogger(__name__)

ERROR_MAX_CHARS = 2000


def briefing_export_request(
    *, round: Round, user: User, format: str, language: str
) -> BriefingExport:
    """Queue a briefing of `round` as `format`, written in `language`, for the worker.

    Refused while the same format of the same round is already queued or being
    built (a second click would only build it twice). The task is enqueued when
    the transaction commits.
    """
    from samraad.briefing.tasks import build_briefing

    if format not in BriefingFormat.values:
        raise ServiceError(_("Choose PDF or XLSX."), code="format")
    languages = {code for code, _name in BriefingExport._meta.get_field("language").choices}
    if language not in languages:
        language = BriefingExport._meta.get_field("language").default
    with transaction.atomic():
        busy = BriefingExport.objects.filter(
            round=round,
            format=format,
            status__in=ACTIVE_STATUSES,
            created_at__gt=timezone.now() - STALE_AFTER,
        ).exists()
        if busy:
            raise ServiceError(
                _("A %(format)s briefing of this round is being built already. It is listed below.")
                % {"format": BriefingFormat(format).label},
                code="busy",
            )
        export = BriefingExport.objects.create(
            round=round, requested_by=user, format=format, language=language
        )
        enqueue_on_commit(build_briefing, export.pk)
    return export


def _report(export: BriefingExport, progress: int, step: str) -> None:
    """Record how far the build has come; committed at once, so the staff page sees it."""
    export.progress, export.step = progress, step
    BriefingExport.objects.filter(pk=export.pk).update(progress=progress, step=step)


def _claim(export_id: int) -> BriefingExport | None:
    """The export, now running; None when it is gone or another run has it already."""
    claimed = BriefingExport.objects.filter(pk=export_id, status=BriefingStatus.QUEUED).update(
        status=BriefingStatus.RUNNING,
        started_at=timezone.now(),
        progress=0,
        step=BriefingStep.QUEUED,
    )
    if not claimed:
        return None
    return BriefingExport.objects.select_related("round").defer("content").get(pk=export_id)


def _build(export: BriefingExport) -> bytes:
    round_ = export.round
    _report(export, 5, BriefingStep.COVERAGE)
    coverage = coverage_summary(round_)
    _report(export, 25, BriefingStep.THEMES)
    themes = reviewed_themes(round_)
    areas = service_areas(round_)
    _report(export, 45, BriefingStep.KKR)
    kkr = kkr_summaries(round=round_)
    _report(export, 55, BriefingStep.SPEAKERS)
    engagements = speaker_engagements(round=round_)
    counts = speaker_request_counts(round=round_)
    _report(export, 65, BriefingStep.RENDER)
    content = BriefingContent(
        round=round_,
        generated_at=timezone.now(),
        coverage=coverage,
        themes=themes,
        service_areas=areas,
        kkr=kkr,
        engagements=engagements,
        speaker_counts=counts,
    )
    if export.format == BriefingFormat.PDF:
        return briefing_pdf(content)
    from samraad.briefing.xlsx import briefing_xlsx

    return briefing_xlsx(content)


def briefing_export_build(*, export_id: int) -> BriefingExport | None:
    """Build the queued export `export_id`, recording progress per section, then the file.

    Runs once per export: an export that is not queued (already built, being
    built, failed) is left alone and None returned. A failure marks the export
    failed with the error and re-raises, so the worker records the task as
    failed too; other exports of the round are untouched.
    """
    export = _claim(export_id)
    if export is None:
        return None
    try:
        _report(export, 0, BriefingStep.QUEUED)
        with translation.override(export.language), timezone.override(local_zone()):
            content = _build(export)
    except Exception as error:
        logger.exception("briefing export %s failed", export.pk)
        message = f"{type(error).__name__}: {error}"[:ERROR_MAX_CHARS]
        BriefingExport.objects.filter(pk=export.pk).update(
            status=BriefingStatus.FAILED, error=message, finished_at=timezone.now()
        )
        raise
    BriefingExport.objects.filter(pk=export.pk).update(
        status=BriefingStatus.DONE,
        content=content,
        size=len(content),
        progress=100,
        step=BriefingStep.DONE,
        finished_at=timezone.now(),
    )
    export.refresh_from_db()
    return export
