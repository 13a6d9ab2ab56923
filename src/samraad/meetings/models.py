"""The virtual large meetings of a round: one meeting held in one or more sessions."""

from __future__ import annotations

from django.conf import settings
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
    reminder_at = models.DateTimeField(
        _("reminder to those not registered"),
        null=True,
        blank=True,
        help_text=_("When invited members who have not registered get a reminder."),
    )
    day_reminder_time = models.TimeField(
        _("reminder on the day"),
        null=True,
        blank=True,
        help_text=_(
            "The time (Copenhagen) on the day of each session when its registrants get a "
            "reminder. Empty: no reminder."
        ),
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


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Registered")
    WAITLISTED = "waitlisted", _("On the waitlist")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(models.Model):
    """A council member's registration for one session of a meeting (one per person and meeting).

    Changing session updates the same registration and raises `sequence`, so
    the calendar entry in the member's mail is updated rather than doubled.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="registrations")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="registrations")
    person = models.ForeignKey(
        "directory.Person", on_delete=models.CASCADE, related_name="registrations"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RegistrationStatus.choices, db_index=True
    )
    question = models.TextField(
        _("question or theme"),
        blank=True,
        help_text=_("A question or theme the member would like the meeting to take up."),
    )
    late = models.BooleanField(_("registered after the deadline"), default=False)
    sequence = models.PositiveIntegerField(default=0)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    link_sent_at = models.DateTimeField(_("join link sent"), null=True, blank=True)
    day_reminder_sent_at = models.DateTimeField(
        _("reminder on the day sent"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="registration_once")
        ]
        indexes = [models.Index(fields=["session", "status"], name="registration_seats")]

    def __str__(self) -> str:
        return f"{self.person} → {self.session}"

    @property
    def ics_uid(self) -> str:
        return f"registration-{self.pk}@{settings.MAIL_MESSAGE_ID_DOMAIN}"


class Invitation(models.Model):
    """That a council member was invited to a meeting, and what happened since."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(
        "directory.Person", on_delete=models.CASCADE, related_name="invitations"
    )
    sent_at = models.DateTimeField(_("invitation sent"))
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="invitation_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.meeting})"
