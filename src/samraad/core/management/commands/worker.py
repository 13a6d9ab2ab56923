"""`samraad worker`: django-tasks-db's worker, plus a heartbeat for the health page."""

from __future__ import annotations

import os
import threading

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from samraad.core.services import worker_heartbeat_record


class Command(DbWorkerCommand):
    help = "Run a background worker (all queues by default) that reports a heartbeat."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args, **options) -> None:
        stop = threading.Event()
        heartbeat = None
        if not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            heartbeat = self._start_heartbeat(options["worker_id"], stop)
        try:
            super().handle(*args, **options)
        finally:
            # A worker that has stopped (`--batch` done, SIGTERM) stops reporting it is alive.
            stop.set()
            if heartbeat is not None:
                heartbeat.join()

    def _start_heartbeat(self, worker_id: str, stop: threading.Event) -> threading.Thread:
        started_at = timezone.now()
        interval = settings.WORKER_HEARTBEAT_SECONDS
        # The first beat is written before any task runs, so `--batch` runs
        # (tests, one-off catch-up) are visible too.
        worker_heartbeat_record(worker_id=worker_id, started_at=started_at)

        def beat() -> None:
            while not stop.wait(interval):
                try:
                    worker_heartbeat_record(worker_id=worker_id, started_at=started_at)
                finally:
                    connection.close()  # this thread's own connection

        thread = threading.Thread(target=beat, name="heartbeat", daemon=True)
        thread.start()
        return thread
