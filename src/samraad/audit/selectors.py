"""Reading the audit log."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from samraad.audit.models import AuditEvent
from samraad.core.timeutils import local_datetime


def audit_events_filter(
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    text: str = "",
) -> QuerySet[AuditEvent]:
    """Events matching every given filter, newest first.

    Dates are whole Copenhagen days, both ends included; `actor` and `text`
    match parts of words, case-insensitively (`text` in the object, detail
    and path).
    """
    events = AuditEvent.objects.all()
    if actor:
        events = events.filter(actor_label__icontains=actor)
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if date_from:
        start = local_datetime(date_from.year, date_from.month, date_from.day)
        events = events.filter(at__gte=start)
    if date_to:
        end = date_to + datetime.timedelta(days=1)
        events = events.filter(at__lt=local_datetime(end.year, end.month, end.day))
    if text:
        events = events.filter(
            Q(object_label__icontains=text)
            | Q(detail__icontains=text)
            | Q(path__icontains=text)
            | Q(object_id=text)
        )
    return events.order_by("-at", "-id")
