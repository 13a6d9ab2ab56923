"""Reads for the staff health page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Min
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from samraad.core.models import WorkerHeartbeat

PROBE_TASK_PATH = "samraad.core.tasks.probe"


@dataclass(frozen=True)
class WorkerStatus:
    heartbeat: WorkerHeartbeat
    alive: bool


@dataclass(frozen=True)
class Health:
    database_vendor: str
    workers: list[WorkerStatus]
    queue_depth: int
    oldest_ready_at: datetime.datetime | None
    running: int
    failed_last_day: int
    last_probe: DBTaskResult | None

    @property
    def any_worker_alive(self) -> bool:
        return any(worker.alive for worker in self.workers)


def health_get() -> Health:
    """The worker heartbeats and queue figures shown on the health page.

    A worker counts as alive when its last heartbeat is younger than three
    heartbeat intervals. Queue depth counts tasks ready to run now.
    """
    now = timezone.now()
    silent_after = datetime.timedelta(seconds=3 * settings.WORKER_HEARTBEAT_SECONDS)
    recent = now - datetime.timedelta(days=1)
    workers = [
        WorkerStatus(heartbeat=beat, alive=now - beat.last_seen_at < silent_after)
        for beat in WorkerHeartbeat.objects.filter(last_seen_at__gte=recent)
    ]
    ready = DBTaskResult.objects.ready()
    return Health(
        database_vendor=connection.vendor,
        workers=workers,
        queue_depth=ready.count(),
        oldest_ready_at=ready.aggregate(oldest=Min("enqueued_at"))["oldest"],
        running=DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count(),
        failed_last_day=DBTaskResult.objects.filter(
            status=TaskResultStatus.FAILED, finished_at__gte=recent
        ).count(),
        last_probe=DBTaskResult.objects.filter(task_path=PROBE_TASK_PATH)
        .order_by("-enqueued_at")
        .first(),
    )
