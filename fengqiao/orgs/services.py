"""Every write to organizations and people. Each is audited in the same transaction.

A user acting (``actor`` a User) needs ``orgs.manage_orgs`` over the region concerned — the org's
region, or for a person, their region or an org they serve in; ``actor=None`` is the system (a
management command, the demo seed). Rules a page cannot see are refused with ``OrgRuleError``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.crypto import lookup_hash
from fengqiao.orgs.choices import Background, MediatorGrade, Position, TrainingKind
from fengqiao.orgs.models import (
    OFFICER_COUNT_MAX,
    MediatorProfile,
    MediatorSpecialty,
    Membership,
    Organization,
    OrgCategory,
    OrgKind,
    Person,
    RecusalDeclaration,
    TrainingRecord,
)
from fengqiao.orgs.selectors import can_manage_region, manageable_people
from fengqiao.regions.models import Region


class OrgRuleError(Exception):
    """A rule refused the change; the message is shown to the user as is."""


def _require_region(actor: Any, region: Region) -> None:
    if actor is None:
        return
    if not can_manage_region(actor, region):
        raise PermissionDenied(_("您无权管理“%(region)s”的单位和人员。") % {"region": region.name})


def _require_person(actor: Any, person: Person) -> None:
    if actor is None:
        return
    if not manageable_people(actor).filter(pk=person.pk).exists():
        raise PermissionDenied(_("您无权管理“%(name)s”的档案。") % {"name": person.name})


def _check_parent(org: Organization | None, parent: Organization | None) -> None:
    """The parent exists above the org: never itself or one of its own descendants."""
    seen = set()
    node = parent
    while node is not None:
        if org is not None and node.pk == org.pk:
            raise OrgRuleError(_("上级单位不能是本单位或其下级单位。"))
        if node.pk in seen:
            break
        seen.add(node.pk)
        node = node.parent


def _check_id_number_free(id_number: str, person: Person | None = None) -> None:
    """One person per 身份证号: the roster import and the pages find people by it."""
    if not id_number:
        return
    other = Person.objects.filter(id_number_hash=lookup_hash(id_number))
    if person is not None:
        other = other.exclude(pk=person.pk)
    found = other.first()
    if found is not None:
        raise OrgRuleError(
            _("该身份证号已登记为人员“%(name)s”，请在其档案中修改。") % {"name": found.name}
        )


def _unique_error(exc: IntegrityError) -> OrgRuleError:
    if "code" in str(exc):
        return OrgRuleError(_("单位代码已被其他单位使用。"))
    return OrgRuleError(_("该区划下已有同名单位。"))


def org_create(
    *,
    actor: Any,
    name: str,
    kind: OrgKind,
    region: Region,
    parent: Organization | None = None,
    categories: Iterable[str] = (),
    address: str = "",
    code: str = "",
) -> Organization:
    _require_region(actor, region)
    _check_parent(None, parent)
    try:
        with transaction.atomic():
            org = Organization.objects.create(
                name=name, code=code, kind=kind, region=region, parent=parent, address=address
            )
            cats = sorted(set(categories))
            OrgCategory.objects.bulk_create([OrgCategory(org=org, category=c) for c in cats])
            audit_record(
                actor=actor,
                event_type=EventType.ORG_CREATED,
                obj=org,
                after={
                    "name": name,
                    "code": code,
                    "kind": kind.code,
                    "region": region.code,
                    "parent": parent.pk if parent else None,
                    "categories": cats,
                },
            )
    except IntegrityError as exc:
        raise _unique_error(exc) from None
    return org


def _org_state(org: Organization) -> dict[str, Any]:
    return {
        "name": org.name,
        "code": org.code,
        "kind": org.kind.code,
        "region": org.region.code,
        "parent": org.parent_id,
        "address": org.address,
        "liaison": org.liaison_id,
        "is_active": org.is_active,
        "categories": sorted(org.categories.values_list("category", flat=True)),
    }


def org_update(
    *,
    actor: Any,
    org: Organization,
    name: str,
    kind: OrgKind,
    region: Region,
    parent: Organization | None,
    categories: Iterable[str],
    address: str = "",
    code: str = "",
    liaison: Person | None = None,
    is_active: bool = True,
) -> Organization:
    """Change an org; moving it to another region needs the right over both regions."""
    _require_region(actor, org.region)
    _require_region(actor, region)
    if (
        liaison is not None
        and not liaison.memberships.filter(org=org, ended_on__isnull=True).exists()
    ):
        raise OrgRuleError(_("联络员须为本单位在职人员，请先为其登记任职。"))
    try:
        with transaction.atomic():
            org = (
                Organization.objects.select_for_update()
                .select_related("kind", "region")
                .get(pk=org.pk)
            )
            _check_parent(org, parent)
            before = _org_state(org)
            org.name, org.code, org.kind, org.region = name, code, kind, region
            org.parent, org.address, org.liaison = parent, address, liaison
            org.is_active = is_active
            org.save()
            cats = sorted(set(categories))
            if cats != before["categories"]:
                org.categories.all().delete()
                OrgCategory.objects.bulk_create([OrgCategory(org=org, category=c) for c in cats])
            after = _org_state(org)
            if after == before:
                return org
            changed = [k for k in after if after[k] != before[k]]
            audit_record(
                actor=actor,
                event_type=EventType.ORG_UPDATED,
                obj=org,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
            )
    except IntegrityError as exc:
        raise _unique_error(exc) from None
    return org


def org_set_categories(*, actor: Any, org: Organization, categories: Iterable[str]) -> None:
    _require_region(actor, org.region)
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        before = sorted(org.categories.values_list("category", flat=True))
        after = sorted(set(categories))
        if before == after:
            return
        org.categories.all().delete()
        OrgCategory.objects.bulk_create([OrgCategory(org=org, category=c) for c in after])
        audit_record(
            actor=actor,
            event_type=EventType.ORG_UPDATED,
            obj=org,
            before={"categories": before},
            after={"categories": after},
        )


def person_create(
    *,
    actor: Any,
    name: str,
    gender: str,
    region: Region,
    id_number: str = "",
    phone: str = "",
    birth_year: int | None = None,
    background: str = Background.OTHER,
    is_party_member: bool = False,
    volunteer_kind: str = "",
) -> Person:
    _require_region(actor, region)
    _check_id_number_free(id_number)
    with transaction.atomic():
        person = Person.objects.create(
            name=name,
            gender=gender,
            region=region,
            id_number=id_number,
            phone=phone,
            birth_year=birth_year,
            background=background,
            is_party_member=is_party_member,
            volunteer_kind=volunteer_kind,
        )
        # Personal data is never written into the audit log, only the fact it was recorded.
        audit_record(
            actor=actor,
            event_type=EventType.PERSON_CREATED,
            obj=person,
            after={
                "name": name,
                "region": region.code,
                "has_id_number": bool(id_number),
                "has_phone": bool(phone),
            },
        )
    return person


def membership_add(
    *,
    actor: Any,
    person: Person,
    org: Organization,
    role: str,
    position: str = Position.MEMBER,
    is_full_time: bool = False,
    started_on: date | None = None,
) -> Membership:
    _require_region(actor, org.region)
    with transaction.atomic():
        existing = Membership.objects.filter(
            person=person, org=org, role=role, ended_on__isnull=True
        ).first()
        if existing is not None:
            return existing
        membership = Membership.objects.create(
            person=person,
            org=org,
            role=role,
            position=position,
            is_full_time=is_full_time,
            started_on=started_on or timezone.localdate(),
        )
        audit_record(
            actor=actor,
            event_type=EventType.MEMBERSHIP_ADDED,
            obj=person,
            after={"org": org.pk, "role": role, "position": position, "full_time": is_full_time},
        )
    return membership


def membership_end(
    *, actor: Any, membership: Membership, ended_on: date | None = None
) -> Membership:
    _require_region(actor, membership.org.region)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.ended_on is not None:
            return membership
        ended_on = ended_on or timezone.localdate()
        if ended_on < membership.started_on:
            raise OrgRuleError(_("离任日期不能早于任职日期。"))
        membership.ended_on = ended_on
        membership.save(update_fields=["ended_on"])
        audit_record(
            actor=actor,
            event_type=EventType.MEMBERSHIP_ENDED,
            obj=membership.person,
            before={"org": membership.org_id, "role": membership.role},
        )
    return membership


def mediator_profile_set(
    *,
    actor: Any,
    person: Person,
    specialties: Iterable[str] = (),
    grade: str = MediatorGrade.UNGRADED,
    stars: int = 0,
    studio_name: str = "",
    expert_fields: Iterable[str] = (),
    certified_on: date | None = None,
) -> MediatorProfile:
    if not 0 <= stars <= 5:
        raise OrgRuleError(_("星级应为0至5。"))
    _require_person(actor, person)
    with transaction.atomic():
        profile, _created = MediatorProfile.objects.update_or_create(
            person=person,
            defaults={
                "grade": grade,
                "stars": stars,
                "studio_name": studio_name,
                "expert_fields": sorted(set(expert_fields)),
                "certified_on": certified_on,
            },
        )
        cats = sorted(set(specialties))
        profile.specialties.exclude(category__in=cats).delete()
        have = set(profile.specialties.values_list("category", flat=True))
        MediatorSpecialty.objects.bulk_create(
            [MediatorSpecialty(profile=profile, category=c) for c in cats if c not in have]
        )
        audit_record(
            actor=actor,
            event_type=EventType.PERSON_UPDATED,
            obj=person,
            after={"grade": grade, "stars": stars, "specialties": cats, "studio": studio_name},
        )
    return profile


def training_record(
    *,
    actor: Any,
    person: Person,
    held_on: date,
    kind: str = TrainingKind.PRACTICAL,
    title: str,
    hours: Decimal | int = 0,
    organizer: Organization | None = None,
) -> TrainingRecord:
    _require_person(actor, person)
    with transaction.atomic():
        record = TrainingRecord.objects.create(
            person=person, held_on=held_on, kind=kind, title=title, hours=hours, organizer=organizer
        )
        audit_record(
            actor=actor,
            event_type=EventType.TRAINING_RECORDED,
            obj=person,
            after={"held_on": held_on.isoformat(), "kind": kind, "title": title},
        )
    return record


def recusal_declare(
    *, actor: Any, person: Person, subject_name: str, relation: str, note: str = ""
) -> RecusalDeclaration:
    _require_person(actor, person)
    with transaction.atomic():
        declaration = RecusalDeclaration.objects.create(
            person=person, subject_name=subject_name, relation=relation, note=note
        )
        audit_record(
            actor=actor,
            event_type=EventType.RECUSAL_DECLARED,
            obj=person,
            after={"subject": subject_name, "relation": relation},
        )
    return declaration


def person_update(
    *,
    actor: Any,
    person: Person,
    name: str,
    gender: str,
    region: Region,
    birth_year: int | None = None,
    background: str = Background.OTHER,
    is_party_member: bool = False,
    volunteer_kind: str = "",
    id_number: str | None = None,
    phone: str | None = None,
) -> Person:
    """Change a person's file; ``id_number`` / ``phone`` None keeps what is recorded (the edit
    page never shows them in full)."""
    _require_person(actor, person)
    _require_region(actor, region)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        fields = {
            "name": name,
            "gender": gender,
            "region_id": region.pk,
            "birth_year": birth_year,
            "background": background,
            "is_party_member": is_party_member,
            "volunteer_kind": volunteer_kind,
        }
        before = {k: getattr(person, k) for k in fields}
        changed = [k for k, value in fields.items() if before[k] != value]
        for k in changed:
            setattr(person, k, fields[k])
        # Personal data is never written into the audit log, only that it changed.
        secret_changed = []
        if id_number is not None and id_number != person.id_number:
            _check_id_number_free(id_number, person)
            person.id_number = id_number
            secret_changed.append("id_number")
        if phone is not None and phone != person.phone:
            person.phone = phone
            secret_changed.append("phone")
        if not changed and not secret_changed:
            return person
        person.save()
        audit_record(
            actor=actor,
            event_type=EventType.PERSON_UPDATED,
            obj=person,
            before={k: before[k] for k in changed},
            after={**{k: fields[k] for k in changed}, "changed_personal_data": secret_changed},
        )
    return person


def membership_update(
    *, actor: Any, membership: Membership, position: str, is_full_time: bool
) -> Membership:
    """Change a current post's position (主任, 委员…) or full-/part-time status."""
    _require_region(actor, membership.org.region)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.ended_on is not None:
            raise OrgRuleError(_("该任职已结束，不能修改。"))
        before = {"position": membership.position, "full_time": membership.is_full_time}
        after = {"position": position, "full_time": is_full_time}
        if before == after:
            return membership
        membership.position, membership.is_full_time = position, is_full_time
        membership.save(update_fields=["position", "is_full_time"])
        audit_record(
            actor=actor,
            event_type=EventType.PERSON_UPDATED,
            obj=membership.person,
            before={"org": membership.org_id, "role": membership.role, **before},
            after={"org": membership.org_id, "role": membership.role, **after},
        )
    return membership


