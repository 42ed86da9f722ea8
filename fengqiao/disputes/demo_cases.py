"""演示案件 — a few thousand fictional disputes over the last 18 months in the demo county.

Called by ``manage.py seed_demo`` after the county itself (``fengqiao.orgs.demo``) is written.
Every case is first drawn as plain data from one ``random.Random(seed)`` (dates relative to the
``today`` passed in) and then inserted with ``bulk_create``: this is a generator, not user
activity, so it does not go through the services and writes one audit event for the whole load.
It keeps the invariants the services keep: the status is the last timeline ``to_status``,
``version`` is the number of transitions + 1, ``closed_at`` is set for closed cases,
``handling_org`` once accepted, ``resolved_level`` for resolved cases, case and archive numbers
are gap-free and their counters hold the last number issued.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone

from fengqiao.accounts.models import RoleGrant, User
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.choices import DisputeCategory as Cat
from fengqiao.core.crypto import lookup_hash
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import (
    OPEN_STATUSES,
    CaseAction,
    CaseStatus,
    CourtProcedure,
    DispatchRole,
    DispatchStatus,
    DueKind,
    DueStatus,
    IntakeChannel,
    PartyKind,
    PartyRole,
    RiskGrade,
)
from fengqiao.disputes.models import (
    Agreement,
    AgreementKind,
    ArchiveCounter,
    Case,
    CaseCounter,
    DispatchOrder,
    DueItem,
    Failure,
    FollowUp,
    Party,
    Referral,
    SupervisionOrder,
    TimelineEvent,
)
from fengqiao.disputes.workflow import next_status
from fengqiao.mediation.choices import ConsentDecision, ContactMethod
from fengqiao.mediation.consent import CONSENTING_ROLES
from fengqiao.mediation.models import PartyConsent, RightsNotice
from fengqiao.orgs.demo import (
    COUNTY_CODE,
    FEMALE_GIVEN,
    ID_PREFIX,
    MALE_GIVEN,
    PHONE_PREFIXES,
    PLACE_FIRST,
    PLACE_SECOND,
    SURNAMES,
    id_check_digit,
)
from fengqiao.orgs.models import Membership, Organization
from fengqiao.regions.models import Region

T = TypeVar("T")
S = CaseStatus
A = CaseAction

FULL_CASES = 3000
SMALL_CASES = 150
SPAN_DAYS = 548  # 18 months
BATCH = 500

CATEGORY_WEIGHTS: list[tuple[str, int]] = [
    (Cat.NEIGHBOUR, 22),
    (Cat.MARRIAGE_FAMILY, 16),
    (Cat.HOUSING_LAND, 11),
    (Cat.CONTRACT, 10),
    (Cat.DAMAGES, 9),
    (Cat.PROPERTY_MGMT, 7),
    (Cat.LABOUR, 7),
    (Cat.TRAFFIC, 3),
    (Cat.CONSUMER, 2),
    (Cat.FOREST_LAND, 2),
    (Cat.BUSINESS, 2),
    (Cat.FINANCE, 2),
    (Cat.MEDICAL, 1),
    (Cat.EXPROPRIATION, 1),
    (Cat.ENVIRONMENT, 1),
    (Cat.CONSTRUCTION, 1),
    (Cat.ADMINISTRATIVE, 1),
    (Cat.INTERNET, 1),
    (Cat.IP, 1),
    (Cat.TOURISM, 1),
    (Cat.OTHER, 2),
]
CHANNEL_WEIGHTS: list[tuple[str, int]] = [
    (IntakeChannel.GRID, 28),
    (IntakeChannel.WALK_IN, 22),
    (IntakeChannel.PHONE, 14),
    (IntakeChannel.COURT_PRE, 9),
    (IntakeChannel.POLICE, 9),
    (IntakeChannel.PETITION, 5),
    (IntakeChannel.PORTAL, 5),
    (IntakeChannel.DEPARTMENT, 3),
    (IntakeChannel.COURT_POST, 2),
    (IntakeChannel.PROCURATORATE, 1),
    (IntakeChannel.ADMIN_REVIEW, 2),
]
GRADE_WEIGHTS: list[tuple[str, int]] = [
    (RiskGrade.LOW, 62),
    (RiskGrade.MEDIUM, 27),
    (RiskGrade.HIGH, 9),
    (RiskGrade.MAJOR, 2),
]
# Final state by the case's age in days: older cases are mostly archived, recent ones open.
STATUS_BY_AGE: list[tuple[float, list[tuple[str, int]]]] = [
    (
        3,
        [
            (S.REGISTERED, 35),
            (S.ASSESSED, 25),
            (S.DISPATCHED, 25),
            (S.ACCEPTED, 10),
            (S.WITHDRAWN, 2),
            (S.REFERRED_OUT, 3),
        ],
    ),
    (
        14,
        [
            (S.REGISTERED, 4),
            (S.ASSESSED, 7),
            (S.DISPATCHED, 10),
            (S.ACCEPTED, 14),
            (S.MEDIATING, 36),
            (S.SUSPENDED, 3),
            (S.RESOLVED, 16),
            (S.FAILED, 2),
            (S.REFERRED_OUT, 4),
            (S.WITHDRAWN, 4),
        ],
    ),
    (
        45,
        [
            (S.DISPATCHED, 2),
            (S.ACCEPTED, 3),
            (S.MEDIATING, 14),
            (S.SUSPENDED, 4),
            (S.RESOLVED, 32),
            (S.FAILED, 6),
            (S.REFERRED_OUT, 6),
            (S.WITHDRAWN, 4),
            (S.ARCHIVED, 29),
        ],
    ),
    (
        120,
        [
            (S.MEDIATING, 3),
            (S.SUSPENDED, 2),
            (S.RESOLVED, 10),
            (S.FAILED, 3),
            (S.REFERRED_OUT, 3),
            (S.WITHDRAWN, 1),
            (S.ARCHIVED, 78),
        ],
    ),
    (
        10_000,
        [
            (S.MEDIATING, 1),
            (S.RESOLVED, 3),
            (S.FAILED, 1),
            (S.REFERRED_OUT, 1),
            (S.ARCHIVED, 94),
        ],
    ),
]
ARCHIVED_OUTCOMES: list[tuple[str, int]] = [
    (S.RESOLVED, 80),
    (S.FAILED, 7),
    (S.REFERRED_OUT, 8),
    (S.WITHDRAWN, 5),
]
# Ages (days) at which a case of a forced final state is placed (coverage in small runs).
FORCED_AGES: dict[str, tuple[float, float]] = {
    S.REGISTERED: (0.1, 2),
    S.ASSESSED: (0.2, 2),
    S.DISPATCHED: (0.3, 2),
    S.ACCEPTED: (1, 5),
    S.MEDIATING: (3, 40),
    S.SUSPENDED: (10, 40),
    S.RESOLVED: (10, 60),
    S.FAILED: (10, 60),
    S.REFERRED_OUT: (5, 60),
    S.WITHDRAWN: (5, 60),
    S.ARCHIVED: (60, 500),
}
# Categories an industry committee takes when one exists, and how often.
INDUSTRY_SHARE: dict[str, float] = {
    Cat.MEDICAL: 0.9,
    Cat.TRAFFIC: 0.6,
    Cat.LABOUR: 0.5,
    Cat.PROPERTY_MGMT: 0.25,
    Cat.MARRIAGE_FAMILY: 0.08,
}
ORG_RESPONDENT: dict[str, tuple[str, ...]] = {
    Cat.CONTRACT: ("建材", "贸易", "装饰工程"),
    Cat.LABOUR: ("服装", "机械制造", "物流"),
    Cat.PROPERTY_MGMT: ("物业服务",),
    Cat.CONSUMER: ("商贸", "电器"),
    Cat.MEDICAL: ("",),
    Cat.CONSTRUCTION: ("建筑工程", "建设"),
    Cat.FINANCE: ("小额贷款",),
    Cat.INTERNET: ("网络科技",),
    Cat.TOURISM: ("旅行社",),
}
TITLES: dict[str, tuple[str, ...]] = {
    Cat.NEIGHBOUR: (
        "{a}与{b}因排水沟堵塞引发邻里纠纷",
        "{a}与{b}因噪音扰民发生争执",
        "{a}与{b}因通行道路堆放杂物发生纠纷",
        "{a}与{b}因树木遮挡采光发生纠纷",
    ),
    Cat.MARRIAGE_FAMILY: (
        "{a}与{b}赡养老人费用分担纠纷",
        "{a}与{b}离婚后子女抚养纠纷",
        "{a}与{b}家庭财产分割纠纷",
        "{a}与{b}婚姻家庭矛盾",
    ),
    Cat.HOUSING_LAND: (
        "{a}与{b}宅基地界址纠纷",
        "{a}与{b}翻建房屋越界纠纷",
        "{a}与{b}房屋漏水损失纠纷",
    ),
    Cat.CONTRACT: (
        "{a}与{b}买卖合同货款纠纷",
        "{a}与{b}装修合同质量纠纷",
        "{a}与{b}租赁合同押金纠纷",
    ),
    Cat.BUSINESS: ("{a}与{b}合伙经营分红纠纷", "{a}与{b}养殖场经营纠纷"),
    Cat.DAMAGES: (
        "{a}与{b}人身损害赔偿纠纷",
        "{a}被{b}家犬咬伤赔偿纠纷",
        "{a}与{b}财产损害赔偿纠纷",
    ),
    Cat.FOREST_LAND: ("{a}与{b}山林界址纠纷", "{a}与{b}承包地经营权纠纷"),
    Cat.EXPROPRIATION: ("{a}与{b}征地补偿款分配纠纷", "{a}与{b}拆迁安置纠纷"),
    Cat.ENVIRONMENT: ("{a}反映{b}粉尘污染纠纷", "{a}与{b}养殖异味污染纠纷"),
    Cat.LABOUR: ("{a}与{b}拖欠工资纠纷", "{a}与{b}工伤待遇纠纷", "{a}与{b}解除劳动合同补偿纠纷"),
    Cat.CONSUMER: ("{a}与{b}商品质量消费纠纷", "{a}与{b}预付卡退费纠纷"),
    Cat.MEDICAL: ("{a}与{b}诊疗损害纠纷",),
    Cat.TRAFFIC: ("{a}与{b}道路交通事故赔偿纠纷", "{a}与{b}电动车碰撞赔偿纠纷"),
    Cat.PROPERTY_MGMT: ("{a}与{b}物业费纠纷", "{a}与{b}车位管理纠纷"),
    Cat.ADMINISTRATIVE: ("{a}对{b}行政处罚有异议", "{a}与{b}行政补偿争议"),
    Cat.OTHER: ("{a}与{b}其他民间纠纷",),
    Cat.INTERNET: ("{a}与{b}网约车服务纠纷", "{a}与{b}外卖平台配送纠纷"),
    Cat.FINANCE: ("{a}与{b}民间借贷纠纷", "{a}与{b}借款合同纠纷"),
    Cat.IP: ("{a}与{b}商标使用纠纷",),
    Cat.TOURISM: ("{a}与{b}旅游服务合同纠纷",),
    Cat.CONSTRUCTION: ("{a}与{b}建设工程款纠纷", "{a}与{b}施工损害赔偿纠纷"),
}
REFER_TARGETS = [
    ("litigation", "人民法院"),
    ("arbitration", "劳动人事争议仲裁委员会"),
    ("administrative", "行政主管部门"),
    ("police", "公安机关"),
    ("petition", "信访部门"),
]
ESCALATE_SHARE: dict[str, float] = {RiskGrade.HIGH: 0.3, RiskGrade.MAJOR: 0.5}
SATISFACTION = [(5, 52), (4, 30), (3, 11), (2, 4), (1, 3)]
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check(body: str) -> str:
    """The 18th character of a 统一社会信用代码 (GB 32100-2015)."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


