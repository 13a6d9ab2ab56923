"""`samraad worker` builds a requested briefing: the real queue, the real worker loop."""

from __future__ import annotations

import io
import signal
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from samraad.briefing.models import BriefingStatus
from samraad.briefing.services import briefing_export_request
from samraad.directory.models import Municipality, Region
from samraad.directory.reference import load_reference_data
from samraad.tests_support.factories import RoundFactory, StaffUserFactory


@pytest.fixture
def keep_signal_handlers() -> Iterator[None]:
    """The worker installs SIGINT/SIGTERM handlers; give pytest its own back afterwards."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


@pytest.mark.usefixtures("transactional_db", "keep_signal_handlers")
def test_the_worker_builds_a_requested_briefing():
    # transactional_db empties the tables the migrations filled; put the directory back.
    load_reference_data(Region, Municipality)
    round_ = RoundFactory()
    export = briefing_export_request(
        round=round_, user=StaffUserFactory(), format="xlsx", language="en"
    )

    call_command("worker", "--batch", "--no-startup-delay", "--no-mail")

    export.refresh_from_db()
    assert export.status == BriefingStatus.DONE, export.error
    assert export.progress == 100
    workbook = load_workbook(io.BytesIO(bytes(export.content)))
    assert workbook.sheetnames[0] == "Coverage by municipality"
    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.return_value == {"export": export.pk, "built": True, "size": export.size}
