"""Inserting many rows of plain values, without a model instance per row.

``bulk_create`` builds a model instance per row (``Model.__init__`` sends two signals and sets
every field), prepares each value of each instance again, and on PostgreSQL sends the values
as arrays that psycopg escapes element by element in Python. For the deadline sweep's hundreds
of thousands of rows that was most of its CPU. ``insert_rows`` takes tuples of values already
in the column's Python type and writes them with ``COPY … FROM STDIN`` on PostgreSQL (psycopg
formats the rows in C: about a sixth of the CPU of the arrays) and ``executemany`` elsewhere.
Columns left out get the field's default as ``bulk_create`` would give it, evaluated once per
call. No signals are sent, as with ``bulk_create``; the statement goes through the
connection's execute wrappers and query log like any other.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from django.db import connection, models

Row = Sequence[Any]


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Row]) -> int:
    """Insert ``rows`` (each a tuple in the order of ``columns``, given by field name or
    attname: ``case_id`` for a foreign key) into ``model``'s table; returns how many."""
    rows = list(rows)
    if not rows:
        return 0
    fields = [cast("models.Field[Any, Any]", model._meta.get_field(name)) for name in columns]
    given = {f.attname for f in fields}
    # As bulk_create: a column not given gets the field's default ("" for a text field that
    # is not nullable, NULL for a nullable one without a default).
    defaults = [
        f for f in model._meta.concrete_fields if f.attname not in given and not f.primary_key
    ]
    fields += defaults
    constant = tuple(f.get_default() for f in defaults)
    prepare = [_preparer(f) for f in fields]
    values: list[Row] = [
        tuple(v if p is None else p(v) for v, p in zip((*row, *constant), prepare, strict=True))
        for row in rows
    ]
    # Only identifiers from the model's own metadata, quoted, go into the SQL; values are
    # parameters (executemany) or COPY data.
    names = ", ".join(connection.ops.quote_name(cast(str, f.column)) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _with_wrappers(_copy, f"COPY {table} ({names}) FROM STDIN", values, cursor)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)  # noqa: S608
    return len(values)


def _copy(sql: str, rows: list[Row], many: bool, context: dict[str, Any]) -> None:
    with context["cursor"].cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _with_wrappers(executor: Callable[..., Any], sql: str, rows: list[Row], cursor: Any) -> None:
    """Run ``executor`` as Django runs a statement: through ``connection.execute_wrapper``s
    (which profilers and query counters install), and into the query log when it is kept."""
    context = {"connection": connection, "cursor": cursor}
    for wrapper in reversed(connection.execute_wrappers):
        executor = functools.partial(wrapper, executor)
    start = time.monotonic()
    try:
        # Driver errors become Django's (IntegrityError, DataError…), as for execute().
        with connection.wrap_database_errors:
            executor(sql, rows, False, context)
    finally:
        if connection.queries_logged:
            connection.queries_log.append(
                {"sql": f"{sql} ({len(rows)} rows)", "time": f"{time.monotonic() - start:.3f}"}
            )


def _preparer(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a Python value of ``field`` becomes what the driver is given (None: as it is)."""
    if isinstance(field, models.JSONField):
        encoder = field.encoder

        def dump(value: Any) -> str | None:
            # A JSON column's None stays SQL NULL, as the field stores it.
            return None if value is None else json.dumps(value, cls=encoder)

        return dump
    if connection.vendor == "postgresql":
        return None  # psycopg writes dates and aware datetimes itself
    if isinstance(field, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value
        return lambda value: None if value is None else adapt(value)
    if isinstance(field, models.DateField):
        adapt_date = connection.ops.adapt_datefield_value
        return lambda value: None if value is None else adapt_date(value)
    return None


def quoted_column(model: type[models.Model], name: str) -> str:
    """The quoted column of ``model``'s field ``name``, for SQL written by hand."""
    field = cast("models.Field[Any, Any]", model._meta.get_field(name))
    return connection.ops.quote_name(cast(str, field.column))


def quoted_table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)
