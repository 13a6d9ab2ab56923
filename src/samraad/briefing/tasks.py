"""Background work of the briefing: building an export, with its progress recorded as it goes."""

from __future__ import annotations

from django_tasks import task

from samraad.briefing.services import briefing_export_build


@task()
def build_briefing(export_id: int) -> dict[str, object]:
    export = briefing_export_build(export_id=export_id)
    if export is None:
        return {"export": export_id, "built": False}
    return {"export": export_id, "built": True, "size": export.size}
