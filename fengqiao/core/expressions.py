"""Query expressions the ORM does not have."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Expression, F, QuerySet, Subquery
from django.db.models.sql.compiler import SQLCompiler


class InSubquery(Expression):
    """``column IN (subquery)`` for a subquery that does not depend on the outer row, written
    so that PostgreSQL plans it well as one arm of an OR, whichever side drives the query.

    ``IN (subquery)`` under an OR can only be a filter: to count or list the rows matching any
    arm, PostgreSQL scans the whole table. On PostgreSQL this is therefore
    ``EXISTS (… WHERE v = column) AND column = ANY(ARRAY(subquery))``: the ``ANY`` over the
    subquery's values (run once, an InitPlan) is an index condition on ``column``, which
    PostgreSQL ORs with the other arms' index scans (BitmapOr); where the rows come from
    elsewhere (a join, another index) the ``EXISTS``, a hashed lookup, is tested first, and a
    row outside the set is not compared with each of its values. SQLite plans
    ``IN (subquery)`` as an index lookup itself.

    ``values`` selects one column, e.g. ``DispatchOrder.objects.filter(…).values("case_id")``.
    Use it in ``filter()`` or a ``Q`` (it is a condition)."""

    conditional = True

    def __init__(self, column: str | Any, values: QuerySet[Any] | Subquery) -> None:
        super().__init__(output_field=BooleanField())
        self.column: Any = F(column) if isinstance(column, str) else column
        self.values = values if isinstance(values, Subquery) else Subquery(values)

    def get_source_expressions(self) -> list[Any]:
        return [self.column, self.values]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.column, self.values = exprs

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        column, column_params = compiler.compile(self.column)
        # "(SELECT …)", parenthesized by Subquery.
        values, values_params = compiler.compile(self.values)
        if connection.vendor != "postgresql":
            return f"{column} IN {values}", (*column_params, *values_params)
        # Both parts are SQL the compiler made; the values are parameters.
        sql = (
            f"(EXISTS (SELECT 1 FROM {values} in_values(v) WHERE in_values.v = {column}) "  # noqa: S608
            f"AND {column} = ANY(ARRAY{values}))"
        )
        return sql, (*values_params, *column_params, *column_params, *values_params)
