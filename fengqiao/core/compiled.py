"""Querysets compiled to SQL once and run again with other values.

Building the SQL of a queryset (joins, select list, converters) costs more of the web process's
CPU than the database spends running a small indexed read, and the reads every request makes
(the API key, the user's grants, a place by its code) differ only in their values. A
``CompiledQuery`` compiles its queryset once per database, with marker values in place of its
arguments, and then runs that SQL with the arguments in their places, building the model
instances as the ORM does (converters, ``select_related`` objects, annotations)::

    KEY_BY_PREFIX = CompiledQuery(
        lambda prefix: ApiKey.objects.select_related("user").filter(prefix=prefix)[:1], str
    )
    key = KEY_BY_PREFIX.first("ab12cd34")

An argument is an ``int``, a ``str`` or a ``list`` of them (``__in``; compiled once per
length). The arguments must reach the SQL as parameters unchanged (equality on a column of
their type): an argument the ORM transforms or writes into the SQL text fails at the first
call. ``rows`` runs a ``values_list`` queryset; ``sql`` gives the SQL and parameters to embed
in a statement of one's own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple[Any, ...]
    # (position in params, argument number, index in a list argument or -1)
    slots: tuple[tuple[int, int, int], ...]
    model: type[Model] | None
    fields: slice
    init_list: list[str]
    converters: list[tuple[int, list[Any], Any]]
    populators: list[Any]
    annotations: dict[str, int]


def _marker(kind: type, n: int, j: int = -1) -> Any:
    if kind is int:
        return -(7_654_321_000_000 + 1000 * n + j + 1)
    if kind is str:
        return f"\x1fcompiled argument {n}.{j}\x1f"
    raise TypeError(f"CompiledQuery arguments are int or str (or lists of them), not {kind!r}")


class CompiledQuery(Generic[M]):
    """A queryset built by ``build`` from arguments of the given ``kinds`` (see the module)."""

    def __init__(self, build: Callable[..., QuerySet[Any]], *kinds: type) -> None:
        self._build = build
        self._kinds = kinds
        self._plans: dict[tuple[Any, ...], _Plan] = {}
        self._lock = threading.Lock()

    def _shape(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        if len(args) != len(self._kinds):
            raise TypeError(f"CompiledQuery takes {len(self._kinds)} arguments, got {len(args)}")
        if any(kind is list and not arg for kind, arg in zip(self._kinds, args, strict=True)):
            # The ORM compiles ``__in=[]`` to no statement at all: the caller knows the answer.
            raise ValueError("CompiledQuery: a list argument needs at least one value")
        return tuple(
            (len(arg), type(arg[0])) if kind is list else None
            for kind, arg in zip(self._kinds, args, strict=True)
        )

    def _plan(self, using: str, shape: tuple[Any, ...]) -> _Plan:
        connection = connections[using]
        key = (using, connection.vendor, shape)
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        markers: list[Any] = []
        where: dict[Any, tuple[int, int]] = {}
        for n, (kind, size) in enumerate(zip(self._kinds, shape, strict=True)):
            if size is None:
                markers.append(_marker(kind, n))
                where[markers[-1]] = (n, -1)
            else:
                items = [_marker(size[1], n, j) for j in range(size[0])]
                markers.append(items)
                where.update({m: (n, j) for j, m in enumerate(items)})
        queryset = self._build(*markers)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = tuple(
            (i, *where[p]) for i, p in enumerate(params) if type(p) in (int, str) and p in where
        )
        if {(n, j) for _i, n, j in slots} != set(where.values()):
            raise ValueError("CompiledQuery: an argument does not reach the SQL as a parameter")
        select, klass_info = compiler.select, compiler.klass_info
        found = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
        model, fields, init_list, populators = None, slice(0, 0), [], []
        if klass_info is not None:
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            model, fields = klass_info["model"], slice(start, end)
            init_list = [s[0].target.attname for s in select[start:end]]
            # (django-stubs describes a later Django's signature.)
            populators = get_related_populators(klass_info, select, using)  # type: ignore[call-arg]
        plan = _Plan(
            sql=sql,
            params=tuple(params),
            slots=slots,
            model=model,
            fields=fields,
            init_list=init_list,
            converters=[(pos, convs, expr) for pos, (convs, expr) in found.items()],
            populators=populators,
            annotations=dict(compiler.annotation_col_map or {}),
        )
        with self._lock:
            self._plans[key] = plan
        return plan

    def sql(self, *args: Any, using: str = "default") -> tuple[str, list[Any], _Plan]:
        """The SQL and its parameters for ``args`` (and the plan that reads its rows)."""
        plan = self._plan(using, self._shape(args))
        params = list(plan.params)
        for i, n, j in plan.slots:
            params[i] = args[n] if j < 0 else args[n][j]
        return plan.sql, params, plan

    def _fetch(self, args: tuple[Any, ...], using: str) -> tuple[_Plan, list[list[Any]]]:
        sql, params, plan = self.sql(*args, using=using)
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = [list(raw) for raw in cursor.fetchall()]
        for row in rows:
            for pos, convs, expr in plan.converters:
                value = row[pos]
                for convert in convs:
                    value = convert(value, expr, connection)
                row[pos] = value
        return plan, rows

    def rows(self, *args: Any, using: str = "default") -> list[tuple[Any, ...]]:
        """The rows (converted as the ORM does) of a ``values_list`` queryset."""
        _plan, rows = self._fetch(args, using)
        return [tuple(row) for row in rows]

    def all(self, *args: Any, using: str = "default") -> list[M]:
        plan, rows = self._fetch(args, using)
        if plan.model is None:
            raise TypeError("CompiledQuery.all() reads model instances: use rows()")
        found: list[M] = []
        for row in rows:
            obj = plan.model.from_db(using, plan.init_list, row[plan.fields])
            for populator in plan.populators:
                populator.populate(row, obj)
            for name, pos in plan.annotations.items():
                setattr(obj, name, row[pos])
            found.append(obj)  # type: ignore[arg-type]
        return found

    def first(self, *args: Any, using: str = "default") -> M | None:
        rows = self.all(*args, using=using)
        return rows[0] if rows else None
