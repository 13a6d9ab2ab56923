"""Which models are audited, and the model signals that record their changes.

`audited(Model, fields=[...])` declares a model and its key fields (declarations.py
lists them all). While a logged-in user is the actor (context.current_actor),
saving or deleting an instance of a declared model records an AuditEvent with
{field: [before, after]} for the key fields that changed; an update that changes
none of them records nothing. `secret_fields` (a Teams join link, a password
hash) record only that they changed, never their value.

Changes made without a logged-in user are not recorded here: a council member
or municipal contact acting through a personal link, the worker, management
commands. Their own rows already say who and when (registration times,
submitted versions and their author), and a service that acts on everyone's
behalf (erasure, retention) records its own event.

Changes made with QuerySet.update() or bulk_create() send no model signals;
the few services that change audited data that way call
services.audit_changes_record / audit_created_record themselves.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

from samraad.audit.context import current_actor

# What a secret field's value is replaced by in `changes`.
HIDDEN = "[hidden]"
ALL_ACTIONS = ("create", "update", "delete")


@dataclass(frozen=True)
class AuditSpec:
    model: type[models.Model]
    fields: tuple[str, ...]
    secret_fields: tuple[str, ...]
    actions: frozenset[str]

    @property
    def all_fields(self) -> tuple[str, ...]:
        return self.fields + self.secret_fields


_registry: dict[type[models.Model], AuditSpec] = {}


def audited(
    model: type[models.Model] | str,
    *,
    fields: Iterable[str],
    secret_fields: Iterable[str] = (),
    actions: Iterable[str] = ALL_ACTIONS,
) -> AuditSpec:
    """Declare `model` audited: its creation, deletion and changes to `fields` are recorded."""
    if isinstance(model, str):
        model = apps.get_model(model)
    spec = AuditSpec(
        model=model,
        fields=tuple(fields),
        secret_fields=tuple(secret_fields),
        actions=frozenset(actions),
    )
    for name in spec.all_fields:
        model._meta.get_field(name)  # a typo fails at start-up, not silently
    _registry[model] = spec
    uid = f"audit:{model._meta.label_lower}"
    pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
    post_save.connect(_after_save, sender=model, dispatch_uid=uid)
    post_delete.connect(_after_delete, sender=model, dispatch_uid=uid)
    return spec


def spec_for(model: type[models.Model]) -> AuditSpec | None:
    return _registry.get(model)


def audited_object_types() -> list[str]:
    """The object types (app_label.model) of every audited model, sorted."""
    return sorted(model._meta.label_lower for model in _registry)


# --- Values -----------------------------------------------------------------------


def plain(value):
    """`value` as JSON would store it (dates as ISO text, decimals as text)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _attname(model: type[models.Model], name: str) -> str:
    return model._meta.get_field(name).attname


def _shown(model: type[models.Model], name: str, value):
    """A value for the log: a related object as 'label (#id)', anything else as is."""
    field = model._meta.get_field(name)
    if value is None or not field.is_relation:
        return plain(value)
    related = field.related_model._base_manager.filter(pk=value).first()
    return f"{related} (#{value})" if related is not None else f"#{value}"


def object_label(instance: models.Model) -> str:
    try:
        label = str(instance)
    except Exception:  # a half-deleted object whose __str__ needs what is gone
        label = ""
    return (label or f"{instance._meta.verbose_name} #{instance.pk}")[:300]


def person_of(instance: models.Model) -> int | None:
    """The directory person an object is about: the person itself, or its `person`."""
    if instance._meta.label_lower == "directory.person":
        return instance.pk
    return getattr(instance, "person_id", None)


def diff(
    spec: AuditSpec, before: dict[str, object] | None, after: dict[str, object]
) -> dict[str, list]:
    """{field: [before, after]} for the fields whose value differs (raw attname values in)."""
    changes: dict[str, list] = {}
    for name in spec.all_fields:
        old = None if before is None else before.get(name)
        new = after.get(name)
        if before is not None and name not in before:
            continue  # not saved this time (update_fields)
        if plain(old) == plain(new) or (before is None and new in (None, "", False)):
            continue
        if name in spec.secret_fields:
            changes[name] = [HIDDEN if old else None, HIDDEN if new else None]
        else:
            changes[name] = [_shown(spec.model, name, old), _shown(spec.model, name, new)]
    return changes


def _values(instance: models.Model, spec: AuditSpec) -> dict[str, object]:
    return {name: getattr(instance, _attname(spec.model, name)) for name in spec.all_fields}


# --- Signal receivers -------------------------------------------------------------


def _before_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    spec = _registry.get(sender)
    if spec is None or raw or current_actor() is None:
        return
    instance._audit_before = None
    if instance._state.adding or instance.pk is None:
        return
    names = [n for n in spec.all_fields if update_fields is None or n in update_fields]
    if not names and update_fields is not None:
        instance._audit_before = {}
        return
    attnames = {_attname(sender, n): n for n in names}
    row = sender._base_manager.filter(pk=instance.pk).values(*attnames).first()
    instance._audit_before = (
        {attnames[key]: value for key, value in row.items()} if row is not None else None
    )


def _after_save(sender, instance, created=False, raw=False, **kwargs) -> None:
    spec = _registry.get(sender)
    if spec is None or raw or current_actor() is None:
        return
    action = "create" if created else "update"
    if action not in spec.actions:
        return
    before = None if created else getattr(instance, "_audit_before", None)
    if not created and before is None:
        return  # saved before the actor was known, or the row vanished: nothing to compare
    changes = diff(spec, before, _values(instance, spec))
    instance._audit_before = None
    if action == "update" and not changes:
        return
    _record(action, instance, changes)


def _after_delete(sender, instance, **kwargs) -> None:
    spec = _registry.get(sender)
    if spec is None or "delete" not in spec.actions or current_actor() is None:
        return
    values = _values(instance, spec)
    changes = {
        name: [HIDDEN if name in spec.secret_fields else _shown(sender, name, value), None]
        for name, value in values.items()
        if value not in (None, "")
    }
    _record("delete", instance, changes)


def _record(action: str, instance: models.Model, changes: dict) -> None:
    from samraad.audit.services import audit_event_record

    audit_event_record(action=action, target=instance, changes=changes)
