"""演示案件 — a few thousand fictional disputes since January of last year in the demo county.

Called by ``manage.py seed_demo`` after the county itself (``fengqiao.demo.seed``) is written.
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
import zlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.choices import DisputeCategory as Cat
from fengqiao.core.crypto import lookup_hash
from fengqiao.demo.cases_data import (
    ARCHIVED_OUTCOMES,
    BATCH,
    CATEGORY_WEIGHTS,
    CHANNEL_WEIGHTS,
    FORCED_AGES,
    FULL_CASES,
    GRADE_WEIGHTS,
    INDUSTRY_SHARE,
    ORG_RESPONDENT,
    STATUS_BY_AGE,
    TITLES,
    USCC_CHARS,
    S,
    span_days,
    uscc_check,
)
from fengqiao.demo.cases_steps import Sim
from fengqiao.demo.cases_world import (
    Built,
    CaseTownship,
    CaseVillage,
    DemoCaseSummary,
    Spec,
    World,
    load_world,
)
from fengqiao.demo.data import (
    FEMALE_GIVEN,
    ID_PREFIX,
    MALE_GIVEN,
    PHONE_PREFIXES,
    PLACE_FIRST,
    PLACE_SECOND,
    SURNAMES,
    T,
    id_check_digit,
)
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import (
    CaseStatus,
    IntakeChannel,
    PartyKind,
    PartyRole,
    RiskGrade,
)
from fengqiao.disputes.models import (
    ArchiveCounter,
    Case,
    CaseCounter,
    DispatchOrder,
    DueItem,
    Party,
    Referral,
    SupervisionOrder,
    TimelineEvent,
)
from fengqiao.mediation.choices import AgreementKind, PerformanceStatus
from fengqiao.mediation.models import (
    Agreement,
    Failure,
    FollowUp,
    PartyConsent,
    PerformanceItem,
    PerformanceRecord,
    RightsNotice,
)
from fengqiao.orgs.models import Organization


class Generator:
    def __init__(self, *, seed: int, today: date, world: World) -> None:
        self.rng = random.Random(seed)
        self.w = world
        # Everything happens before ``today`` begins (local time): the same seed and day give the
        # same rows, and nothing is dated later than the moment the demo is loaded.
        self.now = timezone.make_aware(datetime.combine(today, time(0, 0)))
        self.span = span_days(today)
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
        return max(0.05, self.span * self.rng.random() ** 1.25)

    def status_for(self, age: float) -> str:
        for limit, weights in STATUS_BY_AGE:
            if age < limit:
                return self.pick(weights)
        return S.ARCHIVED

    def handling_target(
        self, channel: str, category: str, grade: str, town: CaseTownship, village: CaseVillage
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

    def build(self, spec: Spec) -> Built:
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
        category = spec.category or category
        grade = self.pick(GRADE_WEIGHTS)
        grade = spec.grade or grade
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
        sim = Sim(self, case, village, spec, outcome, status, parties)
        sim.run()
        return sim.result(parties)


def _specs(world: World, count: int) -> list[Spec]:
    """Forced cases first (every state and channel; the demo accounts' work), then free ones."""
    specs = [Spec(status=s) for s in CaseStatus.values]
    specs.append(Spec(status=S.REFERRED_OUT, refusal=True))
    specs += [Spec(channel=c) for c in IntakeChannel.values]
    if world.dispatcher_township is not None:
        town = world.dispatcher_township
        for i in range(6):
            specs.append(
                Spec(
                    status=S.REGISTERED if i % 2 else S.ASSESSED,
                    village=town.villages[i % len(town.villages)],
                )
            )
        # Escalated by the township to the county: waiting for the county dispatcher (待交办).
        for i in range(3):
            specs.append(
                Spec(
                    status=S.ASSESSED,
                    village=town.villages[i % len(town.villages)],
                    grade=RiskGrade.HIGH,
                    escalated=True,
                )
            )
    for username, (org, village) in sorted(world.mediator_orgs.items()):
        user = world.users[username]
        # An industry committee's cases are of its industry; a court room's are sent by the court.
        categories = [c.category for c in org.categories.all()]
        category = categories[0] if org.kind.code == "committee_industry" and categories else None
        channel = IntakeChannel.COURT_PRE if org.kind.code == "room_court" else None
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
                Spec(
                    status=status,
                    channel=channel,
                    village=village,
                    target_org=org,
                    handler=user,
                    category=category,
                )
            )
        # One long-running case past its one-month limit: "已超期" in 我的工作.
        specs.append(
            Spec(
                status=S.MEDIATING,
                channel=channel,
                village=village,
                target_org=org,
                handler=user,
                category=category,
                age=40 + 10 * len(specs) % 7,
            )
        )
    while len(specs) < count:
        specs.append(Spec())
    return specs


def _settled_obligations(built: list[Built], today: date) -> list[PerformanceItem]:
    """The obligation of each archived case's written agreement, settled as a county's are:
    most performed by the deadline, some in default (协议履行率 has something to count). A
    case still 调解成功 is left open for ``fulfilment.py``, which acts on it through the
    services. Chosen by the case number, not drawn from the generator."""
    items = []
    for b in built:
        agreement = b.agreement
        if (
            b.case.status != CaseStatus.ARCHIVED
            or agreement is None
            or agreement.kind != AgreementKind.WRITTEN
            or agreement.performance_deadline is None
            or agreement.performance_deadline >= today
        ):
            continue
        obligor = next((p for p in b.parties if p.role == PartyRole.RESPONDENT), None)
        if obligor is None:
            continue
        roll = zlib.crc32(b.case.number.encode())
        amount = Decimal(500 + roll % 60 * 100)
        due = agreement.performance_deadline
        performed = roll % 100 < 92
        items.append(
            PerformanceItem(
                case=b.case,
                obligor=obligor,
                description="支付补偿款",
                amount=amount,
                due_date=due,
                status=PerformanceStatus.PERFORMED if performed else PerformanceStatus.DEFAULTED,
                performed_amount=amount if performed else Decimal(0),
                performed_on=due - timedelta(days=roll % 7) if performed else None,
                created_at=agreement.concluded_at,
            )
        )
    return items


def _settlement(item: PerformanceItem) -> PerformanceRecord:
    """The record a settled obligation carries: the payment, or the default noted the day after
    the deadline (``performed_amount`` is the sum of the payments, as the services keep it)."""
    if item.performed_on is not None:
        return PerformanceRecord(
            item=item,
            kind=PerformanceRecord.Kind.PERFORMED,
            amount=item.amount,
            happened_on=item.performed_on,
            recorded_at=item.created_at,
        )
    return PerformanceRecord(
        item=item,
        kind=PerformanceRecord.Kind.DEFAULT,
        happened_on=item.due_date + timedelta(days=1),
        note="义务人未按期履行，已告知申请人可申请司法确认后向人民法院申请强制执行。",
        recorded_at=item.created_at,
    )


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
    """Add ``count`` cases to the demo county (which must exist), in one transaction; never
    fewer than the forced ones (``FORCED_CASES_ONLY`` gives just those)."""
    world = load_world()
    gen = Generator(seed=seed, today=today, world=world)
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

    # Bulk writes, not the services: walking 3,000 cases through case_register, dispatch,
    # accept, … one by one takes minutes (each transition locks, numbers, audits and
    # notifies); the rows keep the services' invariants (module docstring) and one audit event
    # records the whole load.
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
        settled = _settled_obligations(built, today)
        PerformanceItem.objects.bulk_create(settled, batch_size=BATCH)
        PerformanceRecord.objects.bulk_create(
            [_settlement(item) for item in settled], batch_size=BATCH
        )
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
