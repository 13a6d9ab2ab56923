"""`samraad worker`: the background worker.

One process does three things:
- runs queued tasks (django-tasks-db's worker loop, in the main thread);
- delivers the mail outbox (a thread; `--no-mail` leaves mail to other workers);
- reports a heartbeat for the health page and, on each beat, queues again any
  mail a dead worker left "sending" and runs the jobs due by the clock
  (settings.WORKER_PERIODIC_JOBS, e.g. releasing join links) (a thread).

With `--batch` it runs what is due (tasks, then mail) and exits.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from samraad.core.services import worker_heartbeat_record
from samraad.mail.delivery import (
    RateLimiter,
    Relay,
    outbox_deliver_batch,
    outbox_drain,
    outbox_reap,
)

logger = logging.getLogger("samraad.worker")


def run_periodic_jobs() -> None:
    """Run each of settings.WORKER_PERIODIC_JOBS; one failing does not stop the others."""
    for path in settings.WORKER_PERIODIC_JOBS:
        try:
            import_string(path)()
        except Exception:
            logger.exception("periodic job %s failed", path)


def _loop(stop: threading.Event, work: Callable[[], bool], idle_seconds: float) -> None:
    """Call `work` until `stop`; wait `idle_seconds` whenever it found nothing to do."""
    while not stop.is_set():
        try:
            busy = work()
        except Exception:
            logger.exception("worker loop failed; trying again")
            busy = False
        finally:
            connection.close_if_unusable_or_obsolete()
        if not busy:
            stop.wait(idle_seconds)
    connection.close()  # this thread's own connection


class Command(DbWorkerCommand):
    help = "Run a background worker: tasks (all queues by default), mail delivery, heartbeat."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-mail", action="store_false", dest="mail", help="Do not deliver the mail outbox."
        )
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args, **options) -> None:
        worker_id = options["worker_id"]
        if options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            super().handle(*args, **options)  # the reloader's parent only watches files
            return
        started_at = timezone.now()
        # The first beat is written before any work, so `--batch` runs are visible too.
        worker_heartbeat_record(worker_id=worker_id, started_at=started_at)
        stop = threading.Event()
        threads = []
        if not options["batch"]:

            def beat() -> bool:
                worker_heartbeat_record(worker_id=worker_id, started_at=started_at)
                if options["mail"]:
                    outbox_reap()
                run_periodic_jobs()
                return False

            threads.append(self._start("heartbeat", stop, beat, settings.WORKER_HEARTBEAT_SECONDS))
            if options["mail"]:
                # One limiter for the life of the process: the cap holds across batches. One
                # connection to the relay while there is mail, closed when there is none.
                limiter = RateLimiter(settings.MAIL_RATE_PER_MINUTE)
                relay = Relay()

                def deliver() -> bool:
                    try:
                        report = outbox_deliver_batch(
                            worker_id=worker_id, limiter=limiter, relay=relay
                        )
                    except BaseException:
                        relay.drop()
                        raise
                    if not report.claimed:
                        relay.close()
                    return report.claimed > 0

                threads.append(self._start("mail", stop, deliver, settings.MAIL_POLL_SECONDS))
        try:
            if options["batch"]:
                run_periodic_jobs()
            super().handle(*args, **options)
            if options["batch"] and options["mail"]:
                outbox_reap()
                outbox_drain(worker_id=worker_id)
        finally:
            # A worker that stops (`--batch` done, SIGTERM) finishes its mail batch and
            # stops reporting that it is alive.
            stop.set()
            for thread in threads:
                thread.join()

    @staticmethod
    def _start(
        name: str, stop: threading.Event, work: Callable[[], bool], idle: float
    ) -> threading.Thread:
        thread = threading.Thread(target=_loop, args=(stop, work, idle), name=name, daemon=True)
        thread.start()
        return thread