@dataclass(frozen=True)
class DemoCaseSummary:
    cases: int
    parties: int
    events: int
    orders: int
    due_items: int
    supervisions: int


@dataclass
class _Village:
    region: Region
    grids: list[Region]
    committee: Organization
    township: _Township | None = None


@dataclass
class _Township:
    region: Region
    platform: Organization
    committee: Organization
    police_room: Organization | None
    court_room: Organization | None
    petition_room: Organization | None
    villages: list[_Village] = field(default_factory=list)


@dataclass
class _World:
    county_platform: Organization
    county_court_room: Organization | None
    county_petition_room: Organization | None
    industry: dict[str, Organization]
    admin_rooms: dict[str, Organization]
    townships: list[_Township]
    villages: list[_Village]
    members: dict[int, list[tuple[str, int | None]]]  # org pk → (name, user pk)
    users: dict[str, User]
    mediator_villages: dict[str, _Village]  # username → village
    dispatcher_township: _Township | None


def _load_world() -> _World:
    orgs = list(
        Organization.objects.filter(region__path__startswith=_county().path)
        .select_related("kind", "region")
        .prefetch_related("categories")
        .order_by("pk")
    )
    by_kind: dict[str, list[Organization]] = defaultdict(list)
    for org in orgs:
        by_kind[org.kind.code].append(org)

    def in_region(kind: str, region: Region) -> Organization | None:
        return next((o for o in by_kind[kind] if o.region_id == region.pk), None)

    county = _county()
    county_platform = in_region("platform", county)
    if county_platform is None:
        raise ValueError("the demo county has no platform")
    # Per category the most specialised industry committee (the fewest declared categories).
    industry: dict[str, Organization] = {}
    for org in sorted(by_kind["committee_industry"], key=lambda o: len(o.categories.all())):
        for c in org.categories.all():
            industry.setdefault(c.category, org)
    admin_rooms: dict[str, Organization] = {}
    for org in by_kind["admin_mediation"]:
        for c in org.categories.all():
            admin_rooms.setdefault(c.category, org)
    regions = list(Region.objects.filter(path__startswith=county.path).order_by("code"))
    children: dict[int | None, list[Region]] = defaultdict(list)
    for r in regions:
        children[r.parent_id].append(r)
    townships: list[_Township] = []
    villages: list[_Village] = []
    by_committee: dict[int, _Village] = {}
    for town_region in children[county.pk]:
        platform = in_region("platform", town_region)
        committee = in_region("committee_township", town_region)
        if platform is None or committee is None:
            continue
        town = _Township(
            region=town_region,
            platform=platform,
            committee=committee,
            police_room=in_region("room_police", town_region),
            court_room=in_region("room_court", town_region),
            petition_room=in_region("room_petition", town_region),
        )
        for village_region in children[town_region.pk]:
            village_committee = in_region("committee_village", village_region)
            if village_committee is None:
                continue
            village = _Village(village_region, children[village_region.pk], village_committee, town)
            town.villages.append(village)
            villages.append(village)
            by_committee[village_committee.pk] = village
        if town.villages:
            townships.append(town)
    # A township without a tribunal room sends court cases to its neighbour's (法庭 pairs).
    for i, town in enumerate(townships):
        if town.court_room is None:
            for other in townships[i - 1 :: -1] + townships[i + 1 :]:
                if other.court_room is not None:
                    town.court_room = other.court_room
                    break
    members: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    for m in (
        Membership.objects.filter(org__in=orgs).select_related("person").order_by("org_id", "pk")
    ):
        members[m.org_id].append((m.person.name, m.person.user_id))
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["dispatcher", "mediator", "mediator2"])
    }
    grants: dict[str, int] = {
        g.user.username: g.org_id
        for g in RoleGrant.objects.filter(user__in=list(users.values()))
        .exclude(org=None)
        .select_related("user")
        .order_by("pk")
        if g.org_id is not None
    }
    mediator_villages = {
        name: by_committee[grants[name]]
        for name in ("mediator", "mediator2")
        if grants.get(name, 0) in by_committee
    }
    dispatcher_township = next(
        (t for t in townships if t.platform.pk == grants.get("dispatcher")), None
    )
    return _World(
        county_platform=county_platform,
        county_court_room=next(
            (o for o in by_kind["room_court"] if o.region_id == county.pk), None
        ),
        county_petition_room=next(
            (o for o in by_kind["room_petition"] if o.region_id == county.pk), None
        ),
        industry=industry,
        admin_rooms=admin_rooms,
        townships=townships,
        villages=villages,
        members=members,
        users=users,
        mediator_villages=mediator_villages,
        dispatcher_township=dispatcher_township,
    )


