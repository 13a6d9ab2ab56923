"""Council input (track 3): one structured input per municipality and round.

Contacts of the municipality edit one shared draft (`CouncilInput`), guarded by
a version number against lost updates; each submission freezes the input as an
immutable `InputVersion`. Attachments are stored in the database (see
core.uploads) and served only through views that check who may see them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class InputStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RECEIVED = "received", _("Received")
    USED = "used", _("Used")


class CouncilInput(models.Model):
    """The input of one municipality in one round: the shared draft and its workflow status.

    `version` grows by one with every change; a save that names an older
    version is refused (optimistic locking), so two contacts editing at once
    never silently overwrite each other. Text that arrived by email (triage)
    goes into `email_notes`, never into the council's own fields: the
    contacts' text stays theirs, and the emailed text stays recognisable.
    """

    round = models.ForeignKey(
        "rounds.Round", on_delete=models.CASCADE, related_name="council_inputs"
    )
    municipality = models.ForeignKey(
        "directory.Municipality", on_delete=models.PROTECT, related_name="council_inputs"
    )
    economic_situation = models.TextField(_("the municipality's economic situation"), blank=True)
    proposals = models.TextField(_("proposals for the negotiations"), blank=True)
    budget_remarks = models.TextField(_("remarks for the joint budget coordination"), blank=True)
    council_discussed = models.BooleanField(_("the council has discussed the input"), default=False)
    council_discussed_on = models.DateField(_("discussed on"), null=True, blank=True)
    email_notes = models.TextField(
        _("from email"), blank=True, help_text=_("Text of emailed input attached by KL's staff.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=InputStatus.choices, default=InputStatus.NOT_STARTED
    )
    version = models.PositiveIntegerField(_("edit version"), default=0)
    updated_at = models.DateTimeField(_("last change"), null=True, blank=True)
    updated_by = models.CharField(_("changed by"), max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "municipality__name"]
        verbose_name = _("council input")
        verbose_name_plural = _("council inputs")
        constraints = [
            models.UniqueConstraint(fields=["round", "municipality"], name="council_input_once")
        ]

    def __str__(self) -> str:
        return f"{self.municipality} ({self.round})"


class ThemeRating(models.Model):
    """How hard a theme (service area) presses the municipality: 1 (little) to 5 (very)."""

    council_input = models.ForeignKey(
        CouncilInput, on_delete=models.CASCADE, related_name="ratings"
    )
    theme = models.ForeignKey("rounds.Theme", on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(_("pressure (1–5)"), null=True, blank=True)
    text = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["theme__position", "theme_id"]
        verbose_name = _("pressure on a service area")
        verbose_name_plural = _("pressure on service areas")
        constraints = [
            models.UniqueConstraint(fields=["council_input", "theme"], name="theme_rating_once"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="theme_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.theme}: {self.rating or '–'}"


class AttachmentSource(models.TextChoices):
    UPLOAD = "upload", _("Uploaded")
    EMAIL = "email", _("From email")


class InputAttachment(models.Model):
    council_input = models.ForeignKey(
        CouncilInput, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=255)
    size = models.PositiveIntegerField(_("size"))
    content = models.BinaryField(_("content"))
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=AttachmentSource.choices,
        default=AttachmentSource.UPLOAD,
    )
    inbound_message = models.ForeignKey(
        "mail.InboundMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("added"), auto_now_add=True)
    uploaded_by = models.CharField(_("added by"), max_length=200, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class InputVersion(models.Model):
    """A submitted input, frozen: a JSON snapshot of every field at the moment of submission."""

    council_input = models.ForeignKey(
        CouncilInput, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("content"))
    submitted_at = models.DateTimeField(_("submitted"))
    submitted_by = models.ForeignKey(
        "directory.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_by_name = models.CharField(_("submitted by"), max_length=200, blank=True)

    class Meta:
        ordering = ["council_input", "number"]
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        constraints = [
            models.UniqueConstraint(fields=["council_input", "number"], name="input_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.council_input} v{self.number}"


class InputReminder(models.Model):
    """A reminder to the contacts of every municipality that has not submitted, at a set time."""

    round = models.ForeignKey(
        "rounds.Round", on_delete=models.CASCADE, related_name="input_reminders"
    )
    send_at = models.DateTimeField(_("send at"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(_("created by"), max_length=200, blank=True)

    class Meta:
        ordering = ["send_at", "id"]
        verbose_name = _("input reminder")
        verbose_name_plural = _("input reminders")

    def __str__(self) -> str:
        return f"{self.round} {self.send_at:%Y-%m-%d %H:%M}"
