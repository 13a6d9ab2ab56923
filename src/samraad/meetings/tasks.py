"""Background work of the meetings: sending invitations to many at once."""

from __future__ import annotations

from django_tasks import task

from samraad.meetings.invitations import Audience, invitations_send
from samraad.meetings.models import Meeting


@task()
def send_invitations(meeting_id: int, region_ids: list[int], municipality_ids: list[int]) -> int:
    meeting = Meeting.objects.select_related("round__contact").get(pk=meeting_id)
    audience = Audience(
        region_ids=frozenset(region_ids), municipality_ids=frozenset(municipality_ids)
    )
    return invitations_send(meeting=meeting, audience=audience)
