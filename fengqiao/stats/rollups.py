"""What a fact adds to each rollup, and the statement that adds it.

A case's contribution is a few rows: its intake on the day (and month) it was registered, its
conclusion on the day (and month) it was concluded, and, once resolved, one case in the
histograms of days taken (by day and by month). Moving a case from one fact to another adds
the new contribution and subtracts the old, row by row, with one ``INSERT … ON CONFLICT DO
UPDATE`` per table that both SQLite and PostgreSQL run as an atomic increment."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import connection, models

from fengqiao.core.bulk import insert_rows, quoted_table
from fengqiao.regions.choices import RegionLevel
from fengqiao.stats.choices import Outcome
from fengqiao.stats.facts import SATISFIED_FROM, Fact, is_major
from fengqiao.stats.models import (
    MEASURES,
    DailyCount,
    DailyTotal,
    DurationCount,
    MonthlyCount,
    MonthlyDuration,
)

# A rollup row's key, by table: (table, key values); its counts by measure.
Key = tuple[Any, ...]
Table = type[models.Model]
Deltas = dict[tuple[Table, Key], dict[str, int]]

# A row's key columns, as written; the unique key the upsert meets is the first ``CONFLICT``
# of them (the township and county paths follow from the unit's path).
KEYS: dict[Table, tuple[str, ...]] = {
    DailyCount: (
        "path",
        "day",
        "org_id_value",
        "category",
        "channel",
        "grade",
        "township_path",
        "county_path",
    ),
    DailyTotal: ("path", "day"),
    MonthlyCount: ("path", "month", "dim", "value"),
    DurationCount: ("path", "day", "org_id_value", "days", "township_path", "county_path"),
    MonthlyDuration: ("path", "month", "days"),
}
CONFLICT: dict[Table, int] = {
    DailyCount: 6,
    DailyTotal: 2,
    MonthlyCount: 4,
    DurationCount: 4,
    MonthlyDuration: 3,
}
VALUES: dict[Table, tuple[str, ...]] = {
    DailyCount: MEASURES,
    DailyTotal: MEASURES,
    MonthlyCount: MEASURES,
    DurationCount: ("cases",),
    MonthlyDuration: ("cases",),
}
# Statement size: rows per INSERT (SQLite allows 32,766 parameters).
ROWS_PER_STATEMENT = 400


def _month(day: date) -> date:
    return day.replace(day=1)


def _conclusion(fact: Fact) -> dict[str, int]:
    counts = {
        "resolved": int(fact.outcome == Outcome.RESOLVED),
        "failed": int(fact.outcome == Outcome.FAILED),
        "referred": int(fact.outcome == Outcome.REFERRED),
        "withdrawn": int(fact.outcome == Outcome.WITHDRAWN),
        "overdue": int(fact.overdue),
        "criminal_transfer": int(fact.criminal_transfer),
        "confirmed": int(fact.confirmed),
        "performed": int(fact.performed),
        "defaulted": int(fact.defaulted),
        "rated": int(fact.satisfaction is not None),
        "satisfied": int(fact.satisfaction is not None and fact.satisfaction >= SATISFIED_FROM),
        "days_sum": fact.days or 0,
    }
    level = fact.resolved_level
    if level is not None:
        # 化解层级: the level of the org that resolved it (小事不出村、大事不出镇).
        counts["level_village"] = int(level >= RegionLevel.VILLAGE)
        counts["level_township"] = int(level == RegionLevel.TOWNSHIP)
        counts["level_county"] = int(level <= RegionLevel.COUNTY)
    return counts


def contributions(fact: Fact) -> Deltas:
    """The rows ``fact`` adds to, with what it adds."""
    out: Deltas = {}
    intake = {
        "intake": 1,
        "intake_group": int(fact.group),
        "intake_major": int(is_major(fact)),
    }
    dims = (fact.category, fact.channel, fact.grade)
    above = (fact.township_path, fact.county_path)
    steps = [(fact.registered_on, intake)]
    if fact.concluded_on is not None:
        steps.append((fact.concluded_on, _conclusion(fact)))
    for day, counts in steps:
        month = _month(day)
        for table, key in (
            (DailyCount, (fact.path, day, fact.org_id_value, *dims, *above)),
            (DailyTotal, (fact.township_path, day)),
            (MonthlyCount, (fact.township_path, month, "", "")),
            (MonthlyCount, (fact.township_path, month, "category", fact.category)),
            (MonthlyCount, (fact.township_path, month, "channel", fact.channel)),
            (MonthlyCount, (fact.township_path, month, "grade", fact.grade)),
            (MonthlyCount, (fact.township_path, month, "unit", fact.path)),
            (MonthlyCount, (fact.township_path, month, "org", str(fact.org_id_value))),
        ):
            row = out.setdefault((table, key), defaultdict(int))
            for name, n in counts.items():
                row[name] += n
    if fact.days is not None and fact.concluded_on is not None:
        histogram: Key = (fact.path, fact.concluded_on, fact.org_id_value, fact.days, *above)
        out[(DurationCount, histogram)] = {"cases": 1}
        monthly: Key = (fact.township_path, _month(fact.concluded_on), fact.days)
        out[(MonthlyDuration, monthly)] = {"cases": 1}
    return out


def add_into(total: Deltas, part: Deltas, sign: int = 1) -> None:
    for row_key, counts in part.items():
        row = total.setdefault(row_key, defaultdict(int))
        for name, n in counts.items():
            row[name] += sign * n


def difference(old: Fact | None, new: Fact | None) -> Deltas:
    """What moving a case from ``old`` to ``new`` does to the rollups (zero rows left out)."""
    deltas: Deltas = {}
    if new is not None:
        add_into(deltas, contributions(new))
    if old is not None:
        add_into(deltas, contributions(old), -1)
    return {k: dict(v) for k, v in deltas.items() if any(v.values())}


def apply(deltas: Mapping[tuple[Table, Key], Mapping[str, int]]) -> None:
    """Add ``deltas`` into the rollup tables. Rows go in key order, so two workers adding to
    the same rows take their locks in the same order and never deadlock."""
    by_table: dict[Table, list[tuple[Key, Mapping[str, int]]]] = defaultdict(list)
    for (table, key), counts in deltas.items():
        by_table[table].append((key, counts))
    for table, rows in by_table.items():
        rows.sort(key=lambda r: tuple(str(v) for v in r[0]))
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            _upsert(table, rows[start : start + ROWS_PER_STATEMENT])


def _upsert(table: Table, rows: list[tuple[Key, Mapping[str, int]]]) -> None:
    keys, values = KEYS[table], VALUES[table]
    name = quoted_table(table)
    q = connection.ops.quote_name
    columns = [*keys, *values]
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    params: list[Any] = []
    for key, counts in rows:
        params.extend(key)
        params.extend(counts.get(v, 0) for v in values)
    # Names from the models' metadata, values as parameters.
    sql = (
        f"INSERT INTO {name} ({', '.join(q(c) for c in columns)}) "  # noqa: S608
        f"VALUES {', '.join([row_sql] * len(rows))} "
        f"ON CONFLICT ({', '.join(q(c) for c in keys[: CONFLICT[table]])}) DO UPDATE SET "
        + ", ".join(f"{q(v)} = {name}.{q(v)} + excluded.{q(v)}" for v in values)
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)


def insert_new(deltas: Mapping[tuple[Table, Key], Mapping[str, int]]) -> None:
    """Write rows that do not exist yet (a rebuild's, whose keys no other row has): ``COPY`` on
    PostgreSQL, without a model instance or the upsert's conflict check per row."""
    by_table: dict[Table, list[tuple[Any, ...]]] = defaultdict(list)
    for (table, key), counts in deltas.items():
        by_table[table].append((*key, *(counts.get(v, 0) for v in VALUES[table])))
    for table, rows in by_table.items():
        insert_rows(table, [*KEYS[table], *VALUES[table]], rows)


def totals(facts: Iterable[Fact]) -> Deltas:
    """The rollups a set of facts adds up to (the rebuild and the consistency check)."""
    out: Deltas = {}
    for fact in facts:
        add_into(out, contributions(fact))
    return {k: dict(v) for k, v in out.items() if any(v.values())}
