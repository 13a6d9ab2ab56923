"""Two staff assign the same presenter to overlapping times at once: exactly one wins.

Each assignment runs in a thread of its own with its own database connection, so the
data must be committed (transactional_db; on SQLite the test database is a file, see
settings_test.py). The overlap check is slowed down so that, without the lock on the
presenter's row, both threads would find the presenter free before either commits:
the test fails if the lock is missing. On PostgreSQL the lock is SELECT … FOR UPDATE on
the person; on SQLite the immediate transaction makes the second writer wait.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from samraad.core.errors import ServiceError
from samraad.directory.models import Municipality, Region
from samraad.directory.reference import load_reference_data
from samraad.speakers import services
from samraad.speakers.models import SpeakerRequest, SpeakerStatus
from samraad.speakers.tests.conftest import in_days, make_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_staff_assigning_the_same_presenter_at_once(monkeypatch):
    load_reference_data(Region, Municipality)
    world = make_world()
    first = world.request(slots=[in_days(7, hour=17)])
    second = world.request(municipality=world.odense, slots=[in_days(7, hour=18)])
    jobs = [(first, first.slots.get()), (second, second.slots.get())]
    connection.close()

    real_conflict = services._conflict

    def slow_conflict(**kwargs):
        found = real_conflict(**kwargs)
        time.sleep(0.5)  # the window in which an unlocked second check would pass too
        return found

    monkeypatch.setattr(services, "_conflict", slow_conflict)
    start = threading.Barrier(2, timeout=30)
    outcomes: list[str] = []

    def assign(request, slot) -> None:
        try:
            start.wait()
            services.speaker_assign(request=request, presenter=world.board, slot=slot)
            outcomes.append("assigned")
        except ServiceError as error:
            outcomes.append(error.code)
        except Exception as error:  # a database error would be a bug
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    assert sorted(outcomes) == ["assigned", "overlap"]
    statuses = sorted(SpeakerRequest.objects.values_list("status", flat=True))
    assert statuses == [SpeakerStatus.ASSIGNED, SpeakerStatus.REQUESTED]
