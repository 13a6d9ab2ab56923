"""The board briefing of a round, exported as PDF or XLSX by the worker.

The built file is kept in the database (`content`), like KKR minutes and
council attachments: web processes and workers may run on different machines
(README, "Running on PostgreSQL …"), and a file the worker wrote to its own disk
would not be there for the web process that serves the download. A briefing is
a few hundred kilobytes, and the only way to it is the staff download view, so
there is never a public URL and no file name to sanitise on disk.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BriefingFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"


class BriefingStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Done")
    FAILED = "failed", pgettext_lazy("briefing export", "Failed")


class BriefingStep(models.TextChoices):
    """What the worker is doing; stored as a key so each viewer reads it in their language."""

    QUEUED = "queued", _("Waiting for the worker")
    COVERAGE = "coverage", _("Coverage and map")
    THEMES = "themes", _("Themes and quotes")
    KKR = "kkr", _("KKR summaries")
    SPEAKERS = "speakers", _("Speaker engagements")
    RENDER = "render", _("Writing the file")
    DONE = "done", _("Finished")


ACTIVE_STATUSES = (BriefingStatus.QUEUED, BriefingStatus.RUNNING)
# An export still queued or running after this long belonged to a worker that
# died (or there is none): the page stops waiting for it, and it no longer keeps
# staff from asking for a new one.
STALE_AFTER = datetime.timedelta(minutes=30)

CONTENT_TYPES = {
    BriefingFormat.PDF: "application/pdf",
    BriefingFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class BriefingExport(models.Model):
    round = models.ForeignKey(
        "rounds.Round",
        on_delete=models.CASCADE,
        related_name="briefing_exports",
        verbose_name=_("round"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    format = models.CharField(_("format"), max_length=8, choices=BriefingFormat.choices)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the requesting staff user; the briefing is written in it."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=BriefingStatus.choices, default=BriefingStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(
        _("step"), max_length=16, choices=BriefingStep.choices, default=BriefingStep.QUEUED
    )
    content = models.BinaryField(_("file"), null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("briefing export")
        verbose_name_plural = _("briefing exports")
        indexes = [models.Index(fields=["round", "-created_at"], name="briefing_round_created")]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="briefing_progress_max"),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(content__isnull=False),
                name="briefing_done_has_content",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.get_format_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_stale(self) -> bool:
        """Queued or running for longer than a build takes: no worker is on it."""
        return self.is_active and self.created_at < timezone.now() - STALE_AFTER

    @property
    def filename(self) -> str:
        """Only slug characters, digits and dashes: safe in any Content-Disposition."""
        stamp = self.created_at.strftime("%Y%m%d-%H%M") if self.created_at else "new"
        return f"{self.round.slug}-briefing-{stamp}-{self.pk}.{self.format}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[BriefingFormat(self.format)]
