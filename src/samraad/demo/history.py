"""Helpers for playing a demo round's history: times in the story, mail already sent.

Services stamp their own time (`timezone.now()`); the demo moves those
stamps back to when each step happened in the story (`Stamps`, `restamp`),
and records the mail a step queued as sent then (`mail_sent`), so that
starting the worker does not deliver the story's mail again.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import Max, Model

from samraad.core.timeutils import local_datetime
from samraad.councils.services import municipal_contacts
from samraad.directory.models import Person
from samraad.mail.models import OutboxMessage, OutboxStatus

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)


def between(rng: random.Random, start: datetime.datetime, end: datetime.datetime):
    if end <= start:
        return start
    return start + datetime.timedelta(seconds=rng.uniform(0, (end - start).total_seconds()))


def weighted_sample(rng: random.Random, items: Sequence, weights: Sequence[float], k: int):
    """`k` of `items` without replacement, each drawn with its weight (Efraimidis–Spirakis)."""
    keyed = sorted(
        zip(items, weights, strict=True),
        key=lambda pair: rng.random() ** (1 / pair[1]),
        reverse=True,
    )
    return [item for item, _weight in keyed[:k]]


def outbox_mark() -> int:
    return OutboxMessage.objects.aggregate(last=Max("pk"))["last"] or 0


def mail_sent(since: int, at: datetime.datetime) -> None:
    """The mail queued since `since` went out at `at` (the story's time, not the demo's)."""
    OutboxMessage.objects.filter(pk__gt=since, status=OutboxStatus.QUEUED).update(
        status=OutboxStatus.SENT, sent_at=at, created_at=at, next_attempt_at=at
    )


class Stamps:
    """Times to set once the services have run, one statement per table and set of fields."""

    def __init__(self) -> None:
        self.rows: dict[tuple[type[Model], tuple[str, ...]], list[tuple]] = defaultdict(list)
        self.mails: list[tuple[int, int, datetime.datetime]] = []

    def add(self, model: type[Model], fields: Sequence[str], *rows: tuple) -> None:
        self.rows[model, tuple(fields)].extend(rows)

    def mail(self, since: int, until: int, at: datetime.datetime) -> None:
        """The mail queued between the two outbox marks went out at `at`."""
        if until > since:
            self.mails.append((since, until, at))

    def apply(self) -> None:
        for (model, fields), rows in self.rows.items():
            restamp(model, fields, rows)
        for since, until, at in self.mails:
            OutboxMessage.objects.filter(
                pk__gt=since, pk__lte=until, status=OutboxStatus.QUEUED
            ).update(status=OutboxStatus.SENT, sent_at=at, created_at=at, next_attempt_at=at)
        self.rows.clear()
        self.mails.clear()


def restamp(model: type[Model], fields: Sequence[str], rows: Iterable[tuple]) -> None:
    """Set the times `fields` of many rows, given as (pk, value, …), in one statement.

    For `auto_now_add` fields, which `bulk_create` overwrites, and because
    `bulk_update` builds a CASE of thousands of branches, which takes seconds.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(
        f"{connection.ops.quote_name(model._meta.get_field(name).column)} = %s" for name in fields
    )
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {columns} WHERE id = %s",  # noqa: S608  (names from the model)
            [(*(adapt(value) for value in values), pk) for pk, *values in rows],
        )


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return local_datetime(day.year, day.month, day.day, hour, minute)


def contacts_by_municipality() -> dict[int, list[Person]]:
    contacts: dict[int, list[Person]] = defaultdict(list)
    for person in municipal_contacts():
        contacts[person.municipality_id].append(person)
    return contacts
