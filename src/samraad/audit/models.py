"""The audit log: who did what to which object, and when; and which rounds are anonymised.

An `AuditEvent` is written once and never changed by the product: the admin
and the staff page only read it. The one exception is erasure of a person,
which replaces that person's name and values in events about them (the event
itself, who made it and which fields changed stay): see privacy.person_erase.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logged out")
    EXPORT = "export", _("Export or download")
    PRIVACY_EXPORT = "privacy_export", _("Personal data exported")
    ERASE = "erase", _("Person erased")
    RETENTION = "retention", _("Round anonymised after its retention date")
    IMPORT = "import", _("Import")
    REVOKE = "revoke", _("Personal links revoked")


class AuditEvent(models.Model):
    """One audited action. `changes` is {field: [before, after]} for the key fields.

    `actor_label` freezes who the actor was at the time (a user can be renamed
    or deleted later); `person_id` is the directory person the event is about,
    where there is one, so a person's export and erasure find their events.
    """

    at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=300, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=300, blank=True)
    person_id = models.BigIntegerField(_("person"), null=True, blank=True, db_index=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    path = models.CharField(_("request path"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]
        permissions = [("erase_person", _("Can erase a person's personal data"))]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"


class RoundAnonymisation(models.Model):
    """That a round's personal data was anonymised after its retention date, and the counts kept."""

    round = models.OneToOneField(
        "rounds.Round", on_delete=models.CASCADE, related_name="anonymisation"
    )
    anonymised_at = models.DateTimeField(_("anonymised"))
    counts = models.JSONField(_("what was anonymised"), default=dict)

    class Meta:
        verbose_name = _("round anonymisation")
        verbose_name_plural = _("round anonymisations")

    def __str__(self) -> str:
        return f"{self.round} ({self.anonymised_at:%Y-%m-%d})"