def _county() -> Region:
    return Region.objects.get(code=COUNTY_CODE)


# ---------------------------------------------------------------------------------------------


@dataclass
class _Spec:
    """What to draw for one case; ``None`` fields are drawn freely."""

    status: str | None = None
    channel: str | None = None
    village: _Village | None = None
    target_org: Organization | None = None  # dispatch to this org (no escalation, no joint)
    handler: User | None = None
    age: float | None = None  # days before today
    refusal: bool = False  # a party refuses mediation, the case is referred out


@dataclass
class _Built:
    case: Case
    parties: list[Party]
    events: list[TimelineEvent]
    orders: list[DispatchOrder]
    dues: list[DueItem]
    supervisions: list[SupervisionOrder]
    agreement: Agreement | None
    follow_ups: list[FollowUp]
    archive_org: Organization | None
    archived_at: datetime | None
    consents: list[PartyConsent]
    notices: list[tuple[RightsNotice, list[Party]]]
    failure: Failure | None
    referral: Referral | None


class _Generator:
    def __init__(self, *, seed: int, today: date, world: _World) -> None:
        self.rng = random.Random(seed)  # noqa: S311 — demo data, not secrets
        self.w = world
        # Everything happens before ``today`` begins (local time): the same seed and day give the
        # same rows, and nothing is dated later than the moment the demo is loaded.
        self.now = timezone.make_aware(datetime.combine(today, time(0, 0)))
        self.id_seq = 0
        self.phones: set[str] = set()
        # 受理/反馈时限 as the admin has set them, read once (deadlines.limit_table).
        self.limits = deadlines.limit_table()

    def limit(self, kind: str, org: Organization, grade: str) -> int:
        return self.limits[(kind, deadlines.handling_level(org.region.level), grade)]

    # -- drawing ------------------------------------------------------------------------------

    def pick(self, weighted: Sequence[tuple[T, int]]) -> T:
        return self.rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def hours(self, low: float, high: float) -> timedelta:
        return timedelta(hours=low + self.rng.random() * (high - low))

    def person_name(self) -> tuple[str, bool]:
        female = self.chance(0.5)
        surname = SURNAMES[int(len(SURNAMES) * self.rng.random() ** 1.6)]
        given = self.rng.choice(FEMALE_GIVEN if female else MALE_GIVEN)
        return surname + given, female

    def id_number(self, female: bool) -> str:
        born = date(1950, 1, 1) + timedelta(days=self.rng.randrange(365 * 55))
        self.id_seq += 1
        order = (500 + self.id_seq * 2 + (0 if female else 1)) % 1000
        body = f"{ID_PREFIX}{born:%Y%m%d}{order:03d}"
        return body + id_check_digit(body)

    def phone(self) -> str:
        while True:
            number = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def company(self, category: str) -> tuple[str, str]:
        trade = self.rng.choice(ORG_RESPONDENT.get(category, ("商贸",)))
        firm = self.rng.choice(PLACE_FIRST) + self.rng.choice(PLACE_SECOND)
        name = (
            f"枫溪区{firm}人民医院" if category == Cat.MEDICAL else f"枫溪区{firm}{trade}有限公司"
        )
        body = "91" + ID_PREFIX + "".join(self.rng.choice(USCC_CHARS) for _ in range(9))
        return name, body + uscc_check(body)

    def actor(self, org: Organization | None) -> tuple[str, int | None]:
        people = self.w.members.get(org.pk, []) if org is not None else []
        if not people:
            return ("系统", None)
        return self.rng.choice(people)

    # -- one case -----------------------------------------------------------------------------

    def age_for(self, status: str | None) -> float:
        if status is not None:
            low, high = FORCED_AGES[status]
            return low + self.rng.random() * (high - low)
        return max(0.05, SPAN_DAYS * self.rng.random() ** 1.25)

    def status_for(self, age: float) -> str:
        for limit, weights in STATUS_BY_AGE:
            if age < limit:
                return self.pick(weights)
        return S.ARCHIVED

    def handling_target(
        self, channel: str, category: str, grade: str, town: _Township, village: _Village
    ) -> Organization:
        w = self.w
        if channel in (IntakeChannel.COURT_PRE, IntakeChannel.COURT_POST):
            org = town.court_room or w.county_court_room
        elif channel == IntakeChannel.POLICE:
            org = town.police_room
        elif channel == IntakeChannel.PETITION:
            org = town.petition_room or w.county_petition_room
        elif channel in (IntakeChannel.DEPARTMENT, IntakeChannel.ADMIN_REVIEW):
            org = w.admin_rooms.get(category)
        else:
            org = None
        if org is not None:
            return org
        if category in w.industry and self.chance(INDUSTRY_SHARE.get(category, 0.0)):
            return w.industry[category]
        if grade == RiskGrade.LOW or (grade == RiskGrade.MEDIUM and self.chance(0.35)):
            return village.committee
        return town.committee

    def build(self, spec: _Spec) -> _Built:
        rng = self.rng
        status = spec.status
        age = spec.age if spec.age is not None else self.age_for(status)
        if status is None:
            status = self.status_for(age)
        outcome = status
        if status == S.ARCHIVED:
            outcome = self.pick(ARCHIVED_OUTCOMES)
        registered_at = self.now - timedelta(days=age)
        village = spec.village or rng.choice(self.w.villages)
        town = village.township
        if town is None:
            raise ValueError(village.region.code)
        place = rng.choice(village.grids) if village.grids and self.chance(0.6) else village.region
        category = self.pick(CATEGORY_WEIGHTS)
        channel = spec.channel or self.pick(CHANNEL_WEIGHTS)
        if channel == IntakeChannel.ADMIN_REVIEW and self.chance(0.7):
            category = Cat.ADMINISTRATIVE
        grade = self.pick(GRADE_WEIGHTS)
        people = 2 if not self.chance(0.12) else rng.randint(3, 40)
        if people >= 10 and grade == RiskGrade.LOW:
            grade = RiskGrade.MEDIUM

        # Parties.
        applicant, female = self.person_name()
        parties = [
            Party(
                role=PartyRole.APPLICANT,
                kind=PartyKind.PERSON,
                name=applicant,
                id_number=self.id_number(female),
                phone=self.phone(),
                address=f"{town.region.name}{village.region.name}{rng.randint(1, 120)}号",
            )
        ]
        if category in ORG_RESPONDENT and self.chance(0.7):
            respondent, code = self.company(category)
            parties.append(
                Party(
                    role=PartyRole.RESPONDENT,
                    kind=PartyKind.ORGANIZATION,
                    name=respondent,
                    id_number=code,
                    phone=f"0579-{rng.randrange(10**7, 10**8)}",
                )
            )
        else:
            respondent, female = self.person_name()
            parties.append(
                Party(
                    role=PartyRole.RESPONDENT,
                    kind=PartyKind.PERSON,
                    name=respondent,
                    id_number=self.id_number(female),
                    phone=self.phone(),
                    address=f"{town.region.name}{village.region.name}{rng.randint(1, 120)}号",
                )
            )
        if self.chance(0.08):
            third, female = self.person_name()
            parties.append(
                Party(
                    role=PartyRole.THIRD_PARTY,
                    name=third,
                    id_number=self.id_number(female),
                    phone=self.phone(),
                )
            )
        for p in parties:
            p.id_number_hash = lookup_hash(p.id_number)
            p.phone_hash = lookup_hash(p.phone)
        title = rng.choice(TITLES[category]).format(a=applicant, b=respondent)
        amount = None
        if category in (
            Cat.CONTRACT,
            Cat.DAMAGES,
            Cat.LABOUR,
            Cat.TRAFFIC,
            Cat.FINANCE,
            Cat.CONSTRUCTION,
            Cat.PROPERTY_MGMT,
            Cat.CONSUMER,
            Cat.MEDICAL,
        ):
            amount = Decimal(rng.randrange(500, 300_000 if grade == RiskGrade.LOW else 2_000_000))
        case = Case(
            region=place,
            region_path=place.path,
            address=f"{town.region.name}{village.region.name}",
            occurred_at=registered_at - self.hours(2, 24 * 20),
            title=title[:200],
            facts=f"{title}。双方多次协商未果，{applicant}请求调解组织介入。",
            claims="请求依法调解，妥善解决纠纷。",
            category=category,
            channel=channel,
            grade=grade,
            amount=amount,
            people_count=people,
            flag_group=people >= 10,
            flag_criminal_risk=grade in (RiskGrade.HIGH, RiskGrade.MAJOR) and self.chance(0.3),
            flag_petition_risk=channel == IntakeChannel.PETITION
            or (grade != RiskGrade.LOW and self.chance(0.1)),
            flag_vulnerable=self.chance(0.06),
            flag_sensitive=self.chance(0.03),
            platform=town.platform,
            number_region=town.platform.region,
            registered_at=registered_at,
        )
        sim = _Sim(self, case, village, spec, outcome, status, parties)
        sim.run()
        return sim.result(parties)


