"""Speaker requests (track 3): a municipality asks for a KL presenter at its council.

One `SpeakerRequest` is also the engagement once a presenter is assigned: the
presenter, the chosen time (copied from one of the proposed slots) and the
presenter's notes after the meeting live on it. Its calendar entry keeps one
UID for the request's whole life and raises `sequence` on every change, so a
new presenter or a cancellation updates the entry everyone already has.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PresenterKind(models.TextChoices):
    BOARD = "board", _("A member of KL's board")
    SECRETARIAT = "secretariat", _("KL's secretariat")
    EITHER = "either", _("Either")


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")


class SpeakerStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ASSIGNED = "assigned", _("Assigned")
    CONFIRMED = "confirmed", _("Confirmed")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", pgettext_lazy("speaker request", "Cancelled")


# The statuses in which a presenter is booked: they block overlapping assignments.
BOOKED_STATUSES = (SpeakerStatus.ASSIGNED, SpeakerStatus.CONFIRMED)

MAX_SLOTS = 3


class SpeakerRequest(models.Model):
    round = models.ForeignKey(
        "rounds.Round",
        on_delete=models.CASCADE,
        related_name="speaker_requests",
        verbose_name=_("round"),
    )
    municipality = models.ForeignKey(
        "directory.Municipality",
        on_delete=models.PROTECT,
        related_name="speaker_requests",
        verbose_name=_("municipality"),
    )
    requested_by = models.ForeignKey(
        "directory.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="speaker_requests_made",
        verbose_name=_("requested by"),
    )
    inbound_message = models.ForeignKey(
        "mail.InboundMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="speaker_requests",
        verbose_name=_("from incoming message"),
    )
    presenter_kind = models.CharField(
        _("presenter from"), max_length=16, choices=PresenterKind.choices
    )
    meeting_format = models.CharField(
        _("in person or online"), max_length=16, choices=MeetingFormat.choices
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    online_url = models.URLField(_("link to the online meeting"), max_length=500, blank=True)
    topic = models.CharField(_("topic"), max_length=300)
    audience = models.CharField(_("audience"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=SpeakerStatus.choices, default=SpeakerStatus.REQUESTED
    )
    presenter = models.ForeignKey(
        "directory.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="speaker_engagements",
        verbose_name=_("presenter"),
    )
    # The chosen slot's time, copied so that overlap checks are one indexed query.
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    presenter_notes = models.TextField(_("notes after the meeting"), blank=True)
    held_at = models.DateTimeField(_("marked held"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("speaker request")
        verbose_name_plural = _("speaker requests")
        indexes = [
            models.Index(
                fields=["presenter", "status", "starts_at"], name="speaker_presenter_time"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="speaker_request_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["assigned", "confirmed", "held"])
                | (Q(presenter__isnull=False) & Q(starts_at__isnull=False)),
                name="speaker_request_booked_has_presenter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality}: {self.topic}"

    @property
    def ics_uid(self) -> str:
        return f"speaker-request-{self.pk}@{settings.MAIL_MESSAGE_ID_DOMAIN}"

    @property
    def location(self) -> str:
        return self.online_url if self.meeting_format == MeetingFormat.ONLINE else self.address


class ProposedSlot(models.Model):
    """A time the municipality proposes (up to three per request), entered in Copenhagen time."""

    request = models.ForeignKey(
        SpeakerRequest, on_delete=models.CASCADE, related_name="slots", verbose_name=_("request")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("proposed time")
        verbose_name_plural = _("proposed times")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="proposed_slot_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}"
