"""Task helpers shared by every app, and the worker's own probe task."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task


def enqueue_on_commit(task_obj: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue `task_obj` once the current transaction commits (at once outside one).

    A task that runs before the change that caused it is visible would find
    nothing to do; one enqueued for a change that rolled back would do harm.
    """
    transaction.on_commit(lambda: task_obj.enqueue(*args, **kwargs))


@task()
def probe(requested_at: str) -> dict[str, str]:
    """A no-op that proves the queue and a worker work: staff start it from the health page."""
    return {"requested_at": requested_at, "ran_at": timezone.now().isoformat()}
