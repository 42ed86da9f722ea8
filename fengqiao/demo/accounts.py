"""The demo accounts: their logins, and the table ``manage.py demo_accounts`` prints."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.hashers import make_password

from fengqiao.accounts.choices import BuiltinRole, DataScope
from fengqiao.accounts.models import Role, RoleGrant, User
from fengqiao.accounts.services import role_grant, user_create
from fengqiao.demo.data import DEMO_PASSWORD, demo_county_exists
from fengqiao.demo.planning import DemoPlan
from fengqiao.orgs.choices import PersonRole
from fengqiao.orgs.models import Membership, Organization, Person
from fengqiao.orgs.services import person_link_user


class Place(StrEnum):
    """Where a demo account works; the planner (``plan.py``) maps each to an org of the county."""

    NONE = ""  # the three administrators (三员分立) work for no org
    COUNTY_PLATFORM = "county_platform"  # 枫溪区综治中心
    TOWNSHIP_PLATFORM = "township_platform"  # the 平安办 of township A
    VILLAGE_A = "village_a"  # the committee of township A's first village
    VILLAGE_B = "village_b"  # the committee of township B's first village
    INDUSTRY_COMMITTEE = "industry_committee"  # the county's 医疗纠纷人民调解委员会
    TRIBUNAL = "tribunal"  # the 人民法庭 serving township A
    TRIBUNAL_ROOM = "tribunal_room"  # that tribunal's 驻庭人民调解工作室
    POLICE_STATION = "police_station"  # township A's 派出所
    JUSTICE_OFFICE = "justice_office"  # township A's 司法所


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: BuiltinRole
    place: Place


# Every demo login, in the order ``manage.py demo_accounts`` prints them: ``seed_demo`` creates
# exactly these (the data scope follows from the role and the place's region, docs/demo.md).
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("sysadmin", BuiltinRole.SYSTEM_ADMIN, Place.NONE),
    DemoAccount("secadmin", BuiltinRole.SECURITY_ADMIN, Place.NONE),
    DemoAccount("auditor", BuiltinRole.AUDITOR, Place.NONE),
    DemoAccount("leader", BuiltinRole.LEADER, Place.COUNTY_PLATFORM),
    DemoAccount("dispatcher_county", BuiltinRole.DISPATCHER, Place.COUNTY_PLATFORM),
    DemoAccount("dispatcher", BuiltinRole.DISPATCHER, Place.TOWNSHIP_PLATFORM),
    DemoAccount("mediator", BuiltinRole.MEDIATOR, Place.VILLAGE_A),
    DemoAccount("mediator2", BuiltinRole.MEDIATOR, Place.VILLAGE_B),
    DemoAccount("mediator_industry", BuiltinRole.MEDIATOR, Place.INDUSTRY_COMMITTEE),
    DemoAccount("mediator_court", BuiltinRole.MEDIATOR, Place.TRIBUNAL_ROOM),
    DemoAccount("gridworker", BuiltinRole.GRID_WORKER, Place.VILLAGE_A),
    DemoAccount("clerk", BuiltinRole.COURT_CLERK, Place.TRIBUNAL),
    DemoAccount("judge", BuiltinRole.JUDGE, Place.TRIBUNAL),
    DemoAccount("police", BuiltinRole.POLICE, Place.POLICE_STATION),
    DemoAccount("justice", BuiltinRole.JUSTICE_OFFICER, Place.JUSTICE_OFFICE),
    DemoAccount("orgadmin", BuiltinRole.ORG_ADMIN, Place.COUNTY_PLATFORM),
)
DEMO_USERNAMES = [account.username for account in DEMO_ACCOUNTS]


def write_accounts(
    plan: DemoPlan, orgs: dict[str, Organization], people: dict[str, Person]
) -> None:
    roles = {r.code: r for r in Role.objects.filter(code__in=[a.role for a in plan.accounts])}
    users: dict[str, User] = {}
    for spec in plan.accounts:
        users[spec.username] = user_create(
            actor=None,
            username=spec.username,
            real_name=spec.real_name,
            password=DEMO_PASSWORD,
            must_change_password=False,
        )
    # 三员分立: the security admin grants roles. ``role_grant`` requires a User as actor, so
    # the demo security admin also records its own first grant (there is no system actor).
    granter = users["secadmin"]
    for spec in plan.accounts:
        user = users[spec.username]
        role_grant(
            actor=granter,
            user=user,
            role=roles[spec.role],
            org=orgs[spec.org] if spec.org else None,
        )
        if spec.person:
            person_link_user(actor=None, person=people[spec.person], user=user)
    write_roster_accounts(granter)


# The roster's mediators who are not demo logins: an account each, as every mediator in a county
# that records its cases on the platform has, but with no password anyone knows (no login) —
# so the simulated history's cases have a mediator of record, as a real county's do (统计分析's
# 各调解员, 评星定级 and 以案定补 read it).
ROSTER_USERNAME = "tj{:04d}"
MEDIATOR_ROLES = (PersonRole.MEDIATOR, PersonRole.INVITED_MEDIATOR)


def write_roster_accounts(granter: User) -> int:
    """An account and the 调解员 role in each of their orgs for every roster mediator without
    an account; the number of accounts made."""
    memberships = list(
        Membership.objects.filter(
            role__in=MEDIATOR_ROLES, person__user__isnull=True, ended_on__isnull=True
        )
        .select_related("person")
        .order_by("person_id", "org_id")
    )
    people: dict[int, Person] = {m.person_id: m.person for m in memberships}
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [
            User(
                username=ROSTER_USERNAME.format(n),
                real_name=person.name,
                password=unusable,
                # No password yet, so none to change.
                must_change_password=False,
            )
            for n, person in enumerate(people.values(), start=1)
        ]
    )
    by_person = dict(zip(people, users, strict=True))
    for person_id, user in by_person.items():
        people[person_id].user = user
    Person.objects.bulk_update(list(people.values()), ["user"])
    role = Role.objects.get(code=BuiltinRole.MEDIATOR)
    RoleGrant.objects.bulk_create(
        [
            RoleGrant(user=by_person[m.person_id], role=role, org_id=m.org_id, granted_by=granter)
            for m in memberships
        ],
        ignore_conflicts=True,
    )
    return len(users)


# The account table printed by ``manage.py demo_accounts``.


@dataclass(frozen=True)
class DemoAccountRow:
    role: str
    username: str
    password: str
    org: str
    scope: str


def demo_account_rows() -> list[DemoAccountRow]:
    """The demo accounts as they are now (empty without the demo county)."""
    if not demo_county_exists():
        return []
    users = {
        u.username: u
        for u in User.objects.filter(username__in=DEMO_USERNAMES).prefetch_related(
            "role_grants__role", "role_grants__org__region"
        )
    }
    rows = []
    for username in DEMO_USERNAMES:
        user = users.get(username)
        if user is None:
            continue
        # A password changed since seeding is no longer the published one.
        password = DEMO_PASSWORD if user.password_changed_at is None else "（已修改）"
        grants = sorted(user.role_grants.all(), key=lambda g: g.pk)
        if not grants:
            rows.append(DemoAccountRow("（无角色）", username, password, "—", "无"))
        for grant in grants:
            org = grant.org
            if grant.role.scope == DataScope.ALL:
                scope = "全部"
            elif org is None:
                scope = "无"
            elif grant.role.scope == DataScope.REGION:
                scope = f"{org.region.name}及下级"
            elif grant.role.scope == DataScope.ORG:
                scope = "本单位"
            else:
                scope = "本人经办"
            if grant.role.description:
                scope += f"：{grant.role.description}"
            rows.append(
                DemoAccountRow(grant.role.name, username, password, org.name if org else "—", scope)
            )
    return rows