def person_link_user(*, actor: Any, person: Person, user: Any | None) -> Person:
    """Link a person on the roster to their login (or unlink with ``user=None``): the person's
    posts then decide what the login's own pages show (我的任职, a mediator's cases)."""
    _require_person(actor, person)
    with transaction.atomic():
        # Only the person row is locked (PostgreSQL refuses FOR UPDATE on an outer join).
        person = (
            Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
        )
        if (person.user_id or None) == (getattr(user, "pk", None)):
            return person
        if user is not None:
            other = Person.objects.filter(user=user).exclude(pk=person.pk).first()
            if other is not None:
                raise OrgRuleError(
                    _("账户“%(user)s”已关联人员“%(name)s”。")
                    % {"user": user.username, "name": other.name}
                )
        before = person.user.username if person.user else None
        person.user = user
        person.save(update_fields=["user"])
        audit_record(
            actor=actor,
            event_type=EventType.PERSON_UPDATED,
            obj=person,
            before={"user": before},
            after={"user": user.username if user else None},
        )
    return person


def mediator_set_grids(*, actor: Any, person: Person, grids: Iterable[Region]) -> None:
    """包联网格 — the grids a mediator looks after (the file is created if missing)."""
    _require_person(actor, person)
    grids = sorted(set(grids), key=lambda g: g.path)
    for grid in grids:
        _require_region(actor, grid)
    with transaction.atomic():
        profile, _created = MediatorProfile.objects.get_or_create(person=person)
        before = sorted(profile.grids.values_list("code", flat=True))
        after = [g.code for g in grids]
        if before == sorted(after):
            return
        profile.grids.set(grids)
        audit_record(
            actor=actor,
            event_type=EventType.PERSON_UPDATED,
            obj=person,
            before={"grids": before},
            after={"grids": after},
        )


