"""XLSX import of the roster: people, their posts and mediator files (see ``orgs.imports`` for
the rules every import follows: all rows or none, each bad row reported, re-import updates)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.core.choices import DisputeCategory, Gender
from fengqiao.core.crypto import lookup_hash
from fengqiao.core.validators import (
    normalize_code,
    normalize_phone,
    validate_date_range,
    validate_id_number,
    validate_mobile,
)
from fengqiao.core.xlsx import as_text
from fengqiao.orgs import services
from fengqiao.orgs.choices import Background, MediatorGrade, PersonRole, Position, VolunteerKind
from fengqiao.orgs.imports import (
    LIST_SEPARATORS,
    ROSTER_COLUMNS,
    ROSTER_REQUIRED,
    ImportRejected,
    ImportResult,
    RowInput,
    check_cell,
    choice_cell,
    choices_by_label,
    read_rows,
    refuse_if_errors,
    region_cell,
    regions_by_code,
    start_row,
    text_cell,
    yes_no_cell,
)
from fengqiao.orgs.models import MediatorProfile, Membership, Organization, Person
from fengqiao.orgs.selectors import can_manage_region


def _gender_from_id(id_number: str) -> str:
    # GB 11643-1999: the 17th character is odd for men, even for women.
    return Gender.MALE if int(id_number[16]) % 2 else Gender.FEMALE


def _date(row: RowInput, column: str, raw: Any) -> date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, datetime):
        raw = raw.date()
    if not isinstance(raw, date):
        text = as_text(raw).replace("/", "-").replace(".", "-")
        try:
            raw = date.fromisoformat(text)
        except ValueError:
            row.errors.append(_("“%(column)s”应为日期，如2026-01-31。") % {"column": column})
            return None
    check_cell(row, column, validate_date_range, raw)
    return raw


def _orgs_by_key(keys: Iterable[str]) -> dict[str, list[Organization]]:
    keys = {k for k in keys if k}
    found: dict[str, list[Organization]] = {}
    for org in Organization.objects.filter(code__in=keys).select_related("region"):
        found.setdefault(org.code, []).append(org)
    for org in Organization.objects.filter(name__in=keys).select_related("region"):
        found.setdefault(org.name, []).append(org)
    return found


def roster_import(*, actor: Any, upload: IO[bytes]) -> ImportResult:
    """Import people with their posts and mediator files (all rows or none)."""
    sheet = read_rows(upload, ROSTER_COLUMNS)
    orgs = _orgs_by_key(as_text(r.values["任职单位"]) for r in sheet)
    regions = regions_by_code(as_text(r.values["所属区划代码"]) for r in sheet)
    roles = choices_by_label(PersonRole.choices)
    positions = choices_by_label(Position.choices)
    backgrounds = choices_by_label(Background.choices)
    volunteers = choices_by_label([c for c in VolunteerKind.choices if c[0]])
    grades = choices_by_label(MediatorGrade.choices)
    genders = choices_by_label(Gender.choices)
    categories = choices_by_label(DisputeCategory.choices)
    rows: list[RowInput] = []
    seen: dict[tuple[str, int, str], int] = {}
    for sheet_row in sheet:
        row = start_row(sheet_row, ROSTER_REQUIRED)
        v = sheet_row.values
        id_number = normalize_code(as_text(v["身份证号"]))
        if id_number:
            check_cell(row, "身份证号", validate_id_number, id_number)
        phone = normalize_phone(as_text(v["手机号"]))
        if phone:
            check_cell(row, "手机号", validate_mobile, phone)
        org_key = as_text(v["任职单位"])
        matches = orgs.get(org_key, [])
        org = matches[0] if len(matches) == 1 else None
        if org_key and not matches:
            row.errors.append(
                _("任职单位“%(name)s”未找到，请先导入或建立该单位。") % {"name": org_key}
            )
        elif len(matches) > 1:
            row.errors.append(_("任职单位“%(name)s”有重名，请填写单位代码。") % {"name": org_key})
        elif org is not None and actor is not None and not can_manage_region(actor, org.region):
            row.errors.append(_("您无权管理“%(name)s”的人员。") % {"name": org.name})
        region_code = normalize_code(as_text(v["所属区划代码"]))
        region = (
            region_cell(row, actor, regions, "所属区划代码", region_code)
            if region_code
            else getattr(org, "region", None)
        )
        role = choice_cell(row, "角色", as_text(v["角色"]), roles, default="")
        stars_text = as_text(v["星级"])
        stars = None
        if stars_text:
            if stars_text.isdigit() and 0 <= int(stars_text) <= 5:
                stars = int(stars_text)
            else:
                row.errors.append(_("“星级”应为0至5的整数。"))
        specialties = []
        for part in LIST_SEPARATORS.split(as_text(v["擅长领域"])):
            if part:
                value = choice_cell(row, "擅长领域", part, categories, default=None)
                if value:
                    specialties.append(value)
        gender_text = as_text(v["性别"])
        gender = choice_cell(row, "性别", gender_text, genders, default=None)
        if id_number and not row.errors and gender is None:
            gender = _gender_from_id(id_number)
        if id_number and org is not None and role:
            key = (id_number, org.pk, role)
            if key in seen:
                row.errors.append(
                    _("与第%(n)d行重复（同一人同一单位同一角色）。") % {"n": seen[key]}
                )
            seen[key] = row.number
        row.values = {
            "id_number": id_number,
            "name": text_cell(row, "姓名", v["姓名"], 50),
            "gender": gender,
            "phone": phone,
            "region": region,
            "background": choice_cell(row, "背景", as_text(v["背景"]), backgrounds, default=None),
            "is_party_member": yes_no_cell(row, "党员", as_text(v["党员"])),
            "volunteer_kind": choice_cell(
                row, "志愿者类别", as_text(v["志愿者类别"]), volunteers, default=None
            ),
            "org": org,
            "role": role,
            "position": choice_cell(row, "职务", as_text(v["职务"]), positions, default=None),
            "is_full_time": yes_no_cell(row, "专职", as_text(v["专职"])),
            "started_on": _date(row, "任职日期", v["任职日期"]),
            "grade": choice_cell(row, "等级", as_text(v["等级"]), grades, default=None),
            "stars": stars,
            "specialties": specialties,
            "studio_name": text_cell(row, "个人调解工作室", v["个人调解工作室"], 100),
        }
        rows.append(row)
    refuse_if_errors(rows)
    return _write_roster(actor, rows)


def _person_state(person: Person) -> tuple[Any, ...]:
    return (
        person.name,
        person.gender,
        person.region_id,
        person.phone,
        person.background,
        person.is_party_member,
        person.volunteer_kind,
    )


def _write_roster(actor: Any, rows: list[RowInput]) -> ImportResult:
    result = ImportResult(rows=len(rows))
    errors: list[tuple[int | None, str]] = []
    with transaction.atomic():
        for row in rows:
            try:
                outcome = _write_person(actor, row.values)
            except (services.OrgRuleError, PermissionDenied) as exc:
                errors.append((row.number, str(exc)))
                continue
            if outcome == "created":
                result.created += 1
            elif outcome == "updated":
                result.updated += 1
            else:
                result.unchanged += 1
        if errors:
            raise ImportRejected(errors)
    return result


def _write_person(actor: Any, v: dict[str, Any]) -> str:
    """Create or update one person, their post and their file; says which happened."""
    person = Person.objects.filter(id_number_hash=lookup_hash(v["id_number"])).first()
    outcome = "unchanged"
    if person is None:
        person = services.person_create(
            actor=actor,
            name=v["name"],
            gender=v["gender"],
            region=v["region"],
            id_number=v["id_number"],
            phone=v["phone"],
            birth_year=int(v["id_number"][6:10]),
            background=v["background"] or Background.OTHER,
            is_party_member=bool(v["is_party_member"]),
            volunteer_kind=v["volunteer_kind"] or VolunteerKind.NONE,
        )
        outcome = "created"
    else:
        state = _person_state(person)
        person = services.person_update(
            actor=actor,
            person=person,
            name=v["name"],
            gender=v["gender"],
            region=v["region"] or person.region,
            birth_year=int(v["id_number"][6:10]),
            background=v["background"] or person.background,
            is_party_member=(
                person.is_party_member if v["is_party_member"] is None else v["is_party_member"]
            ),
            volunteer_kind=(
                person.volunteer_kind if v["volunteer_kind"] is None else v["volunteer_kind"]
            ),
            phone=v["phone"] or None,
        )
        if _person_state(person) != state:
            outcome = "updated"
    membership = Membership.objects.filter(
        person=person, org=v["org"], role=v["role"], ended_on__isnull=True
    ).first()
    if membership is None:
        services.membership_add(
            actor=actor,
            person=person,
            org=v["org"],
            role=v["role"],
            position=v["position"] or Position.MEMBER,
            is_full_time=bool(v["is_full_time"]),
            started_on=v["started_on"],
        )
        outcome = "updated" if outcome == "unchanged" else outcome
    else:
        position = v["position"] or membership.position
        full_time = membership.is_full_time if v["is_full_time"] is None else v["is_full_time"]
        if (position, full_time) != (membership.position, membership.is_full_time):
            services.membership_update(
                actor=actor, membership=membership, position=position, is_full_time=full_time
            )
            outcome = "updated" if outcome == "unchanged" else outcome
    if _profile_given(v) and _profile_set(actor, person, v):
        outcome = "updated" if outcome == "unchanged" else outcome
    return outcome


def _profile_given(v: dict[str, Any]) -> bool:
    return bool(v["grade"] or v["stars"] is not None or v["specialties"] or v["studio_name"])


def _profile_set(actor: Any, person: Person, v: dict[str, Any]) -> bool:
    """Set the mediator file from the row (blank cells keep what is recorded); says whether
    anything changed."""
    profile = MediatorProfile.objects.filter(person=person).first()
    current: dict[str, Any] = {
        "grade": profile.grade if profile else MediatorGrade.UNGRADED,
        "stars": profile.stars if profile else 0,
        "studio_name": profile.studio_name if profile else "",
        "specialties": sorted(profile.specialties.values_list("category", flat=True))
        if profile
        else [],
    }
    wanted: dict[str, Any] = {
        "grade": v["grade"] or current["grade"],
        "stars": current["stars"] if v["stars"] is None else v["stars"],
        "studio_name": v["studio_name"] or current["studio_name"],
        "specialties": sorted(set(v["specialties"])) or current["specialties"],
    }
    if profile is not None and wanted == current:
        return False
    services.mediator_profile_set(
        actor=actor,
        person=person,
        expert_fields=profile.expert_fields if profile else (),
        certified_on=profile.certified_on if profile else None,
        **wanted,
    )
    return True
