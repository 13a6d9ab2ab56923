"""Background work of the theme analysis."""

from __future__ import annotations

from django_tasks import task

from samraad.themes.services import analysis_execute


@task()
def run_analysis(run_id: int) -> int:
    """Run one queued analysis; returns the number of texts analysed."""
    return analysis_execute(run_id=run_id).texts