def org_set_officer_count(*, actor: Any, org: Organization, officer_count: int | None) -> None:
    """民警人数 of an org (a 派出所): 0 to ``OFFICER_COUNT_MAX``, or ``None`` (not recorded)."""
    if officer_count is not None and not 0 <= officer_count <= OFFICER_COUNT_MAX:
        raise OrgRuleError(_("民警人数应在0至%(n)d之间。") % {"n": OFFICER_COUNT_MAX})
    _require_region(actor, org.region)
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=org.pk)
        before = locked.officer_count
        if before == officer_count:
            return
        locked.officer_count = officer_count
        locked.save(update_fields=["officer_count"])
        audit_record(
            actor=actor,
            event_type=EventType.ORG_UPDATED,
            obj=locked,
            before={"officer_count": before},
            after={"officer_count": officer_count},
        )


def org_set_pairs(*, actor: Any, org: Organization, paired: Iterable[Organization]) -> None:
    """结对单位 — e.g. a 人民法庭 and the villages whose committees it guides (symmetric)."""
    _require_region(actor, org.region)
    paired = [p for p in set(paired) if p.pk != org.pk]
    with transaction.atomic():
        before = sorted(org.paired_orgs.values_list("pk", flat=True))
        after = sorted(p.pk for p in paired)
        if before == after:
            return
        org.paired_orgs.set(paired)
        audit_record(
            actor=actor,
            event_type=EventType.ORG_UPDATED,
            obj=org,
            before={"paired_orgs": before},
            after={"paired_orgs": after},
        )
