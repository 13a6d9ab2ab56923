"""Mail seen by the local mail catcher (development and demo mode only)."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class CaughtMessage(models.Model):
    """A message the local SMTP catcher received, stored raw and parsed for display."""

    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    mail_from = models.CharField(_("envelope sender"), max_length=320)
    rcpt_tos = models.JSONField(_("envelope recipients"), default=list)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    raw = models.BinaryField(_("raw message"))

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("caught message")
        verbose_name_plural = _("caught messages")

    def __str__(self) -> str:
        return self.subject or str(self.pk)

    @cached_property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(bytes(self.raw), policy=email.policy.default)


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    """One outgoing mail, created in the same transaction as the change that causes it.

    `dedupe_key` (purpose + recipient + object) is unique: the same purpose
    never produces two messages. The worker claims queued rows, delivers them
    and records the outcome; `message_id` stays the same across retries.
    """

    dedupe_key = models.CharField(_("dedupe key"), max_length=255, unique=True)
    purpose = models.CharField(_("purpose"), max_length=64)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    to_email = models.EmailField(_("recipient"))
    to_name = models.CharField(_("recipient name"), max_length=200, blank=True)
    person = models.ForeignKey(
        "directory.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbox_messages",
        verbose_name=_("person"),
    )
    reply_to = models.EmailField(_("reply to"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="da")
    subject = models.CharField(_("subject"), max_length=998)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    # The message as it goes on the wire, attachments included, rendered when queued (see
    # mail/mime.py). Empty when it could not be rendered (the row is then stored failed,
    # with the reason) and once erased: such a row has nothing to send.
    raw = models.BinaryField(_("raw message"), default=b"", editable=False)

    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=64, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["to_email"], name="outbox_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} → {self.to_email}"

    @property
    def on_its_way(self) -> bool:
        """Queued or being sent: the worker will deliver it."""
        return self.status in {OutboxStatus.QUEUED, OutboxStatus.SENDING}

    @property
    def can_be_resent(self) -> bool:
        """Staff may queue it again: it is not on its way, and it has bytes to send."""
        return bool(self.raw) and not self.on_its_way


class MailTemplate(models.Model):
    """Staff's wording of one kind of mail in one language, overriding the shipped default."""

    key = models.CharField(_("mail"), max_length=64)
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=998)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    updated_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["key", "language"]
        verbose_name = _("mail template")
        verbose_name_plural = _("mail templates")
        constraints = [
            models.UniqueConstraint(fields=["key", "language"], name="mail_template_once")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.language})"


class ParseStatus(models.TextChoices):
    PENDING = "pending", _("Not parsed yet")
    PARSED = "parsed", _("Parsed")
    FAILED = "failed", _("Could not be parsed")


class TriageStatus(models.TextChoices):
    NEW = "new", _("New")
    ATTACHED = "attached", _("Attached to input")
    SPEAKER_REQUEST = "speaker_request", _("Turned into a speaker request")
    DISMISSED = "dismissed", _("Dismissed")


class InboundSource(models.TextChoices):
    SMTP = "smtp", _("SMTP listener")
    IMAP = "imap", _("IMAP mailbox")


class InboundMessage(models.Model):
    """An email that arrived at a round's input address.

    The raw bytes are stored first, in their own transaction, so nothing is
    lost when parsing fails; the parsed fields are filled in afterwards. The
    triage queue shows every message until staff attach or dismiss it.
    """

    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    source = models.CharField(_("source"), max_length=8, choices=InboundSource.choices)
    raw = models.BinaryField(_("raw message"))
    raw_sha256 = models.CharField(_("SHA-256 of the raw message"), max_length=64, db_index=True)
    envelope_from = models.CharField(_("envelope sender"), max_length=320, blank=True)
    envelope_to = models.JSONField(_("envelope recipients"), default=list)
    # Where the message came from in an IMAP mailbox, so a re-poll does not store it twice.
    imap_mailbox = models.CharField(max_length=255, blank=True)
    imap_uid = models.CharField(max_length=64, blank=True)

    parse_status = models.CharField(
        _("parsing"), max_length=10, choices=ParseStatus.choices, default=ParseStatus.PENDING
    )
    parse_error = models.TextField(_("parse error"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True)
    from_email = models.CharField(_("sender"), max_length=320, blank=True)
    from_name = models.CharField(_("sender name"), max_length=320, blank=True)
    original_from_email = models.CharField(
        _("original sender"),
        max_length=320,
        blank=True,
        help_text=_("For a forwarded message: who wrote it first."),
    )
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)

    round = models.ForeignKey(
        "rounds.Round",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_messages",
        verbose_name=_("round"),
    )
    municipality = models.ForeignKey(
        "directory.Municipality",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_messages",
        verbose_name=_("suggested municipality"),
    )
    triage_status = models.CharField(
        _("triage"), max_length=20, choices=TriageStatus.choices, default=TriageStatus.NEW
    )
    triage_note = models.TextField(_("triage note"), blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("incoming message")
        verbose_name_plural = _("incoming messages")
        constraints = [
            models.UniqueConstraint(
                fields=["imap_mailbox", "imap_uid"],
                condition=~models.Q(imap_uid=""),
                name="inbound_imap_once",
            )
        ]

    def __str__(self) -> str:
        return self.subject or f"#{self.pk}"


class InboundAttachment(models.Model):
    message = models.ForeignKey(
        InboundMessage, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=255)
    size = models.PositiveIntegerField(_("size"))
    content = models.BinaryField(_("content"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename
