"""Writing the audit log. Nothing here changes or deletes an event once written."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from samraad.audit.context import client_ip, current_actor, current_request
from samraad.audit.models import AuditAction, AuditEvent
from samraad.audit.registry import HIDDEN, diff, object_label, person_of, plain, spec_for


def actor_label(user) -> str:
    """How the log names a user, frozen at the time of the event."""
    username = user.get_username()
    full_name = user.get_full_name().strip()
    return (f"{full_name} ({username})" if full_name else username)[:300]


def audit_event_record(
    *,
    action: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    detail: str = "",
    actor=None,
    label: str = "",
    person_id: int | None = None,
    request=None,
) -> AuditEvent:
    """Append one event. The actor, path and IP come from the current request unless given.

    `target` names the object (type, id, label and the person it is about);
    `label` names an actor who is not a user (a failed login's username, the worker).
    """
    request = request if request is not None else current_request.get()
    if actor is None:
        actor = current_actor()
    event = AuditEvent(
        at=timezone.now(),
        actor=actor,
        actor_label=actor_label(actor) if actor is not None else label[:300],
        action=action,
        changes=plain(changes or {}),
        detail=detail[:500],
        person_id=person_id,
    )
    if target is not None:
        event.object_type = target._meta.label_lower
        event.object_id = str(target.pk or "")
        event.object_label = object_label(target)
        if event.person_id is None:
            event.person_id = person_of(target)
    if request is not None:
        event.path = request.get_full_path()[:500]
        event.ip = client_ip(request)
    event.save()
    return event


def audit_changes_record(
    *, instance: models.Model, changes: dict[str, list], action: str = AuditAction.UPDATE
) -> AuditEvent | None:
    """Record a change made without a model signal (QuerySet.update), when a user is the actor.

    `changes` is {field: [before, after]}; nothing is recorded when it is empty.
    """
    if current_actor() is None or not changes:
        return None
    spec = spec_for(type(instance))
    secret = set(spec.secret_fields) if spec else set()
    shown = {
        name: [HIDDEN if name in secret else v for v in values] for name, values in changes.items()
    }
    return audit_event_record(action=action, target=instance, changes=shown)


def audit_action_record(*, action: str, detail: str = "", changes=None) -> AuditEvent | None:
    """Record an action on no single object (an import), when a user is the actor."""
    if current_actor() is None:
        return None
    return audit_event_record(action=action, detail=detail, changes=changes)


def audit_created_record(*, instances: Iterable[models.Model]) -> int:
    """Record the creation of objects made with bulk_create, when a user is the actor."""
    if current_actor() is None:
        return 0
    count = 0
    for instance in instances:
        spec = spec_for(type(instance))
        if spec is None or "create" not in spec.actions:
            continue
        values = {n: getattr(instance, _meta_attname(instance, n)) for n in spec.all_fields}
        audit_event_record(
            action=AuditAction.CREATE, target=instance, changes=diff(spec, None, values)
        )
        count += 1
    return count


def _meta_attname(instance: models.Model, name: str) -> str:
    return instance._meta.get_field(name).attname


def audit_export_record(
    *, filename: str, content_type: str = "", rows: int | None = None, action: str = "export"
) -> AuditEvent | None:
    """Record a download served to a logged-in user: which file, which rows, from which page.

    Downloads through personal links (a contact fetching their own attachment)
    are not exports by staff and are not recorded.
    """
    request = current_request.get()
    if request is None or current_actor() is None:
        return None
    request._audit_export_recorded = True
    kind = content_type.split(";")[0].strip()
    detail = filename
    if rows is not None:
        detail = f"{filename} ({rows} rows)"
    if kind:
        detail = f"{detail} [{kind}]"
    return audit_event_record(action=action, detail=detail)
