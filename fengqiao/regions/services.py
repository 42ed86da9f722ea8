"""Writes to the region tree."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region, path_segment

HEADER_ALIASES = {
    "code": {"code", "区划代码", "统计用区划代码", "代码"},
    "name": {"name", "名称", "区划名称"},
    "parent": {"parent", "parent_code", "上级代码", "上级区划代码"},
    "urban_rural": {"城乡分类代码", "urban_rural"},
    "population": {"population", "人口", "常住人口"},
}


@dataclass(frozen=True)
class RegionRow:
    line: int
    code: str
    name: str
    parent_code: str | None
    level: int
    population: int | None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


class RegionImportError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def level_of_code(code: str) -> int | None:
    """The level a statistical code denotes: ``PPCCDDTTTVVV`` (12 digits), grids 15 digits."""
    if not code.isdigit():
        return None
    if len(code) == 15:
        return RegionLevel.GRID
    if len(code) != 12:
        return None
    if code[2:] == "0" * 10:
        return RegionLevel.PROVINCE
    if code[4:] == "0" * 8:
        return RegionLevel.CITY
    if code[6:] == "0" * 6:
        return RegionLevel.COUNTY
    if code[9:] == "000":
        return RegionLevel.TOWNSHIP
    return RegionLevel.VILLAGE


def implied_parent_code(code: str, level: int) -> str | None:
    cuts: dict[int, int] = {
        RegionLevel.CITY: 2,
        RegionLevel.COUNTY: 4,
        RegionLevel.TOWNSHIP: 6,
        RegionLevel.VILLAGE: 9,
    }
    if level == RegionLevel.GRID:
        return code[:12]
    if level in cuts:
        return code[: cuts[level]].ljust(12, "0")
    return None


def parse_region_csv(text: str) -> list[RegionRow]:
    """Parse and validate the whole file; raise ``RegionImportError`` listing every bad line."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    # (first physical line, cells): a quoted cell may span lines, so count lines, not records.
    rows: list[tuple[int, list[str]]] = []
    line = 1
    for record in reader:
        rows.append((line, record))
        line = reader.line_num + 1
    # (line, message), reported in line order however the checks below are grouped.
    errors: list[tuple[int, str]] = []
    columns = {"code": 0, "name": 1, "parent": None, "population": None}
    start = 0
    if rows and rows[0][1] and not rows[0][1][0].strip().isdigit():
        header = [h.strip().lower() for h in rows[0][1]]
        columns = {"code": None, "name": None, "parent": None, "population": None}
        for index, title in enumerate(header):
            for key, aliases in HEADER_ALIASES.items():
                if title in aliases and key in columns:
                    columns[key] = index
        if columns["code"] is None or columns["name"] is None:
            raise RegionImportError([_("第1行：表头缺少“区划代码”或“名称”列")])
        start = 1
    parsed: list[RegionRow] = []
    seen: dict[str, int] = {}
    for line, raw in rows[start:]:
        if not any(cell.strip() for cell in raw):
            continue

        def cell(key: str, raw: list[str] = raw) -> str:
            index = columns[key]
            return raw[index].strip() if index is not None and index < len(raw) else ""

        code, name = cell("code"), cell("name")
        level = level_of_code(code)
        if level is None:
            errors.append(
                (
                    line,
                    _("第%(line)d行：区划代码“%(code)s”不是12位统计用区划代码或15位网格代码")
                    % {"line": line, "code": code},
                )
            )
            continue
        if not name:
            errors.append((line, _("第%(line)d行：名称为空") % {"line": line}))
            continue
        if code in seen:
            errors.append(
                (
                    line,
                    _("第%(line)d行：区划代码%(code)s与第%(first)d行重复")
                    % {"line": line, "code": code, "first": seen[code]},
                )
            )
            continue
        seen[code] = line
        parent = cell("parent") or implied_parent_code(code, level)
        population_text = cell("population")
        population = None
        if population_text:
            if not population_text.isdigit():
                errors.append(
                    (
                        line,
                        _("第%(line)d行：人口“%(value)s”不是非负整数")
                        % {"line": line, "value": population_text},
                    )
                )
                continue
            population = int(population_text)
        parsed.append(RegionRow(line, code, name[:100], parent, level, population))
    # The level of every possible parent, from the file first: the file is what will be saved.
    known: dict[str, int] = dict(
        Region.objects.filter(
            code__in={r.parent_code for r in parsed if r.parent_code}
        ).values_list("code", "level")
    )
    known.update({r.code: r.level for r in parsed})
    for row in parsed:
        if not row.parent_code:
            continue
        if row.parent_code not in known:
            if row.parent_code not in seen:  # a parent row that is itself bad is reported there
                errors.append(
                    (
                        row.line,
                        _("第%(line)d行：上级区划%(parent)s不存在（文件和系统中都没有）")
                        % {"line": row.line, "parent": row.parent_code},
                    )
                )
        elif known[row.parent_code] >= row.level:
            # Parents are saved before children, level by level; a parent at the same or a
            # lower level would not exist yet when its child is saved.
            errors.append(
                (
                    row.line,
                    _("第%(line)d行：上级区划%(parent)s的层级不高于本级")
                    % {"line": row.line, "parent": row.parent_code},
                )
            )
    if errors:
        raise RegionImportError([message for _line, message in sorted(errors)])
    return parsed


