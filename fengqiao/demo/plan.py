"""The demo county's plan: regions, organizations, people and accounts, before the database."""

from __future__ import annotations

from datetime import date

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.demo.data import DEFAULT_SEED, FULL_COUNTY, DemoSize
from fengqiao.demo.people import PeoplePlanner
from fengqiao.demo.planning import AccountPlan, DemoPlan


class Planner(PeoplePlanner):
    # -- accounts -----------------------------------------------------------------------------

    def plan(self) -> DemoPlan:
        self.plan_regions()
        self.plan_county_orgs()
        self.plan_township_orgs()
        # The demo mediators work in two villages of two different townships (not 街道), the
        # dispatcher, judge, police and justice accounts in the first of those townships.
        rural = [t for t in self.townships if not t.name.endswith("街道")]
        town_a, town_b = rural[0], rural[1]
        self.plan_county_people()
        self.plan_township_people((town_a.index, town_b.index))
        self.plan_village_people((town_a.villages[0], town_b.villages[0]))
        self.plan_training()
        self.plan_recusals()
        a = f"t{town_a.index}"
        tribunal = f"t{town_a.index - town_a.index % 2}.tribunal"
        grants: list[tuple[str, str, str | None]] = [
            ("sysadmin", BuiltinRole.SYSTEM_ADMIN, None),
            ("secadmin", BuiltinRole.SECURITY_ADMIN, None),
            ("auditor", BuiltinRole.AUDITOR, None),
            ("leader", BuiltinRole.LEADER, "platform"),
            ("dispatcher", BuiltinRole.DISPATCHER, f"{a}.platform"),
            ("mediator", BuiltinRole.MEDIATOR, town_a.villages[0].committee),
            ("mediator2", BuiltinRole.MEDIATOR, town_b.villages[0].committee),
            ("gridworker", BuiltinRole.GRID_WORKER, town_a.villages[0].committee),
            ("clerk", BuiltinRole.COURT_CLERK, tribunal),
            ("judge", BuiltinRole.JUDGE, tribunal),
            ("police", BuiltinRole.POLICE, f"{a}.police"),
            ("justice", BuiltinRole.JUSTICE_OFFICER, f"{a}.justice"),
        ]
        names = {p.key: p.name for p in self.people}
        for username, role, org in grants:
            person = self.account_people.get(username)
            real_name = names[person] if person else f"演示{BuiltinRole(role).label}"
            self.accounts.append(AccountPlan(username, role, real_name, org, person))
        return DemoPlan(
            seed=self.seed,
            regions=self.regions,
            orgs=list(self.orgs.values()),
            people=self.people,
            accounts=self.accounts,
            plants=self.plants,
        )


def demo_plan(*, seed: int = DEFAULT_SEED, today: date, size: DemoSize = FULL_COUNTY) -> DemoPlan:
    """Everything the demo county will contain, drawn from ``random.Random(seed)``."""
    return Planner(seed=seed, today=today, size=size).plan()
