"""The demo accounts: their logins, and the table ``manage.py demo_accounts`` prints."""

from __future__ import annotations

from dataclasses import dataclass

from fengqiao.accounts.choices import DataScope
from fengqiao.accounts.models import Role, User
from fengqiao.accounts.services import role_grant, user_create
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.demo.data import DEMO_PASSWORD, demo_county_exists
from fengqiao.demo.planning import DemoPlan
from fengqiao.orgs.models import Organization, Person

# Linking a login to a person has no service in fengqiao/orgs/services.py yet; it is audited
# here the way a service would be.


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
            person = people[spec.person]
            person.user = user
            person.save(update_fields=["user"])
            audit_record(
                actor=None,
                event_type=EventType.PERSON_UPDATED,
                obj=person,
                after={"user": user.username},
            )


# The account table printed by ``manage.py demo_accounts``.

DEMO_USERNAMES = [
    "sysadmin",
    "secadmin",
    "auditor",
    "leader",
    "dispatcher",
    "mediator",
    "mediator2",
    "gridworker",
    "clerk",
    "judge",
    "police",
    "justice",
]


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