def regions_import(*, actor: Any, rows: Iterable[RegionRow], source: str = "") -> ImportResult:
    """Create or update regions; idempotent. All-or-nothing: runs in one transaction."""
    result = ImportResult()
    ordered = sorted(rows, key=lambda r: (r.level, r.code))
    with transaction.atomic():
        existing = {r.code: r for r in Region.objects.filter(code__in=[r.code for r in ordered])}
        parents = {
            r.code: r
            for r in Region.objects.filter(
                code__in={r.parent_code for r in ordered if r.parent_code}
            )
        }
        for row in ordered:
            parent = parents.get(row.parent_code) if row.parent_code else None
            path = (parent.path if parent else "") + path_segment(row.code)
            region = existing.get(row.code)
            if region is None:
                region = Region.objects.create(
                    code=row.code,
                    name=row.name,
                    level=row.level,
                    parent=parent,
                    path=path,
                    population=row.population,
                )
                result.created += 1
            else:
                changed = False
                if region.name != row.name or region.level != row.level:
                    region.name, region.level = row.name, row.level
                    changed = True
                if row.population is not None and region.population != row.population:
                    region.population = row.population
                    changed = True
                if region.path != path:
                    _move_subtree(region, parent, path, loaded=(existing, parents))
                    changed = True
                if changed:
                    region.save()
                    result.updated += 1
                else:
                    result.unchanged += 1
            parents[row.code] = region
        if result.created or result.updated:
            audit_record(
                actor=actor,
                event_type=EventType.REGIONS_IMPORTED,
                object_type="regions.region",
                object_repr=source[:200],
                after={
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
    return result


def _move_subtree(
    region: Region, parent: Region | None, new_path: str, *, loaded: Iterable[dict[str, Region]]
) -> None:
    """Re-root a subtree. ``loaded`` are the import's in-memory regions by code: their paths are
    moved too, or a descendant processed later would be compared with (and saved at) its old
    path."""
    old_path = region.path
    moved = list(Region.objects.filter(path__startswith=old_path).exclude(pk=region.pk))
    for child in moved:
        child.path = new_path + child.path[len(old_path) :]
        child.save(update_fields=["path"])
    for by_code in loaded:
        for child in moved:
            if child.code in by_code:
                by_code[child.code].path = child.path
    region.parent, region.path = parent, new_path


def region_create(
    *, code: str, name: str, parent: Region | None, population: int | None = None
) -> Region:
    level = level_of_code(code)
    if level is None:
        raise ValueError(code)
    path = (parent.path if parent else "") + path_segment(code)
    return Region.objects.create(
        code=code, name=name, level=level, parent=parent, path=path, population=population
    )
