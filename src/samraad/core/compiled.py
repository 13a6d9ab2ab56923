"""Hot queries compiled to SQL once per process.

Django turns a queryset into SQL again every time it runs. For the few queries on
the busiest path (a council member opening their personal link and registering,
2,400 people in one evening) that compiling is about a third of the request's
time. `CompiledQuery` runs the queryset's construction once, with a marker for
each value, keeps the SQL and Django's compiler, and from then on only executes
the SQL with the call's values and turns the rows into model instances the way
`QuerySet` does (select_related included).

Use it only for a plain model query whose values are simple equality filters on
text or integer columns; anything else stays an ordinary queryset. The first call
checks that every marker reached the SQL exactly where a value goes, so a query
this cannot handle fails at once, in the tests, not with wrong rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

# Integer markers: far below any id or count the application stores.
_INT_MARKER_BASE = -(10**15)


class CompiledQuery:
    """`build(**values)` compiled once per database; `run(**values)` gives model instances.

    `params` names each value and its type (str or int), e.g. {"token_hash": str}.
    """

    def __init__(self, build: Callable[..., QuerySet], **params: type) -> None:
        if any(kind not in (str, int) for kind in params.values()):
            raise TypeError("CompiledQuery takes str and int values only")
        self.build = build
        self.params = params
        self._compiled: dict[str, tuple[Any, str, tuple, dict[str, list[int]]]] = {}

    def _markers(self) -> dict[str, Any]:
        return {
            name: f"\x00samraad-marker:{name}\x00" if kind is str else _INT_MARKER_BASE - number
            for number, (name, kind) in enumerate(self.params.items())
        }

    def _compile(self, alias: str) -> tuple[Any, str, tuple, dict[str, list[int]]]:
        markers = self._markers()
        queryset = self.build(**markers).using(alias)
        if queryset._iterable_class.__name__ != "ModelIterable" or queryset._known_related_objects:
            raise TypeError("CompiledQuery runs plain model querysets only")
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        positions = {
            name: [index for index, value in enumerate(params) if value == marker]
            for name, marker in markers.items()
        }
        missing = [name for name, found in positions.items() if not found]
        if missing:
            raise TypeError(f"CompiledQuery: {missing} did not reach the SQL as values")
        return compiler, sql, tuple(params), positions

    def run(self, **values: Any) -> list[Model]:
        if values.keys() != self.params.keys():
            raise TypeError(f"CompiledQuery needs exactly {sorted(self.params)}")
        alias = "default"
        connection = connections[alias]
        key = f"{alias}:{connection.vendor}"
        if key not in self._compiled:
            self._compiled[key] = self._compile(alias)
        compiler, sql, template, positions = self._compiled[key]
        params = list(template)
        for name, where in positions.items():
            value = self.params[name](values[name])
            for index in where:
                params[index] = value
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return list(_instances(compiler, rows, alias))

    def first(self, **values: Any) -> Model | None:
        """The first instance `run` gives, or None."""
        return next(iter(self.run(**values)), None)


def _instances(compiler: Any, rows: list, alias: str):
    """Model instances from `rows`, as django.db.models.query.ModelIterable makes them."""
    select, klass_info = compiler.select, compiler.klass_info
    annotations = compiler.annotation_col_map
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    names = [column[0].target.attname for column in select[start:end]]
    populators = get_related_populators(klass_info, select, alias)
    for row in compiler.results_iter([rows]):
        instance = model.from_db(alias, names, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        for name, position in (annotations or {}).items():
            setattr(instance, name, row[position])
        yield instance
