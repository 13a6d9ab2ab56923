"""The staff health page: who may see it, what it shows, and the probe button."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from samraad.core.models import WorkerHeartbeat
from samraad.core.selectors import PROBE_TASK_PATH
from samraad.core.tasks import probe
from samraad.tests_support.factories import UserFactory
from samraad.tests_support.login import log_in_verified

HEALTH = reverse("core:health")
PROBE = reverse("core:probe")

pytestmark = pytest.mark.django_db


def heartbeat(worker_id: str, *, seconds_ago: float) -> WorkerHeartbeat:
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        hostname="worker-host",
        pid=4242,
        started_at=now - datetime.timedelta(hours=1),
        last_seen_at=now - datetime.timedelta(seconds=seconds_ago),
    )


def row_of(html: str, worker_id: str) -> str:
    rows = [row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if worker_id in row]
    assert len(rows) == 1, f"expected one row for {worker_id}"
    return rows[0]


def queue_depth_shown(html: str) -> int:
    match = re.search(r'data-testid="queue-depth"[^>]*>\s*(\d+)\s*<', html)
    assert match, "the page shows no queue depth"
    return int(match.group(1))


# --- Access -----------------------------------------------------------------


@pytest.mark.parametrize("url", [HEALTH, PROBE])
def test_anonymous_users_are_sent_to_the_login_page(client, url):
    response = client.get(url) if url == HEALTH else client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert f"next={url}" in response["Location"]


def test_logged_in_non_staff_users_are_refused(client):
    log_in_verified(client, UserFactory(is_staff=False))
    assert client.get(HEALTH).status_code == 403
    assert client.post(PROBE).status_code == 403
    assert not DBTaskResult.objects.exists()


def test_staff_see_the_page(staff_client):
    response = staff_client.get(HEALTH)
    assert response.status_code == 200
    assert response.context["health"].database_vendor == connection.vendor


# --- Queue ------------------------------------------------------------------


def test_queue_depth_counts_waiting_tasks(staff_client):
    assert queue_depth_shown(staff_client.get(HEALTH).content.decode()) == 0

    for n in range(3):
        probe.enqueue(f"2025-01-0{n + 1}T00:00:00+00:00")
    response = staff_client.get(HEALTH)

    assert response.context["health"].queue_depth == 3
    assert queue_depth_shown(response.content.decode()) == 3
    assert response.context["health"].oldest_ready_at is not None
    assert response.context["health"].last_probe.status == TaskResultStatus.READY


def test_finished_and_future_tasks_are_not_waiting(staff_client):
    done = probe.enqueue("done")
    DBTaskResult.objects.filter(id=done.id).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now()
    )
    failed = probe.enqueue("failed")
    DBTaskResult.objects.filter(id=failed.id).update(
        status=TaskResultStatus.FAILED, finished_at=timezone.now()
    )
    probe.using(run_after=timezone.now() + datetime.timedelta(hours=1)).enqueue("later")
    probe.enqueue("now")

    health = staff_client.get(HEALTH).context["health"]

    assert health.queue_depth == 1
    assert health.failed_last_day == 1


# --- Workers ----------------------------------------------------------------


@override_settings(WORKER_HEARTBEAT_SECONDS=10)
def test_workers_are_alive_or_silent_by_their_last_heartbeat(staff_client):
    heartbeat("w-fresh", seconds_ago=5)  # within 3 × 10 s
    heartbeat("w-stale", seconds_ago=45)  # beyond 3 × 10 s
    heartbeat("w-gone", seconds_ago=2 * 24 * 3600)  # older than a day: not listed

    response = staff_client.get(HEALTH)

    alive = {w.heartbeat.worker_id: w.alive for w in response.context["health"].workers}
    assert alive == {"w-fresh": True, "w-stale": False}
    html = response.content.decode()
    assert "status-ok" in row_of(html, "w-fresh")
    assert "status-bad" in row_of(html, "w-stale")
    assert "w-gone" not in html
    assert response.context["health"].any_worker_alive


@pytest.mark.parametrize(("interval", "alive"), [(10, False), (30, True)])
def test_silence_is_measured_in_heartbeat_intervals(staff_client, settings, interval, alive):
    settings.WORKER_HEARTBEAT_SECONDS = interval
    heartbeat("w-one", seconds_ago=60)

    health = staff_client.get(HEALTH).context["health"]

    assert [w.alive for w in health.workers] == [alive]
    assert health.any_worker_alive is alive


@override_settings(WORKER_HEARTBEAT_SECONDS=10)
def test_page_warns_when_no_worker_is_alive(staff_client):
    heartbeat("w-stale", seconds_ago=45)
    silent = staff_client.get(HEALTH)
    heartbeat("w-fresh", seconds_ago=1)
    alive = staff_client.get(HEALTH)

    assert not silent.context["health"].any_worker_alive
    assert 'role="alert"' in silent.content.decode()
    assert 'role="alert"' not in alive.content.decode()


def test_query_count_does_not_grow_with_the_number_of_workers(staff_client):
    probe.enqueue("queued")
    heartbeat("w-0", seconds_ago=1)
    staff_client.get(HEALTH)  # warm up per-process caches (content types, translations)

    with CaptureQueriesContext(connection) as one:
        response = staff_client.get(HEALTH)
    assert len(response.context["health"].workers) == 1

    for n in range(1, 20):
        heartbeat(f"w-{n}", seconds_ago=n)
    with CaptureQueriesContext(connection) as twenty:
        response = staff_client.get(HEALTH)
    assert len(response.context["health"].workers) == 20

    assert len(twenty) == len(one)


# --- The probe button -------------------------------------------------------


def test_probe_queues_one_task_only_after_commit(staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = staff_client.post(PROBE)

    assert response.status_code == 302
    assert response["Location"] == HEALTH
    # Nothing is queued while the request's transaction could still roll back.
    assert not DBTaskResult.objects.exists()
    assert len(callbacks) == 1

    callbacks[0]()

    queued = DBTaskResult.objects.get()
    assert queued.task_path == PROBE_TASK_PATH
    assert queued.status == TaskResultStatus.READY
    requested_at = datetime.datetime.fromisoformat(queued.args_kwargs["args"][0])
    assert abs(timezone.now() - requested_at) < datetime.timedelta(minutes=5)


def test_probe_appears_on_the_health_page(staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(PROBE)
    response = staff_client.get(HEALTH)

    health = response.context["health"]
    assert health.queue_depth == 1
    assert health.last_probe is not None
    assert health.last_probe.status == TaskResultStatus.READY
    assert queue_depth_shown(response.content.decode()) == 1
    assert len(list(response.context["messages"])) == 1


def test_probe_refuses_get(staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = staff_client.get(PROBE)
    assert response.status_code == 405
    assert callbacks == []
    assert not DBTaskResult.objects.exists()
