"""The virtual large meetings of a round: one meeting held in one or more sessions."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samraad.rounds.models import Round


class LateRegistration(models.TextChoices):
    CLOSED = "closed", _("Closed after the deadline")
    OPEN_WITH_LINK = "open_with_link", _("Open, with the join link sent at once")


class SessionFormat(models.TextChoices):
    TEAMS_MEETING = "teams_meeting", _("Teams meeting")
    TEAMS_TOWN_HALL = "teams_town_hall", _("Teams town hall")
    OTHER = "other", _("Other")


# Microsoft Teams limits (shared/data/README.md): a meeting admits 1,000
# interactive attendees, a town hall 10,000 (and still has an attendance report).
DEFAULT_CAPACITY = {
    SessionFormat.TEAMS_MEETING: 1000,
    SessionFormat.TEAMS_TOWN_HALL: 10000,
    SessionFormat.OTHER: 1000,
}


class Meeting(models.Model):
    round = models.OneToOneField(
        Round, on_delete=models.CASCADE, related_name="meeting", verbose_name=_("round")
    )
    title = models.CharField(_("title"), max_length=200)
    registration_opens_at = models.DateTimeField(_("registration opens"))
    registration_deadline = models.DateTimeField(_("registration deadline"))
    link_release_at = models.DateTimeField(
        _("link release"),
        null=True,
        blank=True,
        help_text=_("When registrants get the join link. Empty: at the deadline."),
    )
    late_registration = models.CharField(
        _("late registration"),
        max_length=20,
        choices=LateRegistration.choices,
        default=LateRegistration.CLOSED,
    )

    class Meta:
        verbose_name = _("virtual large meeting")
        verbose_name_plural = _("virtual large meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(registration_deadline__gt=models.F("registration_opens_at")),
                name="meeting_deadline_after_opening",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def effective_link_release_at(self):
        return self.link_release_at or self.registration_deadline


class Session(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    format = models.CharField(
        _("format"),
        max_length=20,
        choices=SessionFormat.choices,
        default=SessionFormat.TEAMS_MEETING,
    )
    capacity = models.PositiveIntegerField(_("capacity"))
    join_url = models.URLField(
        _("join link"),
        max_length=2000,
        blank=True,
        help_text=_("Secret: shown only to the session's registrants after the link release."),
    )

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="session_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.starts_at:%Y-%m-%d %H:%M}"