class _Sim:
    """Walks one case through the workflow table, writing rows as the services would."""

    def __init__(
        self,
        gen: _Generator,
        case: Case,
        village: _Village,
        spec: _Spec,
        outcome: str,
        final: str,
        parties: list[Party],
    ) -> None:
        if village.township is None:
            raise ValueError(village.region.code)
        self.g, self.case, self.village, self.spec = gen, case, village, spec
        self.town = village.township
        self.outcome, self.final = outcome, final
        self.status = ""
        self.version = 0
        self.events: list[TimelineEvent] = []
        self.orders: list[DispatchOrder] = []
        self.dues: list[DueItem] = []
        self.supervisions: list[SupervisionOrder] = []
        self.agreement: Agreement | None = None
        self.follow_ups: list[FollowUp] = []
        self.parties = parties
        self.consents: list[PartyConsent] = []
        self.notices: list[tuple[RightsNotice, list[Party]]] = []
        self.failure: Failure | None = None
        self.escalated_from: list[Organization] = []
        self.referral: Referral | None = None
        self.archive_org: Organization | None = None
        self.archived_at: datetime | None = None
        self.steps: list[tuple[str, timedelta, dict[str, Any]]] = []
        self.at = case.registered_at

    # Phase 1: the actions and nominal delays; phase 2 fits them before now and applies them.

    def plan(self, action: str, low: float, high: float, **kw: Any) -> None:
        self.steps.append((action, self.g.hours(low, high), kw))

    def plan_dispatch_round(self, *, to_accept: bool) -> None:
        g, spec, case = self.g, self.spec, self.case
        village = self.village
        target = spec.target_org or g.handling_target(
            case.channel, case.category, case.grade, self.town, village
        )
        forced = spec.target_org is not None
        if not forced and g.chance(0.1):
            # Returned once: the village cannot handle it, the township committee takes it.
            self.plan("dispatch", 1, 24, orgs=[village.committee])
            self.plan("return", 4, 72, reason="超出村级调解能力，请求由乡镇调委会承办")
            self.plan("assess", 1, 12)
            target = self.town.committee if target == village.committee else target
        joint = (
            not forced
            and g.chance(0.08 if case.grade == RiskGrade.LOW else 0.18)
            and target != self.town.committee
        )
        orgs = [target, self.town.committee] if joint else [target]
        escalate = to_accept and not forced and g.chance(ESCALATE_SHARE.get(case.grade, 0.02))
        if escalate:
            self.plan("dispatch", 1, 24, orgs=orgs)
            self.plan("accept", 2, 48, joint=joint)
            self.plan(
                "escalate",
                24,
                24 * 7,
                reason="案情复杂、风险较高，超出本级化解能力，请求上级统筹化解",
            )
            self.plan("assess", 1, 24)
            # The county takes it to the industry committee of its kind, else to the court's
            # litigation-service mediation room (诉调对接).
            w = self.g.w
            county_org = (
                w.industry.get(case.category) if case.category in INDUSTRY_SHARE else None
            ) or (w.county_court_room or self.town.committee)
            self.plan("dispatch", 1, 24, orgs=[county_org])
        else:
            self.plan("dispatch", 1, 24, orgs=orgs)
        if to_accept:
            self.plan("accept", 2, 60, joint=joint and not escalate)

    def make_plan(self) -> None:
        g, out = self.g, self.outcome
        self.plan("register", 0, 0)
        if self.final == S.REGISTERED:
            return
        if out == S.REFERRED_OUT and not self.spec.refusal and g.chance(0.2):
            self.plan("reject", 2, 72)
            return
        if out == S.WITHDRAWN and g.chance(0.25):
            self.plan("withdraw", 24, 240)
            return
        self.plan("assess", 1, 48)
        if out == S.ASSESSED:
            if g.chance(0.15):
                self.plan_dispatch_round(to_accept=False)
                self.plan("return", 4, 72, reason="不属于本单位受理范围，请重新交办")
            return
        if out == S.REFERRED_OUT and not self.spec.refusal and g.chance(0.2):
            self.plan("reject", 2, 72)
            return
        self.plan_dispatch_round(to_accept=out != S.DISPATCHED)
        if out == S.DISPATCHED:
            return
        if out == S.WITHDRAWN and g.chance(0.3):
            self.plan("withdraw", 24, 240)
            return
        if out == S.ACCEPTED:
            if g.chance(0.5):
                self.plan("consent", 1, 48)
            return
        if out == S.REFERRED_OUT and (self.spec.refusal or g.chance(0.2)):
            # A party clearly refuses (人民调解法 art. 17): no mediation, referred out at once.
            self.plan("consent", 1, 48, refused=True)
            self.plan("refer", 24, 120)
            if self.final == S.ARCHIVED:
                self.plan("archive", 24, 480)
            return
        # Mediation starts only with every consent and the rights notice (services.py).
        self.plan("consent", 1, 48)
        self.plan("start", 4, 120)
        if out == S.SUSPENDED:
            self.plan("suspend", 48, 300)
            return
        if g.chance(0.05):
            self.plan("suspend", 48, 300)
            self.plan("resume", 72, 400)
        if out == S.MEDIATING:
            return
        if out == S.WITHDRAWN:
            self.plan("withdraw", 24, 300)
        elif out == S.RESOLVED:
            self.plan("agree", 24, 600)
            if self.final == S.ARCHIVED or g.chance(0.5):
                self.plan("follow_up", 72, 480)
        elif out == S.FAILED:
            self.plan("fail", 48, 700)
        elif out == S.REFERRED_OUT:
            if g.chance(0.6):
                self.plan("fail", 48, 600)
            self.plan("refer", 24, 120)
        if self.final == S.ARCHIVED:
            self.plan("archive", 24, 480)

    def run(self) -> None:
        self.make_plan()
        total = sum((d for _a, d, _k in self.steps), timedelta())
        room = self.g.now - timedelta(minutes=30) - self.case.registered_at
        scale = max(0.0, min(1.0, room / total)) if total > timedelta() else 1.0
        for action, delay, kw in self.steps:
            self.at += delay * scale
            getattr(self, "do_" + action)(**kw)
        self.finish_due_items()

    # -- helpers ------------------------------------------------------------------------------

    def event(
        self,
        action: str,
        org: Organization | None,
        *,
        to: str | None = None,
        note: str = "",
        data: dict[str, Any] | None = None,
    ) -> None:
        before = self.status
        transition = action in CaseAction.values
        after = next_status(before, action) if transition else (to or before)
        name, user_id = self.g.actor(org)
        payload = dict(data or {})
        if transition or action == "register":
            payload["from_version"] = self.version
            self.version += 1
        self.events.append(
            TimelineEvent(
                case=self.case,
                at=self.at,
                actor_id=user_id,
                actor_name=name,
                org=org,
                action=action,
                from_status=before,
                to_status=after,
                note=note,
                data=payload,
            )
        )
        self.status = after
        if after not in OPEN_STATUSES and after != S.ARCHIVED and self.case.closed_at is None:
            self.case.closed_at = self.at
        if after not in OPEN_STATUSES:
            for order in self.orders:
                if order.status == DispatchStatus.PENDING:
                    order.status = DispatchStatus.CANCELLED
            for item in self.dues:
                if item.status == DueStatus.OPEN:
                    item.status = DueStatus.CANCELLED if after == S.WITHDRAWN else DueStatus.DONE
                    item.next_check_at = None
                    item.paused_at = None

    def live(self, *statuses: str) -> list[DispatchOrder]:
        return [o for o in self.orders if o.status in statuses]

    def end_round(self) -> None:
        for order in self.live(DispatchStatus.PENDING, DispatchStatus.ACCEPTED):
            order.status = DispatchStatus.CANCELLED
        for item in self.dues:
            if item.status == DueStatus.OPEN:
                item.status, item.next_check_at, item.paused_at = DueStatus.CANCELLED, None, None
        self.case.handling_org, self.case.handler = None, None

    def due(
        self, kind: str, org: Organization, due_at: datetime, order: DispatchOrder | None = None
    ) -> DueItem:
        item = DueItem(
            case=self.case, kind=kind, org=org, dispatch=order, due_at=due_at, status=DueStatus.OPEN
        )
        item.created = self.at  # type: ignore[attr-defined]
        self.dues.append(item)
        return item

    # -- actions ------------------------------------------------------------------------------

    def do_register(self) -> None:
        self.event(
            "register", self.case.platform, to=S.REGISTERED, data={"channel": self.case.channel}
        )

    def do_assess(self) -> None:
        c = self.case
        flags = [
            n
            for n, on in (
                ("group", c.flag_group),
                ("criminal_risk", c.flag_criminal_risk),
                ("petition_risk", c.flag_petition_risk),
                ("vulnerable", c.flag_vulnerable),
                ("sensitive", c.flag_sensitive),
            )
            if on
        ]
        data: dict[str, Any] = {"category": c.category, "grade": c.grade, "flags": flags}
        if c.channel == IntakeChannel.COURT_POST and not c.procedure:
            # The court's 委托 names its procedure: simplified for the smaller disputes.
            simplified = self.g.chance(0.4)
            c.procedure = CourtProcedure.SIMPLIFIED if simplified else CourtProcedure.ORDINARY
            data["procedure"] = c.procedure
        self.event("assess", c.platform, data=data)

    def do_dispatch(self, orgs: list[Organization]) -> None:
        joint = len(orgs) > 1
        _name, user_id = self.g.actor(self.case.platform)
        for i, org in enumerate(orgs):
            days = self.g.limit(DueKind.ACCEPT, org, self.case.grade)
            accept_by = _working_days_after(self.at, days)
            role = (
                DispatchRole.SOLE
                if not joint
                else (DispatchRole.LEAD if i == 0 else DispatchRole.COORDINATING)
            )
            order = DispatchOrder(
                case=self.case,
                from_org=self.case.platform,
                to_org=org,
                role=role,
                status=DispatchStatus.PENDING,
                task="请及时受理并组织调解，按期反馈结果。",
                dispatched_by_id=user_id,
                dispatched_at=self.at,
                accept_by=accept_by,
            )
            self.orders.append(order)
            self.due(DueKind.ACCEPT, org, accept_by, order)
        self.event(
            "dispatch", self.case.platform, data={"orgs": orgs, "lead": orgs[0] if joint else None}
        )

    def answer(self, order: DispatchOrder, status: str) -> None:
        order.status, order.responded_at = status, self.at
        _name, order.responded_by_id = self.g.actor(order.to_org)
        for item in self.dues:
            if item.dispatch is order and item.status == DueStatus.OPEN:
                item.status = (
                    DueStatus.DONE if status == DispatchStatus.ACCEPTED else (DueStatus.CANCELLED)
                )
                item.next_check_at = None

    def do_accept(self, joint: bool = False) -> None:
        pending = self.live(DispatchStatus.PENDING)
        lead = pending[0]
        self.answer(lead, DispatchStatus.ACCEPTED)
        case = self.case
        case.handling_org = lead.to_org
        handler = self.spec.handler
        if handler is None:
            for username, village in self.g.w.mediator_villages.items():
                user = self.g.w.users.get(username)
                if village.committee == lead.to_org and user and self.g.chance(0.6):
                    handler = user
        case.handler = handler
        if handler is not None:
            lead.responded_by_id = handler.pk
        self.event("accept", lead.to_org, data={"dispatch": lead, "role": lead.role})
        days = deadlines.mediation_days(case.channel, case.procedure)
        if days is not None:
            due_at = deadlines.add_calendar_days(self.at, days)
        else:
            due_at = deadlines.add_months(self.at, 1)
        self.due(DueKind.MEDIATION, lead.to_org, due_at)
        feedback_days = self.g.limit(DueKind.FEEDBACK, lead.to_org, case.grade)
        self.due(DueKind.FEEDBACK, lead.to_org, _working_days_after(self.at, feedback_days), lead)
        for other in pending[1:]:
            self.at += self.g.hours(0.5, 12)
            self.answer(other, DispatchStatus.ACCEPTED)
            self.event(
                "join",
                other.to_org,
                data={"dispatch": other, "role": other.role},
                note="作为协调方参与联合调处",
            )

    def do_return(self, reason: str) -> None:
        order = self.live(DispatchStatus.PENDING, DispatchStatus.ACCEPTED)[0]
        self.answer(order, DispatchStatus.RETURNED)
        order.return_reason = reason
        self.end_round()
        self.event("return", order.to_org, note=reason, data={"dispatch": order})

    def do_escalate(self, reason: str) -> None:
        """One level up from where the case is handled (``services.case_escalate``): a village
        committee hands it back to the township platform, which escalates it to the county."""
        org = self.case.handling_org
        old = self.case.platform
        self.end_round()
        if org is not None and org.region.level > old.region.level:
            self.event(
                "escalate",
                org,
                note=reason,
                data={"handed_back": True, "platform": old.pk, "from_org": org.pk},
            )
            self.at += self.g.hours(2, 24)
            org = old
            reason = "村级调委会上报，经乡镇研判需由区综治中心统筹化解"
        self.escalated_from.append(old)
        self.case.platform = self.g.w.county_platform
        self.event(
            "escalate",
            org,
            note=reason,
            data={"from_platform": old.pk, "platform": self.case.platform.pk},
        )

    def do_consent(self, refused: bool = False) -> None:
        org = self.case.handling_org
        _name, user_id = self.g.actor(org)
        method = self.g.rng.choice([ContactMethod.IN_PERSON, ContactMethod.PHONE])
        needed = [p for p in self.parties if p.role in CONSENTING_ROLES]
        for party in needed:
            refuses = refused and party is needed[-1]
            decision = ConsentDecision.REFUSED if refuses else ConsentDecision.CONSENTED
            note = "不同意调解，要求直接起诉" if refuses else ""
            self.consents.append(
                PartyConsent(
                    case=self.case,
                    party=party,
                    decision=decision,
                    method=method,
                    recorded_at=self.at,
                    recorded_by_id=user_id,
                    note=note,
                )
            )
            label = ConsentDecision(decision).label
            self.event(
                "consent",
                org,
                note=f"{party.name}：{label}" + (f"（{note}）" if note else ""),
                data={"party": party.name, "decision": decision, "method": method},
            )
        if refused:
            return
        notice = RightsNotice(
            case=self.case, delivered_at=self.at, delivered_by_id=user_id, method=method
        )
        self.notices.append((notice, list(self.parties)))
        self.event(
            "rights_notice",
            org,
            data={"method": method, "acknowledged": [p.name for p in self.parties]},
        )

    def do_start(self) -> None:
        self.event("start", self.case.handling_org, note="双方当事人同意调解，已告知权利义务")

    def do_suspend(self) -> None:
        for item in self.dues:
            if item.status == DueStatus.OPEN:
                item.paused_at = self.at
        self.event("suspend", self.case.handling_org, note="当事人住院治疗，暂时无法参加调解")

    def do_resume(self) -> None:
        for item in self.dues:
            if item.status == DueStatus.OPEN and item.paused_at is not None:
                item.due_at += self.at - item.paused_at
                item.paused_at = None
        self.event("resume", self.case.handling_org, note="中止原因消除，恢复调解")

    def do_agree(self) -> None:
        g, case = self.g, self.case
        org = case.handling_org
        written = g.chance(0.8)
        terms = (
            "被申请人于协议签订之日起十五日内向申请人支付补偿款，双方纠纷就此了结，今后互不追究。"
        )
        if written:
            self.agreement = Agreement(
                case=case,
                kind=AgreementKind.WRITTEN,
                facts=case.facts,
                disputed_points="责任如何划分、补偿数额及支付方式。",
                responsibilities="经调解，双方均认可各自负有一定责任，被申请人承担主要责任。",
                terms=terms,
                performance_method=g.rng.choice(["一次性现金支付", "银行转账", "分两期支付"]),
                performance_place=(org.name if org else case.platform.name),
                performance_deadline=(timezone.localtime(self.at) + timedelta(days=15)).date(),
                concluded_at=self.at,
            )
        else:
            self.agreement = Agreement(
                case=case,
                kind=AgreementKind.ORAL,
                terms=f"双方当场达成口头协议：{terms}",
                concluded_at=self.at,
            )
        if org is not None:
            case.resolved_level = org.region.level
        self.event("agree", org, data={"kind": self.agreement.kind})
        self.report_back(org, f"调解成功，达成{self.agreement.get_kind_display()}")

    def do_fail(self) -> None:
        org = self.case.handling_org
        facts = "双方对纠纷发生的时间、地点及基本经过无异议。"
        note = "双方分歧较大，调解不成"
        self.failure = Failure(
            case=self.case,
            undisputed_facts=facts,
            note=note,
            recorded_at=self.at,
            recorded_by_id=self.g.actor(org)[1],
        )
        self.event("fail", org, note=note, data={"undisputed_facts": facts})
        self.report_back(org, f"调解不成。无争议事实记载：{facts}")

    def do_refer(self) -> None:
        org = self.case.handling_org
        target, receiver = self.g.rng.choice(REFER_TARGETS)
        note = f"引导当事人向{receiver}寻求解决"
        self.referral = Referral(
            case=self.case,
            action=A.REFER,
            target=target,
            receiver=receiver,
            note=note,
            referred_at=self.at,
            referred_by_id=self.g.actor(org)[1],
        )
        self.event("refer", org, note=note, data={"target": target, "receiver": receiver})
        self.report_back(org, f"已转出，接收单位：{receiver}")

    def do_reject(self) -> None:
        org = self.case.platform
        receiver = self.g.rng.choice(["人民法院", "公安机关", "行政主管部门"])
        note = "不属于人民调解受理范围"
        self.referral = Referral(
            case=self.case,
            action=A.REJECT,
            receiver=receiver,
            note=note,
            referred_at=self.at,
            referred_by_id=self.g.actor(org)[1],
        )
        self.event("reject", org, note=note, data={"receiver": receiver})
        self.report_back(org, f"不予受理（{note}），告知/移送：{receiver}")

    def do_withdraw(self) -> None:
        org = self.case.handling_org or self.case.platform
        self.event("withdraw", org, note="当事人自行和解，申请撤回")
        self.report_back(org, "已撤回：当事人自行和解，申请撤回")

    def report_back(self, org: Organization | None, summary: str) -> None:
        """办结反馈 (``services._report_back``): the platforms that sent the case down, except
        the one closing it, hear the outcome."""
        sent = [o.from_org for o in self.orders] + self.escalated_from
        platforms = [p for p in dict.fromkeys(sent) if p != org]
        if not platforms:
            return
        names = "、".join(p.name for p in platforms)
        self.event(
            "report_back",
            org,
            note=f"已向{names}反馈办理结果：{summary}",
            data={"platforms": [p.pk for p in platforms], "outcome": self.status},
        )

    def do_follow_up(self) -> None:
        satisfaction = self.g.pick(SATISFACTION)
        org = self.case.handling_org or self.case.platform
        _name, user_id = self.g.actor(org)
        comment = {
            5: "协议已履行，当事人非常满意",
            4: "协议已履行，当事人满意",
            3: "基本履行，当事人认为一般",
            2: "履行有拖延，当事人不太满意",
            1: "当事人对结果不满意",
        }[satisfaction]
        self.follow_ups.append(
            FollowUp(
                case=self.case,
                visited_at=self.at,
                visitor_id=user_id,
                satisfaction=satisfaction,
                comment=comment,
            )
        )
        self.event("follow_up", org, note=comment, data={"satisfaction": satisfaction})

    def do_archive(self) -> None:
        self.archive_org = self.case.handling_org or self.case.platform
        self.archived_at = self.at
        self.event("archive", self.archive_org)

    # -- deadlines still running --------------------------------------------------------------

    def finish_due_items(self) -> None:
        now = self.g.now
        for item in self.dues:
            if item.status != DueStatus.OPEN or item.paused_at is not None:
                continue
            start = getattr(item, "created", now)
            first = deadlines.first_check(item.due_at, start)
            if first > now:
                item.next_check_at = first
            elif now < item.due_at:
                # The reminder has gone out (or is about to, in the next sweep).
                if self.g.chance(0.6):
                    item.reminded_at = first
                    item.next_check_at = item.due_at
                else:
                    item.next_check_at = first
            else:
                supervise_at = max(item.due_at, self.events[-1].at) + self.g.hours(1, 20)
                if item.kind == DueKind.FEEDBACK:
                    self.report_overdue(item, first, supervise_at)
                elif supervise_at < now and self.g.chance(0.6):
                    item.reminded_at = first
                    item.supervised_at = supervise_at
                    item.next_check_at = None
                    upper = self.upper_platform(item.org)
                    due = timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M")
                    reason = f"{item.get_kind_display()}已于{due}届满未办结"
                    self.supervisions.append(
                        SupervisionOrder(
                            case=self.case,
                            due_item=item,
                            org=item.org,
                            upper_org=upper,
                            issued_at=supervise_at,
                            reason=reason,
                        )
                    )
                    self.at = supervise_at
                    self.event("supervise", item.org, note=reason, data={"due_item": item})
                else:
                    # Overdue and not yet swept: the next sweep issues the 督办.
                    item.reminded_at = first if first < item.due_at else None
                    item.next_check_at = item.due_at

    def report_overdue(self, item: DueItem, first: datetime, at: datetime) -> None:
        """The feedback limit passed: the sweep has told the dispatching platform why not, or
        will at its next run."""
        item.reminded_at = first if first < item.due_at else None
        if at >= self.g.now or not self.g.chance(0.6):
            item.next_check_at = item.due_at
            return
        item.reported_at, item.next_check_at = at, None
        due = timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M")
        status = CaseStatus(self.status).label
        reason = (
            f"反馈时限已于{due}届满，案件尚未办结：当前状态“{status}”，承办单位{item.org.name}。"
        )
        platforms = list(dict.fromkeys([o.from_org for o in self.orders] + self.escalated_from))
        self.at = at
        self.event(
            "report_overdue",
            item.org,
            note=reason,
            data={"due_item": item, "platforms": [p.pk for p in platforms]},
        )

    def upper_platform(self, org: Organization) -> Organization:
        if org.region.level >= 5:
            return self.town.platform
        return self.g.w.county_platform

    def result(self, parties: list[Party]) -> _Built:
        case = self.case
        case.status = self.status
        case.version = self.version
        for p in parties:
            p.case = case
        return _Built(
            case,
            parties,
            self.events,
            self.orders,
            self.dues,
            self.supervisions,
            self.agreement,
            self.follow_ups,
            self.archive_org,
            self.archived_at,
            self.consents,
            self.notices,
            self.failure,
            self.referral,
        )


