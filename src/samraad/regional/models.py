"""The KKR track: each regional council (KKR) discusses the round at a meeting in April."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from samraad.directory.models import Region
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
