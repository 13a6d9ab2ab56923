"""Theme analysis of a round's text: runs, their themes and quotes, staff's review, the lexicon.

A run's results are stored (so the page opens at once) and replaced by the next
run. Staff's review decisions are stored apart from any run, keyed by the top
terms of the theme they were made on, so that a re-run (whose themes are new
rows) finds them again by term overlap (see review.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class AnalysisRun(models.Model):
    """One analysis of all the text of a round, run by the worker."""

    round = models.ForeignKey(
        "rounds.Round", on_delete=models.CASCADE, related_name="analysis_runs"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    texts = models.PositiveIntegerField(_("texts"), default=0)
    sentences = models.PositiveIntegerField(_("sentences"), default=0)
    words = models.PositiveIntegerField(_("words"), default=0)
    # Labels of the texts left out as not Danish, and of those cut at the length limit.
    not_danish = models.JSONField(default=list, blank=True)
    truncated = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("theme analysis")
        verbose_name_plural = _("theme analyses")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="analysis_run_progress_max_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)


class ThemeKind(models.TextChoices):
    DISCOVERED = "discovered", _("Discovered")
    SERVICE_AREA = "service_area", _("Service area")


class DiscoveredTheme(models.Model):
    """A theme a run found: discovered in the text, or a service area found by its lexicon."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="themes")
    kind = models.CharField(_("kind"), max_length=16, choices=ThemeKind.choices)
    service_area = models.ForeignKey(
        "rounds.Theme", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("label"), max_length=200)
    top_terms = models.JSONField(_("top terms"), default=list)
    weight = models.FloatField(_("weight"), default=0)
    # Who raises it: the municipalities, and the regions of every text (KKR records too).
    municipality_ids = models.JSONField(default=list)
    region_ids = models.JSONField(default=list)
    text_count = models.PositiveIntegerField(_("texts"), default=0)

    class Meta:
        ordering = ["run", "kind", "position"]
        verbose_name = _("theme found")
        verbose_name_plural = _("themes found")

    def __str__(self) -> str:
        return self.label

    @property
    def municipality_count(self) -> int:
        return len(self.municipality_ids)


class SourceKind(models.TextChoices):
    COUNCIL_INPUT = "council_input", _("Council input")
    KKR_RECORD = "kkr_record", _("KKR discussion record")
    KKR_QUOTE = "kkr_quote", _("Quote from a KKR meeting")
    QUESTION = "question", _("Question in advance")
    PRESENTER_NOTES = "presenter_notes", _("Presenter's notes")
    EMAIL = "email", _("Email")


class ThemeQuote(models.Model):
    """A sentence behind a theme, with where it came from (a link to its source page)."""

    theme = models.ForeignKey(DiscoveredTheme, on_delete=models.CASCADE, related_name="quotes")
    position = models.PositiveSmallIntegerField(default=0)
    source_kind = models.CharField(_("source"), max_length=20, choices=SourceKind.choices)
    source_id = models.PositiveBigIntegerField()
    # The municipality's name, or the KKR's for a KKR record: shown with the kind of source.
    place = models.CharField(_("from"), max_length=300, blank=True)
    url = models.CharField(_("link"), max_length=2000)
    text = models.TextField(_("sentence"))
    # Where the sentence is in the source's analysed text (its fields joined).
    start = models.PositiveIntegerField(default=0)
    end = models.PositiveIntegerField(default=0)
    score = models.FloatField(default=0)
    lemmas = models.TextField(blank=True)
    municipality = models.ForeignKey(
        "directory.Municipality", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    region = models.ForeignKey(
        "directory.Region", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["theme", "position"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")

    def __str__(self) -> str:
        return self.text[:60]


class DecisionKind(models.TextChoices):
    RENAME = "rename", _("Renamed")
    REJECT = "reject", _("Rejected")
    MERGE = "merge", _("Merged")
    SPLIT = "split", _("Split")


class ReviewDecision(models.Model):
    """A staff decision on a discovered theme, kept across runs.

    `terms` are the top terms of the theme it was made on; a later run's theme
    gets the decision when their terms overlap enough. A merge also keeps the
    target's terms; a split keeps its two named parts and their terms.
    """

    round = models.ForeignKey(
        "rounds.Round", on_delete=models.CASCADE, related_name="theme_decisions"
    )
    kind = models.CharField(_("decision"), max_length=10, choices=DecisionKind.choices)
    terms = models.JSONField(_("terms"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    target_terms = models.JSONField(default=list, blank=True)
    parts = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {', '.join(self.terms[:3])}"


class ThemeLexicon(models.Model):
    """The words and phrases that find a service area in the text, editable by staff."""

    theme = models.OneToOneField("rounds.Theme", on_delete=models.CASCADE, related_name="lexicon")
    terms = models.TextField(
        _("words and phrases"),
        blank=True,
        help_text=_(
            'One per line. Inflected forms are found too; end a word with "*" to find every '
            'word that starts with it ("ældre*" finds "ældrepleje").'
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lexicon")
        verbose_name_plural = _("lexicons")

    def __str__(self) -> str:
        return str(self.theme)

    @property
    def term_list(self) -> list[str]:
        return [line.strip() for line in self.terms.splitlines() if line.strip()]
