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


# --- Attendance ------------------------------------------------------------------
# A session's Teams attendance report is imported as an AttendanceImport with one
# AttendanceRecord per participant. Each report Teams makes covers the whole
# session, so reports are never added up: the newest import of a session is its
# current one and replaces the one before (whose records are deleted, its row kept
# as history), and staff's own matches and dismissals carry over by the row's key
# (see attendance_services). The same file twice (same session, same SHA-256) is
# one import. View-only attendees (beyond 1,000 in a Teams meeting) are not in
# any report.


class ReportFormat(models.TextChoices):
    SECTIONS = "sections", _("Summary, participants and activities")
    FLAT = "flat", _("Older list of joins and leaves")


class AttendanceImport(models.Model):
    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="attendance_imports",
        verbose_name=_("session"),
    )
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    imported_at = models.DateTimeField(_("imported"))
    title = models.CharField(_("meeting title in the report"), max_length=500, blank=True)
    report_start = models.DateTimeField(_("report start"), null=True, blank=True)
    report_end = models.DateTimeField(_("report end"), null=True, blank=True)
    format = models.CharField(_("report format"), max_length=10, choices=ReportFormat.choices)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    rows = models.PositiveIntegerField(_("participants in the report"))
    replaced_at = models.DateTimeField(
        _("replaced"),
        null=True,
        blank=True,
        help_text=_("When a newer report of the same session replaced this one."),
    )

    # Set by attendance_import when the file had been imported before (not stored).
    already_imported: bool = False

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("attendance import")
        verbose_name_plural = _("attendance imports")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "sha256"], name="attendance_import_file_once"
            ),
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(replaced_at__isnull=True),
                name="attendance_import_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.session})"

    @property
    def is_current(self) -> bool:
        return self.replaced_at is None


class MatchedBy(models.TextChoices):
    EMAIL = "email", _("Email")
    NAME = "name", _("Name")
    STAFF = "staff", _("Staff")


class AttendanceRecord(models.Model):
    """One participant of an imported report, and who in the directory they are.

    A record is open (no person, not dismissed), matched (a person, and how),
    or dismissed by staff with a reason (an organiser from the secretariat, an
    anonymous participant, a stranger).
    """

    attendance_import = models.ForeignKey(
        AttendanceImport, on_delete=models.CASCADE, related_name="records"
    )
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendance_records"
    )
    # Deleting a person (erasure) deletes what the reports said about them.
    person = models.ForeignKey(
        "directory.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attendance_records",
        verbose_name=_("person"),
    )
    name = models.CharField(_("name in the report"), max_length=300, blank=True)
    email = models.CharField(_("email in the report"), max_length=320, blank=True)
    # The email, or "name:" and the name's match_key: what identifies the row
    # across reports of the same session.
    key = models.CharField(max_length=400, db_index=True)
    seconds = models.PositiveIntegerField(_("seconds in the meeting"))
    first_join = models.DateTimeField(_("first join"), null=True, blank=True)
    last_leave = models.DateTimeField(_("last leave"), null=True, blank=True)
    role = models.CharField(_("role in the report"), max_length=100, blank=True)
    # How many people the name fitted where it was looked up, when more than
    # one (so it was not matched); shown to staff.
    namesakes = models.PositiveSmallIntegerField(_("people with this name"), default=0)
    matched_by = models.CharField(
        _("matched by"), max_length=5, choices=MatchedBy.choices, blank=True
    )
    dismissed = models.BooleanField(_("dismissed"), default=False)
    dismissed_reason = models.CharField(_("reason"), max_length=300, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["attendance_import", "id"]
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=True) & Q(matched_by=""))
                | (Q(person__isnull=False) & ~Q(matched_by="") & Q(dismissed=False)),
                name="attendance_record_matched_or_not",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email