def _working_days_after(start: datetime, days: int) -> datetime:
    """Like ``deadlines.add_working_days`` with weekends only (no calendar look-ups)."""
    day = timezone.localtime(start).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return deadlines.end_of_day(day)


# ---------------------------------------------------------------------------------------------


def _specs(world: _World, count: int) -> list[_Spec]:
    """Forced cases first (every state and channel; the demo accounts' work), then free ones."""
    specs = [_Spec(status=s) for s in CaseStatus.values]
    specs.append(_Spec(status=S.REFERRED_OUT, refusal=True))
    specs += [_Spec(channel=c) for c in IntakeChannel.values]
    if world.dispatcher_township is not None:
        town = world.dispatcher_township
        for i in range(6):
            specs.append(
                _Spec(
                    status=S.REGISTERED if i % 2 else S.ASSESSED,
                    village=town.villages[i % len(town.villages)],
                )
            )
    for username, village in sorted(world.mediator_villages.items()):
        user = world.users[username]
        for status in (
            S.DISPATCHED,
            S.DISPATCHED,
            S.ACCEPTED,
            S.MEDIATING,
            S.MEDIATING,
            S.MEDIATING,
            S.SUSPENDED,
            S.RESOLVED,
            S.ARCHIVED,
        ):
            specs.append(
                _Spec(status=status, village=village, target_org=village.committee, handler=user)
            )
        # One long-running case past its one-month limit: "已超期" in 我的工作.
        specs.append(
            _Spec(
                status=S.MEDIATING,
                village=village,
                target_org=village.committee,
                handler=user,
                age=40 + 10 * len(specs) % 7,
            )
        )
    while len(specs) < count:
        specs.append(_Spec())
    return specs


