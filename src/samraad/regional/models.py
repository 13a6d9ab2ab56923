"""The KKR track: each regional council (KKR) discusses the round at a meeting in April."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from samraad.directory.models import Municipality, Region
from samraad.rounds.models import Round


class KkrMeeting(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="kkr_meetings")
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="kkr_meetings", verbose_name=_("KKR")
    )
    starts_at = models.DateTimeField(_("starts"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    agenda_item = models.CharField(
        _("agenda item"), max_length=200, help_text=_("The round's item on the KKR agenda.")
    )

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("KKR meeting")
        verbose_name_plural = _("KKR meetings")
        constraints = [
            models.UniqueConstraint(fields=["round", "region"], name="kkr_meeting_once_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.region.kkr_name} ({self.round})"


class KkrAgendaItem(models.Model):
    """One item on a KKR meeting's agenda; exactly one of them is the round's item.

    `KkrMeeting.agenda_item` keeps the round's item's title (the letter and the
    round copy read it); `kkr_meeting_update` keeps the two in step.
    """

    meeting = models.ForeignKey(KkrMeeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    is_round_item = models.BooleanField(_("the round's item"), default=False)

    class Meta:
        ordering = ["meeting", "position"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "position"], name="kkr_agenda_item_position_once"
            ),
            models.UniqueConstraint(
                fields=["meeting"],
                condition=models.Q(is_round_item=True),
                name="kkr_agenda_one_round_item",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class KkrRecordStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    APPROVED = "approved", _("approved")


class KkrRecord(models.Model):
    """What the KKR said on the round's item: the discussion record, draft then approved.

    `version` grows by one with every change, so an editor who saved on top of
    an older version is detected (optimistic locking) instead of overwriting.
    """

    meeting = models.OneToOneField(KkrMeeting, on_delete=models.CASCADE, related_name="record")
    summary = models.TextField(_("summary"), blank=True)
    challenges = models.TextField(_("challenges"), blank=True)
    themes = models.ManyToManyField(
        "rounds.Theme", blank=True, related_name="kkr_records", verbose_name=_("themes")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=KkrRecordStatus.choices, default=KkrRecordStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reopened by"),
    )

    class Meta:
        verbose_name = _("KKR discussion record")
        verbose_name_plural = _("KKR discussion records")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=KkrRecordStatus.DRAFT, approved_at__isnull=True)
                | models.Q(status=KkrRecordStatus.APPROVED, approved_at__isnull=False),
                name="kkr_record_approved_has_time",
            )
        ]

    def __str__(self) -> str:
        return str(self.meeting)

    @property
    def is_approved(self) -> bool:
        return self.status == KkrRecordStatus.APPROVED


class KkrQuote(models.Model):
    """A quote from the discussion; the municipality is one of the KKR's region."""

    record = models.ForeignKey(KkrRecord, on_delete=models.CASCADE, related_name="quotes")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.TextField(_("quote"))
    speaker_role = models.CharField(
        _("speaker's role"), max_length=200, help_text=_("For example mayor or council member.")
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )

    class Meta:
        ordering = ["record", "position", "id"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")

    def __str__(self) -> str:
        return self.text[:60]


class KkrMinutes(models.Model):
    """A minutes document attached to a record, checked by content and stored in the database."""

    record = models.ForeignKey(KkrRecord, on_delete=models.CASCADE, related_name="minutes")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=255)
    size = models.PositiveIntegerField(_("size"))
    content = models.BinaryField(_("content"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        ordering = ["record", "id"]
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return self.filename
