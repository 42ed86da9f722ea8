"""The plan of the demo county as plain data, and the planner's drawing helpers.

Everything is drawn from one ``random.Random(seed)``: no database, no iteration over sets, and
``today`` only ever scales a date offset, so the same seed gives the same county on every machine
and every day (``fengqiao/demo/plan.py`` puts the planner together).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from fengqiao.core.choices import Gender
from fengqiao.demo.data import (
    COUNTY_NAME,
    FEMALE_GIVEN,
    FEMALE_SINGLE,
    ID_PREFIX,
    MALE_GIVEN,
    MALE_SINGLE,
    PHONE_PREFIXES,
    PLACE_FIRST,
    PLACE_SECOND,
    ROAD_SUFFIXES,
    SURNAMES,
    DemoSize,
    T,
    id_check_digit,
)

# ---------------------------------------------------------------------------------------------
# The plan: plain data, built without the database.


@dataclass
class RegionPlan:
    code: str
    name: str
    population: int


@dataclass
class OrgPlan:
    key: str
    name: str
    kind: str
    region: str  # region code
    parent: str | None = None  # org key
    categories: list[str] = field(default_factory=list)
    address: str = ""
    liaison: str | None = None  # person key
    paired: list[str] = field(default_factory=list)  # org keys
    officer_count: int | None = None  # 民警人数 of a police station


@dataclass
class MembershipPlan:
    org: str
    role: str
    position: str
    full_time: bool
    started_on: date


@dataclass
class ProfilePlan:
    specialties: list[str]
    grade: str
    stars: int
    certified_on: date
    studio: str = ""
    expert_fields: list[str] = field(default_factory=list)
    grids: list[str] = field(default_factory=list)  # region codes


@dataclass
class TrainingPlan:
    held_on: date
    kind: str
    title: str
    hours: Decimal
    organizer: str | None  # org key


@dataclass
class PersonPlan:
    key: str
    name: str
    gender: str
    region: str
    id_number: str
    phone: str
    birth_year: int
    background: str
    is_party_member: bool
    volunteer_kind: str
    memberships: list[MembershipPlan] = field(default_factory=list)
    profile: ProfilePlan | None = None
    trainings: list[TrainingPlan] = field(default_factory=list)
    recusals: list[tuple[str, str]] = field(default_factory=list)  # (subject, relation)

    @property
    def home_org(self) -> str:
        return self.memberships[0].org


@dataclass(frozen=True)
class AccountPlan:
    username: str
    role: str
    real_name: str
    org: str | None
    person: str | None


@dataclass
class Plants:
    """The shortfalls planted on purpose, by organization name (shown in docs/demo.md)."""

    too_few_members: list[str] = field(default_factory=list)
    no_woman: list[str] = field(default_factory=list)
    too_many_members: list[str] = field(default_factory=list)
    short_full_time: list[str] = field(default_factory=list)
    untrained: list[str] = field(default_factory=list)  # person keys


@dataclass
class DemoPlan:
    seed: int
    regions: list[RegionPlan]
    orgs: list[OrgPlan]
    people: list[PersonPlan]
    accounts: list[AccountPlan]
    plants: Plants


@dataclass
class PlanVillage:
    code: str
    name: str
    is_community: bool
    grids: list[str]
    committee: str = ""  # org key


@dataclass
class PlanTownship:
    index: int
    code: str
    base: str
    name: str
    villages: list[PlanVillage]


class PlannerBase:
    def __init__(self, *, seed: int, today: date, size: DemoSize) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.today = today
        self.size = size
        self.regions: list[RegionPlan] = []
        self.orgs: dict[str, OrgPlan] = {}
        self.people: list[PersonPlan] = []
        self.accounts: list[AccountPlan] = []
        self.plants = Plants()
        self.townships: list[PlanTownship] = []
        # Membership tests only; never iterated, so hash order cannot leak into the result.
        self._names: set[str] = {COUNTY_NAME[:2]}
        self._person_names: set[str] = set()
        self._ids: set[str] = set()
        self._phones: set[str] = set()
        self._id_seq = 0
        # Who gets a demo login: account username → person key.
        self.account_people: dict[str, str] = {}

    # -- drawing helpers ----------------------------------------------------------------------

    def pick(self, weighted: Sequence[tuple[T, int]]) -> T:
        values = [v for v, _w in weighted]
        return self.rng.choices(values, weights=[w for _v, w in weighted])[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=low + int(self.rng.random() * (high - low)))

    def in_year(self, year: int) -> date:
        """A date in ``year`` that is not after today (one draw whatever today is)."""
        start = date(year, 1, 1)
        end = min(date(year, 12, 31), self.today)
        span = max((end - start).days, 0)
        return start + timedelta(days=int(self.rng.random() * (span + 1)))

    def person_name(self, gender: str) -> str:
        female = gender == Gender.FEMALE
        while True:
            # Skewed towards the common surnames at the head of the list.
            surname = SURNAMES[int(len(SURNAMES) * self.rng.random() ** 1.6)]
            if self.chance(0.75):
                given = self.rng.choice(FEMALE_GIVEN if female else MALE_GIVEN)
            else:
                given = self.rng.choice(FEMALE_SINGLE if female else MALE_SINGLE)
            name = surname + given
            if surname not in given and name not in self._person_names:
                self._person_names.add(name)
                return name

    def place_names(self, count: int) -> list[str]:
        pool = [a + b for a in PLACE_FIRST for b in PLACE_SECOND if a + b not in self._names]
        names = self.rng.sample(pool, count)
        self._names.update(names)
        return names

    def address(self, township: str) -> str:
        road = self.rng.choice(PLACE_FIRST) + self.rng.choice(PLACE_SECOND)
        suffix, number = self.rng.choice(ROAD_SUFFIXES), self.rng.randint(1, 299)
        return f"{COUNTY_NAME}{township}{road}{suffix}{number}号"

    def id_number(self, born: date, gender: str) -> str:
        while True:
            self._id_seq += 1
            # 顺序码: odd for men, even for women.
            order = (self._id_seq * 2 + (1 if gender == Gender.MALE else 0)) % 1000
            body = f"{ID_PREFIX}{born:%Y%m%d}{order:03d}"
            number = body + id_check_digit(body)
            if number not in self._ids:
                self._ids.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self._phones:
                self._phones.add(number)
                return number


def township_key(org_key: str) -> str:
    """``"t3"`` for the org keys of township 3 (``"t3.committee"``, ``"t3.v07"``), else ``""``."""
    head = org_key.split(".", 1)[0]
    return head if head[:1] == "t" and head[1:].isdigit() else ""
