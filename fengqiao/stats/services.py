"""Keeping the rollups current (every write of the stats app).

- ``case_mark_stale``: the disputes hook, in the transaction of each timeline entry — one row
  in ``PendingFact``, nothing computed there, so a write pays one insert.
- ``rollups_refresh``: the worker's step — take pending cases, lock them, compute their facts
  again and move the rollups by the difference, in one transaction per batch. A worker killed
  halfway rolls back and leaves its cases pending.
- ``rollups_rebuild``: compute every fact and rollup from the cases (after a bulk load, or to
  repair); ``rollups_check``: the same recount, compared with what is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from fengqiao.core.bulk import insert_rows
from fengqiao.core.paths import subtree_q
from fengqiao.disputes.models import Case
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.stats.facts import Fact, Units, facts_of
from fengqiao.stats.models import (
    CaseFact,
    DailyCount,
    DailyTotal,
    DurationCount,
    MonthlyCount,
    MonthlyDuration,
    PendingFact,
)
from fengqiao.stats.rollups import (
    KEYS,
    VALUES,
    Deltas,
    add_into,
    apply,
    difference,
    insert_new,
    totals,
)

logger = logging.getLogger(__name__)

BATCH = 500
REBUILD_BATCH = 5000


def case_mark_stale(case_ids: Iterable[int]) -> None:
    """Mark cases for the rollups, in the caller's transaction (disputes.hooks.case_recorded)."""
    now = timezone.now()
    PendingFact.objects.bulk_create(
        [PendingFact(case_id_value=pk, marked_at=now) for pk in sorted(set(case_ids))],
        ignore_conflicts=True,
    )
    if settings.FENGQIAO_STATS_KICK:
        kick_after_commit()


def kick_after_commit() -> None:
    """Ask a worker to refresh once this transaction commits — once per transaction however many
    cases it touched (the minute's periodic refresh catches a lost request)."""
    if not any(entry[1] is _kick for entry in connection.run_on_commit):
        transaction.on_commit(_kick)


def _kick() -> None:
    from fengqiao.stats.tasks import refresh_now

    try:
        refresh_now()
    except Exception:
        # The queue is down: the minute's refresh counts these when it is back.
        logger.warning("task queue unreachable: the rollups wait for the next refresh")


FACT_COLUMNS = ["case_id", *Fact.__dataclass_fields__]


def _store(facts: dict[int, Fact], known: set[int]) -> None:
    fresh = [(pk, *fact.as_fields().values()) for pk, fact in facts.items() if pk not in known]
    insert_rows(CaseFact, FACT_COLUMNS, fresh)
    stale = [CaseFact(case_id=pk, **fact.as_fields()) for pk, fact in facts.items() if pk in known]
    if stale:
        names = [f for f in Fact.__dataclass_fields__ if f != "handler_id"] + ["handler"]
        CaseFact.objects.bulk_update(stale, names, batch_size=500)


def _refresh_batch(limit: int) -> int:
    with transaction.atomic():
        ids = list(
            PendingFact.objects.order_by("case_id_value").values_list("case_id_value", flat=True)[
                :limit
            ]
        )
        if not ids:
            return 0
        # The cases are locked, in id order, before they are read: a service writing one of
        # them holds its lock until it commits, so its change is either read here or marks the
        # case pending again after this batch. Cases being written right now are skipped.
        rows = Case.objects.select_for_update(skip_locked=True, of=("self",)).filter(pk__in=ids)
        locked = sorted(rows.order_by("pk").values_list("pk", flat=True))
        gone = set(ids) - set(Case.objects.filter(pk__in=ids).values_list("pk", flat=True))
        taken = sorted(set(locked) | gone)
        if not taken:
            return 0
        PendingFact.objects.filter(case_id_value__in=taken).delete()
        olds = {row.pk: Fact.of_row(row) for row in CaseFact.objects.filter(pk__in=taken)}
        news = facts_of(locked)
        deltas: Deltas = {}
        for pk in taken:
            add_into(deltas, difference(olds.get(pk), news.get(pk)))
        apply(deltas)
        CaseFact.objects.filter(pk__in=[pk for pk in olds if pk not in news]).delete()
        _store(news, set(olds))
        return len(taken)


def rollups_refresh(*, limit: int | None = None) -> int:
    """Bring the rollups up to date with every pending case; the number of cases counted."""
    done = 0
    while limit is None or done < limit:
        n = _refresh_batch(BATCH if limit is None else min(BATCH, limit - done))
        if not n:
            break
        done += n
    return done