def _fix_data(data: dict[str, Any]) -> dict[str, Any]:
    """Replace the model objects the simulation put in event data by their primary keys."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, list):
            out[key] = [getattr(v, "pk", v) for v in value]
        else:
            out[key] = getattr(value, "pk", value)
    return out


def demo_cases_seed(*, seed: int, today: date, count: int = FULL_CASES) -> DemoCaseSummary:
    """Add ``count`` cases to the demo county (which must exist), in one transaction."""
    world = _load_world()
    gen = _Generator(seed=seed, today=today, world=world)
    built = [gen.build(spec) for spec in _specs(world, count)]
    # Numbers in order of registration, gap-free per (numbering region, year).
    built.sort(key=lambda b: b.case.registered_at)
    seqs: dict[tuple[int, int], int] = defaultdict(int)
    regions = {t.platform.region.pk: t.platform.region for t in world.townships}
    for b in built:
        year = timezone.localtime(b.case.registered_at).year
        key = (b.case.number_region.pk, year)
        seqs[key] += 1
        b.case.number = f"{b.case.number_region.code}-{year}-{seqs[key]:06d}"
    archive_seqs: dict[tuple[int, int], int] = defaultdict(int)
    archived = [(b.archived_at, b) for b in built if b.archived_at is not None]
    for at, b in sorted(archived, key=lambda pair: pair[0]):
        if b.archive_org is None:
            continue
        year = timezone.localtime(at).year
        akey = (b.archive_org.pk, year)
        archive_seqs[akey] += 1
        # The services' format (``services._archive_number``): the org's place, then the number.
        prefix = b.archive_org.region.name[:2]
        b.case.archive_number = f"（{year}）{prefix}人调字第{archive_seqs[akey]}号"
    orgs_by_pk = {b.archive_org.pk: b.archive_org for b in built if b.archive_org}

    with transaction.atomic():
        Case.objects.bulk_create([b.case for b in built], batch_size=BATCH)
        Party.objects.bulk_create([p for b in built for p in b.parties], batch_size=BATCH)
        orders = [o for b in built for o in b.orders]
        DispatchOrder.objects.bulk_create(orders, batch_size=BATCH)
        dues = [d for b in built for d in b.dues]
        DueItem.objects.bulk_create(dues, batch_size=BATCH)
        supervisions = [s for b in built for s in b.supervisions]
        SupervisionOrder.objects.bulk_create(supervisions, batch_size=BATCH)
        events = [e for b in built for e in b.events]
        for e in events:
            e.data = _fix_data(e.data)
        TimelineEvent.objects.bulk_create(events, batch_size=BATCH)
        Agreement.objects.bulk_create([b.agreement for b in built if b.agreement], batch_size=BATCH)
        Failure.objects.bulk_create([b.failure for b in built if b.failure], batch_size=BATCH)
        Referral.objects.bulk_create([b.referral for b in built if b.referral], batch_size=BATCH)
        FollowUp.objects.bulk_create([f for b in built for f in b.follow_ups], batch_size=BATCH)
        PartyConsent.objects.bulk_create([c for b in built for c in b.consents], batch_size=BATCH)
        notices = [pair for b in built for pair in b.notices]
        RightsNotice.objects.bulk_create([n for n, _p in notices], batch_size=BATCH)
        Acknowledged = RightsNotice.acknowledged_by.through
        Acknowledged.objects.bulk_create(
            [Acknowledged(rightsnotice=n, party=p) for n, ps in notices for p in ps],
            batch_size=BATCH,
        )
        for (region_pk, year), last in sorted(seqs.items()):
            counter, _ = CaseCounter.objects.get_or_create(region=regions[region_pk], year=year)
            if counter.last_seq < last:
                counter.last_seq = last
                counter.save(update_fields=["last_seq"])
        for (org_pk, year), last in sorted(archive_seqs.items()):
            acounter, _ = ArchiveCounter.objects.get_or_create(org=orgs_by_pk[org_pk], year=year)
            if acounter.last_seq < last:
                acounter.last_seq = last
                acounter.save(update_fields=["last_seq"])
        summary = DemoCaseSummary(
            cases=len(built),
            parties=sum(len(b.parties) for b in built),
            events=len(events),
            orders=len(orders),
            due_items=len(dues),
            supervisions=len(supervisions),
        )
        audit_record(
            actor=None,
            event_type=EventType.CASE_REGISTERED,
            object_type="disputes.case",
            object_repr=f"演示案件 {summary.cases} 件（种子 {seed}）",
            after={"demo_seed": seed, **summary.__dict__},
        )
    return summary
