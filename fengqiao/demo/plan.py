"""The demo county's plan: regions, organizations, people and accounts, before the database."""

from __future__ import annotations

from datetime import date

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.demo.accounts import DEMO_ACCOUNTS, Place
from fengqiao.demo.data import DEFAULT_SEED, FULL_COUNTY, DemoSize
from fengqiao.demo.people import PeoplePlanner
from fengqiao.demo.planning import AccountPlan, DemoPlan


class Planner(PeoplePlanner):
    # -- accounts -----------------------------------------------------------------------------

    def plan(self) -> DemoPlan:
        self.plan_regions()
        self.plan_county_orgs()
        self.plan_township_orgs()
        # The demo village mediators work in two villages of two different townships (not 街道),
        # the township dispatcher, judge, court-room mediator, police and justice accounts in the
        # first of those townships.
        rural = [t for t in self.townships if not t.name.endswith("街道")]
        town_a, town_b = rural[0], rural[1]
        self.plan_county_people()
        self.plan_township_people((town_a.index, town_b.index))
        self.plan_village_people((town_a.villages[0], town_b.villages[0]))
        self.plan_training()
        self.plan_recusals()
        a = f"t{town_a.index}"
        tribunal = f"t{town_a.index - town_a.index % 2}.tribunal"
        # Where each account of DEMO_ACCOUNTS works (an org key of this plan).
        places: dict[str, str | None] = {
            Place.NONE: None,
            Place.COUNTY_PLATFORM: "platform",
            Place.TOWNSHIP_PLATFORM: f"{a}.platform",
            Place.VILLAGE_A: town_a.villages[0].committee,
            Place.VILLAGE_B: town_b.villages[0].committee,
            Place.INDUSTRY_COMMITTEE: "industry.medical",
            Place.TRIBUNAL: tribunal,
            Place.TRIBUNAL_ROOM: f"{tribunal}.room",
            Place.POLICE_STATION: f"{a}.police",
            Place.JUSTICE_OFFICE: f"{a}.justice",
        }
        grants = [(acc.username, acc.role, places[acc.place]) for acc in DEMO_ACCOUNTS]
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
