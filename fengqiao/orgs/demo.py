"""演示数据 — a deterministic fictional county, 示范省示范市枫溪区, for trying the platform.

Two phases. :func:`demo_plan` draws every name, code, number and date from one
``random.Random(seed)`` into plain dataclasses: no database, no iteration over sets, and ``today``
only ever scales a date offset (never how many numbers are drawn), so the same seed gives the
same county, people, ID numbers and accounts on every machine and every day. :func:`demo_seed`
then writes the plan through the services in one transaction.

Every place and person is invented from syllable lists; region codes start with 99, which no real
province uses, and ID numbers carry the fictional prefix 990102. Some organizations are
deliberately left short of the staffing and composition rules so that the 队伍建设 reports
(``fengqiao/orgs/reports.py``) have something to show — see ``docs/demo.md``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from django.db import transaction

from fengqiao.accounts.choices import BuiltinRole, DataScope
from fengqiao.accounts.models import Role, User
from fengqiao.accounts.services import role_grant, user_create
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.choices import DisputeCategory as Cat
from fengqiao.core.choices import Gender
from fengqiao.orgs.choices import (
    Background,
    ExpertField,
    MediatorGrade,
    PersonRole,
    Position,
    TrainingKind,
    VolunteerKind,
)
from fengqiao.orgs.models import MediatorProfile, Organization, OrgKind, Person
from fengqiao.orgs.services import (
    mediator_profile_set,
    membership_add,
    org_create,
    person_create,
    recusal_declare,
    training_record,
)
from fengqiao.regions.models import Region
from fengqiao.regions.services import (
    RegionRow,
    implied_parent_code,
    level_of_code,
    regions_import,
)

T = TypeVar("T")

DEFAULT_SEED = 2026
# One password for every demo account, shown by ``manage.py demo_accounts``. It passes the
# validators of settings.AUTH_PASSWORD_VALIDATORS (length ≥10, three character classes).
DEMO_PASSWORD = "Fengqiao@2026"  # noqa: S105 — published demo credential, by design

PROVINCE_CODE, PROVINCE_NAME = "990000000000", "示范省"
CITY_CODE, CITY_NAME = "990100000000", "示范市"
COUNTY_CODE, COUNTY_NAME = "990102000000", "枫溪区"
ID_PREFIX = COUNTY_CODE[:6]


@dataclass(frozen=True)
class DemoSize:
    """How big a county to build; the default is the full demo, tests use a smaller one."""

    townships: int = 8
    villages_per_township: int = 10
    grids_per_village: int = 5

    def __post_init__(self) -> None:
        # Three townships and three villages each leave room for the planted shortfalls and
        # the two demo mediators' untouched villages; grids are named 第一…第十网格.
        if not 3 <= self.townships <= 30:
            raise ValueError("townships must be 3–30")
        if not 3 <= self.villages_per_township <= 90:
            raise ValueError("villages_per_township must be 3–90")
        if not 1 <= self.grids_per_village <= 10:
            raise ValueError("grids_per_village must be 1–10")
        if self.townships * (1 + self.villages_per_township) > 1000:
            raise ValueError("too many places for the syllable lists (at most 1000 names)")


FULL_COUNTY = DemoSize()


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# ---------------------------------------------------------------------------------------------
# Syllables. Ordered strings and lists only: iteration order never depends on hashing.

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤"
)
# Given names: common two-character names, and single characters for one-character names.
MALE_GIVEN = _words(
    "建国 建华 建平 国强 国平 志强 志明 志刚 海涛 海波 永刚 永明 文斌 文杰 俊杰 明辉 德华 德明 "
    "立新 立军 卫东 卫国 振华 振国 春生 金生 水根 福生 长青 树林 家明 宏伟 宏斌 鹏飞 晓峰 晓东 "
    "新民 庆丰 荣华 忠良 正平 小军 子豪 宇航 浩然 俊豪 天宇 志远"
)
FEMALE_GIVEN = _words(
    "秀英 秀兰 秀珍 桂英 桂兰 玉兰 玉梅 美华 丽华 丽娟 丽萍 红梅 红霞 春燕 春梅 海燕 晓燕 晓红 "
    "晓丽 雪梅 雪芳 慧敏 慧芳 彩霞 金凤 素芳 月琴 爱萍 淑珍 凤英 建英 小红 婷婷 佳怡 欣怡 思雨 "
    "雨婷 梦瑶 静怡 晓雯"
)
MALE_SINGLE = "伟强军平刚勇杰涛明超辉斌磊波浩峰鑫健亮"
FEMALE_SINGLE = "静敏燕芳玲婷倩琳颖娟萍霞洁丽红梅兰"
PLACE_FIRST = (
    "青石云桃柳梅竹松兰杏荷桂鹤龙凤安宁和丰泰清明秀文新永长平福寿康乐金玉碧翠白东西南北上前后大小"
)
PLACE_SECOND = "山溪塘桥湾岭坞浦洋岙埠港源口坪坑田岗洲墩庄河湖泉林峰谷滩堰"
ROAD_SUFFIXES = ("路", "街", "大道")
NUMERALS = "一二三四五六七八九十"

VILLAGE_CATEGORIES = [
    Cat.NEIGHBOUR,
    Cat.MARRIAGE_FAMILY,
    Cat.HOUSING_LAND,
    Cat.FOREST_LAND,
    Cat.DAMAGES,
    Cat.CONTRACT,
    Cat.OTHER,
]
COMMUNITY_CATEGORIES = [
    Cat.NEIGHBOUR,
    Cat.MARRIAGE_FAMILY,
    Cat.PROPERTY_MGMT,
    Cat.DAMAGES,
    Cat.CONSUMER,
    Cat.OTHER,
]
TOWNSHIP_CATEGORIES = [
    Cat.NEIGHBOUR,
    Cat.MARRIAGE_FAMILY,
    Cat.HOUSING_LAND,
    Cat.FOREST_LAND,
    Cat.DAMAGES,
    Cat.CONTRACT,
    Cat.LABOUR,
    Cat.EXPROPRIATION,
    Cat.ENVIRONMENT,
    Cat.BUSINESS,
    Cat.CONSTRUCTION,
    Cat.OTHER,
]
COURT_CATEGORIES = [
    Cat.MARRIAGE_FAMILY,
    Cat.NEIGHBOUR,
    Cat.HOUSING_LAND,
    Cat.CONTRACT,
    Cat.DAMAGES,
    Cat.LABOUR,
    Cat.TRAFFIC,
    Cat.FINANCE,
    Cat.BUSINESS,
]
POLICE_CATEGORIES = [Cat.NEIGHBOUR, Cat.DAMAGES, Cat.TRAFFIC, Cat.MARRIAGE_FAMILY, Cat.CONSUMER]
PETITION_CATEGORIES = [
    Cat.ADMINISTRATIVE,
    Cat.EXPROPRIATION,
    Cat.LABOUR,
    Cat.HOUSING_LAND,
    Cat.ENVIRONMENT,
]

# key, name (after the county name), categories, full-time mediators planned (≥3 is the rule:
# 物业 and 婚姻家庭 are planted short).
INDUSTRY_COMMITTEES: list[tuple[str, str, list[str], int]] = [
    ("medical", "医疗纠纷人民调解委员会", [Cat.MEDICAL], 3),
    ("traffic", "道路交通事故纠纷人民调解委员会", [Cat.TRAFFIC, Cat.DAMAGES], 3),
    ("labour", "劳动争议人民调解委员会", [Cat.LABOUR], 4),
    ("property", "物业纠纷人民调解委员会", [Cat.PROPERTY_MGMT], 2),
    ("family", "婚姻家庭纠纷人民调解委员会", [Cat.MARRIAGE_FAMILY], 1),
]
# key, department name, its 行政调解 organization, categories
ADMIN_DEPARTMENTS: list[tuple[str, str, str, list[str]]] = [
    ("hrss", "人力资源和社会保障局", "人力社保局劳动人事争议行政调解室", [Cat.LABOUR]),
    (
        "housing",
        "住房和城乡建设局",
        "住建局行政调解室",
        [Cat.PROPERTY_MGMT, Cat.CONSTRUCTION, Cat.HOUSING_LAND],
    ),
    (
        "market",
        "市场监督管理局",
        "市场监管局消费纠纷行政调解室",
        [Cat.CONSUMER, Cat.BUSINESS, Cat.IP],
    ),
]
MASS_ORGS: list[tuple[str, str, list[str]]] = [
    ("women", "妇女联合会", [Cat.MARRIAGE_FAMILY]),
    ("union", "总工会", [Cat.LABOUR]),
    ("commerce", "工商业联合会", [Cat.BUSINESS, Cat.CONTRACT]),
]

BACKGROUNDS: dict[str, list[tuple[str, int]]] = {
    "village": [
        (Background.VILLAGE_CADRE, 45),
        (Background.TEACHER, 10),
        (Background.RETIRED_OFFICER, 8),
        (Background.LEGAL_WORKER, 5),
        (Background.OTHER, 32),
    ],
    "township": [
        (Background.VILLAGE_CADRE, 15),
        (Background.RETIRED_OFFICER, 25),
        (Background.LEGAL_WORKER, 25),
        (Background.TEACHER, 10),
        (Background.PROFESSIONAL, 10),
        (Background.OTHER, 15),
    ],
    "room": [
        (Background.RETIRED_OFFICER, 50),
        (Background.LEGAL_WORKER, 30),
        (Background.LAWYER, 20),
    ],
    "industry": [
        (Background.PROFESSIONAL, 45),
        (Background.RETIRED_OFFICER, 20),
        (Background.LEGAL_WORKER, 15),
        (Background.LAWYER, 20),
    ],
    "invited": [
        (Background.LAWYER, 35),
        (Background.RETIRED_OFFICER, 40),
        (Background.LEGAL_WORKER, 15),
        (Background.PROFESSIONAL, 10),
    ],
    "expert": [(Background.PROFESSIONAL, 80), (Background.LAWYER, 20)],
    "lawyer": [(Background.LAWYER, 100)],
    "grid": [(Background.VILLAGE_CADRE, 30), (Background.OTHER, 70)],
    "official": [(Background.OTHER, 100)],
}
GRADES: dict[str, list[tuple[str, int]]] = {
    "village": [
        (MediatorGrade.UNGRADED, 40),
        (MediatorGrade.JUNIOR, 35),
        (MediatorGrade.INTERMEDIATE, 20),
        (MediatorGrade.SENIOR, 5),
    ],
    "senior": [
        (MediatorGrade.JUNIOR, 20),
        (MediatorGrade.INTERMEDIATE, 45),
        (MediatorGrade.SENIOR, 30),
        (MediatorGrade.CHIEF, 5),
    ],
}
STARS: dict[str, list[tuple[int, int]]] = {
    "village": [(0, 25), (1, 20), (2, 25), (3, 20), (4, 8), (5, 2)],
    "senior": [(0, 5), (1, 10), (2, 20), (3, 35), (4, 20), (5, 10)],
}
# Expert fields with the dispute categories an expert in them usually helps with.
EXPERT_FIELDS: list[tuple[str, list[str]]] = [
    (ExpertField.LAW, [Cat.CONTRACT, Cat.FINANCE, Cat.ADMINISTRATIVE]),
    (ExpertField.MEDICINE, [Cat.MEDICAL, Cat.DAMAGES]),
    (ExpertField.PSYCHOLOGY, [Cat.MARRIAGE_FAMILY, Cat.NEIGHBOUR]),
    (ExpertField.FINANCE, [Cat.FINANCE, Cat.BUSINESS]),
    (ExpertField.SOCIAL_WORK, [Cat.MARRIAGE_FAMILY, Cat.NEIGHBOUR]),
    (ExpertField.ENGINEERING, [Cat.CONSTRUCTION, Cat.HOUSING_LAND]),
    (ExpertField.INSURANCE, [Cat.TRAFFIC, Cat.DAMAGES]),
    (ExpertField.LABOUR, [Cat.LABOUR]),
]
RECUSAL_RELATIONS = [
    "近亲属（表兄弟）",
    "曾担任其常年法律顾问",
    "同一村民小组，存在借贷往来",
    "配偶在该单位任职",
    "曾代理其诉讼案件",
    "本人持有该公司股份",
]
PHONE_PREFIXES = ("139", "138", "137", "136", "135", "158", "159", "188", "150", "151", "182")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check_digit(body: str) -> str:
    """The 18th character of a 公民身份号码 (GB 11643-1999, ISO 7064 MOD 11-2)."""
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


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
class _Village:
    code: str
    name: str
    is_community: bool
    grids: list[str]
    committee: str = ""  # org key


@dataclass
class _Township:
    index: int
    code: str
    base: str
    name: str
    villages: list[_Village]


class _Planner:
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
        self.townships: list[_Township] = []
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

    # -- regions ------------------------------------------------------------------------------

    def plan_regions(self) -> None:
        size = self.size
        streets = min(2, size.townships - 2)
        names = self.place_names(size.townships * (1 + size.villages_per_township))
        town_names, village_names = names[: size.townships], names[size.townships :]
        county_population = 0
        town_rows: list[RegionPlan] = []
        village_rows: list[RegionPlan] = []
        for t in range(size.townships):
            if t < streets:
                suffix, code = "街道", f"{t + 1:03d}"
            elif t < size.townships - 1 or size.townships < 4:
                suffix, code = "镇", f"{100 + t - streets + 1:03d}"
            else:
                suffix, code = "乡", "201"
            town_code = f"{COUNTY_CODE[:6]}{code}000"
            base = town_names[t]
            villages: list[_Village] = []
            town_population = 0
            for v in range(size.villages_per_township):
                community = suffix == "街道"
                vname = village_names[t * size.villages_per_township + v]
                vname += "社区" if community else "村"
                vcode = town_code[:9] + (f"{v + 1:03d}" if community else f"{200 + v + 1:03d}")
                population = (
                    self.rng.randint(3000, 9000) if community else self.rng.randint(800, 3500)
                )
                grids = []
                shares = [0.7 + 0.6 * self.rng.random() for _ in range(size.grids_per_village)]
                left = population
                grid_rows = []
                for g in range(size.grids_per_village):
                    gcode = f"{vcode}{g + 1:03d}"
                    if g == size.grids_per_village - 1:
                        gpop = left
                    else:
                        gpop = int(population * shares[g] / sum(shares))
                        left -= gpop
                    grid_rows.append(RegionPlan(gcode, f"{vname}第{NUMERALS[g]}网格", gpop))
                    grids.append(gcode)
                village_rows.append(RegionPlan(vcode, vname, population))
                village_rows.extend(grid_rows)
                villages.append(_Village(vcode, vname, community, grids))
                town_population += population
            town_rows.append(RegionPlan(town_code, base + suffix, town_population))
            self.townships.append(_Township(t, town_code, base, base + suffix, villages))
            county_population += town_population
        self.regions = [
            RegionPlan(PROVINCE_CODE, PROVINCE_NAME, 41_000_000),
            RegionPlan(CITY_CODE, CITY_NAME, 3_200_000),
            RegionPlan(COUNTY_CODE, COUNTY_NAME, county_population),
            *town_rows,
            *village_rows,
        ]

    # -- organizations ------------------------------------------------------------------------

    def org(
        self,
        key: str,
        name: str,
        kind: str,
        region: str,
        *,
        parent: str | None = None,
        categories: Sequence[str] = (),
        address: str = "",
    ) -> str:
        self.orgs[key] = OrgPlan(key, name, kind, region, parent, list(categories), address)
        return key

    def plan_county_orgs(self) -> None:
        c, county = COUNTY_NAME, COUNTY_CODE
        self.org("platform", f"{c}综治中心", "platform", county, address=self.address(""))
        self.org("court", f"{c}人民法院", "court", county, categories=COURT_CATEGORIES)
        self.org("procuratorate", f"{c}人民检察院", "procuratorate", county)
        self.org("justice", f"{c}司法局", "justice_bureau", county, parent="platform")
        self.org("petition", f"{c}信访办", "petition_office", county, parent="platform")
        self.org("police", f"{c}公安分局", "department", county)
        self.org(
            "court.room",
            f"{c}人民法院诉讼服务中心人民调解工作室",
            "room_court",
            county,
            parent="justice",
            categories=COURT_CATEGORIES,
        )
        self.org(
            "petition.room",
            f"{c}信访事项人民调解工作室",
            "room_petition",
            county,
            parent="justice",
            categories=PETITION_CATEGORIES,
        )
        for key, name, cats, _ft in INDUSTRY_COMMITTEES:
            self.org(
                f"industry.{key}",
                c + name,
                "committee_industry",
                county,
                parent="justice",
                categories=cats,
            )
        for key, dept, room, cats in ADMIN_DEPARTMENTS:
            self.org(f"dept.{key}", c + dept, "department", county)
            self.org(
                f"dept.{key}.room",
                c + room,
                "admin_mediation",
                county,
                parent=f"dept.{key}",
                categories=cats,
            )
        firm = self.rng.choice(PLACE_FIRST) + self.rng.choice(PLACE_SECOND)
        self.org(
            "lawyer",
            f"{firm}律师事务所驻{c}人民法院律师调解工作室",
            "lawyer_studio",
            county,
            parent="justice",
            categories=[Cat.CONTRACT, Cat.FINANCE, Cat.BUSINESS, Cat.LABOUR],
        )
        self.org(
            "commercial",
            f"{c}商事调解中心",
            "commercial",
            county,
            categories=[Cat.CONTRACT, Cat.BUSINESS, Cat.FINANCE, Cat.IP, Cat.INTERNET],
        )
        self.org(
            "invited",
            f"{c}金融纠纷调解中心",
            "invited_org",
            county,
            parent="court",
            categories=[Cat.FINANCE, Cat.CONTRACT, Cat.INTERNET],
        )
        for key, name, cats in MASS_ORGS:
            self.org(f"mass.{key}", c + name, "mass_org", county, categories=cats)

    def plan_township_orgs(self) -> None:
        for town in self.townships:
            t, code, base = f"t{town.index}", town.code, town.base
            address = self.address(town.name)
            self.org(f"{t}.platform", f"{town.name}平安办", "platform", code, parent="platform")
            self.org(f"{t}.justice", f"{base}司法所", "justice_office", code, parent="justice")
            self.org(
                f"{t}.police",
                f"{COUNTY_NAME}公安分局{base}派出所",
                "police_station",
                code,
                parent="police",
                categories=POLICE_CATEGORIES,
                address=address,
            )
            self.org(
                f"{t}.committee",
                f"{town.name}人民调解委员会",
                "committee_township",
                code,
                parent=f"{t}.justice",
                categories=TOWNSHIP_CATEGORIES,
            )
            # One 人民法庭 serves a pair of neighbouring townships; it sits in the first.
            if town.index % 2 == 0:
                self.org(
                    f"{t}.tribunal",
                    f"{COUNTY_NAME}人民法院{base}人民法庭",
                    "tribunal",
                    code,
                    parent="court",
                    categories=COURT_CATEGORIES,
                )
                self.org(
                    f"{t}.tribunal.room",
                    f"{base}人民法庭驻庭人民调解工作室",
                    "room_court",
                    code,
                    parent=f"{t}.committee",
                    categories=COURT_CATEGORIES,
                )
            self.org(
                f"{t}.police.room",
                f"{base}派出所驻所人民调解工作室",
                "room_police",
                code,
                parent=f"{t}.committee",
                categories=POLICE_CATEGORIES,
            )
            # 信访事项 rooms in the 街道 and every third township (not all: the coverage report
            # should have gaps to show).
            if town.name.endswith("街道") or town.index % 3 == 2:
                self.org(
                    f"{t}.petition.room",
                    f"{town.name}信访事项人民调解工作室",
                    "room_petition",
                    code,
                    parent=f"{t}.committee",
                    categories=PETITION_CATEGORIES,
                )
            tribunal = f"t{town.index - town.index % 2}.tribunal"
            for number, village in enumerate(town.villages):
                key = f"{t}.v{number:02d}"
                village.committee = self.org(
                    key,
                    f"{village.name}人民调解委员会",
                    "committee_village",
                    village.code,
                    parent=f"{t}.committee",
                    categories=COMMUNITY_CATEGORIES if village.is_community else VILLAGE_CATEGORIES,
                    address=f"{town.name}{village.name}"
                    + ("居民委员会" if village.is_community else "村民委员会"),
                )
                # 法庭与村结对: every village committee is paired with its township's tribunal.
                self.orgs[key].paired.append(tribunal)

    # -- people -------------------------------------------------------------------------------

    def person(
        self,
        region: str,
        kind: str,
        *,
        gender: str | None = None,
        women: float = 0.4,
        born: tuple[int, int] = (1962, 1992),
    ) -> PersonPlan:
        if gender is None:
            gender = Gender.FEMALE if self.chance(women) else Gender.MALE
        name = self.person_name(gender)
        year = self.rng.randint(*born)
        birthday = date(year, 1, 1) + timedelta(days=int(self.rng.random() * 365))
        background = self.pick(BACKGROUNDS[kind])
        official = kind == "official"
        party = self.chance(
            0.85
            if official or background in (Background.VILLAGE_CADRE, Background.RETIRED_OFFICER)
            else 0.4
        )
        volunteer = VolunteerKind.NONE
        draw = self.rng.random()
        if not official:
            if year <= 1962 and draw < 0.6:
                volunteer = VolunteerKind.FIVE_ELDERS
            elif draw < 0.08:
                volunteer = VolunteerKind.DEPUTIES
            elif draw < 0.22:
                volunteer = VolunteerKind.VOLUNTEER
        plan = PersonPlan(
            key=f"p{len(self.people) + 1:04d}",
            name=name,
            gender=gender,
            region=region,
            id_number=self.id_number(birthday, gender),
            phone=self.phone(),
            birth_year=year,
            background=background,
            is_party_member=party,
            volunteer_kind=volunteer,
        )
        self.people.append(plan)
        return plan

    def join(
        self,
        person: PersonPlan,
        org: str,
        role: str,
        position: str = Position.MEMBER,
        *,
        full_time: bool = False,
    ) -> PersonPlan:
        started = self.days_ago(30, 3650)
        person.memberships.append(MembershipPlan(org, role, position, full_time, started))
        return person

    def profile(
        self,
        person: PersonPlan,
        level: str,
        categories: Sequence[str],
        *,
        studio: str = "",
        expert_fields: Sequence[str] = (),
    ) -> None:
        count = min(len(categories), self.rng.randint(1, 3))
        person.profile = ProfilePlan(
            specialties=sorted(self.rng.sample(list(categories), count)),
            grade=self.pick(GRADES[level]),
            stars=self.pick(STARS[level]),
            certified_on=self.days_ago(60, 2900),
            studio=studio,
            expert_fields=list(expert_fields),
        )

    def staff(self, org: str, region: str, role: str, position: str = Position.STAFF) -> PersonPlan:
        person = self.person(region, "official", born=(1968, 1996), women=0.35)
        return self.join(person, org, role, position)

    def committee(
        self,
        org: str,
        region: str,
        *,
        members: int,
        full_time: int,
        kind: str,
        level: str,
        categories: Sequence[str],
        no_woman: bool = False,
        born: tuple[int, int] = (1955, 1990),
    ) -> list[PersonPlan]:
        """A mediation committee: 主任, 副主任 and 委员, the first ``full_time`` 专职."""
        genders = [Gender.FEMALE if self.chance(0.4) else Gender.MALE for _ in range(members)]
        if no_woman:
            genders = [Gender.MALE] * members
        elif Gender.FEMALE not in genders:
            genders[-1] = Gender.FEMALE  # 人民调解法 art. 8: at least one woman
        people = []
        for i, gender in enumerate(genders):
            position = (
                Position.DIRECTOR if i == 0 else Position.DEPUTY if i == 1 else Position.MEMBER
            )
            person = self.person(region, kind, gender=gender, born=born)
            self.join(person, org, PersonRole.MEDIATOR, position, full_time=i < full_time)
            self.profile(person, level, categories)
            people.append(person)
        return people

    def room(self, org: str, region: str, *, full_time: int, part_time: int = 0) -> None:
        categories = self.orgs[org].categories
        for i in range(full_time + part_time):
            person = self.person(region, "room", born=(1955, 1985), women=0.35)
            self.join(person, org, PersonRole.MEDIATOR, Position.MEDIATOR, full_time=i < full_time)
            self.profile(person, "senior", categories)

    def invited(self, org: str, region: str, count: int) -> list[PersonPlan]:
        people = []
        for _ in range(count):
            person = self.person(region, "invited", born=(1952, 1985))
            self.join(person, org, PersonRole.INVITED_MEDIATOR, Position.MEDIATOR)
            self.profile(person, "senior", COURT_CATEGORIES)
            people.append(person)
        return people

    def plan_county_people(self) -> None:
        county = COUNTY_CODE
        leader = self.staff("platform", county, PersonRole.LEADER, Position.HEAD)
        self.staff("platform", county, PersonRole.LEADER, Position.DEPUTY)
        liaison = self.staff("platform", county, PersonRole.DISPATCHER)
        self.staff("platform", county, PersonRole.DISPATCHER)
        self.orgs["platform"].liaison = liaison.key
        self.account_people["leader"] = leader.key

        self.staff("court", county, PersonRole.JUDGE, Position.HEAD)
        for _ in range(3):
            self.staff("court", county, PersonRole.JUDGE)
        clerk = self.staff("court", county, PersonRole.JUDGE_ASSISTANT)
        self.staff("court", county, PersonRole.JUDGE_ASSISTANT)
        self.orgs["court"].liaison = clerk.key
        invited = self.invited("court", county, 6)
        first = invited[0]
        if first.profile is not None:
            first.profile.studio = f"老{first.name[0]}调解工作室"
            first.profile.grade = MediatorGrade.CHIEF

        self.orgs["procuratorate"].liaison = self.staff(
            "procuratorate", county, PersonRole.STAFF
        ).key
        self.staff("justice", county, PersonRole.JUSTICE_OFFICER, Position.HEAD)
        self.orgs["justice"].liaison = self.staff("justice", county, PersonRole.JUSTICE_OFFICER).key
        self.orgs["petition"].liaison = self.staff("petition", county, PersonRole.STAFF).key
        self.orgs["police"].liaison = self.staff("police", county, PersonRole.POLICE).key

        # 调解专家库, kept by the 司法局: one or two fields each.
        for i in range(10):
            person = self.person(county, "expert", born=(1958, 1988))
            self.join(person, "justice", PersonRole.EXPERT, Position.MEMBER)
            fields = [EXPERT_FIELDS[i % len(EXPERT_FIELDS)]]
            if self.chance(0.3):
                fields.append(EXPERT_FIELDS[(i + 3) % len(EXPERT_FIELDS)])
            self.profile(
                person,
                "senior",
                [c for _f, cats in fields for c in cats],
                expert_fields=[f for f, _c in fields],
            )

        self.room("court.room", county, full_time=2, part_time=1)
        self.room("petition.room", county, full_time=2)

        for key, _name, cats, full_time in INDUSTRY_COMMITTEES:
            org = f"industry.{key}"
            members = self.committee(
                org,
                county,
                members=self.rng.randint(5, 7),
                full_time=full_time,
                kind="industry",
                level="senior",
                categories=cats,
            )
            self.orgs[org].liaison = members[1].key
            if full_time < 3:
                self.plants.short_full_time.append(self.orgs[org].name)
        # The 医调委 calls on medical experts of its own as well.
        for _ in range(2):
            person = self.person(county, "expert", born=(1960, 1985))
            self.join(person, "industry.medical", PersonRole.EXPERT)
            self.profile(person, "senior", [Cat.MEDICAL], expert_fields=[ExpertField.MEDICINE])

        for key, _dept, _room, cats in ADMIN_DEPARTMENTS:
            head = self.staff(f"dept.{key}", county, PersonRole.STAFF, Position.HEAD)
            self.orgs[f"dept.{key}"].liaison = head.key
            for _ in range(2):
                person = self.person(county, "official", born=(1970, 1995))
                self.join(person, f"dept.{key}.room", PersonRole.MEDIATOR, Position.MEDIATOR)
                self.profile(person, "senior", cats)

        lawyers = []
        for i in range(2):
            person = self.person(county, "lawyer", born=(1970, 1990))
            self.join(
                person,
                "lawyer",
                PersonRole.MEDIATOR,
                Position.HEAD if i == 0 else Position.MEDIATOR,
            )
            self.profile(person, "senior", self.orgs["lawyer"].categories)
            lawyers.append(person)
        self.orgs["lawyer"].liaison = lawyers[0].key
        for i in range(2):
            person = self.person(county, "industry", born=(1965, 1988))
            position = Position.HEAD if i == 0 else Position.MEDIATOR
            self.join(person, "commercial", PersonRole.MEDIATOR, position)
            self.profile(person, "senior", self.orgs["commercial"].categories)
        self.invited("invited", county, 3)
        for key, _name, _cats in MASS_ORGS:
            staff = self.staff(f"mass.{key}", county, PersonRole.STAFF)
            self.orgs[f"mass.{key}"].liaison = staff.key
        # The 妇联 keeps a volunteer mediator for family disputes.
        volunteer = self.person(county, "township", gender=Gender.FEMALE, born=(1955, 1975))
        volunteer.volunteer_kind = VolunteerKind.VOLUNTEER
        self.join(volunteer, "mass.women", PersonRole.MEDIATOR, Position.MEDIATOR)
        self.profile(volunteer, "senior", [Cat.MARRIAGE_FAMILY])
        if volunteer.profile is not None:
            volunteer.profile.studio = f"{volunteer.name[0]}大姐调解工作室"

    def plan_township_people(self, account_towns: tuple[int, int]) -> None:
        count = len(self.townships)
        short_committees = self.rng.sample(range(count), 2)
        short_police_rooms = self.rng.sample(range(count), 2)
        studios = self.rng.sample(range(count), 2)
        for town in self.townships:
            t, code = f"t{town.index}", town.code
            self.staff(f"{t}.platform", code, PersonRole.LEADER, Position.HEAD)
            dispatcher = self.staff(f"{t}.platform", code, PersonRole.DISPATCHER)
            self.orgs[f"{t}.platform"].liaison = dispatcher.key
            if town.index == account_towns[0]:
                self.account_people["dispatcher"] = dispatcher.key

            self.staff(f"{t}.justice", code, PersonRole.JUSTICE_OFFICER, Position.HEAD)
            officer = self.staff(f"{t}.justice", code, PersonRole.JUSTICE_OFFICER)
            self.orgs[f"{t}.justice"].liaison = officer.key

            self.staff(f"{t}.police", code, PersonRole.POLICE, Position.HEAD)
            community_officer = self.staff(f"{t}.police", code, PersonRole.POLICE)
            self.staff(f"{t}.police", code, PersonRole.POLICE)
            self.orgs[f"{t}.police"].liaison = community_officer.key

            if town.index == account_towns[0]:
                self.account_people["police"] = community_officer.key
                self.account_people["justice"] = officer.key

            if f"{t}.tribunal" in self.orgs:
                self.staff(f"{t}.tribunal", code, PersonRole.JUDGE, Position.HEAD)
                judge = self.staff(f"{t}.tribunal", code, PersonRole.JUDGE)
                clerk = self.staff(f"{t}.tribunal", code, PersonRole.JUDGE_ASSISTANT)
                self.orgs[f"{t}.tribunal"].liaison = clerk.key
                self.invited(f"{t}.tribunal", code, 2)
                self.room(f"{t}.tribunal.room", code, full_time=2)
                if town.index == account_towns[0] - account_towns[0] % 2:
                    self.account_people["judge"] = judge.key
                    self.account_people["clerk"] = clerk.key

            short = town.index in short_committees
            members = self.committee(
                f"{t}.committee",
                code,
                members=self.rng.randint(5, 7),
                full_time=1 if short else 2,
                kind="township",
                level="senior",
                categories=TOWNSHIP_CATEGORIES,
            )
            if short:
                self.plants.short_full_time.append(self.orgs[f"{t}.committee"].name)
            self.orgs[f"{t}.committee"].liaison = members[1].key
            director = members[0]
            if town.index in studios and director.profile is not None:
                director.profile.studio = f"老{director.name[0]}调解工作室"
                director.profile.grade = MediatorGrade.CHIEF
                director.profile.stars = 5

            if town.index in short_police_rooms:
                self.room(f"{t}.police.room", code, full_time=1, part_time=1)
                self.plants.short_full_time.append(self.orgs[f"{t}.police.room"].name)
            else:
                self.room(f"{t}.police.room", code, full_time=2)
            if f"{t}.petition.room" in self.orgs:
                self.room(f"{t}.petition.room", code, full_time=2)

    def plan_village_people(self, account_villages: tuple[_Village, _Village]) -> None:
        villages = [v for town in self.townships for v in town.villages]
        candidates = [v for v in villages if v not in account_villages]
        picked = self.rng.sample(range(len(candidates)), 6)
        small = {candidates[i].code for i in picked[0:2]}
        no_woman = candidates[picked[2]].code
        oversized = candidates[picked[3]].code
        no_full_time = {candidates[i].code for i in picked[4:6]}
        studio_village = candidates[self.rng.randrange(len(candidates))].code
        for village in villages:
            org = village.committee
            name = self.orgs[org].name
            members = self.pick([(3, 70), (4, 20), (5, 10)])
            if village.code in small:
                members = 2
                self.plants.too_few_members.append(name)
            elif village.code == oversized:
                members = 10
                self.plants.too_many_members.append(name)
            if village.code == no_woman:
                self.plants.no_woman.append(name)
            full_time = 1
            if village.code in no_full_time:
                full_time = 0
                self.plants.short_full_time.append(name)
            people = self.committee(
                org,
                village.code,
                members=members,
                full_time=full_time,
                kind="village",
                level="village",
                categories=self.orgs[org].categories,
                no_woman=village.code == no_woman,
                born=(1952, 1992),
            )
            self.orgs[org].liaison = people[0].key
            # 调解员入网格: the village's grids are shared out among its committee members.
            for g, grid in enumerate(village.grids):
                profile = people[g % len(people)].profile
                if profile is not None:
                    profile.grids.append(grid)
            if village.code == studio_village and people[0].profile is not None:
                people[0].profile.studio = f"{people[0].name}调解工作室"
                people[0].profile.grade = MediatorGrade.SENIOR
            # One full-time 网格员 for the first grid; committee members cover the rest.
            grid_worker = self.person(village.grids[0], "grid", born=(1975, 1998), women=0.5)
            self.join(grid_worker, org, PersonRole.GRID_WORKER, Position.STAFF, full_time=True)
            if village is account_villages[0]:
                self.account_people["mediator"] = people[0].key
                self.account_people["gridworker"] = grid_worker.key
            elif village is account_villages[1]:
                self.account_people["mediator2"] = people[0].key

    # -- training and recusal -----------------------------------------------------------------

    def plan_training(self) -> None:
        """Trainings last year and this year; about one mediator in ten has had no practical
        training yet this year (the yearly minimum of seed 003)."""
        mediators = [
            p for p in self.people if any(m.role == PersonRole.MEDIATOR for m in p.memberships)
        ]
        untrained_count = max(1, round(len(mediators) * 0.1))
        untrained = {p.key for p in self.rng.sample(mediators, untrained_count)}
        self.plants.untrained = [p.key for p in mediators if p.key in untrained]
        this_year, last_year = self.today.year, self.today.year - 1
        # Scheduled events: one date per event, shared by everyone who attended it.
        events: dict[tuple[str, int], date] = {}
        for year in (last_year, this_year):
            events[("district", year)] = self.in_year(year)
            events[("central", year)] = self.in_year(year)
            events[("online", year)] = self.in_year(year)
            for town in self.townships:
                for session in (1, 2):
                    events[(f"t{town.index}.{session}", year)] = self.in_year(year)
            for key, *_rest in INDUSTRY_COMMITTEES:
                events[(f"industry.{key}", year)] = self.in_year(year)

        def practical(person: PersonPlan, year: int) -> TrainingPlan:
            home = person.home_org
            town = _township_key(home)
            session = self.rng.randint(1, 2)
            if home.startswith("industry.") and self.chance(0.6):
                name = self.orgs[home].name
                return TrainingPlan(
                    events[(home, year)],
                    TrainingKind.PRACTICAL,
                    f"{year}年{name}业务实训",
                    Decimal(4),
                    home,
                )
            if town and self.chance(0.7):
                office = self.orgs[f"{town}.justice"].name
                return TrainingPlan(
                    events[(f"{town}.{session}", year)],
                    TrainingKind.PRACTICAL,
                    f"{year}年{office}人民调解员实训（第{NUMERALS[session - 1]}期）",
                    Decimal(4),
                    f"{town}.justice",
                )
            return TrainingPlan(
                events[("district", year)],
                TrainingKind.PRACTICAL,
                f"{year}年{COUNTY_NAME}人民调解员岗位实训",
                Decimal(6),
                "justice",
            )

        def central(year: int) -> TrainingPlan:
            return TrainingPlan(
                events[("central", year)],
                TrainingKind.CENTRALIZED,
                f"{year}年{COUNTY_NAME}人民调解员集中培训",
                Decimal(8),
                "justice",
            )

        def online(year: int) -> TrainingPlan:
            return TrainingPlan(
                events[("online", year)],
                TrainingKind.ONLINE,
                f"{year}年人民调解法律知识线上课程",
                Decimal("2.5"),
                "justice",
            )

        for person in mediators:
            trainings = [practical(person, last_year)]
            if self.chance(0.5):
                trainings.append(central(last_year))
            if person.key in untrained:
                if self.chance(0.5):
                    trainings.append(online(this_year))
            else:
                trainings.append(practical(person, this_year))
                if self.chance(0.3):
                    trainings.append(practical(person, this_year))
                if self.chance(0.4):
                    trainings.append(online(this_year))
            # One record per event and person.
            seen: list[tuple[date, str]] = []
            for training in trainings:
                if (training.held_on, training.title) not in seen:
                    seen.append((training.held_on, training.title))
                    person.trainings.append(training)

    def plan_recusals(self) -> None:
        mediators = [p for p in self.people if p.profile is not None]
        for person in self.rng.sample(mediators, min(6, len(mediators))):
            if self.chance(0.5):
                subject = self.person_name(Gender.MALE if self.chance(0.5) else Gender.FEMALE)
            else:
                firm = self.rng.choice(PLACE_FIRST) + self.rng.choice(PLACE_SECOND)
                subject = f"{COUNTY_NAME}{firm}{self.rng.choice(['建材', '物业', '运输'])}有限公司"
            person.recusals.append((subject, self.rng.choice(RECUSAL_RELATIONS)))

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


def _township_key(org_key: str) -> str:
    """``"t3"`` for the org keys of township 3 (``"t3.committee"``, ``"t3.v07"``), else ``""``."""
    head = org_key.split(".", 1)[0]
    return head if head[:1] == "t" and head[1:].isdigit() else ""


def demo_plan(*, seed: int = DEFAULT_SEED, today: date, size: DemoSize = FULL_COUNTY) -> DemoPlan:
    """Everything the demo county will contain, drawn from ``random.Random(seed)``."""
    return _Planner(seed=seed, today=today, size=size).plan()


# ---------------------------------------------------------------------------------------------
# Writing the plan.


class DemoAlreadyLoaded(Exception):
    """The demo county is already in the database."""


@dataclass(frozen=True)
class DemoSummary:
    regions: int
    orgs: int
    people: int
    mediators: int
    grid_workers: int
    accounts: int


def demo_county_exists() -> bool:
    return Region.objects.filter(code=COUNTY_CODE).exists()


def demo_seed(
    *, seed: int = DEFAULT_SEED, today: date, size: DemoSize = FULL_COUNTY
) -> DemoSummary:
    """Build the demo county in one transaction; raise ``DemoAlreadyLoaded`` if it exists."""
    plan = demo_plan(seed=seed, today=today, size=size)
    with transaction.atomic():
        # The region code is unique, so a concurrent second run fails on insert at the latest.
        if demo_county_exists():
            raise DemoAlreadyLoaded(COUNTY_CODE)
        regions = _write_regions(plan)
        orgs = _write_orgs(plan, regions)
        people = _write_people(plan, regions, orgs)
        _write_links(plan, orgs, people)
        _write_accounts(plan, orgs, people)
    roles = [m.role for p in plan.people for m in p.memberships]
    return DemoSummary(
        regions=len(plan.regions),
        orgs=len(plan.orgs),
        people=len(plan.people),
        mediators=len(
            {
                p.key
                for p in plan.people
                for m in p.memberships
                if m.role in (PersonRole.MEDIATOR, PersonRole.INVITED_MEDIATOR)
            }
        ),
        grid_workers=roles.count(PersonRole.GRID_WORKER),
        accounts=len(plan.accounts),
    )


def _write_regions(plan: DemoPlan) -> dict[str, Region]:
    rows = []
    for line, region in enumerate(plan.regions, start=1):
        level = level_of_code(region.code)
        if level is None:  # the planner only makes valid codes
            raise ValueError(region.code)
        rows.append(
            RegionRow(
                line=line,
                code=region.code,
                name=region.name,
                parent_code=implied_parent_code(region.code, level),
                level=level,
                population=region.population,
            )
        )
    regions_import(actor=None, rows=rows, source=f"演示数据 {COUNTY_NAME}（seed {plan.seed}）")
    return {r.code: r for r in Region.objects.filter(code__startswith=PROVINCE_CODE[:2])}


def _write_orgs(plan: DemoPlan, regions: dict[str, Region]) -> dict[str, Organization]:
    kinds = {k.code: k for k in OrgKind.objects.all()}
    orgs: dict[str, Organization] = {}
    for spec in plan.orgs:  # parents are planned before their children
        orgs[spec.key] = org_create(
            actor=None,
            name=spec.name,
            kind=kinds[spec.kind],
            region=regions[spec.region],
            parent=orgs[spec.parent] if spec.parent else None,
            categories=spec.categories,
            address=spec.address,
        )
    return orgs


def _write_people(
    plan: DemoPlan, regions: dict[str, Region], orgs: dict[str, Organization]
) -> dict[str, Person]:
    people: dict[str, Person] = {}
    for spec in plan.people:
        person = person_create(
            actor=None,
            name=spec.name,
            gender=spec.gender,
            region=regions[spec.region],
            id_number=spec.id_number,
            phone=spec.phone,
            birth_year=spec.birth_year,
            background=spec.background,
            is_party_member=spec.is_party_member,
            volunteer_kind=spec.volunteer_kind,
        )
        people[spec.key] = person
        for m in spec.memberships:
            membership_add(
                actor=None,
                person=person,
                org=orgs[m.org],
                role=m.role,
                position=m.position,
                is_full_time=m.full_time,
                started_on=m.started_on,
            )
        if spec.profile is not None:
            profile = mediator_profile_set(
                actor=None,
                person=person,
                specialties=spec.profile.specialties,
                grade=spec.profile.grade,
                stars=spec.profile.stars,
                studio_name=spec.profile.studio,
                expert_fields=spec.profile.expert_fields,
                certified_on=spec.profile.certified_on,
            )
            if spec.profile.grids:
                _mediator_set_grids(profile, [regions[code] for code in spec.profile.grids])
        for t in spec.trainings:
            training_record(
                actor=None,
                person=person,
                held_on=t.held_on,
                kind=t.kind,
                title=t.title,
                hours=t.hours,
                organizer=orgs[t.organizer] if t.organizer else None,
            )
        for subject, relation in spec.recusals:
            recusal_declare(actor=None, person=person, subject_name=subject, relation=relation)
    return people


# The three writes below have no service in fengqiao/orgs/services.py yet (grid assignment,
# liaison, pairing, linking a login); they are audited here the way a service would be.


def _mediator_set_grids(profile: MediatorProfile, grids: list[Region]) -> None:
    profile.grids.set(grids)
    audit_record(
        actor=None,
        event_type=EventType.PERSON_UPDATED,
        obj=profile.person,
        after={"grids": [g.code for g in grids]},
    )


def _write_links(plan: DemoPlan, orgs: dict[str, Organization], people: dict[str, Person]) -> None:
    for spec in plan.orgs:
        org = orgs[spec.key]
        if spec.liaison:
            org.liaison = people[spec.liaison]
            org.save(update_fields=["liaison"])
            audit_record(
                actor=None,
                event_type=EventType.ORG_UPDATED,
                obj=org,
                after={"liaison": org.liaison.pk},
            )
        if spec.paired:
            paired = [orgs[key] for key in spec.paired]
            org.paired_orgs.add(*paired)
            audit_record(
                actor=None,
                event_type=EventType.ORG_UPDATED,
                obj=org,
                after={"paired_orgs": [o.pk for o in paired]},
            )


def _write_accounts(
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


# ---------------------------------------------------------------------------------------------
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
