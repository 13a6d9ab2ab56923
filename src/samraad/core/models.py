"""Operational state: which background workers are alive."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The last sign of life of one worker process, written by the worker itself."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started"))
    last_seen_at = models.DateTimeField(_("last heartbeat"))

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id}@{self.hostname}"


class RateEvent(models.Model):
    """One counted request for a rate limit (core/ratelimit.py), kept for the limit's window.

    In the database rather than a per-process cache, so that every web process
    counts the same requests. `key` is a keyed hash (of a client address, say).
    """

    scope = models.CharField(_("scope"), max_length=32)
    key = models.CharField(_("key"), max_length=64)
    created_at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("rate-limited request")
        verbose_name_plural = _("rate-limited requests")
        indexes = [models.Index(fields=["scope", "key", "created_at"], name="rate_event_lookup")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]}… {self.created_at:%Y-%m-%d %H:%M}"
