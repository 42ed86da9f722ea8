"""XLSX import of orgs and of the roster (people, their posts and mediator files).

All or nothing: every row is checked first and every bad row reported with its row number and a
Chinese reason; only a file without a bad row is written, in one transaction, through the same
audited services the pages use (so the region check and the audit log are the same). A re-import
updates: an org is found by its 单位代码 (or, without one, by 区划 + 名称), a person by 身份证号.
A blank optional cell keeps what is recorded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.core.choices import DisputeCategory
from fengqiao.core.validators import (
    normalize_code,
    validate_credit_code,
    validate_no_control_characters,
)
from fengqiao.core.xlsx import SheetRow, WorkbookError, as_text, read_table, table_workbook
from fengqiao.orgs import services
from fengqiao.orgs.choices import (
    MediatorGrade,
    PersonRole,
    Position,
)
from fengqiao.orgs.models import Organization, OrgKind
from fengqiao.orgs.selectors import can_manage_region
from fengqiao.regions.models import Region

MAX_ERRORS_SHOWN = 200

ORG_COLUMNS = ["单位代码", "名称", "类型", "区划代码", "上级单位", "受理纠纷类别", "地址", "在用"]
ORG_REQUIRED = {"名称", "类型", "区划代码"}
ROSTER_COLUMNS = [
    "身份证号",
    "姓名",
    "性别",
    "手机号",
    "所属区划代码",
    "背景",
    "党员",
    "志愿者类别",
    "任职单位",
    "角色",
    "职务",
    "专职",
    "任职日期",
    "等级",
    "星级",
    "擅长领域",
    "个人调解工作室",
]
ROSTER_REQUIRED = {"身份证号", "姓名", "任职单位", "角色"}
LIST_SEPARATORS = re.compile(r"[、,，;；/\s]+")
YES = {"是", "Y", "YES", "1", "TRUE", "√"}
NO = {"否", "N", "NO", "0", "FALSE", ""}


# A county's workbook is well under this; the web import refuses a larger file unread.
IMPORT_MAX_BYTES = 10 * 1024 * 1024


class ImportRejected(Exception):
    """The file was not imported; ``errors`` are (row number or None, reason)."""

    def __init__(self, errors: list[tuple[int | None, str]]) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0


@dataclass
class RowInput:
    """One row's parsed values, or its reasons for refusal."""

    number: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def choices_by_label(choices: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    """Each choice by its Chinese label and by its code."""
    table: dict[str, str] = {}
    for value, label in choices:
        table[str(label)] = str(value)
        table[str(value)] = str(value)
    return table


def choice_cell(
    row: RowInput, column: str, text: str, table: dict[str, str], *, default: Any
) -> Any:
    if not text:
        return default
    if text not in table:
        row.errors.append(
            _("“%(column)s”的值“%(value)s”无效，可选：%(options)s")
            % {
                "column": column,
                "value": text,
                "options": "、".join(k for k in table if not k.isascii()) or "、".join(table),
            }
        )
        return default
    return table[text]


def yes_no_cell(row: RowInput, column: str, text: str) -> bool | None:
    value = text.upper()
    if value in YES:
        return True
    if value in NO:
        return None if not text else False
    row.errors.append(_("“%(column)s”应填“是”或“否”。") % {"column": column})
    return None


def text_cell(row: RowInput, column: str, raw: Any, max_length: int) -> str:
    text = as_text(raw)
    try:
        validate_no_control_characters(text)
    except ValidationError as exc:
        row.errors.append(f"{column}：{exc.messages[0]}")
        return ""
    if len(text) > max_length:
        row.errors.append(
            _("“%(column)s”不能超过%(n)d个字。") % {"column": column, "n": max_length}
        )
    return text


def check_cell(row: RowInput, column: str, validator: Callable[[Any], None], value: Any) -> None:
    try:
        validator(value)
    except ValidationError as exc:
        row.errors.append(f"{column}：{exc.messages[0]}")


def start_row(sheet_row: SheetRow, required: set[str]) -> RowInput:
    row = RowInput(sheet_row.number)
    for column in sheet_row.formula_columns:
        row.errors.append(_("“%(column)s”是公式，请改为直接填写的值。") % {"column": column})
    for column in sorted(required, key=list(sheet_row.values).index):
        if not as_text(sheet_row.values.get(column)):
            row.errors.append(_("“%(column)s”必填。") % {"column": column})
    return row


def read_rows(upload: IO[bytes], columns: list[str]) -> list[SheetRow]:
    try:
        rows = list(read_table(upload, columns))
    except WorkbookError as exc:
        raise ImportRejected([(None, str(exc))]) from None
    if not rows:
        raise ImportRejected([(None, _("文件中没有数据行。"))])
    return rows


def refuse_if_errors(rows: list[RowInput]) -> None:
    errors: list[tuple[int | None, str]] = [(r.number, reason) for r in rows for reason in r.errors]
    if errors:
        raise ImportRejected(errors)


def regions_by_code(codes: Iterable[str]) -> dict[str, Region]:
    return {r.code: r for r in Region.objects.filter(code__in=set(codes))}


def region_cell(
    row: RowInput, actor: Any, regions: dict[str, Region], column: str, code: str
) -> Any:
    region = regions.get(code)
    if region is None:
        row.errors.append(
            _("“%(column)s”%(code)s不存在，请先导入行政区划。") % {"column": column, "code": code}
        )
    elif actor is not None and not can_manage_region(actor, region):
        row.errors.append(_("您无权管理“%(region)s”的单位和人员。") % {"region": region.name})
        return None
    return region


# --- Orgs ---------------------------------------------------------------------------------------


def _categories(row: RowInput, text: str) -> list[str]:
    table = choices_by_label(DisputeCategory.choices)
    result = []
    for part in LIST_SEPARATORS.split(text):
        if part:
            value = choice_cell(row, "受理纠纷类别", part, table, default=None)
            if value:
                result.append(value)
    return result


def orgs_import(*, actor: Any, upload: IO[bytes]) -> ImportResult:
    """Import the orgs of an 单位导入模板 file (all rows or none)."""
    sheet = read_rows(upload, ORG_COLUMNS)
    kinds = {k.name: k for k in OrgKind.objects.all()} | {k.code: k for k in OrgKind.objects.all()}
    regions = regions_by_code(as_text(r.values["区划代码"]) for r in sheet)
    rows: list[RowInput] = []
    seen_codes: dict[str, int] = {}
    seen_names: dict[tuple[str, str], int] = {}
    for sheet_row in sheet:
        row = start_row(sheet_row, ORG_REQUIRED)
        v = sheet_row.values
        code = normalize_code(as_text(v["单位代码"]))
        if len(code) == 18:
            check_cell(row, "单位代码", validate_credit_code, code)
        elif len(code) > 30:
            row.errors.append(_("“单位代码”不能超过30个字符。"))
        name = text_cell(row, "名称", v["名称"], 100)
        kind_text = as_text(v["类型"])
        kind = kinds.get(kind_text)
        if kind_text and kind is None:
            row.errors.append(_("“类型”的值“%(value)s”无效。") % {"value": kind_text})
        region_code = normalize_code(as_text(v["区划代码"]))
        region = region_cell(row, actor, regions, "区划代码", region_code) if region_code else None
        if code:
            if code in seen_codes:
                row.errors.append(_("单位代码与第%(n)d行重复。") % {"n": seen_codes[code]})
            seen_codes[code] = row.number
        if name and region_code:
            key = (region_code, name)
            if key in seen_names:
                row.errors.append(_("与第%(n)d行是同一区划的同名单位。") % {"n": seen_names[key]})
            seen_names[key] = row.number
        row.values = {
            "code": code,
            "name": name,
            "kind": kind,
            "region": region,
            "parent": text_cell(row, "上级单位", v["上级单位"], 100),
            "categories": _categories(row, as_text(v["受理纠纷类别"])),
            "address": text_cell(row, "地址", v["地址"], 200),
            "is_active": yes_no_cell(row, "在用", as_text(v["在用"])),
        }
        rows.append(row)
    refuse_if_errors(rows)
    return _write_orgs(actor, rows)


def _existing_org(values: dict[str, Any]) -> Organization | None:
    if values["code"]:
        found = Organization.objects.filter(code=values["code"]).first()
        if found is not None:
            return found
    return Organization.objects.filter(region=values["region"], name=values["name"]).first()


def _find_parent(text: str, imported: dict[str, Organization]) -> Organization | None:
    """A parent named by its code or name: one of this file's orgs, or one already recorded."""
    if text in imported:
        return imported[text]
    code = normalize_code(text)
    found = Organization.objects.filter(code=code).first() if code else None
    if found is None:
        by_name = list(Organization.objects.filter(name=text)[:2])
        found = by_name[0] if len(by_name) == 1 else None
    return found


def _org_state(org: Organization) -> tuple[Any, ...]:
    return (
        org.name,
        org.code,
        org.kind_id,
        org.region_id,
        org.parent_id,
        org.address,
        org.is_active,
        tuple(sorted(org.categories.values_list("category", flat=True))),
    )


def _write_orgs(actor: Any, rows: list[RowInput]) -> ImportResult:
    result = ImportResult(rows=len(rows))
    errors: list[tuple[int | None, str]] = []
    with transaction.atomic():
        imported: dict[str, Organization] = {}
        before: dict[int, tuple[Any, ...] | None] = {}
        # First every org without its parent (a parent may come later in the file)…
        for row in rows:
            v = row.values
            org = _existing_org(v)
            before[row.number] = _org_state(org) if org is not None else None
            if org is None:
                try:
                    org = services.org_create(
                        actor=actor,
                        name=v["name"],
                        code=v["code"],
                        kind=v["kind"],
                        region=v["region"],
                        categories=v["categories"],
                        address=v["address"],
                    )
                except (services.OrgRuleError, PermissionDenied) as exc:
                    errors.append((row.number, str(exc)))
                    continue
                result.created += 1
            imported[v["name"]] = org
            if v["code"]:
                imported[v["code"]] = org
        # …then the parents, and the changes to orgs already recorded.
        for row in rows:
            v = row.values
            org = imported.get(v["code"] or v["name"])
            if org is None:
                continue
            parent = org.parent
            if v["parent"]:
                parent = _find_parent(v["parent"], imported)
                if parent is None:
                    errors.append(
                        (row.number, _("上级单位“%(name)s”未找到。") % {"name": v["parent"]})
                    )
                    continue
            categories = v["categories"] or list(org.categories.values_list("category", flat=True))
            try:
                org = services.org_update(
                    actor=actor,
                    org=org,
                    name=v["name"],
                    code=v["code"] or org.code,
                    kind=v["kind"],
                    region=v["region"],
                    parent=parent,
                    categories=categories,
                    address=v["address"] or org.address,
                    liaison=org.liaison,
                    is_active=org.is_active if v["is_active"] is None else v["is_active"],
                )
            except (services.OrgRuleError, PermissionDenied) as exc:
                errors.append((row.number, str(exc)))
                continue
            if before[row.number] is not None:
                if _org_state(org) != before[row.number]:
                    result.updated += 1
                else:
                    result.unchanged += 1
        if errors:
            # Nothing half-imported: leaving the block by the exception rolls it all back.
            raise ImportRejected(errors)
    return result


# --- Templates ----------------------------------------------------------------------------------


def _template(title: str, columns: list[str], required: set[str], notes: list[str]) -> bytes:
    header = [f"{c}*" if c in required else c for c in columns]
    return table_workbook(title, header, [], preamble=[title, *notes], width=16)


def orgs_template() -> bytes:
    kinds = "、".join(OrgKind.objects.values_list("name", flat=True))
    return _template(
        _("单位导入模板"),
        ORG_COLUMNS,
        ORG_REQUIRED,
        [
            _(
                "带*的列必填；从表头下一行起每行一个单位；重复导入时按单位代码（无代码时按区划代码+名称）更新，不会重复建立。"
            ),
            _("类型可填：%(kinds)s") % {"kinds": kinds},
            _(
                "上级单位填单位代码或名称（可为本表中的单位）；受理纠纷类别用顿号分隔，如：邻里、婚姻家庭；在用填是/否。"
            ),
        ],
    )


def roster_template() -> bytes:
    return _template(
        _("调解员名册导入模板"),
        ROSTER_COLUMNS,
        ROSTER_REQUIRED,
        [
            _(
                "带*的列必填；每行为一人在一个单位的一个任职；重复导入时按身份证号更新，不会重复建立；空白的选填项保留原值。"
            ),
            _("任职单位填单位代码或名称；角色可填：%(roles)s；职务可填：%(positions)s。")
            % {
                "roles": "、".join(str(label) for _v, label in PersonRole.choices),
                "positions": "、".join(str(label) for _v, label in Position.choices),
            },
            _("性别不填时按身份证号确定；等级可填：%(grades)s；星级0至5；擅长领域用顿号分隔。")
            % {"grades": "、".join(str(label) for _v, label in MediatorGrade.choices)},
        ],
    )