def pending_count() -> int:
    return PendingFact.objects.count()


def _case_batches(cases: Any, size: int) -> Iterator[list[int]]:
    last = 0
    while True:
        ids = list(cases.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return
        yield ids
        last = ids[-1]


def _parts(region: Region | None = None) -> list[str]:
    """The partitions a rebuild or check works through: each county (its facts and rollup rows
    stay under its path), or the whole tree when there is no county; or the one region asked
    for."""
    if region is not None:
        return [region.path]
    counties = list(Region.objects.filter(level=3).order_by("path").values_list("path", flat=True))
    return counties or [""]


def _cases_under(part: str) -> Any:
    return Case.objects.filter(subtree_q([part], "region_path")) if part else Case.objects


@dataclass
class RebuildResult:
    cases: int = 0
    rows: int = 0


def rollups_rebuild(
    *, region: Region | None = None, progress: Callable[[str], None] | None = None
) -> RebuildResult:
    """Throw the rollups away and count every case again, county by county (each in its own
    transaction); or only ``region``'s (a county or a township: the monthly rows are kept per
    township, so a village's cannot be rebuilt alone). Pending marks made before the start are
    cleared; later ones stay."""
    if region is not None and region.level > RegionLevel.TOWNSHIP:
        raise ValueError("only a county or a township can be rebuilt alone")
    started = timezone.now()
    result = RebuildResult()
    with transaction.atomic():
        for model in (
            DailyCount,
            DailyTotal,
            MonthlyCount,
            DurationCount,
            MonthlyDuration,
            CaseFact,
        ):
            rows = model._default_manager.all()
            if region is not None:
                rows = rows.filter(subtree_q([region.path]))
            rows.delete()
        pending = PendingFact.objects.filter(marked_at__lte=started)
        if region is None:
            pending.delete()
    units = Units()
    for part in _parts(region):
        with transaction.atomic():
            cases = _cases_under(part)
            part_totals: Deltas = {}
            for ids in _case_batches(cases, REBUILD_BATCH):
                facts = facts_of(ids, units)
                _store(facts, set())
                add_into(part_totals, totals(facts.values()))
                result.cases += len(facts)
            # The partition's rows are new (emptied above, and no other partition's key lies
            # under its path): inserted, not upserted.
            insert_new(part_totals)
            result.rows += len(part_totals)
        if progress:
            progress(f"{part or '全部'}: {result.cases} 件")
    return result


@dataclass
class CheckResult:
    cases: int = 0
    fact_differences: list[int] = field(default_factory=list)
    row_differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.fact_differences and not self.row_differences


def _stored_rows(part: str) -> Deltas:
    out: Deltas = {}
    for table, keys in KEYS.items():
        rows = table._default_manager.all()
        if part:
            rows = rows.filter(subtree_q([part]))
        for row in rows.values(*keys, *VALUES[table]).iterator(chunk_size=5000):
            counts = {v: row[v] for v in VALUES[table] if row[v]}
            if counts:
                out[(table, tuple(row[k] for k in keys))] = counts
    return out


def rollups_check(*, limit: int = 50) -> CheckResult:
    """Recount every case from its rows and compare with the stored facts and rollups; the
    differences found (at most ``limit`` of each kind are listed). Pending cases are counted
    first, so only a real disagreement is reported."""
    rollups_refresh()
    result = CheckResult()
    units = Units()
    for part in _parts():
        cases = _cases_under(part)
        recount: Deltas = {}
        for ids in _case_batches(cases, REBUILD_BATCH):
            facts = facts_of(ids, units)
            stored = {row.pk: Fact.of_row(row) for row in CaseFact.objects.filter(pk__in=ids)}
            for pk, fact in facts.items():
                if stored.get(pk) != fact and len(result.fact_differences) < limit:
                    result.fact_differences.append(pk)
            add_into(recount, totals(facts.values()))
            result.cases += len(facts)
        recount = {k: {m: n for m, n in v.items() if n} for k, v in recount.items()}
        recount = {k: v for k, v in recount.items() if v}
        stored_rows = _stored_rows(part)
        for key in sorted(set(recount) | set(stored_rows), key=str):
            if recount.get(key) != stored_rows.get(key) and len(result.row_differences) < limit:
                table, values = key
                result.row_differences.append(
                    f"{table._meta.model_name} {values}: 重算 {recount.get(key) or {}}，"
                    f"汇总表 {stored_rows.get(key) or {}}"
                )
    return result
