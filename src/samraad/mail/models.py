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
