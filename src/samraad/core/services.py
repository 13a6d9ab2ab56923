"""State changes of the operations side: heartbeats and the probe."""

from __future__ import annotations

import datetime
import os
import socket

from django.utils import timezone

from samraad.core import tasks
from samraad.core.models import WorkerHeartbeat


def worker_heartbeat_record(*, worker_id: str, started_at: datetime.datetime) -> None:
    """Record that worker `worker_id` (this process) is alive now."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            "started_at": started_at,
            "last_seen_at": timezone.now(),
        },
    )


def probe_request() -> None:
    """Queue the probe task, after the current transaction commits."""
    tasks.enqueue_on_commit(tasks.probe, timezone.now().isoformat())
